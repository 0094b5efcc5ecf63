#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='the Debian package: built, lintian-clean, installed on Debian 12 and 13, used, upgraded, removed and purged

Builds the .deb with dpkg-buildpackage from a copy of the source tree and
checks it with lintian. Then, for Debian 12 and 13 in turn, installs it
into a fresh debootstrap tree (dev/debian-tree: a private mount namespace
over an overlay, so the cached tree stays as it was) that runs its own
stock sshd on 127.0.0.1:2222, in the network namespace of the test: the
reference API (over HTTPS with the test CA) and container 1 run outside
the tree. In the tree: the previous build installed first and upgraded
to this one (the operator'"'"'s sshgate.conf and the internal key kept), gate
logins refused with a clear log line until ApiUrl is set, configure run
twice, sshgate-doctor passing, NODE-ACCOUNT exec and shell, the ACCOUNT
menu and sftp with the real client, root logging in all along, then
remove (gate logins stop) and purge (nsswitch.conf and /etc/ssh byte for
byte as before).

The tree'"'"'s policy-rc.d blocks every service action; the test allows
them, as on a real host, so that the package'"'"'s "invoke-rc.d ssh reload"
reaches the tree'"'"'s sshd (there is no systemd in a chroot).'
. "${0%/*}/test-lib.sh"
. "${0%/*}/lib-terminal.sh"

test_lazy_prereq DEB_TOOLS '
	command -v dpkg-buildpackage && command -v dh_installnss &&
	command -v lintian && command -v debootstrap && command -v nsenter'
# Inside a tree of dev/debian-tree (dev/bootstrap test runs the suite
# there too) there are no trees to install into.
test_lazy_prereq NOT_IN_TREE '! test -e /.sshgate-stamp'
# The package is built here by dpkg-buildpackage, not taken from
# $SSHGATE_BUILD: once, with the normal build, is enough.
test_lazy_prereq NOT_SANITIZED '! grep -q "^SANITIZE_CFLAGS = .*-fsanitize" "$BUILD/Makefile"'
test_require_prereq DEB_TOOLS,NOT_IN_TREE,NOT_SANITIZED,PLATFORM_API,GATE_SHELL,TMUX
test -d "$SRCDIR/debian" || { skip_all='no debian/ in the source tree'; test_done; }

# Making a tree the first time is a debootstrap (minutes).
sg_watchdog 1500

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
VERSION=$(cd "$SRCDIR" && dpkg-parsechangelog -S Version)
DEB=$TRASH/deb/sshgate_${VERSION}_amd64.deb
PREV=$TRASH/deb/prev/sshgate_${VERSION}~prev1_amd64.deb

# The tracked files (and new ones not ignored), as dev/bootstrap deb
# takes them; a tarball without git: everything but builds and trash.
copy_source() {
	local dst=$1
	mkdir -p "$dst" &&
	if git -C "$SRCDIR" rev-parse --git-dir >/dev/null 2>&1
	then
		git -C "$SRCDIR" ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d "" f
		do
			test -e "$SRCDIR/$f" && printf "%s\0" "$f"
		done | tar -C "$SRCDIR" --null -T - -cf - | tar -xf - -C "$dst"
	else
		tar -C "$SRCDIR" --exclude=./build --exclude="./t/trash*" \
			-cf - . | tar -xf - -C "$dst"
	fi
}

test_expect_success 'dpkg-buildpackage builds the package' '
	copy_source "$TRASH/deb/src/sshgate-$VERSION" &&
	(cd "$TRASH/deb/src/sshgate-$VERSION" &&
	 DEB_BUILD_OPTIONS="nocheck parallel=2" \
		dpkg-buildpackage -us -uc -b >"$TRASH/deb/build.log" 2>&1) &&
	mv "$TRASH"/deb/src/*_"$VERSION"_* "$TRASH/deb/" &&
	rm -rf "$TRASH/deb/src" &&
	dpkg-deb -c "$DEB" >contents &&
	for f in ./usr/libexec/sshgate/authkeys-cmd ./usr/libexec/sshgate/gate-shell \
		./usr/libexec/sshgate/sftp-relay ./usr/sbin/sshgate-doctor \
		./usr/lib/x86_64-linux-gnu/libnss_sshgate.so.2 \
		./usr/share/man/man8/sshgate-doctor.8.gz
	do
		grep -q " $f\$" contents || { echo "missing $f" >&2; return 1; }
	done &&
	dpkg-deb -f "$DEB" Conffiles >/dev/null &&
	dpkg-deb -e "$DEB" control &&
	sort control/conffiles >actual &&
	printf "%s\n" /etc/ssh/sshd_config.d/10-sshgate.conf \
		/etc/sshgate/sshgate.conf >expect &&
	test_cmp expect actual
'

test_expect_success 'lintian: no error, no warning, no override' '
	chmod 0755 "$TRASH" "$TRASH/deb" &&
	runuser -u nobody -- lintian --fail-on error,warning \
		"$TRASH/deb/sshgate_${VERSION}_amd64.changes" >lintian.out 2>&1 ||
		{ cat lintian.out >&2; return 1; }
	test_must_be_empty lintian.out &&
	test_path_is_missing "$SRCDIR/debian/sshgate.lintian-overrides" &&
	test_path_is_missing "$SRCDIR/debian/source/lintian-overrides"
'

# "The previous build": this one with a lower version, so that dpkg runs
# the maintainer scripts of an upgrade.
test_expect_success 'setup: the previous build, the API over HTTPS, container 1' '
	dpkg-deb -R "$DEB" "$TRASH/prev" &&
	sed -i "s/^Version: .*/Version: ${VERSION}~prev1/" "$TRASH/prev/DEBIAN/control" &&
	mkdir -p "$TRASH/deb/prev" &&
	dpkg-deb -b "$TRASH/prev" "$PREV" >/dev/null &&
	rm -rf "$TRASH/prev" &&
	sg_api_start --https &&
	sg_api_seed_account 5678 &&
	sg_api_env 5678 env-shop &&
	sg_api_node 5678 env-shop 1234 1 &&
	sg_api_key 5678 alice >/dev/null &&
	sg_keygen admin &&
	sg_container_start 1
'

# tree CMD...: CMD inside the running tree (its mount namespace and root).
tree() {
	nsenter --target "$TREE_PID" --mount --root --wd -- "$@"
}

gate() {
	local key=$1 login=$2
	shift 2
	sg_ssh "$key" "$TRASH/gate/known_hosts" -p 2222 -l "$login" 127.0.0.1 "$@"
}

# A listing of /etc/ssh with modes and owners, and the bytes of each file.
etc_ssh_state() {
	tree /bin/sh -c "cd /etc/ssh && find . -printf \"%p %M %u %g %s\n\" | sort &&
		find . -type f -print0 | sort -z | xargs -0 sha256sum"
}

sighups() {
	grep -c "Received SIGHUP" "$TRASH/sshd-$1.log"
}

more_sighups() {
	test "$(sighups "$1")" -gt "$2"
}

tree_sshd_start() {
	sg_daemon_start "sshd-$1" "$TRASH/sshd-$1.log" \
		nsenter --target "$TREE_PID" --mount --root --wd -- \
		/usr/sbin/sshd -D -e -o Port=2222 -o ListenAddress=127.0.0.1 \
		-o LogLevel=VERBOSE &&
	sg_wait_for_port 127.0.0.1 2222 10
}

release_tests() {
	local rel=$1 name=$2

	test_expect_success "$name: setup: a fresh tree, its sshd, root's key" '
		dev_tree=$SRCDIR/dev/debian-tree &&
		"$dev_tree" path $rel >tree-path &&
		rm -f "$TRASH/tree.pid" &&
		sg_daemon_start "tree-$rel" "$TRASH/tree-$rel.log" \
			"$dev_tree" run $rel --bind "$TRASH:$TRASH" -- \
			/bin/sh -c "echo \$\$ >$TRASH/tree.pid; exec sleep 1200" &&
		sg_poll 60 test -s "$TRASH/tree.pid" &&
		TREE_PID=$(cat "$TRASH/tree.pid") &&
		tree grep -qx "VERSION_ID=\"$rel\"" /etc/os-release &&
		tree /bin/sh -c "printf \"#!/bin/sh\nexit 0\n\" >/usr/sbin/policy-rc.d" &&
		tree install -d -m 0755 /run/sshd &&
		tree install -d -m 0700 /root/.ssh &&
		tree install -m 0600 "$TRASH/keys/admin.pub" /root/.ssh/authorized_keys &&
		tree cp /etc/nsswitch.conf "$TRASH/nsswitch.before" &&
		etc_ssh_state >"$TRASH/etc-ssh.before" &&
		tree_sshd_start $rel &&
		mkdir -p "$TRASH/gate" &&
		echo "[127.0.0.1]:2222 $(tree cat /etc/ssh/ssh_host_ed25519_key.pub | cut -d" " -f1,2)" \
			>"$TRASH/gate/known_hosts" &&
		gate admin root "id -un" >out &&
		echo root >expect &&
		test_cmp expect out
	'

	test_expect_success "$name: apt-get install of the previous build: accounts, files, the key printed, sshd reloaded" '
		tree env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends \
			"$PREV" >install.out 2>&1 ||
			{ cat install.out >&2; return 1; }
		# apt runs dpkg on a terminal of its own: lines end with CR LF
		tr -d "\r" <install.out >install.txt &&
		grep -x "ssh-ed25519 [A-Za-z0-9+/]* sshgate@.*" install.txt >printed &&
		tree cat /etc/sshgate/internal_key.pub >pub &&
		test_cmp pub printed &&
		grep -q "gate logins are refused until you set ApiUrl" install.txt &&
		tree getent passwd sshgate sshgate-akc >pw &&
		test_line_count = 2 pw &&
		tree id -nG sshgate-akc >groups &&
		grep -qw sshgate groups &&
		tree stat -c "%U:%G %a %n" /etc/sshgate /etc/sshgate/nss.conf \
			/etc/sshgate/api-token /etc/sshgate/internal_key \
			/var/lib/sshgate/empty /run/sshgate/authkeys >actual &&
		cat >expect <<-\EOF &&
		root:root 755 /etc/sshgate
		root:root 644 /etc/sshgate/nss.conf
		root:sshgate 640 /etc/sshgate/api-token
		sshgate:sshgate 600 /etc/sshgate/internal_key
		root:root 755 /var/lib/sshgate/empty
		sshgate-akc:sshgate-akc 700 /run/sshgate/authkeys
		EOF
		test_cmp expect actual &&
		printf "Uid %s\nGid %s\nHome /var/lib/sshgate/empty\nShell /usr/libexec/sshgate/gate-shell\n" \
			"$(tree id -u sshgate)" "$(tree id -g sshgate)" >expect &&
		tree cat /etc/sshgate/nss.conf >actual &&
		test_cmp expect actual &&
		tree grep -E "^passwd:.* sshgate\$" /etc/nsswitch.conf &&
		sg_log_contains "$TRASH/sshd-$rel.log" "Received SIGHUP; restarting" 10
	'

	test_expect_success "$name: before ApiUrl is set a gate login is refused and says why; root logs in" '
		test_must_fail gate alice 1234-5678 true 2>err &&
		grep "Permission denied (publickey)" err &&
		sg_log_contains "$TRASH/sshd-$rel.log" "sshgate.conf: ApiUrl is not set" 5 &&
		gate admin root "id -un" >out &&
		echo root >expect &&
		test_cmp expect out
	'

	test_expect_success "$name: the operator fills in ApiUrl, the CA and the token; the key goes into container 1" '
		tree install -m 0644 "$SG_API_CA" /etc/sshgate/api-ca.pem &&
		tree sed -i -e "s|^#ApiUrl .*|ApiUrl $SG_API_HTTPS_URL|" \
			-e "s|^#ApiCaFile .*|ApiCaFile /etc/sshgate/api-ca.pem|" \
			/etc/sshgate/sshgate.conf &&
		tree grep -qx "ApiUrl $SG_API_HTTPS_URL" /etc/sshgate/sshgate.conf &&
		tree /bin/sh -c "cat >/etc/sshgate/api-token" <"$SG_API_TOKEN_FILE" &&
		tree cat /etc/sshgate/internal_key.pub >"$TRASH/tree-internal.pub" &&
		sg_container_authorize 1 "$TRASH/tree-internal.pub" &&
		tree sha256sum /etc/sshgate/sshgate.conf /etc/sshgate/internal_key \
			/etc/sshgate/internal_key.pub >"$TRASH/operator.sums"
	'

	test_expect_success "$name: the upgrade to this build keeps sshgate.conf and the internal key" '
		tree env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends \
			"$DEB" >upgrade.out 2>&1 ||
			{ cat upgrade.out >&2; return 1; }
		tree dpkg-query -W -f "\${Version} \${db:Status-Abbrev}\n" sshgate >actual &&
		echo "$VERSION ii " >expect &&
		test_cmp expect actual &&
		tree sha256sum /etc/sshgate/sshgate.conf /etc/sshgate/internal_key \
			/etc/sshgate/internal_key.pub >actual &&
		test_cmp "$TRASH/operator.sums" actual &&
		! grep -q "made the internal key" upgrade.out
	'

	test_expect_success "$name: configure run again changes nothing" '
		tree find /etc/sshgate /var/lib/sshgate /run/sshgate /etc/ssh \
			/etc/nsswitch.conf -printf "%p %M %u %g %s %T@\n" |
			sort >state.before &&
		tree dpkg-reconfigure sshgate >reconf.out 2>&1 &&
		tree find /etc/sshgate /var/lib/sshgate /run/sshgate /etc/ssh \
			/etc/nsswitch.conf -printf "%p %M %u %g %s %T@\n" |
			sort >state.after &&
		test_cmp state.before state.after &&
		tree getent group sshgate sshgate-akc >groups &&
		test_line_count = 2 groups &&
		! grep -q "made the internal key" reconf.out
	'

	test_expect_success "$name: configure with a configuration sshd -t refuses: says why, sshd not reloaded" '
		test_when_finished "tree rm -f /etc/ssh/sshd_config.d/00-broken.conf" &&
		tree /bin/sh -c "echo NoSuchSshdKeyword yes >/etc/ssh/sshd_config.d/00-broken.conf" &&
		n=$(sighups $rel) &&
		tree dpkg-reconfigure sshgate >reconf.out 2>&1 &&
		grep "^sshgate: sshd -t refuses the configuration, so sshd was not reloaded and runs as before:" reconf.out &&
		grep "NoSuchSshdKeyword" reconf.out &&
		sleep 1 &&
		test "$(sighups $rel)" = "$n" &&
		gate admin root "id -un" >out &&
		echo root >expect &&
		test_cmp expect out
	'

	test_expect_success "$name: sshgate-doctor passes" '
		tree sshgate-doctor >doctor.out 2>&1 ||
			{ cat doctor.out >&2; return 1; }
		! grep -v "^ok  " doctor.out &&
		grep -q "^ok    api: " doctor.out &&
		grep -q "^ok    dropin: " doctor.out &&
		grep -q "^ok    nss-sshd: " doctor.out &&
		tree sshgate-doctor --json >doctor.json &&
		python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"ok\"] is True and len(d[\"checks\"]) >= 15, d" doctor.json
	'

	test_expect_success "$name: NODE-ACCOUNT: a command runs in container 1" '
		gate alice 1234-5678 "id -un; echo \$SSH_CONNECTION" >out 2>err &&
		sed -n 1p out >actual &&
		echo ct1 >expect &&
		test_cmp expect actual &&
		sed -n 2p out | cut -d" " -f3 >actual &&
		echo "$SG_CT1_ADDR" >expect &&
		test_cmp expect actual &&
		sg_log_contains "$TRASH/sshd-$rel.log" "Accepted publickey for 1234-5678 from 127.0.0.1"
	'

	test_expect_success "$name: NODE-ACCOUNT: a shell session (no command) in container 1" '
		printf "echo shell-of-\$(id -un)\nexit 3\n" |
			test_expect_code 3 gate alice 1234-5678 -T >out 2>err &&
		grep -x shell-of-ct1 out
	'

	test_expect_success "$name: NODE-ACCOUNT: an interactive shell on a terminal" '
		sg_gate_ssh_cmd alice &&
		sg_tmux_start sh$rel "$TRASH/bin/ssh-alice -tt 1234-5678@127.0.0.1; echo rc=\$?; sleep 600" &&
		sg_tmux_wait_for sh$rel "ct1@" 20 &&
		sg_tmux_send sh$rel "echo in-\$(id -un)-\$((6*7)); exit 4" &&
		sg_tmux_wait_for sh$rel "^in-ct1-42" &&
		sg_tmux_wait_for sh$rel "^rc=4"
	'

	test_expect_success "$name: ACCOUNT: the menu on a terminal, into container 1 and out" '
		sg_tmux_start menu$rel "$TRASH/bin/ssh-alice -tt 5678@127.0.0.1; echo rc=\$?; sleep 600" &&
		sg_tmux_wait_for menu$rel "account 5678 - environments" 20 &&
		sg_tmux_send menu$rel 1 &&
		sg_tmux_wait_for menu$rel "environment env-shop" &&
		sg_tmux_send menu$rel 1 &&
		sg_tmux_wait_for menu$rel "ct1@" 20 &&
		sg_tmux_send menu$rel "echo menu-\$(id -un)-\$((6*7)); exit 5" &&
		sg_tmux_wait_for menu$rel "^menu-ct1-42" &&
		sg_tmux_wait_for menu$rel "session with container 1234 ended \(exit 5\)" &&
		sg_tmux_send menu$rel q &&
		sg_tmux_wait_for menu$rel "account 5678 - environments" &&
		sg_tmux_send menu$rel q &&
		sg_tmux_wait_for menu$rel "^rc=0"
	'

	test_expect_success "$name: ACCOUNT: the menu lists the account" '
		gate alice 5678 list >out 2>err &&
		grep -E "^  1234 +.*running +127\.0\.0\.11 +1234-5678\$" out &&
		sg_log_contains "$TRASH/sshd-$rel.log" "Accepted publickey for 5678 from 127.0.0.1"
	'

	test_expect_success "$name: sftp puts and gets a file in container 1" '
		head -c 100000 /dev/urandom >blob &&
		sftp -F /dev/null -b - -i "$TRASH/keys/alice" -o IdentitiesOnly=yes \
			-o IdentityAgent=none -o BatchMode=yes -P 2222 \
			-o UserKnownHostsFile="$TRASH/gate/known_hosts" \
			-o GlobalKnownHostsFile=/dev/null 1234-5678@127.0.0.1 \
			>out 2>err <<-\EOF &&
		put blob blob-up
		get blob-up blob-down
		EOF
		test_cmp blob "$SG_RUN/home/ct1/blob-up" &&
		test_cmp blob blob-down &&
		rm -f "$SG_RUN/home/ct1/blob-up"
	'

	test_expect_success "$name: root still logs in with its own key and shell" '
		gate admin root "id -un; echo \${SSH_ORIGINAL_COMMAND-unset}" >out &&
		printf "root\nunset\n" >expect &&
		test_cmp expect out
	'

	test_expect_success "$name: remove: gate logins stop, root still logs in" '
		n=$(sighups $rel) &&
		tree dpkg -r sshgate >remove.out 2>&1 ||
			{ cat remove.out >&2; return 1; }
		tree test ! -e /etc/ssh/sshd_config.d/10-sshgate.conf &&
		! tree grep -q sshgate /etc/nsswitch.conf &&
		sg_poll 10 more_sighups $rel $n &&
		sg_wait_for_port 127.0.0.1 2222 10 &&
		test_must_fail gate alice 1234-5678 true 2>err &&
		grep "Permission denied" err &&
		sg_log_contains "$TRASH/sshd-$rel.log" "Invalid user 1234-5678 from 127.0.0.1" 5 &&
		gate admin root "id -un" >out &&
		echo root >expect &&
		test_cmp expect out
	'

	test_expect_success "$name: installed again after remove: the drop-in, sshgate.conf and the key as they were" '
		n=$(sighups $rel) &&
		tree env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends \
			"$DEB" >reinstall.out 2>&1 ||
			{ cat reinstall.out >&2; return 1; }
		tree test -f /etc/ssh/sshd_config.d/10-sshgate.conf &&
		tree test ! -e /etc/ssh/sshd_config.d/10-sshgate.conf.sshgate-removed &&
		tree sha256sum /etc/sshgate/sshgate.conf /etc/sshgate/internal_key \
			/etc/sshgate/internal_key.pub >actual &&
		test_cmp "$TRASH/operator.sums" actual &&
		sg_poll 10 more_sighups $rel $n &&
		sg_wait_for_port 127.0.0.1 2222 10 &&
		gate alice 1234-5678 "id -un" >out 2>err &&
		echo ct1 >expect &&
		test_cmp expect out &&
		tree dpkg -r sshgate >remove.out 2>&1 &&
		tree test ! -e /etc/ssh/sshd_config.d/10-sshgate.conf
	'

	test_expect_success "$name: purge: nsswitch.conf and /etc/ssh byte for byte as before; the accounts stay" '
		tree dpkg -P sshgate >purge.out 2>&1 ||
			{ cat purge.out >&2; return 1; }
		! grep -i warning purge.out &&
		tree cat /etc/nsswitch.conf >nsswitch.after &&
		cmp "$TRASH/nsswitch.before" nsswitch.after &&
		etc_ssh_state >etc-ssh.after &&
		test_cmp "$TRASH/etc-ssh.before" etc-ssh.after &&
		tree test ! -e /etc/sshgate &&
		tree test ! -e /var/lib/sshgate &&
		tree test ! -e /run/sshgate &&
		tree test ! -e /usr/libexec/sshgate &&
		tree getent passwd sshgate sshgate-akc >pw &&
		test_line_count = 2 pw &&
		gate admin root "id -un" >out &&
		echo root >expect &&
		test_cmp expect out
	'

	test_expect_success "$name: the tree and its sshd stop" '
		sg_daemon_stop "sshd-$rel" &&
		sg_daemon_stop "tree-$rel" &&
		! sg_listening 127.0.0.1 2222
	'
}

# A package built on Debian 12 installs on 12 and 13; one built on 13
# needs 13's libraries.
host_release=$(. /etc/os-release && echo "${VERSION_ID%%.*}")
if test "$host_release" = 12
then
	release_tests 12 "Debian 12"
fi
release_tests 13 "Debian 13"

test_done
