#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='sshgate-doctor: every check passes on a working gate, and each one, broken on purpose, is named with a fix

A gate installed as the package installs it, in the namespaces of the
test library: the programs in /usr/libexec/sshgate and the NSS module in
/usr/lib/<triplet> (on an overlay of /usr whose changes stay in memory),
the drop-in, nsswitch.conf, /etc/sshgate with nss.conf, the token, the
internal key and the API'"'"'s CA, the reference API over HTTPS. The doctor
is the one of the build, run as root. Each test breaks one condition,
checks that the doctor exits 1 with a "FAIL NAME: ...; fix: ..." line for
it, and puts the condition back.'
. "${0%/*}/test-lib.sh"

test_require_prereq GATE_SHELL,SFTP_RELAY,AUTHKEYS_CMD,NSS_MODULE,PLATFORM_API

DOCTOR=$BUILD/doctor/sshgate-doctor
test -x "$DOCTOR" || { skip_all="no '$DOCTOR' in the build"; test_done; }
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
LIBEXEC=/usr/libexec/sshgate
TRIPLET=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
NSSMOD=/usr/lib/$TRIPLET/libnss_sshgate.so.2
CONF=/etc/sshgate/sshgate.conf
TOKEN=/etc/sshgate/api-token
KEY=/etc/sshgate/internal_key
DROPIN=/etc/ssh/sshd_config.d/10-sshgate.conf

sg_watchdog 300

# /usr as an overlay whose changes stay in memory, as t0700 does.
mount_usr_overlay() {
	mkdir /run/sg-usr &&
	mount -t tmpfs -o mode=0755 sg-usr /run/sg-usr &&
	install -d -o root -g root -m 0755 /run/sg-usr/upper /run/sg-usr/work &&
	mount -t overlay -o "lowerdir=/usr,upperdir=/run/sg-usr/upper,workdir=/run/sg-usr/work" \
		sg-usr /usr &&
	test "$(findmnt -n -o SOURCE,FSTYPE /usr)" = "sg-usr overlay" &&
	test "$(findmnt -n -o SOURCE,FSTYPE /etc)" = "sg-etc tmpfs"
}

# doctor_fails NAME...: exit 1, a FAIL line with a fix for each NAME.
doctor_fails() {
	local name
	test_expect_code 1 "$DOCTOR" >doctor.out 2>doctor.err ||
		{ cat doctor.out doctor.err >&2; return 1; }
	test_must_be_empty doctor.err &&
	for name
	do
		grep -E "^FAIL  $name: .+; fix: .+" doctor.out ||
			{ echo "no FAIL line for $name" >&2; cat doctor.out >&2; return 1; }
	done
}

doctor_passes() {
	"$DOCTOR" >doctor.out 2>&1 || { cat doctor.out >&2; return 1; }
	! grep -v "^ok    " doctor.out
}

test_expect_success 'setup: the gate as the package installs it, the API over HTTPS' '
	mount_usr_overlay &&
	sg_users_setup &&
	sg_install_programs "$LIBEXEC" &&
	install -D -m 0644 "$BUILD/nss/.libs/libnss_sshgate.so.2" "$NSSMOD" &&
	sg_install_dropin "$SRCDIR/sshd_config.d/10-sshgate.conf.in" "$LIBEXEC" &&
	sed -i -E "/^passwd:/s/[[:space:]]*\$/ sshgate/" /etc/nsswitch.conf &&
	cp /etc/nsswitch.conf "$TRASH/nsswitch.good" &&
	sg_api_start --https &&
	install -d -m 0755 /etc/sshgate /var/lib/sshgate /var/lib/sshgate/empty /run/sshgate &&
	install -d -o sshgate-akc -g sshgate-akc -m 0700 /run/sshgate/authkeys &&
	install -m 0644 "$SG_API_CA" /etc/sshgate/api-ca.pem &&
	printf "%s\n" "ApiUrl $SG_API_HTTPS_URL" "ApiCaFile /etc/sshgate/api-ca.pem" \
		"ApiTokenFile $TOKEN" >"$CONF" &&
	cp "$CONF" "$TRASH/conf.good" &&
	test "$SG_API_TOKEN_FILE" = "$TOKEN" &&
	chown root:sshgate "$TOKEN" && chmod 0640 "$TOKEN" &&
	cp -p "$TOKEN" "$TRASH/token.good" &&
	printf "Uid %s\nGid %s\nHome /var/lib/sshgate/empty\nShell %s/gate-shell\n" \
		"$SG_UID" "$SG_GID" "$LIBEXEC" >/etc/sshgate/nss.conf &&
	cp /etc/sshgate/nss.conf "$TRASH/nss.good" &&
	sg_gate_internal_key &&
	install -m 0644 "$TRASH/keys/internal.pub" "$KEY.pub" &&
	/usr/sbin/sshd -t
'

test_expect_success 'a working gate: every check ok, exit 0' '
	doctor_passes &&
	cut -d: -f1 doctor.out >names &&
	cat >expect <<-\EOF &&
	ok    accounts
	ok    authkeys-cmd
	ok    gate-shell
	ok    sftp-relay
	ok    sshd-config
	ok    dropin
	ok    nsswitch
	ok    nss
	ok    nss-sshd
	ok    nss-numeric
	ok    akc-path
	ok    nss-conf
	ok    token
	ok    internal-key
	ok    cache-dir
	ok    api
	EOF
	test_cmp expect names
'

test_expect_success '--json: one object, every check, ok true' '
	"$DOCTOR" --json >doctor.json &&
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"ok\"] is True, d
assert len(d[\"checks\"]) == 16, d
assert all(c[\"ok\"] is True and c[\"fix\"] == \"\" for c in d[\"checks\"]), d
" doctor.json
'

test_expect_success 'usage errors and a bad --login exit 2' '
	test_expect_code 2 "$DOCTOR" --bogus 2>err &&
	grep "^usage: sshgate-doctor" err &&
	test_expect_code 2 "$DOCTOR" --login "1-2;touch /tmp/x" 2>err &&
	test_path_is_missing /tmp/x &&
	test_expect_code 2 "$DOCTOR" --login 5678 2>err &&
	"$DOCTOR" --login 99-4242 >out &&
	grep "^ok    nss-sshd: sshd knows the account login 4242" out
'

test_expect_success 'accounts: sshgate-akc out of group sshgate' '
	test_when_finished "usermod -a -G sshgate sshgate-akc" &&
	gpasswd -d sshgate-akc sshgate >/dev/null &&
	doctor_fails accounts &&
	test_line_count = 1 doctor.out
'

test_expect_success 'authkeys-cmd, gate-shell, sftp-relay: ApiUrl not set' '
	test_when_finished "cp \"$TRASH/conf.good\" \"$CONF\"" &&
	sed -i "/^ApiUrl /d" "$CONF" &&
	doctor_fails authkeys-cmd gate-shell sftp-relay api &&
	grep "^FAIL  authkeys-cmd: .*ApiUrl is not set" doctor.out &&
	grep "^FAIL  api: ApiUrl is not set" doctor.out
'

test_expect_success 'authkeys-cmd: an unknown keyword in sshgate.conf' '
	test_when_finished "cp \"$TRASH/conf.good\" \"$CONF\"" &&
	echo "NoSuchKeyword yes" >>"$CONF" &&
	doctor_fails authkeys-cmd gate-shell &&
	grep "^FAIL  authkeys-cmd: .*NoSuchKeyword" doctor.out
'

test_expect_success 'sshd-config: sshd -t refuses a broken drop-in' '
	test_when_finished "rm -f /etc/ssh/sshd_config.d/00-broken.conf" &&
	echo "NoSuchSshdKeyword yes" >/etc/ssh/sshd_config.d/00-broken.conf &&
	doctor_fails sshd-config &&
	grep "^FAIL  sshd-config: sshd -t: .*NoSuchSshdKeyword" doctor.out
'

test_expect_success 'dropin: an earlier Match all allows TCP forwarding for gate logins' '
	test_when_finished "rm -f /etc/ssh/sshd_config.d/05-site.conf" &&
	printf "Match all\n\tAllowTcpForwarding yes\n" >/etc/ssh/sshd_config.d/05-site.conf &&
	/usr/sbin/sshd -t &&
	doctor_fails dropin &&
	grep "^FAIL  dropin: .*allowtcpforwarding is yes, not no;" doctor.out
'

test_expect_success 'dropin: the drop-in is gone' '
	test_when_finished "mv \"$TRASH/dropin\" \"$DROPIN\"" &&
	mv "$DROPIN" "$TRASH/dropin" &&
	doctor_fails dropin nss-sshd &&
	grep "^FAIL  dropin: .*authorizedkeyscommand is" doctor.out
'

test_expect_success 'nss, nss-sshd: sshgate not in nsswitch.conf' '
	test_when_finished "cp \"$TRASH/nsswitch.good\" /etc/nsswitch.conf" &&
	sed -i "/^passwd:/s/ sshgate//" /etc/nsswitch.conf &&
	doctor_fails nsswitch nss nss-sshd dropin &&
	grep "^FAIL  nss: getent passwd 1234-5678 finds nothing; fix: put sshgate on the passwd line" doctor.out
'

test_expect_success 'nsswitch: sshgate before files' '
	test_when_finished "cp \"$TRASH/nsswitch.good\" /etc/nsswitch.conf" &&
	sed -i -E "/^passwd:/{s/ sshgate//;s/^passwd:[[:space:]]*/passwd: sshgate /}" /etc/nsswitch.conf &&
	grep "^passwd: sshgate files" /etc/nsswitch.conf &&
	doctor_fails nsswitch &&
	grep "^FAIL  nsswitch: sshgate comes before files" doctor.out &&
	! grep "^FAIL  nss:" doctor.out
'

test_expect_success 'nss-sshd: a local account named 5678 hides the account login' '
	test_when_finished "userdel 5678" &&
	useradd -M -N -g users -s /usr/sbin/nologin 5678 2>/dev/null ||
		useradd --badname -M -N -g users -s /usr/sbin/nologin 5678 &&
	doctor_fails nss-sshd &&
	! grep "^FAIL  nss:" doctor.out
'

# The module answers account logins only to sshd, which it knows from
# /proc/self/exe: with a /proc whose self/exe is sshd for everyone, it
# answers getent too, as a module without that rule would.
test_expect_success 'nss-numeric: a module that answers account logins to every process' '
	unshare --mount /bin/sh -c "
		mount -t tmpfs sg-fakeproc /proc &&
		mkdir /proc/self &&
		ln -s /usr/sbin/sshd /proc/self/exe &&
		id -u 5678 >\"$TRASH/fake-id\";
		\"$DOCTOR\" >\"$TRASH/doctor.out\" 2>&1; echo \$? >\"$TRASH/doctor.rc\"" &&
	echo "$SG_UID" >expect &&
	test_cmp expect fake-id &&
	echo 1 >expect &&
	test_cmp expect doctor.rc &&
	grep -E "^FAIL  nss-numeric: id 0 gives uid $SG_UID, not root: .*; fix: .+" doctor.out &&
	test "$(id -u 0)" = 0
'

test_expect_success 'akc-path: the program directory writable by its group' '
	test_when_finished "chmod 0755 $LIBEXEC" &&
	chmod 0775 $LIBEXEC &&
	doctor_fails akc-path &&
	grep "^FAIL  akc-path: $LIBEXEC is mode 775, .*; fix: chmod go-w $LIBEXEC\$" doctor.out
'

test_expect_success 'akc-path: authkeys-cmd not owned by root' '
	test_when_finished "chown root $LIBEXEC/authkeys-cmd" &&
	chown sshgate $LIBEXEC/authkeys-cmd &&
	doctor_fails akc-path &&
	grep "^FAIL  akc-path: $LIBEXEC/authkeys-cmd belongs to uid $SG_UID, not root" doctor.out
'

test_expect_success 'nss-conf: the uid of another account' '
	test_when_finished "cp \"$TRASH/nss.good\" /etc/sshgate/nss.conf" &&
	sed -i "s/^Uid .*/Uid 0/" /etc/sshgate/nss.conf &&
	doctor_fails nss-conf nss &&
	grep "^FAIL  nss-conf: .* says Uid 0 Gid $SG_GID, but sshgate is $SG_UID:$SG_GID" doctor.out
'

test_expect_success 'nss-conf: writable by others' '
	test_when_finished "chmod 0644 /etc/sshgate/nss.conf" &&
	chmod 0666 /etc/sshgate/nss.conf &&
	doctor_fails nss-conf
'

test_expect_success 'token: readable by everyone' '
	test_when_finished "chmod 0640 $TOKEN" &&
	chmod 0644 $TOKEN &&
	doctor_fails token api &&
	grep "^FAIL  token: .* must be root:sshgate 0640" doctor.out &&
	grep "^FAIL  api: not checked" doctor.out
'

test_expect_success 'token: group root, so sshgate-akc cannot read it' '
	test_when_finished "chgrp sshgate $TOKEN" &&
	chgrp root $TOKEN &&
	doctor_fails token
'

test_expect_success 'token: empty' '
	test_when_finished "cp \"$TRASH/token.good\" $TOKEN" &&
	: >$TOKEN &&
	doctor_fails token &&
	grep "^FAIL  token: $TOKEN is empty" doctor.out
'

test_expect_success 'token: a FIFO is named, not waited on' '
	test_when_finished "rm -f $TOKEN; cp -p \"$TRASH/token.good\" $TOKEN" &&
	rm $TOKEN && mkfifo -m 0640 $TOKEN && chgrp sshgate $TOKEN &&
	doctor_fails token &&
	grep "^FAIL  token: $TOKEN is not a regular file" doctor.out
'

test_expect_success 'internal-key: readable by group sshgate (so by sshgate-akc)' '
	test_when_finished "chmod 0600 $KEY; chgrp sshgate $KEY" &&
	chgrp sshgate-akc $KEY && chmod 0640 $KEY &&
	doctor_fails internal-key
'

test_expect_success 'internal-key: owned by root' '
	test_when_finished "chown sshgate $KEY" &&
	chown root $KEY &&
	doctor_fails internal-key
'

test_expect_success 'internal-key: the .pub is of another key' '
	test_when_finished "install -m 0644 \"$TRASH/keys/internal.pub\" $KEY.pub" &&
	sg_keygen other &&
	install -m 0644 "$TRASH/keys/other.pub" $KEY.pub &&
	doctor_fails internal-key &&
	grep "^FAIL  internal-key: $KEY.pub is not the public half of $KEY" doctor.out
'

test_expect_success 'cache-dir: mode 0755' '
	test_when_finished "chmod 0700 /run/sshgate/authkeys" &&
	chmod 0755 /run/sshgate/authkeys &&
	doctor_fails cache-dir
'

test_expect_success 'api: the API refuses the token' '
	test_when_finished "cp \"$TRASH/token.good\" $TOKEN" &&
	echo wrong-token-0123456789 >$TOKEN &&
	doctor_fails api &&
	grep "^FAIL  api: the API refuses the token (401)" doctor.out &&
	grep "\"GET /v1/gate/health\" 401\|GET /v1/gate/health 401" "$TRASH/api/log"
'

test_expect_success 'api: the CA of ApiCaFile did not sign the certificate' '
	test_when_finished "cp \"$TRASH/conf.good\" \"$CONF\"" &&
	sed -i "s|^ApiCaFile .*|ApiCaFile /etc/ssl/certs/ca-certificates.crt|" "$CONF" &&
	doctor_fails api &&
	grep "^FAIL  api: TLS with the API fails: .*; fix: set ApiCaFile" doctor.out
'

test_expect_success 'api: nothing listens at ApiUrl' '
	test_when_finished "cp \"$TRASH/conf.good\" \"$CONF\"" &&
	sed -i "s|^ApiUrl .*|ApiUrl https://127.0.0.1:9|" "$CONF" &&
	doctor_fails api &&
	grep "^FAIL  api: cannot reach the API: " doctor.out
'

test_expect_success '--json: a failing check is ok false with its fix, exit 1' '
	test_when_finished "chmod 0700 /run/sshgate/authkeys" &&
	chmod 0755 /run/sshgate/authkeys &&
	test_expect_code 1 "$DOCTOR" --json >doctor.json &&
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"ok\"] is False, d
bad = [c for c in d[\"checks\"] if not c[\"ok\"]]
assert [c[\"name\"] for c in bad] == [\"cache-dir\"], bad
assert bad[0][\"fix\"].startswith(\"systemd-tmpfiles\"), bad
" doctor.json
'

# Every file it reads is hostile: what it prints stays printable ASCII,
# nothing in a file is run, and a huge file is read only so far.
test_expect_success 'hostile files: escapes and command substitutions are neither printed nor run' '
	test_when_finished "cp \"$TRASH/token.good\" $TOKEN; cp \"$TRASH/nss.good\" /etc/sshgate/nss.conf; cp \"$TRASH/conf.good\" \"$CONF\"" &&
	printf "\033]0;owned\007\$(touch /tmp/sg-pwned)\`touch /tmp/sg-pwned2\`\n" >$TOKEN &&
	head -c 10000000 /dev/zero | tr "\0" "U" >/etc/sshgate/nss.conf &&
	printf "ApiUrl https://127.0.0.1:8443/\$(touch /tmp/sg-pwned3)\n" >"$CONF" &&
	doctor_fails token nss-conf &&
	test_path_is_missing /tmp/sg-pwned &&
	test_path_is_missing /tmp/sg-pwned2 &&
	test_path_is_missing /tmp/sg-pwned3 &&
	! LC_ALL=C grep -q "[^ -~]" doctor.out &&
	test $(wc -c <doctor.out) -lt 8000
'

test_expect_success 'all put back: every check ok again' '
	doctor_passes
'

test_done
