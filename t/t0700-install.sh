#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='doc/install.md, followed step by step on a host that runs sshd

The test plays a Debian 12 host that already runs the stock sshd (the
private copy of /etc, sshd started as ssh.service starts it), then runs
the ```sh blocks of doc/install.md in order, verbatim, as root: the build
from a clean copy of the source tree with the doc'"'"'s configure flags and
the real "make install", the accounts made with adduser, nsswitch.conf,
the files under /etc/sshgate, the tmpfiles.d line, the checks. A
comment "t0700: ..." right before a block changes how it is run (see the
end of doc/install.md). Then it logs in through the real sshd with the
real client, checks what sshd applies to gate logins and to root, that a
reload keeps open sessions, the doc'"'"'s advice about other drop-ins, and
finally runs the uninstall steps and checks that nothing is left.

Nothing on the host changes: besides the private /etc, /run, /var/lib
and /var/log of the test library, /usr is an overlay whose changes stay
in memory, and "make install" is refused if it would write anywhere else.
For the login checks a placeholder that prints how it was called stands
in for gate-shell at /usr/libexec/sshgate/gate-shell; the real one, when
"make install" installs it, then logs in to a container with the
internal key of the doc.'
. "${0%/*}/test-lib.sh"

DOC=$SRCDIR/doc/install.md
# Debian root'"'"'s PATH: the doc calls sshd, adduser, runuser, deluser.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# The site values of the doc, and what the test puts in their place: its
# API, and 127.0.0.1 as the load balancer (every client of the test
# comes from there).
DOC_API_URL='https://api.example.com/sshgate'
TEST_API_URL='http://127.0.0.1:8080'
DOC_EXEMPT="'PerSourcePenaltyExemptList 192.0.2.10,192.0.2.11'"
TEST_EXEMPT="'PerSourcePenaltyExemptList 127.0.0.1'"

LIBEXEC=/usr/libexec/sshgate
NSSMOD=/lib/x86_64-linux-gnu/libnss_sshgate.so.2
DROPIN=/etc/ssh/sshd_config.d/10-sshgate.conf
USR_UPPER=/run/sg-usr/upper

# Like the library's own: an "error: ..." line on stderr, and failure.
t_error() {
	echo "error: $*" >&2
	return 1
}

# ---------------------------------------------------------------------------
# doc/install.md, cut into blocks: $TRASH/doc/NN.sh, and one line per
# block in $TRASH/doc/blocks: "NN<TAB>phase<TAB>marker<TAB>heading".
extract_blocks() {
	mkdir -p "$TRASH/doc" &&
	awk -v dir="$TRASH/doc" '
	function fail(msg) { print "doc/install.md:" NR ": " msg > "/dev/stderr"; bad = 1; exit 1 }
	fence != "" {
		if ($0 ~ /^```[ \t]*$/) {
			if (fence == "sh") close(file)
			fence = ""
		} else if (fence == "sh")
			print > file
		next
	}
	/^<!-- t0700: .* -->$/ {
		if (pending != "") fail("marker not right before a ```sh block")
		m = $0
		sub(/^<!-- t0700: /, "", m)
		sub(/ -->$/, "", m)
		if (m ~ /^phase [a-z]+$/) { phase = substr(m, 7); next }
		if (m !~ /^(skip: .+|srcdir|stdin-token|reload)$/)
			fail("unknown marker \"" m "\"")
		pending = m
		next
	}
	/^```/ {
		fence = substr($0, 4)
		sub(/[ \t]+$/, "", fence)
		if (fence == "") fail("a block without a language")
		if (fence != "sh") {
			if (pending != "") fail("marker before a ```" fence " block")
			next
		}
		n++
		file = sprintf("%s/%02d.sh", dir, n)
		printf "" > file
		printf "%02d\t%s\t%s\t%s\n", n, phase, (pending == "" ? "-" : pending), heading > (dir "/blocks")
		pending = ""
		next
	}
	{
		if (pending != "") fail("marker not right before a ```sh block")
		if ($0 ~ /^##+ /) { heading = $0; sub(/^#+ /, "", heading) }
	}
	END {
		if (bad) exit 1
		if (fence != "") { print "doc/install.md: unterminated block" > "/dev/stderr"; exit 1 }
		if (n == 0) { print "doc/install.md: no ```sh block" > "/dev/stderr"; exit 1 }
	}' phase=install "$DOC"
}

# The site values: the ApiUrl line must appear exactly once, and the API
# of the test answers on plain HTTP on loopback; the exempt list once.
substitute_site() {
	local hits
	hits=$(cat "$TRASH"/doc/[0-9]*.sh | grep -cxF "ApiUrl $DOC_API_URL")
	test "$hits" = 1 ||
		t_error "'ApiUrl $DOC_API_URL' is in $hits blocks of the doc, not 1" ||
		return
	hits=$(cat "$TRASH"/doc/[0-9]*.sh | grep -cF "$DOC_EXEMPT")
	test "$hits" = 1 ||
		t_error "$DOC_EXEMPT is in $hits blocks of the doc, not 1" ||
		return
	sed -i -e "s|^ApiUrl ${DOC_API_URL//./\\.}\$|ApiUrl $TEST_API_URL\\nApiAllowHttp yes|" \
		-e "s|${DOC_EXEMPT//./\\.}|$TEST_EXEMPT|" \
		"$TRASH"/doc/[0-9]*.sh
}

# The doc's package list: the words after "apt-get install".
doc_packages() {
	sed -n 's/^apt-get install //p' "$TRASH"/doc/[0-9]*.sh | tr ' ' '\n' |
		grep -v '^-' | grep .
}

# make install with a guard: first into a staging DESTDIR, and only if
# every file it installs resolves into a tree that is private to the test
# (/usr is the overlay) the real install. The blocks run in a bash that
# reads this first.
write_preamble() {
	cat >"$TRASH/doc/preamble.bash" <<-EOF
	make() {
		case " \$* " in
		*" install "*)
			test "\$(findmnt -n -o SOURCE /usr | tail -n 1)" = sg-usr ||
				{ echo "t0700: /usr is not the test's overlay" >&2; return 1; }
			rm -rf "$TRASH/stage" &&
			command make install DESTDIR="$TRASH/stage" >"$TRASH/stage.log" 2>&1 ||
				{ cat "$TRASH/stage.log" >&2; return 1; }
			local f real
			while IFS= read -r f
			do
				real=\$(readlink -m "\${f#$TRASH/stage}")
				case \$real in
				/usr/*|/etc/*|/var/lib/*|/run/*) ;;
				*)	echo "t0700: make install would write \$real, outside the test's private trees" >&2
					return 1 ;;
				esac
			done < <(find "$TRASH/stage" ! -type d)
			;;
		esac
		command make "\$@"
	}
	EOF
}

# run_block NN: one block as the doc says, with bash -e; its output in
# $TRASH/doc/NN.out (and in the test log).
run_block() {
	local n=$1 mark=$2 dir=$TRASH/work in=/dev/null rc
	case $mark in
	srcdir)		dir=$TRASH/src ;;
	stdin-token)	in=$TRASH/api/gate-token ;;
	esac
	echo "--- doc block $n (in $dir):"
	cat "$TRASH/doc/$n.sh"
	echo "---"
	(
		cd "$dir" &&
		bash -e -o pipefail -c \
			'. "$1"; set -x; . "$2"' doc-block \
			"$TRASH/doc/preamble.bash" "$TRASH/doc/$n.sh"
	) <"$in" >"$TRASH/doc/$n.out"
	rc=$?
	cat "$TRASH/doc/$n.out"
	return $rc
}

# What "systemctl reload ssh" does: ExecReload=sshd -t, then kill -HUP
# $MAINPID. The listener re-executes itself under the same pid; wait until
# it listens again (one more round of "Server listening" lines).
reloads=0
reload_sshd() {
	local pid want
	pid=$(cat /run/sshd.pid) && test "$pid" = "$SSHD_PID" &&
	/usr/sbin/sshd -t || return
	reloads=$((reloads + 1))
	want=$(( (reloads + 1) * LISTEN_LINES ))
	kill -HUP "$pid" &&
	sg_poll 10 listening_lines_are "$want" &&
	sg_poll 5 test -s /run/sshd.pid &&
	test "$(cat /run/sshd.pid)" = "$SSHD_PID" &&
	sg_listening 127.0.0.1 22 ||
		t_error "sshd did not come back after SIGHUP"
}


listening_lines_are() {
	test "$(grep -c 'Server listening on' "$TRASH/sshd.log")" -ge "$1"
}

# ssh to the host's sshd, port 22, with nothing but KEY.
host_ssh() {
	local key=$1 login=$2
	shift 2
	sg_ssh "$key" "$TRASH/known_hosts" -l "$login" 127.0.0.1 "$@"
}

# The effective sshd configuration for USER from the host address.
effective() {
	/usr/sbin/sshd -T -C "user=$1,host=gate,addr=203.0.113.5"
}

# has_lines FILE LINE...: each LINE is a whole line of FILE.
has_lines() {
	local f=$1 l
	shift
	for l
	do
		grep -qxF -- "$l" "$f" || t_error "no line '$l' in $f" || return
	done
}

# Our own reference API, as the platform would run it: the gate token is
# in the trash, so that the doc's step 8 is what writes
# /etc/sshgate/api-token (sg_api_start would write it and add users).
api_start() {
	local dir=$TRASH/api
	mkdir -p "$dir" && (
		umask 077 &&
		openssl rand -hex 32 >"$dir/gate-token" &&
		openssl rand -hex 32 >"$dir/admin-token" &&
		echo "Authorization: Bearer $(cat "$dir/admin-token")" \
			>"$dir/admin-header"
	) || return
	sg_daemon_start api "$dir/stderr" /usr/bin/python3 \
		"$SRCDIR/dev/platform-api" --state "$dir/state.json" \
		--token-file "$dir/gate-token" \
		--admin-token-file "$dir/admin-token" \
		--http 127.0.0.1:8080 --pid-file "$dir/pid" --log "$dir/log" ||
		return
	sg_poll 10 api_ready_or_gone "$SG_LAST_PID"
	test -s "$dir/pid" || {
		tail -n 20 "$dir/stderr" >&2
		t_error "the platform API did not start"
		return
	}
	export SG_API_URL=$TEST_API_URL
}

api_ready_or_gone() {
	test -s "$TRASH/api/pid" || ! kill -0 "$1" 2>/dev/null
}

# A clean copy of the source tree, as a git clone of the working tree
# would have it (no configure, no build products), or the whole tree
# without builds and trash when it is not a git checkout.
copy_source() {
	mkdir -p "$TRASH/src" || return
	if git -C "$SRCDIR" rev-parse --is-inside-work-tree >/dev/null 2>&1
	then
		(
			cd "$SRCDIR" &&
			git ls-files -z --cached --others --exclude-standard |
			grep -zv '^t/trash\.' |
			while IFS= read -r -d '' f
			do
				test -e "$f" && printf '%s\0' "$f"
			done | tar -c --null -T - -f -
		) | tar -x -C "$TRASH/src"
	else
		tar -C "$SRCDIR" -c --exclude=./build --exclude='./t/trash.*' \
			--exclude=./.git --exclude=./autom4te.cache -f - . |
		tar -x -C "$TRASH/src"
	fi
}

# A listing of /etc (mode, owner, path) and the contents of its regular
# files, without the backups the shadow tools leave (passwd-, subuid-...).
etc_snapshot() {
	(
		cd /etc &&
		find . ! -name '*-' -printf '%M %u:%g %p\n' | sort &&
		find . -type f ! -name '*-' -print0 | sort -z | xargs -0 md5sum
	)
}

# The files the table of step 2 says "make install" installs.
doc_installed_files() {
	awk '/^## 2\. /{ f = 1; next } /^## /{ f = 0 } f && /^\| `\//' "$DOC" |
		cut -d"|" -f2 | grep -o '`/[^`]*`' | tr -d '`' | sort
}

# test_doc_phase PHASE: the doc's blocks of PHASE, each a test.
test_doc_phase() {
	local n phase mark heading title
	while IFS=$'\t' read -r n phase mark heading <&7
	do
		test "$phase" = "$1" || continue
		title="doc/install.md block $n ($heading)"
		case $mark in
		skip:*)
			test_skip "$title" "${mark#skip: }" ;;
		reload)
			test_expect_success "$title: systemctl reload ssh, as ssh.service does it" '
				reload_sshd
			' ;;
		*)
			test_expect_success "$title" "run_block $n '$mark'" ;;
		esac
	done 7<"$TRASH/doc/blocks"
}

# ---------------------------------------------------------------------------

if ! extract_blocks 2>"$TRASH/extract.err"
then
	cat "$TRASH/extract.err" >&6
	echo "Bail out! cannot read the blocks of doc/install.md" >&5
	exit 1
fi
missing=
for p in $(doc_packages)
do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$' || missing="$missing $p"
done
if test -n "$missing"
then
	skip_all="the doc's build dependencies are not installed:$missing"
	test_done
fi
test_lazy_prereq GIT 'command -v git'
test_lazy_prereq OPENSSL 'command -v openssl'
test_lazy_prereq PYTHON3 'command -v python3'
test_require_prereq GIT,OPENSSL,PYTHON3

# /usr behind an overlay whose upper layer is in memory: everything
# "make install" writes under /usr (and /lib, a link into it) stays in
# this mount namespace. Without it no test may run.
mount_usr_overlay() {
	mkdir /run/sg-usr &&
	mount -t tmpfs -o mode=0755 sg-usr /run/sg-usr &&
	install -d -o root -g root -m 0755 "$USR_UPPER" /run/sg-usr/work &&
	mount -t overlay -o "lowerdir=/usr,upperdir=$USR_UPPER,workdir=/run/sg-usr/work" \
		sg-usr /usr &&
	private_trees &&
	touch /usr/.sg-probe && test -e "$USR_UPPER/.sg-probe" &&
	rm /usr/.sg-probe && ! test -e "$USR_UPPER/.sg-probe" &&
	test "$(readlink -f /lib/x86_64-linux-gnu)" = /usr/lib/x86_64-linux-gnu
}

# The trees the doc writes to are the test's own: /usr our overlay, /etc,
# /run, /var/lib and /var/log the test library's. findmnt lists every
# mount stacked on a directory (a real host's /run is a tmpfs under ours):
# the last one is the one in use.
top_mount() {
	findmnt -n -r -o SOURCE,FSTYPE "$1" | tail -n 1
}

private_trees() {
	test "$(top_mount /usr)" = "sg-usr overlay" &&
	test "$(top_mount /etc)" = "sg-etc tmpfs" &&
	test "$(top_mount /run)" = "sg-run tmpfs" &&
	test "$(top_mount /var/lib)" = "sg-varlib overlay" &&
	test "$(top_mount /var/log)" = "sg-log tmpfs"
}

if ! mount_usr_overlay >&4 2>&4
then
	echo "Bail out! cannot put /usr behind an overlay in memory" >&5
	exit 1
fi

test_expect_success 'setup: the doc has its blocks and its one site value' '
	test_line_count -ge 10 "$TRASH/doc/blocks" &&
	substitute_site &&
	write_preamble &&
	cut -f3 "$TRASH/doc/blocks" | grep -qx reload &&
	cut -f2 "$TRASH/doc/blocks" | grep -qx uninstall
'

# The host's sshd: its own /etc/ssh (the private copy), started as
# ssh.service starts it but for -e (the log in a file) and the address:
# Debian listens on every address, which here would also take port 22
# of the container addresses 127.0.0.1x.
test_expect_success 'setup: the host runs sshd, as ssh.service starts it' '
	ssh-keygen -A &&
	for f in /etc/ssh/ssh_host_*_key.pub
	do
		echo "127.0.0.1 $(cut -d" " -f1,2 "$f")" || return 1
	done >"$TRASH/known_hosts" &&
	/usr/sbin/sshd -t &&
	sg_daemon_start sshd "$TRASH/sshd.log" /usr/sbin/sshd -D -e \
		-o ListenAddress=127.0.0.1 &&
	SSHD_PID=$SG_LAST_PID &&
	sg_wait_for_port 127.0.0.1 22 &&
	sg_poll 5 test -s /run/sshd.pid &&
	test "$(cat /run/sshd.pid)" = "$SSHD_PID" &&
	LISTEN_LINES=$(grep -c "Server listening on" "$TRASH/sshd.log") &&
	test "$LISTEN_LINES" -ge 1
'

test_expect_success 'setup: the platform API with account 5678, node 1234 and a key' '
	api_start &&
	sg_keygen user && sg_keygen stranger && sg_keygen admin &&
	sg_keygen nodehostkey &&
	sg_api POST /v1/admin/accounts "{\"id\":\"5678\",\"name\":\"Alice\"}" &&
	sg_api POST /v1/admin/accounts/5678/environments \
		"{\"name\":\"env-shop\",\"display_name\":\"Shop\",\"status\":\"running\"}" &&
	sg_api POST /v1/admin/accounts/5678/environments/env-shop/nodes \
		"{\"id\":\"1234\",\"address\":\"127.0.0.11\",\"user\":\"ct1\",\"host_keys\":[{\"type\":\"ssh-ed25519\",\"blob\":\"$(cut -d" " -f2 "$TRASH/keys/nodehostkey.pub")\"}]}" &&
	KEY_ID=$(sg_api POST /v1/admin/accounts/5678/keys \
		"{\"public_key\":\"$(cat "$TRASH/keys/user.pub")\"}" | sg_json key_id) &&
	test -n "$KEY_ID" &&
	mkdir -p "$TRASH/work" &&
	cp "$TRASH/keys/user.pub" "$TRASH/work/key.pub"
'

test_expect_success 'setup: a clean copy of the source tree; /etc as it was' '
	copy_source &&
	test -f "$TRASH/src/configure.ac" &&
	test -f "$TRASH/src/doc/install.md" &&
	etc_snapshot >"$TRASH/etc.before" &&
	cp /etc/nsswitch.conf "$TRASH/nsswitch.conf.before"
'

# The doc's blocks up to its uninstall phase, each a test.
test_doc_phase install

test_expect_success 'the apt-get line is part of what dev/bootstrap installs' '
	"$SRCDIR/dev/bootstrap" packages | sort >bootstrap-packages &&
	test_line_count -ge 10 bootstrap-packages &&
	doc_packages | sort >doc-packages &&
	comm -23 doc-packages bootstrap-packages >out &&
	test_must_be_empty out
'

test_expect_success 'make install installs what the doc'"'"'s table lists, owned by root' '
	doc_installed_files >expect &&
	test_line_count -ge 5 expect &&
	(cd "$TRASH/stage" && find . ! -type d | sed "s|^\.||" | sort) >actual &&
	test_cmp expect actual &&
	while read -r f
	do
		test "$(stat -c %U:%G "$f")" = root:root ||
			{ echo "$f: $(stat -c %U:%G "$f")"; return 1; }
	done <expect &&
	test "$(stat -c "%U:%G %a" "$LIBEXEC")" = "root:root 755" &&
	test "$(stat -c "%U:%G %a" "$LIBEXEC/authkeys-cmd")" = "root:root 755" &&
	test "$(stat -c "%U:%G %a" "$DROPIN")" = "root:root 644" &&
	test_path_is_missing /lib/x86_64-linux-gnu/libnss_sshgate.la &&
	test -e "$USR_UPPER/lib/x86_64-linux-gnu/libnss_sshgate.so.2" &&
	test -e "$USR_UPPER/libexec/sshgate/authkeys-cmd"
'

test_expect_success 'the installed drop-in is the template with the install paths' '
	sg_dropin_render "$SRCDIR/sshd_config.d/10-sshgate.conf.in" "$LIBEXEC" >expect &&
	test_cmp expect "$DROPIN" &&
	! grep -n "@[A-Za-z_]*@" "$DROPIN"
'

# sshd -T prints any %X unchecked; only a login tells whether sshd knows
# %C (before 9.4 it ends the connection instead): probe-akc-conn logs in.
test_expect_success 'the drop-in passes %C to authkeys-cmd exactly when this sshd expands it' '
	probe=$("$SRCDIR/sshd_config.d/probe-akc-conn" /usr/sbin/sshd) &&
	echo "probe-akc-conn: $probe" &&
	grep "^	AuthorizedKeysCommand " "$DROPIN" >akc-line &&
	case $probe in
	yes)	grep " %u %t %k %f %C\$" akc-line ;;
	no)	grep " %u %t %k %f\$" akc-line ;;
	*)	false ;;
	esac
'

test_expect_success 'step 11: the load balancer is exempt where sshd has PerSourcePenalties' '
	if /usr/sbin/sshd -T | grep "^persourcepenalties "
	then
		/usr/sbin/sshd -T | grep -x "persourcepenaltyexemptlist 127.0.0.1"
	else
		test_path_is_missing /etc/ssh/sshd_config.d/05-sshgate-penalties.conf
	fi
'

test_expect_success 'the accounts, directories and files have the modes of the doc' '
	getent passwd sshgate | cut -d: -f6,7 >out &&
	echo "/nonexistent:/usr/sbin/nologin" >expect &&
	test_cmp expect out &&
	id -nG sshgate-akc | tr " " "\n" | sort >out &&
	printf "sshgate\nsshgate-akc\n" >expect &&
	test_cmp expect out &&
	test "$(id -u sshgate)" -lt 1000 && test "$(id -u sshgate-akc)" -lt 1000 &&
	printf "Uid %s\nGid %s\nHome /var/lib/sshgate/empty\nShell %s\n" \
		"$(id -u sshgate)" "$(id -g sshgate)" "$LIBEXEC/gate-shell" \
		>expect &&
	test_cmp expect /etc/sshgate/nss.conf &&
	grep -x "passwd:[[:space:]]*files systemd sshgate" /etc/nsswitch.conf &&
	while read -r path want
	do
		test "$(stat -c "%U:%G %a" "$path")" = "$want" ||
			{ echo "$path: $(stat -c "%U:%G %a" "$path"), not $want"; return 1; }
	done <<-\EOF
	/etc/sshgate root:root 755
	/etc/sshgate/nss.conf root:root 644
	/etc/sshgate/sshgate.conf root:root 644
	/etc/sshgate/api-token root:sshgate 640
	/etc/sshgate/internal_key sshgate:sshgate 600
	/var/lib/sshgate root:root 755
	/var/lib/sshgate/empty root:root 755
	/run/sshgate root:root 755
	/run/sshgate/authkeys sshgate-akc:sshgate-akc 700
	EOF
	cmp "$TRASH/api/gate-token" /etc/sshgate/api-token &&
	ssh-keygen -y -f /etc/sshgate/internal_key >pub &&
	test "$(cut -d" " -f1,2 pub)" = "$(cut -d" " -f1,2 /etc/sshgate/internal_key.pub)" &&
	test -z "$(ls -A /var/lib/sshgate/empty)"
'

test_expect_success 'the internal key is the service account'"'"'s alone' '
	runuser -u sshgate -- head -c 0 /etc/sshgate/internal_key &&
	test_must_fail runuser -u sshgate-akc -- head -c 0 /etc/sshgate/internal_key &&
	test_must_fail runuser -u nobody -- head -c 0 /etc/sshgate/api-token
'

test_expect_success 'glibc finds the installed NSS module without help' '
	getent passwd 1234-5678 >out &&
	echo "1234-5678:*:$(id -u sshgate):$(id -g sshgate)::/var/lib/sshgate/empty:$LIBEXEC/gate-shell" >expect &&
	test_cmp expect out &&
	test_must_fail /usr/bin/python3 -c "import pwd; pwd.getpwnam(\"5678\")" &&
	test_expect_code 2 getent passwd 1234-5678x
'

test_expect_success 'the doc'"'"'s authkeys-cmd check printed the key line' '
	read -r type blob _ <"$TRASH/keys/user.pub" &&
	line="restrict,pty,command=\"exec $LIBEXEC/gate-shell --key-id=$KEY_ID\" $type $blob" &&
	cat "$TRASH"/doc/*.out >all-out &&
	has_lines all-out "$line"
'

test_expect_success 'sshd -T: the drop-in applies to gate logins' '
	for login in 1234-5678 5678
	do
		effective "$login" >eff &&
		has_lines eff \
			"authorizedkeyscommand $LIBEXEC/authkeys-cmd $(sg_akc_args)" \
			"authorizedkeyscommanduser sshgate-akc" \
			"authorizedkeysfile none" \
			"authenticationmethods publickey" \
			"pubkeyauthentication yes" \
			"passwordauthentication no" \
			"kbdinteractiveauthentication no" \
			"hostbasedauthentication no" \
			"disableforwarding yes" \
			"allowagentforwarding no" \
			"allowtcpforwarding no" \
			"allowstreamlocalforwarding no" \
			"x11forwarding no" \
			"permittunnel no" \
			"permitlisten none" \
			"permitopen none" \
			"gatewayports no" \
			"permittty yes" \
			"permituserrc no" \
			"maxsessions 10" \
			"clientaliveinterval 30" \
			"clientalivecountmax 4" \
			"acceptenv LANG" \
			"forcecommand none" || return 1
	done
'

test_expect_success 'sshd -T: the doc shows what its check prints' '
	effective 1234-5678 |
	grep -E "^(authorizedkeys(command|commanduser|file)|authenticationmethods|permittty|permituserrc|disableforwarding|allow(agent|tcp|streamlocal)forwarding|x11forwarding|permittunnel|maxsessions|clientaliveinterval|forcecommand) " >actual &&
	awk "
		/^sshd -T -C user=1234-5678/ { want = 1 }
		want && /^\`\`\`text\$/ { inside = 1; next }
		inside && /^\`\`\`\$/ { exit }
		inside { print }
	" "$DOC" >expect.doc &&
	# the doc shows Debian 13 and says that 9.2 has no %C
	case $(sg_akc_args) in
	*%C)	cp expect.doc expect ;;
	*)	sed "/^authorizedkeyscommand /s/ %C\$//" expect.doc >expect ;;
	esac &&
	test_line_count -gt 5 expect &&
	test_cmp expect actual
'

test_expect_success 'sshd -T: local accounts such as root are left alone' '
	effective root >eff &&
	has_lines eff \
		"authorizedkeyscommand none" \
		"authorizedkeysfile .ssh/authorized_keys .ssh/authorized_keys2" \
		"authenticationmethods any" \
		"allowtcpforwarding yes" \
		"allowagentforwarding yes" \
		"x11forwarding yes" \
		"permituserrc yes" \
		"disableforwarding no" \
		"acceptenv LC_*"
'

test_expect_success 'setup: a placeholder gate-shell; root'"'"'s authorized key' '
	if test -e "$LIBEXEC/gate-shell"
	then
		mv "$LIBEXEC/gate-shell" "$LIBEXEC/gate-shell.real"
	fi &&
	cat >"$LIBEXEC/gate-shell" <<-\EOF &&
	#!/bin/sh
	# t0700: stands in for gate-shell; runs the command it is given.
	# As the login shell: -c "exec <this path> --key-id=K".
	case $1 in
	-c)	set -- ${2#"exec $0 "} ;;
	esac
	echo "gate-shell-placeholder args=$* user=$USER uid=$(id -u) cmd=${SSH_ORIGINAL_COMMAND-}"
	test -z "${SSH_ORIGINAL_COMMAND-}" || exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"
	EOF
	chmod 0755 "$LIBEXEC/gate-shell" &&
	mount -t tmpfs -o mode=0700 sg-root /root &&
	install -d -m 0700 /root/.ssh &&
	install -m 0600 "$TRASH/keys/admin.pub" /root/.ssh/authorized_keys
'

test_expect_success 'ssh 1234-5678@host: accepted, the forced command runs' '
	host_ssh user 1234-5678 >out 2>err &&
	echo "gate-shell-placeholder args=--key-id=$KEY_ID user=1234-5678 uid=$(id -u sshgate) cmd=" >expect &&
	test_cmp expect out &&
	sg_log_contains "$TRASH/sshd.log" \
		"Accepted publickey for 1234-5678 from 127.0.0.1 port [0-9]+ ssh2: ED25519 SHA256:" &&
	! grep -q "Invalid user" "$TRASH/sshd.log"
'

test_expect_success 'ssh 5678@host: the account login is accepted too' '
	host_ssh user 5678 "echo from-5678" >out 2>err &&
	printf "%s\n" \
		"gate-shell-placeholder args=--key-id=$KEY_ID user=5678 uid=$(id -u sshgate) cmd=echo from-5678" \
		from-5678 >expect &&
	test_cmp expect out &&
	sg_log_contains "$TRASH/sshd.log" "Accepted publickey for 5678 from 127.0.0.1"
'

test_expect_success 'a key the platform does not know is refused' '
	test_must_fail host_ssh stranger 1234-5678 true >out 2>err &&
	grep "Permission denied (publickey)" err &&
	test_must_be_empty out
'

test_expect_success 'the service accounts themselves cannot log in' '
	for u in sshgate sshgate-akc
	do
		effective $u >eff &&
		has_lines eff "authorizedkeysfile none" "passwordauthentication no" &&
		test_must_fail host_ssh user $u true 2>err &&
		grep "Permission denied" err || return 1
	done
'

test_expect_success 'root logs in as before: its own key, its shell, forwarding allowed' '
	host_ssh admin root "id -un; echo \"cmd=\${SSH_ORIGINAL_COMMAND-unset}\"" >out 2>err &&
	printf "root\ncmd=unset\n" >expect &&
	test_cmp expect out &&
	sg_log_contains "$TRASH/sshd.log" "Accepted publickey for root from 127.0.0.1" &&
	test_must_fail host_ssh user root true 2>err &&
	grep "Permission denied" err
'

bg_session() {
	host_ssh user 1234-5678 "echo started; sleep 5; echo survived"
	echo "exit=$?"
}

test_expect_success 'a reload (SIGHUP) keeps an open gate session' '
	sg_daemon_start session "$TRASH/session.out" bg_session &&
	sg_log_contains "$TRASH/session.out" "^started\$" 10 &&
	reload_sshd &&
	sg_log_contains "$TRASH/sshd.log" "Received SIGHUP; restarting" &&
	! grep -qx survived "$TRASH/session.out" &&
	sg_log_contains "$TRASH/session.out" "^survived\$" 15 &&
	sg_log_contains "$TRASH/session.out" "^exit=0\$" 5 &&
	host_ssh user 1234-5678 "echo after-reload" >out &&
	tail -n 1 out >actual &&
	echo after-reload >expect &&
	test_cmp expect actual
'

# The section "When another configuration sets the same keywords".
akc_of() {
	effective "$1" | sed -n "s/^authorizedkeyscommand //p"
}

site_dropin() {
	cat >/etc/ssh/sshd_config.d/"$1" &&
	/usr/sbin/sshd -t
}

OURS="$LIBEXEC/authkeys-cmd $(sg_akc_args)"
SITE="/usr/local/sbin/site-keys %u"

test_expect_success 'another drop-in: a global AuthorizedKeysCommand does not matter' '
	test_when_finished "rm -f /etc/ssh/sshd_config.d/05-site.conf" &&
	site_dropin 05-site.conf <<-EOF &&
	AuthorizedKeysCommand $SITE
	AuthorizedKeysCommandUser nobody
	EOF
	test "$(akc_of 1234-5678)" = "$OURS" &&
	test "$(akc_of root)" = "$SITE" &&
	rm /etc/ssh/sshd_config.d/05-site.conf &&
	/usr/sbin/sshd -T -o "AuthorizedKeysCommand=$SITE" \
		-o AuthorizedKeysCommandUser=nobody \
		-C user=1234-5678,host=gate,addr=203.0.113.5 >eff &&
	has_lines eff "authorizedkeyscommand $OURS"
'

test_expect_success 'another drop-in: an earlier Match all wins, as the doc warns' '
	test_when_finished "rm -f /etc/ssh/sshd_config.d/05-site.conf" &&
	site_dropin 05-site.conf <<-EOF &&
	Match all
		AuthorizedKeysCommand $SITE
		AuthorizedKeysCommandUser nobody
	EOF
	test "$(akc_of 1234-5678)" = "$SITE"
'

test_expect_success 'another drop-in: renamed to sort after ours, it does not' '
	test_when_finished "rm -f /etc/ssh/sshd_config.d/50-site.conf" &&
	site_dropin 50-site.conf <<-EOF &&
	Match all
		AuthorizedKeysCommand $SITE
		AuthorizedKeysCommandUser nobody
	EOF
	test "$(akc_of 1234-5678)" = "$OURS" &&
	test "$(akc_of root)" = "$SITE"
'

test_expect_success 'another drop-in: Match Group *,!sshgate keeps gate logins out' '
	test_when_finished "rm -f /etc/ssh/sshd_config.d/05-site.conf" &&
	site_dropin 05-site.conf <<-EOF &&
	Match Group *,!sshgate
		AuthorizedKeysCommand $SITE
		AuthorizedKeysCommandUser nobody
	EOF
	test "$(akc_of 1234-5678)" = "$OURS" &&
	test "$(akc_of 5678)" = "$OURS" &&
	test "$(akc_of root)" = "$SITE" &&
	site_dropin 05-site.conf <<-EOF &&
	Match Address 203.0.113.0/24 Group *,!sshgate
		AuthorizedKeysCommand $SITE
		AuthorizedKeysCommandUser nobody
	EOF
	test "$(akc_of 1234-5678)" = "$OURS" &&
	test "$(akc_of root)" = "$SITE"
'

test_expect_success 'a local change: an earlier Match Group sshgate block wins' '
	test_when_finished "rm -f /etc/ssh/sshd_config.d/05-sshgate-local.conf" &&
	site_dropin 05-sshgate-local.conf <<-\EOF &&
	Match Group sshgate
		MaxSessions 4
	EOF
	effective 1234-5678 >eff &&
	has_lines eff "maxsessions 4" "authorizedkeysfile none" &&
	effective root >eff &&
	has_lines eff "maxsessions 10"
'

# The real gate-shell, now that make install installs one: into a
# container whose user authorizes the internal key of step 9, the
# container's host key pinned in the API.
test_lazy_prereq REAL_GATE_SHELL 'test -e "$LIBEXEC/gate-shell.real"'

test_expect_success REAL_GATE_SHELL 'setup: container 1234 authorizes the internal key of the doc' '
	sg_container_start 1 &&
	CT_STARTED=t &&
	install -m 0644 /etc/sshgate/internal_key.pub \
		"$SG_RUN/ct1/authorized_keys" &&
	sg_api PATCH /v1/admin/nodes/1234 "{\"address\":\"$SG_CT1_ADDR\",\"user\":\"ct1\",\"host_keys\":[{\"type\":\"ssh-ed25519\",\"blob\":\"$(cut -d" " -f2 "$SG_CT1_HOSTKEY")\"}]}" &&
	mv "$LIBEXEC/gate-shell.real" "$LIBEXEC/gate-shell"
'

test_expect_success REAL_GATE_SHELL 'ssh 1234-5678@host runs the command in container 1234' '
	host_ssh user 1234-5678 "id -un; echo \$SSH_CONNECTION" >out 2>err &&
	sed -n 1p out >actual &&
	echo ct1 >expect &&
	test_cmp expect actual &&
	sed -n 2p out | cut -d" " -f3 >actual &&
	echo "$SG_CT1_ADDR" >expect &&
	test_cmp expect actual
'

test_expect_success REAL_GATE_SHELL 'sftp 1234-5678@host reaches the container (SftpSubsystem matches sshd)' '
	effective 1234-5678 | grep -x "subsystem sftp /usr/lib/openssh/sftp-server" &&
	echo "through the gate" >file &&
	sftp -F /dev/null -b - -i "$TRASH/keys/user" -o IdentitiesOnly=yes \
		-o IdentityAgent=none -o BatchMode=yes \
		-o UserKnownHostsFile="$TRASH/known_hosts" \
		-o GlobalKnownHostsFile=/dev/null 1234-5678@127.0.0.1 \
		>out 2>err <<-\EOF &&
	put file sftp-file
	EOF
	host_ssh user 1234-5678 "cat sftp-file" >actual &&
	test_cmp file actual &&
	test_cmp file "$SG_RUN/home/ct1/sftp-file"
'

test_expect_success 'setup: the container and its users go; the placeholder too' '
	if test -n "$CT_STARTED"
	then
		sg_container_stop 1
	fi &&
	for u in ct1 ct2 ct3
	do
		! getent passwd $u >/dev/null || userdel $u || return 1
	done &&
	if test -e "$LIBEXEC/gate-shell.real"
	then
		mv "$LIBEXEC/gate-shell.real" "$LIBEXEC/gate-shell"
	elif ! test -x "$TRASH/src/gate-shell/gate-shell"
	then
		rm "$LIBEXEC/gate-shell"
	fi &&
	! pgrep -u sshgate
'

# The doc's uninstall blocks.
test_doc_phase uninstall

test_expect_success 'after the uninstall nothing is left under /usr' '
	find "$USR_UPPER" ! -type d >out &&
	test_must_be_empty out &&
	test_path_is_missing "$LIBEXEC" &&
	test_path_is_missing "$NSSMOD"
'

test_expect_success 'after the uninstall /etc is as it was' '
	test_cmp "$TRASH/nsswitch.conf.before" /etc/nsswitch.conf &&
	etc_snapshot >etc.after &&
	test_cmp "$TRASH/etc.before" etc.after &&
	test_expect_code 2 getent passwd sshgate &&
	test_expect_code 2 getent passwd sshgate-akc &&
	test_expect_code 2 getent group sshgate &&
	test_expect_code 2 getent group sshgate-akc &&
	test_path_is_missing /var/lib/sshgate &&
	test_path_is_missing /run/sshgate
'

test_expect_success 'after the uninstall gate logins are unknown users, root still logs in' '
	test_must_fail host_ssh user 1234-5678 true 2>err &&
	grep "Permission denied" err &&
	sg_log_contains "$TRASH/sshd.log" "Invalid user 1234-5678 from 127.0.0.1" &&
	host_ssh admin root "id -un" >out &&
	echo root >expect &&
	test_cmp expect out
'

test_done
