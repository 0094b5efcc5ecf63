#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='gate-shell: nothing but gate-shell runs for a gate login

gate-shell is the login shell of gate logins (nss.conf Shell). sshd runs
every session through it: "gate-shell -c COMMAND", or "-gate-shell"
without a command. As a shell it accepts only the forced command of the
platform'"'"'s key line, "exec GATESHELL --key-id=K", from a session
authenticated by a plain key, and refuses everything else with exit 254,
one line and a log entry. The drop-in also shuts the other ways in: a
site-wide user CA, principals files and commands.'
. "${0%/*}/test-lib.sh"

test_require_prereq GATE_SHELL
sg_watchdog 240

SITE=/etc/ssh/sshd_config.d/05-site.conf
REFUSED='sshgate: gate logins run only the gate; refused'

# site_conf [LINE...]: the site's own drop-in, read before sshgate's
site_conf() {
	mkdir -p /etc/ssh/sshd_config.d &&
	printf '%s\n' "$@" >"$SITE"
}

restart_gate() {
	sg_gate_stop && sg_gate_start
}

# refused CODE-ARGS...: mallory's certificate login as 1234-5678 ends
# with 254, the refusal on stderr and nothing on stdout.
refused() {
	test_expect_code 254 sg_ssh_gate mallory 1234-5678 "$@" >out 2>err &&
	test_must_be_empty out &&
	echo "$REFUSED" >expect &&
	test_cmp expect err
}

# shell_run ARG...: the installed gate-shell run by hand as sshd runs a
# login shell, as the service account with a gate login's environment.
shell_run() {
	runuser -u sshgate -- env -i USER=1234-5678 LOGNAME=1234-5678 \
		SSH_CONNECTION="127.0.0.1 40000 127.0.0.1 2222" "$@"
}

test_expect_success 'setup: the gate, a site-wide user CA, certificates' '
	sg_keygen siteca && sg_keygen mallory && sg_keygen forced &&
	ssh-keygen -q -s "$TRASH/keys/siteca" -I mallory \
		-n 1234-5678,5678,ct1 "$TRASH/keys/mallory.pub" &&
	install -m 0644 "$TRASH/keys/siteca.pub" /etc/ssh/site-ca.pub &&
	site_conf "TrustedUserCAKeys /etc/ssh/site-ca.pub" &&
	sg_fixture_gate &&
	install -d -m 1777 /run/t0407 &&
	GS=$SG_RUN/libexec/gate-shell &&
	ssh-keygen -q -s "$TRASH/keys/siteca" -I forced -n 1234-5678 \
		-O force-command="exec $GS --key-id=$SG_KEY_ID" \
		"$TRASH/keys/forced.pub" &&
	grep -x "Shell $GS" /etc/sshgate/nss.conf
'

test_expect_success 'the site CA logs a local account in (the control)' '
	sg_ssh_gate mallory ct1 id -un >out 2>err &&
	echo ct1 >expect &&
	test_cmp expect out
'

test_expect_success 'the drop-in refuses a CA certificate for a gate login' '
	for login in 1234-5678 5678
	do
		test_expect_code 255 sg_ssh_gate mallory $login id \
			>out 2>err &&
		test_must_be_empty out &&
		grep "Permission denied (publickey)" err || return 1
	done &&
	! grep -E "Accepted publickey for (1234-)?5678 .*CERT" \
		"$TRASH/gate/sshd.log"
'

test_expect_success 'sshd -T: what the drop-in sets for gate logins' '
	for login in 1234-5678 5678
	do
		LD_LIBRARY_PATH=$BUILD/nss/.libs /usr/sbin/sshd -T \
			-f "$TRASH/gate/sshd_config" \
			-C user=$login,host=gate,addr=127.0.0.1 >eff &&
		for line in "trustedusercakeys none" \
			"authorizedprincipalsfile none" \
			"authorizedprincipalscommand none" \
			"hostbasedauthentication no" \
			"gssapiauthentication no" \
			"kerberosauthentication no" \
			"exposeauthinfo yes" \
			"unusedconnectiontimeout 300" \
			"forcecommand none"
		do
			grep -x "$line" eff || {
				echo "error: $login: no \"$line\"" >&2
				return 1
			}
		done &&
		grep "^channeltimeout agent-connection=1m " eff &&
		! grep "^channeltimeout.*session" eff || return 1
	done
'

test_expect_success 'alice still logs in' '
	sg_ssh_gate alice 1234-5678 echo through >out &&
	echo through >expect &&
	test_cmp expect out
'

# sshd takes the first value of a keyword, in Match blocks too: a site's
# drop-in read before ours can open what ours shuts.
test_expect_success 'setup: a site Match that trusts the CA for gate logins' '
	site_conf "TrustedUserCAKeys /etc/ssh/site-ca.pub" \
		"Match Group sshgate" \
		"	TrustedUserCAKeys /etc/ssh/site-ca.pub" \
		"	AuthorizedPrincipalsCommand /bin/echo %u" \
		"	AuthorizedPrincipalsCommandUser nobody" &&
	restart_gate
'

test_expect_success 'a certificate login with a command runs nothing' '
	: >"$SG_LOG" &&
	refused "id; touch /run/t0407/ran" &&
	test_path_is_missing /run/t0407/ran &&
	sg_log_contains "$TRASH/gate/sshd.log" \
		"Accepted publickey for 1234-5678 .* ED25519-CERT" &&
	sg_log_contains_all "$SG_LOG" "SHELL REFUSED" "login=1234-5678" \
		"reason=.not the gate.s forced command."
'

# stdout may carry the message of the day: sshd (pam_motd) prints it for
# a session without a command, before it runs the shell.
test_expect_success 'a certificate login without a command gets no shell' '
	: >"$SG_LOG" &&
	echo "echo shell-ran" >script &&
	test_expect_code 254 sg_ssh_gate mallory 1234-5678 -T <script \
		>out 2>err &&
	! grep shell-ran out &&
	echo "$REFUSED" >expect &&
	test_cmp expect err &&
	sg_log_contains_all "$SG_LOG" "SHELL REFUSED" "login=1234-5678" \
		"reason=.login shell without the forced command."
'

# sshd discards a subsystem's stderr.
test_expect_success 'a certificate login gets no sftp' '
	: >"$SG_LOG" &&
	test_expect_code 254 sg_ssh_gate mallory 1234-5678 -s sftp \
		</dev/null >out 2>err &&
	test_must_be_empty out &&
	sg_log_contains_all "$SG_LOG" "SHELL REFUSED" "login=1234-5678"
'

test_expect_success 'the forced command sent as the client'"'"'s command is refused' '
	: >"$SG_LOG" &&
	refused "exec $GS --key-id=$SG_KEY_ID" &&
	sg_log_contains_all "$SG_LOG" "SHELL REFUSED" "login=1234-5678" \
		"reason=.not authenticated by a plain key."
'

test_expect_success 'a certificate that forces the command is refused' '
	: >"$SG_LOG" &&
	test_expect_code 254 sg_ssh_gate forced 1234-5678 id >out 2>err &&
	test_must_be_empty out &&
	echo "$REFUSED" >expect &&
	test_cmp expect err &&
	sg_log_contains_all "$SG_LOG" "SHELL REFUSED" \
		"reason=.not authenticated by a plain key."
'

test_expect_success 'alice still logs in next to the site Match' '
	sg_ssh_gate alice 1234-5678 echo through >out &&
	echo through >expect &&
	test_cmp expect out
'

test_expect_success 'gate-shell as a shell refuses any other -c string' '
	while IFS= read -r cmd
	do
		test_expect_code 254 shell_run "$GS" -c "$cmd" >out 2>err &&
		test_must_be_empty out &&
		echo "$REFUSED" >expect &&
		test_cmp expect err || {
			echo "error: -c \"$cmd\" was not refused" >&2
			return 1
		}
	done <<-EOF
	id
	exec $GS
	exec $GS --key-id=
	exec $GS --key-id=1;id
	exec $GS --key-id=1 ;id
	exec $GS --key-id=1 -t
	exec $GS  --key-id=1
	exec $GS --key-id=x1
	exec $GS --key-id=1234567890123456789
	exec $GS -f /tmp/x --key-id=1
	exec $GS --key-id 1
	exec /bin/sh --key-id=1
	exec $GS.x --key-id=1
	 exec $GS --key-id=1
	exec	$GS --key-id=1
	EXEC $GS --key-id=1
	$GS --key-id=1
	EOF
'

test_expect_success 'gate-shell as a shell: more arguments, or a login shell' '
	test_expect_code 254 shell_run "$GS" -c "exec $GS --key-id=1" x \
		>out 2>err &&
	test_must_be_empty out &&
	echo "$REFUSED" >expect &&
	test_cmp expect err &&
	test_expect_code 254 shell_run bash -c "exec -a -gate-shell \"$GS\"" \
		>out 2>err &&
	test_must_be_empty out &&
	test_cmp expect err
'

test_done
