#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='logging in to the gate with the keys the platform knows

The real gate: stock sshd with the sshgate drop-in, libnss_sshgate and
authkeys-cmd asking the reference platform API, driven by the real
OpenSSH client. The forced command is a placeholder that prints what it
was given (the session leg is tested elsewhere).'
. "${0%/*}/test-lib.sh"

login() {
	local key=$1; shift
	sg_ssh_gate "$key" "$@" >out 2>err
}

api_calls() {
	sg_api GET /v1/admin/stats | sg_json by_endpoint authorize
}

node_json() {
	printf '{"id":"%s","name":"%s","role":"cp","status":"running","address":"127.0.0.11","port":22,"user":"ct1","host_keys":[{"type":"ssh-ed25519","blob":"%s"}]}' \
		"$1" "$2" "$(cut -d" " -f2 keys/hostkey.pub)"
}

add_key() {
	sg_api POST /v1/admin/accounts/$1/keys "$2" | sg_json key_id
}

test_expect_success 'set up: API, accounts, nodes, keys, the gate' '
	sg_api_start &&
	for k in alice bob carol unknown hostkey x1 x2 x3 x4; do sg_keygen $k || return 1; done &&
	sg_api POST /v1/admin/accounts "{\"id\":\"5678\",\"name\":\"Alice\"}" &&
	sg_api POST /v1/admin/accounts "{\"id\":\"9999\",\"name\":\"Bob\"}" &&
	sg_api POST /v1/admin/accounts/5678/environments \
		"{\"name\":\"env-shop\",\"display_name\":\"Shop\",\"status\":\"running\"}" &&
	sg_api POST /v1/admin/accounts/9999/environments \
		"{\"name\":\"env-b\",\"display_name\":\"B\",\"status\":\"running\"}" &&
	sg_api POST /v1/admin/accounts/5678/environments/env-shop/nodes "$(node_json 1234 app)" &&
	sg_api POST /v1/admin/accounts/5678/environments/env-shop/nodes "$(node_json 1235 db)" &&
	sg_api POST /v1/admin/accounts/9999/environments/env-b/nodes "$(node_json 4321 b)" &&
	alice_id=$(add_key 5678 "{\"public_key\":\"$(cat keys/alice.pub)\"}") &&
	bob_id=$(add_key 9999 "{\"public_key\":\"$(cat keys/bob.pub)\"}") &&
	carol_id=$(add_key 5678 "{\"public_key\":\"$(cat keys/carol.pub)\",\"nodes\":[\"1235\"]}") &&
	sg_placeholder_shell print-args &&
	sg_gate_conf "CacheTime 2s" "GateShell $SG_RUN/libexec/print-args" &&
	sg_gate_start
'

test_expect_success 'sshd -T: the effective values of the drop-in for a gate login' '
	LD_LIBRARY_PATH=$BUILD/nss/.libs /usr/sbin/sshd -T -f "$TRASH/gate/sshd_config" \
		-C user=1234-5678,host=client.example,addr=203.0.113.5 >eff &&
	for kv in \
		"authorizedkeysfile none" \
		"authorizedkeyscommand $SG_RUN/libexec/authkeys-cmd $(sg_akc_args)" \
		"authorizedkeyscommanduser sshgate-akc" \
		"authenticationmethods publickey" \
		"pubkeyauthentication yes" \
		"passwordauthentication no" \
		"kbdinteractiveauthentication no" \
		"hostbasedauthentication no" \
		"permituserrc no" \
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
		"clientaliveinterval 30" \
		"clientalivecountmax 4" \
		"maxsessions 10" \
		"acceptenv LANG"
	do
		grep -qxF "$kv" eff || { echo "missing: $kv"; return 1; }
	done &&
	grep -qx "forcecommand none" eff
'

test_expect_success 'sshd -T: other users keep the host defaults' '
	LD_LIBRARY_PATH=$BUILD/nss/.libs /usr/sbin/sshd -T -f "$TRASH/gate/sshd_config" \
		-C user=root,host=client.example,addr=203.0.113.5 >eff-root &&
	! grep -q "^authorizedkeyscommand $SG_RUN" eff-root &&
	grep -qx "x11forwarding yes" eff-root
'

test_expect_success 'a known key logs in as NODE-ACCOUNT; the key id reaches the forced command' '
	login alice 1234-5678 &&
	echo "placeholder args=--key-id=$alice_id user=1234-5678 cmd= agent= display=" >expect &&
	test_cmp expect out &&
	sg_log_contains "$TRASH/gate/sshd.log" "Accepted publickey for 1234-5678 from 127.0.0.1"
'

test_expect_success 'the same key logs in as ACCOUNT' '
	login alice 5678 "echo hi" &&
	echo "placeholder args=--key-id=$alice_id user=5678 cmd=echo hi agent= display=" >expect &&
	test_cmp expect out
'

test_expect_success 'authkeys-cmd logged its decision with the fingerprint' '
	fp=$(ssh-keygen -lf keys/alice.pub | cut -d" " -f2) &&
	grep "authkeys-cmd\[[0-9]*\]: key accepted; login=1234-5678 fp=$fp type=ssh-ed25519 key_id=$alice_id decision=allow" "$SG_LOG"
'

# sshd 9.4 and later expand %C, and configure then puts it in the drop-in.
if test "$(sg_akc_args)" = "%u %t %k %f %C"
then
	test_expect_success 'authkeys-cmd logs the client address and port that sshd logs (%C)' '
		login alice 1234-5678 -b 127.0.0.3 "echo hi" &&
		port=$(sed -n "s/.*Accepted publickey for 1234-5678 from 127\.0\.0\.3 port \([0-9]*\) .*/\1/p" \
			"$TRASH/gate/sshd.log" | tail -n 1) &&
		test -n "$port" &&
		grep "key accepted; login=1234-5678 .* client=127.0.0.3 client_port=$port " "$SG_LOG"
	'
else
	test_skip 'authkeys-cmd logs the client address and port that sshd logs (%C)' \
		'this sshd does not expand %C in AuthorizedKeysCommand (OpenSSH before 9.4), so configure left it out of the drop-in'
fi

test_expect_success 'an unknown key is refused' '
	test_expect_code 255 login unknown 1234-5678 &&
	grep "Permission denied" err &&
	grep "key refused; login=1234-5678 .* reason=\"unknown key\"" "$SG_LOG"
'

test_expect_success 'a key of another account is refused' '
	test_expect_code 255 login bob 1234-5678 &&
	grep "Permission denied" err &&
	test_expect_code 255 login bob 5678 &&
	grep "Permission denied" err
'

test_expect_success 'a node the key may not reach is refused' '
	test_expect_code 255 login carol 1234-5678 &&
	grep "Permission denied" err &&
	login carol 1235-5678 &&
	grep "args=--key-id=$carol_id user=1235-5678" out
'

test_expect_success 'a node of another account is refused' '
	test_expect_code 255 login alice 4321-5678 &&
	test_expect_code 255 login bob 4321-5678 &&
	test_expect_code 255 login alice 4321-9999 &&
	grep "Permission denied" err &&
	login bob 4321-9999
'

test_expect_success 'one key, one login: one API request (the cache answers the signature)' '
	sleep 2.1 &&
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	login alice 1234-5678 &&
	test "$(api_calls)" = 1 &&
	grep -c "key accepted; login=1234-5678 .*cache=hit" "$SG_LOG" >/dev/null
'

test_expect_success 'an agent offering five keys, the right one last: logs in with five API requests' '
	sleep 2.1 &&
	eval "$(ssh-agent -s)" >/dev/null &&
	test_when_finished "kill $SSH_AGENT_PID" &&
	for k in x1 x2 x3 x4 alice; do ssh-add -q keys/$k 2>/dev/null || return 1; done &&
	test "$(ssh-add -l | wc -l)" = 5 &&
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes \
		-o UserKnownHostsFile="$TRASH/gate/known_hosts" \
		-o IdentityAgent="$SSH_AUTH_SOCK" -p 2222 1234-5678@127.0.0.1 >out 2>err &&
	grep "args=--key-id=$alice_id" out &&
	test "$(api_calls)" = 5
'

test_expect_success 'invalid logins: "Invalid user" in the log and no API request' '
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	for u in ABC 1234-5678-9 12345678901 1-12345678901 5678- 1234--5678 \
		12a4 "1234 5678" ".." ""
	do
		test_expect_code 255 login alice "$u" || return 1
		grep -qF "Invalid user $u from 127.0.0.1" "$TRASH/gate/sshd.log" ||
			{ echo "no Invalid user line for [$u]"; return 1; }
	done &&
	test "$(sg_api GET /v1/admin/stats | sg_json total)" = 0
'

test_expect_success 'Unix accounts are not gate logins: no API request for root' '
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	test_expect_code 255 login alice root &&
	grep "Permission denied" err &&
	test "$(sg_api GET /v1/admin/stats | sg_json total)" = 0
'

test_expect_success 'a login starting with a dash never leaves the client' '
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	test_expect_code 255 login alice -5678 &&
	grep "invalid characters" err &&
	test "$(sg_api GET /v1/admin/stats | sg_json total)" = 0
'

# sshd 9.2 cuts a user name at "/" and ":" before it looks it up, so what
# follows never reaches the gate: "1234/5678" is the login "1234".
test_expect_success 'with / or : only the part before reaches the API, as a login of the grammar' '
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	for u in "1234/5678" "1234:5678"
	do
		test_expect_code 255 login alice "$u" || return 1
		grep "Permission denied" err || return 1
	done &&
	grep -c "Failed publickey for 1234 from" "$TRASH/gate/sshd.log" &&
	for u in "../5678" "/5678"
	do
		test_expect_code 255 login alice "$u" || return 1
		grep -qF "Invalid user ${u%%/*} from 127.0.0.1" \
			"$TRASH/gate/sshd.log" || return 1
	done &&
	grep -o "authorize?login=[^&]*&" "$TRASH/api/log" | sort -u >logins &&
	! grep -v "^authorize?login=[0-9-]*&\$" logins
'

test_expect_success 'forwarding: -R, -w and a remote streamlocal forward are refused' '
	test_expect_code 255 login alice 1234-5678 -o ExitOnForwardFailure=yes \
		-R 127.0.0.1:7001:127.0.0.1:22 true &&
	grep -i "forwarding failed\|administratively prohibited" err &&
	test_expect_code 255 login alice 1234-5678 -o ExitOnForwardFailure=yes \
		-w any true &&
	grep -i "tunnel" err &&
	test_expect_code 255 login alice 1234-5678 -o ExitOnForwardFailure=yes \
		-R /tmp/sg-remote.sock:127.0.0.1:22 true &&
	grep -i "forwarding failed\|administratively prohibited" err
'

test_expect_success 'forwarding: -L to a container sshd is refused' '
	sg_ssh_gate alice 1234-5678 -N -L 127.0.0.1:7002:127.0.0.1:2222 >out 2>err &
	fwd_pid=$! &&
	sg_wait_for_port 127.0.0.1 7002 &&
	banner=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/7002; head -c 7 <&3" 2>/dev/null)
	kill $fwd_pid; wait $fwd_pid
	test "$banner" != "SSH-2.0" &&
	grep "administratively prohibited" err
'

test_expect_success 'forwarding: -D (SOCKS) is refused' '
	sg_ssh_gate alice 1234-5678 -N -D 127.0.0.1:7003 >out 2>err &
	fwd_pid=$! &&
	sg_wait_for_port 127.0.0.1 7003 &&
	test_must_fail curl -s --max-time 3 --socks5 127.0.0.1:7003 \
		"$SG_API_URL/v1/admin/stats" >/dev/null
	ok=$?
	kill $fwd_pid; wait $fwd_pid
	test $ok = 0 &&
	grep "administratively prohibited" err
'

test_expect_success 'forwarding: a local streamlocal forward is refused' '
	sg_ssh_gate alice 1234-5678 -N -L "$TRASH/fwd.sock:/run/sshd.sock" \
		>out 2>err &
	fwd_pid=$! &&
	sg_poll 10 test -S "$TRASH/fwd.sock" &&
	test_must_fail curl -s --max-time 3 --unix-socket "$TRASH/fwd.sock" \
		http://x/ >/dev/null
	ok=$?
	kill $fwd_pid; wait $fwd_pid
	test $ok = 0 &&
	grep "refused streamlocal port forward" "$TRASH/gate/sshd.log"
'

test_expect_success 'forwarding: -A and -X reach nothing in the session' '
	eval "$(ssh-agent -s)" >/dev/null &&
	test_when_finished "kill $SSH_AGENT_PID" &&
	DISPLAY=:0 login alice 1234-5678 -A -Y true &&
	grep "agent= display=\$" out &&
	grep "X11 forwarding request failed" err
'

# OpenSSH 9.8 and later: PerSourcePenalties. The gate exempts its "load
# balancer" 127.0.0.1, as a real gate exempts its own (lib-gate.sh,
# doc/install.md); any other address is penalised for failed logins.
if sg_sshd_knows persourcepenalties "$TRASH/gate/ssh_host_ed25519_key"
then
	test_expect_success 'PerSourcePenalties: failed logins get 127.0.0.2 refused, never the exempt 127.0.0.1' '
		for i in 1 2 3 4 5 6
		do
			test_expect_code 255 login unknown 1234-5678 -b 127.0.0.2 ||
				return 1
		done &&
		sg_log_contains "$TRASH/gate/sshd.log" \
			"drop connection #[0-9]+ from \[127\.0\.0\.2\]:[0-9]+ on \[127\.0\.0\.1\]:2222 penalty: failed authentication" &&
		test_expect_code 255 login alice 1234-5678 -b 127.0.0.2 "echo in" &&
		test_must_be_empty out &&
		login alice 1234-5678 "echo in" &&
		grep "cmd=echo in" out
	'
else
	test_skip 'PerSourcePenalties: failed logins get 127.0.0.2 refused, never the exempt 127.0.0.1' \
		'this sshd has no PerSourcePenalties (OpenSSH before 9.8)'
fi

test_expect_success 'the admin revokes the key: refused once CacheTime has passed' '
	login alice 1234-5678 &&
	sg_api POST /v1/admin/keys/$alice_id/revoke "{}" >/dev/null &&
	# CacheTime is 2s: 2.2s after the last yes, the API is asked again
	sleep 2.2 &&
	test_expect_code 255 login alice 1234-5678 &&
	grep "Permission denied" err &&
	grep "key refused; login=1234-5678 .*reason=\"key may not log in as this login\"" "$SG_LOG"
'

test_done
