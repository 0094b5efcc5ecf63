#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='gate-shell: when the session cannot be set up

Every failure between the gate and the container gives the client one
line on stderr starting with "sshgate: ", nothing on stdout, no command
run in any container, and an exit status of its own (255 is what ssh
itself uses):

	254	configuration or usage error
	253	platform API unavailable or misbehaving
	252	no such container for this key
	251	container unreachable (connect failed or timed out)
	250	container host key mismatch
	249	access revoked during the session (t0405)
	248	container refused the key of the gate
	247	container refused the session'
. "${0%/*}/test-lib.sh"

test_require_prereq GATE_SHELL
sg_watchdog 240

CONF_TIMEOUTS=("ConnectTimeout 2s" "ApiTimeout 1s" "ApiConnectTimeout 500ms")

# conf [LINE...]: the gate's config; the LINEs win over these
conf() {
	sg_gate_conf "$@" "InternalKey /etc/sshgate/internal_key" \
		"${CONF_TIMEOUTS[@]}"
}

fault() {
	sg_api POST /v1/admin/faults "$1" >/dev/null
}

clear_faults() {
	sg_api DELETE /v1/admin/faults >/dev/null
}

# gate_fails CODE LOGIN [CMD]: alice's session ends with CODE, one
# "sshgate: " line on stderr and nothing on stdout; $took is in ms.
gate_fails() {
	local want=$1 start code
	shift
	rm -f "$SG_RUN"/home/ct*/ran-marker
	start=$(date +%s%3N)
	sg_ssh_gate alice "$@" >out 2>err
	code=$?
	took=$(( $(date +%s%3N) - start ))
	echo "exit $code after ${took}ms; stderr:"
	cat err
	test "$code" = "$want" ||
		{ echo "error: exit status $code, not $want"; return 1; }
	test_must_be_empty out &&
	test_line_count = 1 err &&
	grep "^sshgate: " err
}

# Each session tries to leave this file in the container's home
# (gate_fails removes what an earlier one left).
MARK='echo ran >ran-marker'

not_run() {
	test_path_is_missing "$SG_RUN/home/ct$1/ran-marker"
}

# connections N: how many TCP connections container N's sshd has had
connections() {
	grep -c "Connection from " "$TRASH/ct$1/sshd.log" || :
}

logins() {
	grep -c "Accepted publickey for " "$TRASH/ct$1/sshd.log" || :
}

gate_shell() {
	runuser -u sshgate -- "$SG_RUN/libexec/gate-shell" "$@"
}

# A TCP port that accepts and never says a word: no SSH banner.
silent_listener_start() {
	sg_daemon_start silent "$TRASH/silent.log" /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 22))
s.listen(64)
conns = []
while True:
	c, _ = s.accept()
	conns.append(c)
' "$1" &&
	sg_wait_for_port "$1" 22
}

# Container 5 with "MaxSessions 0": it lets the gate log in, then refuses
# every session channel.
nosession_container_start() {
	sg_container_start 5 &&
	sg_container_stop 5 &&
	{
		cat "$TRASH/ct5/sshd_config"
		echo "MaxSessions 0"
	} >"$TRASH/ct5/sshd_config.nosession" &&
	sg_daemon_start ct5 "$TRASH/ct5/sshd.log" \
		/usr/sbin/sshd -D -e -f "$TRASH/ct5/sshd_config.nosession" &&
	sg_wait_for_port 127.0.0.15 22
}

test_expect_success 'set up: API, nodes on containers 1 to 5, keys, the gate' '
	sg_fixture_gate "${CONF_TIMEOUTS[@]}" &&
	alice=$SG_KEY_ID &&
	sg_api_node 5678 env-shop 1235 2 &&
	sg_api_node 5678 env-shop 1236 3 &&
	sg_api_node 5678 env-shop 1237 4 &&
	sg_api_node 5678 env-shop 1238 5 &&
	sg_api_seed_account 9999 &&
	sg_api_env 9999 env-b &&
	sg_api_node 9999 env-b 4321 1 &&
	bob=$(sg_api_key 9999 bob) &&
	sg_keygen otherhost &&
	sg_container_start 2 &&
	sg_blackhole &&
	sg_api PATCH /v1/admin/nodes/1236 "{\"address\":\"$SG_BLACKHOLE_ADDR\"}" &&
	silent_listener_start 127.0.0.14 &&
	nosession_container_start &&
	sg_ssh_gate alice 1234-5678 "id -un" >out &&
	echo ct1 >expect &&
	test_cmp expect out
'

test_expect_success 'gate-shell -t accepts its keywords' '
	test_when_finished conf &&
	conf "ConnectTimeout 3s" "RevokeInterval 0" "KeepaliveInterval 15s" &&
	gate_shell -t
'

test_expect_success 'gate-shell -t: a bad value is a config error (254) naming file:line' '
	test_when_finished conf &&
	conf "ConnectTimeout soon" &&
	test_expect_code 254 gate_shell -t 2>err &&
	grep "/etc/sshgate/sshgate.conf:1" err
'

test_expect_success 'usage errors (254) ask the API nothing' '
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	for args in "--no-such-option" "" "--key-id=" "--key-id=abc" "--key-id=1 extra"
	do
		test_expect_code 254 runuser -u sshgate -- env USER=1234-5678 \
			LOGNAME=1234-5678 SSH_ORIGINAL_COMMAND=true \
			"$SG_RUN/libexec/gate-shell" $args </dev/null >out 2>err ||
			return 1
		test_must_be_empty out || return 1
	done &&
	test "$(sg_api GET /v1/admin/stats | sg_json total)" = 0
'

test_expect_success 'InternalKey missing: config error (254), one line' '
	test_when_finished conf &&
	conf "InternalKey /etc/sshgate/no-such-key" &&
	before=$(connections 1) &&
	gate_fails 254 1234-5678 "$MARK" &&
	not_run 1 &&
	test "$(connections 1)" = "$before"
'

test_expect_success 'InternalKey the service account cannot read: config error (254)' '
	test_when_finished "chown sshgate:sshgate /etc/sshgate/internal_key" &&
	chown root:root /etc/sshgate/internal_key &&
	gate_fails 254 1234-5678 "$MARK" &&
	not_run 1
'

test_expect_success 'container sshd stopped: unreachable (251) within ConnectTimeout' '
	sg_ssh_gate alice 1235-5678 true &&
	sg_container_stop 2 &&
	gate_fails 251 1235-5678 "$MARK" &&
	test $took -lt 9000 &&
	not_run 2
'

test_expect_success 'container address where the connect hangs: unreachable (251) within ConnectTimeout' '
	gate_fails 251 1236-5678 "$MARK" &&
	test $took -lt 9000
'

test_expect_success 'container that accepts and never answers: unreachable (251) within ConnectTimeout' '
	gate_fails 251 1237-5678 "$MARK" &&
	test $took -lt 9000
'

test_expect_success 'host key replaced in the API: refused (250), the container sees no login' '
	test_when_finished "sg_api PATCH /v1/admin/nodes/1234 \"\$real_keys\" >/dev/null" &&
	real_keys=$(printf "{\"host_keys\":[{\"type\":\"%s\",\"blob\":\"%s\"}]}" \
		$(cut -d" " -f1,2 "$SG_CT1_HOSTKEY")) &&
	sg_api PATCH /v1/admin/nodes/1234 "$(printf "{\"host_keys\":[{\"type\":\"%s\",\"blob\":\"%s\"}]}" \
		$(cut -d" " -f1,2 keys/otherhost.pub))" &&
	before=$(logins 1) &&
	gate_fails 250 1234-5678 "$MARK" &&
	grep -i "host key" err &&
	not_run 1 &&
	test "$(logins 1)" = "$before"
'

test_expect_success 'the real host key back in the API: the session works again' '
	sg_ssh_gate alice 1234-5678 "id -un" >out &&
	echo ct1 >expect &&
	test_cmp expect out
'

test_expect_success 'several host keys in the API: one of them matching is enough' '
	test_when_finished "sg_api PATCH /v1/admin/nodes/1234 \"\$real_keys\" >/dev/null" &&
	sg_api PATCH /v1/admin/nodes/1234 "$(printf "{\"host_keys\":[{\"type\":\"%s\",\"blob\":\"%s\"},{\"type\":\"%s\",\"blob\":\"%s\"}]}" \
		$(cut -d" " -f1,2 keys/otherhost.pub) $(cut -d" " -f1,2 "$SG_CT1_HOSTKEY"))" &&
	sg_ssh_gate alice 1234-5678 "id -un" >out &&
	echo ct1 >expect &&
	test_cmp expect out
'

test_expect_success 'API answering another host key for the node: refused (250)' '
	test_when_finished clear_faults &&
	fault "{\"path\":\"/v1/gate/accounts\",\"kind\":\"wrong_blob\"}" &&
	gate_fails 250 1234-5678 "$MARK" &&
	grep -i "host key" err &&
	not_run 1
'

for f in \
	'status,"code":500' \
	'status,"code":503' \
	'status,"code":429' \
	'drop' \
	'garbage' \
	'oversize,"bytes":8388608' \
	'delay,"seconds":10' \
	'inject,"field":"address","value":"not-an-address"' \
	'inject,"field":"port","value":0' \
	'inject,"field":"user","value":"ct1;id"' \
	'inject,"field":"host_keys","value":[]' \
	'inject,"field":"id","value":"4321"' \
	'duplicate_key,"field":"address","value":"127.0.0.12"'
do
	kind=${f%%,*}
	json="{\"path\":\"/v1/gate/accounts\",\"kind\":\"$kind\"${f#"$kind"}}"
	test_expect_success "node lookup fault $f: API error (253), no connection" '
		test_when_finished clear_faults &&
		fault "$json" &&
		before="$(connections 1) $(connections 2)" &&
		gate_fails 253 1234-5678 "$MARK" &&
		test $took -lt 9000 &&
		not_run 1 &&
		test "$(connections 1) $(connections 2)" = "$before"
	'
done

for code in 404 403
do
	test_expect_success "node lookup answers $code: no such container (252), no connection" '
		test_when_finished clear_faults &&
		fault "{\"path\":\"/v1/gate/accounts\",\"kind\":\"status\",\"code\":'$code'}" &&
		before=$(connections 1) &&
		gate_fails 252 1234-5678 "$MARK" &&
		not_run 1 &&
		test "$(connections 1)" = "$before"
	'
done

test_expect_success 'a node that is not running: no such container (252), no connection' '
	test_when_finished "sg_api PATCH /v1/admin/nodes/1234 \"{\\\"status\\\":\\\"running\\\"}\" >/dev/null" &&
	sg_api PATCH /v1/admin/nodes/1234 "{\"status\":\"stopped\"}" &&
	before=$(connections 1) &&
	gate_fails 252 1234-5678 "$MARK" &&
	not_run 1 &&
	test "$(connections 1)" = "$before"
'

test_expect_success 'the container does not authorize the key of the gate: refused (248)' '
	test_when_finished "install -m 0644 keys/internal.pub \"\$SG_RUN/ct1/authorized_keys\"" &&
	: >"$SG_RUN/ct1/authorized_keys" &&
	gate_fails 248 1234-5678 "$MARK" &&
	not_run 1
'

test_expect_success 'the node user is not allowed in the container: refused (248)' '
	test_when_finished "sg_api PATCH /v1/admin/nodes/1234 \"{\\\"user\\\":\\\"ct1\\\"}\" >/dev/null" &&
	sg_api PATCH /v1/admin/nodes/1234 "{\"user\":\"ct2\"}" &&
	gate_fails 248 1234-5678 "$MARK" &&
	not_run 1
'

test_expect_success 'the container refuses the session channel: refused (247)' '
	gate_fails 247 1238-5678 "$MARK" &&
	not_run 5 &&
	sg_log_contains "$TRASH/ct5/sshd.log" "Accepted publickey for ct5 "
'

test_expect_success 'a node of another account is refused at login (ssh: 255)' '
	test_expect_code 255 sg_ssh_gate alice 4321-5678 "$MARK" >out 2>err &&
	grep "Permission denied" err &&
	not_run 1 &&
	! grep "session started; .*login=4321-5678" "$SG_LOG" &&
	sg_ssh_gate bob 4321-9999 "id -un" >out &&
	echo ct1 >expect &&
	test_cmp expect out
'

test_expect_success 'API down after login (StaleIfError let the key in): API error (253)' '
	test_when_finished "conf; sg_api_start" &&
	conf "CacheTime 1s" "StaleIfError 60s" &&
	sg_ssh_gate alice 1234-5678 true &&
	sleep 1.1 &&
	sg_api_stop &&
	gate_fails 253 1234-5678 "$MARK" &&
	test $took -lt 9000 &&
	not_run 1 &&
	grep "key accepted; login=1234-5678 .*cache=stale" "$SG_LOG"
'

test_expect_success 'each failure is in the log with the login and the key id' '
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: " "login=1235-5678( |$)" \
		"key_id=$alice( |$)" "127\.0\.0\.12" &&
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: " "login=1236-5678( |$)" \
		"key_id=$alice( |$)" &&
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: " "login=1238-5678( |$)" \
		"key_id=$alice( |$)"
'

test_done
