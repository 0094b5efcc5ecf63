#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='dev/demo: start, log in, start again, stop, recover from a crash

dev/demo runs the whole demo (the reference API, three container sshds,
the gate) in a mount namespace of its own, nested here in the test'"'"'s
namespaces; its state directory is in the trash.'
. "${0%/*}/test-lib.sh"

test_require_prereq AUTHKEYS_CMD,NSS_MODULE

DEMO=$SRCDIR/dev/demo
export SSHGATE_BUILD=$BUILD
export SSHGATE_DEMO_DIR=$TRASH/demo

demo() {
	"$DEMO" "$@"
}

# The recorded PID of a demo process.
demo_pid() {
	awk -v n="$1" '$1 == n { print $2 }' "$SSHGATE_DEMO_DIR/run/pids"
}

all_listening() {
	sg_listening 127.0.0.1 8088 &&
	sg_listening 127.0.0.11 2200 &&
	sg_listening 127.0.0.12 2200 &&
	sg_listening 127.0.0.13 2200 &&
	sg_listening 127.0.0.1 2222
}

none_listening() {
	! sg_listening 127.0.0.1 8088 &&
	! sg_listening 127.0.0.11 2200 &&
	! sg_listening 127.0.0.12 2200 &&
	! sg_listening 127.0.0.13 2200 &&
	! sg_listening 127.0.0.1 2222
}

# gate_login LOGIN [command...]: the real client, the demo's user key
# and known_hosts from the env file.
gate_login() {
	local login=$1
	shift
	sg_ssh "$SSHGATE_DEMO_KEY" "$SSHGATE_DEMO_KNOWN_HOSTS" \
		-p "$SSHGATE_DEMO_PORT" -l "$login" "$SSHGATE_DEMO_HOST" "$@"
}

# What a NODE-ACCOUNT login running "id -un" prints: the container's
# user once gate-shell relays, the placeholder's line before that.
expect_node_login() {
	if test -f "$BUILD/gate-shell/gate-shell"; then
		echo "$1"
	else
		echo "sshgate demo: gate-shell is not built yet; you are $2, key id $3, command id -un"
	fi
}

test_expect_success 'dev/demo start brings everything up and says how to connect' '
	demo start >out 2>err &&
	all_listening &&
	grep -F "1234-5678@127.0.0.1" out &&
	grep -F "5678@127.0.0.1" out &&
	grep -F "UserKnownHostsFile=$SSHGATE_DEMO_DIR/known_hosts" out &&
	grep -F "$DEMO stop" out &&
	for n in keeper api ct1 ct2 ct3 gate
	do
		pid=$(demo_pid $n) && test -n "$pid" && kill -0 "$pid" || return 1
	done
'

test_expect_success 'dev/demo env: a file with the connection data' '
	f=$(demo env) &&
	test "$f" = "$SSHGATE_DEMO_DIR/env" &&
	. "$f" &&
	test "$SSHGATE_DEMO_HOST" = 127.0.0.1 &&
	test "$SSHGATE_DEMO_PORT" = 2222 &&
	test "$SSHGATE_DEMO_KEY" = "$SSHGATE_DEMO_DIR/user_key" &&
	test -f "$SSHGATE_DEMO_KEY" &&
	test "$SSHGATE_DEMO_ACCOUNT" = 5678 &&
	test "$SSHGATE_DEMO_NODES" = "1234 1235 1236" &&
	test "$SSHGATE_DEMO_API" = http://127.0.0.1:8088 &&
	test -n "$SSHGATE_DEMO_ADMIN_TOKEN"
'

test_expect_success 'the sample data is in the API (admin token from the env file)' '
	curl -sS --fail -H "Authorization: Bearer $SSHGATE_DEMO_ADMIN_TOKEN" \
		"$SSHGATE_DEMO_API/v1/admin/state" >state.json &&
	/usr/bin/python3 - <<-\EOF
	import json
	s = json.load(open("state.json"))
	a = s["accounts"]["5678"]
	assert a["name"] == "Demo", a
	assert list(a["environments"]) == ["env-shop", "env-blog"], a
	want = {"1234": ("shop-app-1", "cp", "env-shop", "127.0.0.11", "ct1"),
	        "1235": ("shop-db", "sqldb", "env-shop", "127.0.0.12", "ct2"),
	        "1236": ("blog-app", "cp", "env-blog", "127.0.0.13", "ct3")}
	for i, (name, role, env, addr, user) in want.items():
	    n = s["nodes"][i]
	    assert (n["name"], n["role"], n["environment"], n["address"],
	            n["user"], n["port"], n["status"]) == \
	        (name, role, env, addr, user, 2200, "running"), n
	    assert len(n["host_keys"]) == 1, n
	keys = [k for k in s["keys"].values() if k["account"] == "5678"]
	assert len(keys) == 1 and keys[0]["status"] == "active", keys
	EOF
'

test_expect_success 'ssh 1234-5678@gate with the demo key is accepted' '
	gate_login 1234-5678 id -un >out 2>err &&
	key_id=$(sg_json keys <state.json |
		/usr/bin/python3 -c "import json, sys; print(*json.load(sys.stdin))") &&
	expect_node_login ct1 1234-5678 "$key_id" >expect &&
	test_cmp expect out &&
	sg_log_contains "$SSHGATE_DEMO_DIR/log/gate.sshd.log" \
		"Accepted publickey for 1234-5678 from 127.0.0.1"
'

test_expect_success 'the account login 5678 is accepted too' '
	# Whatever the account menu does without a terminal: the login counts.
	{ gate_login 5678 true >out 2>err || :; } &&
	sg_log_contains "$SSHGATE_DEMO_DIR/log/gate.sshd.log" \
		"Accepted publickey for 5678 from 127.0.0.1"
'

test_expect_success 'a key the platform does not know is refused' '
	sg_keygen stranger &&
	test_must_fail sg_ssh stranger "$SSHGATE_DEMO_KNOWN_HOSTS" \
		-p "$SSHGATE_DEMO_PORT" -l 1234-5678 "$SSHGATE_DEMO_HOST" true 2>err &&
	grep "Permission denied (publickey)" err
'

test_expect_success 'the test namespace (the "host") has none of the demo in /etc' '
	! getent passwd sshgate &&
	! getent passwd ct1 &&
	! grep -E "^passwd:.*sshgate" /etc/nsswitch.conf &&
	test_path_is_missing /etc/sshgate &&
	test_path_is_missing /etc/ssh/sshd_config.d/10-sshgate.conf &&
	test_path_is_missing /run/sshgate-demo
'

test_expect_success 'dev/demo again: already running, same processes, exit 0' '
	cp "$SSHGATE_DEMO_DIR/run/pids" pids.before &&
	demo >out 2>err &&
	grep "already running" out &&
	grep -F "1234-5678@127.0.0.1" out &&
	test_cmp pids.before "$SSHGATE_DEMO_DIR/run/pids" &&
	demo status >out &&
	grep "^gate .*running 127.0.0.1:2222" out
'

test_expect_success 'dev/demo stop: every process and session gone, ports closed' '
	pids=$(awk "{ print \$2 }" "$SSHGATE_DEMO_DIR/run/pids") &&
	sg_daemon_start session session.log \
		sg_ssh "$SSHGATE_DEMO_DIR/keys/internal_key" \
		"$SSHGATE_DEMO_DIR/ct_known_hosts" -p 2200 -l ct1 127.0.0.11 \
		"echo session-up; exec sleep 600" &&
	client=$SG_LAST_PID &&
	sg_log_contains session.log session-up 10 &&
	pgrep -x -f "sleep 600" >sessions &&
	demo stop >out 2>err &&
	grep stopped out &&
	for pid in $pids $(cat sessions)
	do
		sg_wait_gone "$pid" 0 || return 1
	done &&
	none_listening &&
	! pgrep -x -f "sleep 600" &&
	sg_wait_gone "$client" 5 &&
	test_path_is_missing "$SSHGATE_DEMO_DIR/env" &&
	test_expect_code 1 demo env 2>err &&
	test_expect_code 3 demo status >out &&
	demo stop >out &&
	grep "not running" out
'

test_expect_success 'start after a crash: kill -9 of the keeper' '
	demo start >out 2>err &&
	all_listening &&
	cp "$SSHGATE_DEMO_DIR/run/pids" pids.before &&
	kill -9 "$(demo_pid keeper)" &&
	sg_wait_gone "$(demo_pid keeper)" 5 &&
	test_expect_code 1 demo status >out &&
	test_expect_code 1 demo env 2>err &&
	demo start >out 2>err &&
	grep "cleaning it up" out &&
	for pid in $(awk "{ print \$2 }" pids.before)
	do
		sg_wait_gone "$pid" 0 || return 1
	done &&
	all_listening &&
	! cmp -s pids.before "$SSHGATE_DEMO_DIR/run/pids" &&
	. "$(demo env)" &&
	gate_login 1234-5678 true >out 2>err
'

test_expect_success 'start after a crash: a dead gate sshd' '
	old=$(demo_pid gate) &&
	kill -9 "$old" &&
	sg_wait_gone "$old" 5 &&
	test_expect_code 1 demo status >out &&
	demo >out 2>err &&
	grep "cleaning it up" out &&
	sg_listening 127.0.0.1 2222 &&
	test "$(demo_pid gate)" != "$old" &&
	gate_login 1234-5678 true >out 2>err
'

test_expect_success 'start after a crash: every process gone, stale PID files' '
	for pid in $(awk "{ print \$2 }" "$SSHGATE_DEMO_DIR/run/pids")
	do
		kill -9 "$pid" || return 1
	done &&
	sg_poll 5 none_listening &&
	demo start >out 2>err &&
	all_listening &&
	gate_login 1234-5678 true >out 2>err
'

test_expect_success 'the last stop leaves nothing behind' '
	pids=$(awk "{ print \$2 }" "$SSHGATE_DEMO_DIR/run/pids") &&
	demo stop &&
	for pid in $pids
	do
		sg_wait_gone "$pid" 0 || return 1
	done &&
	none_listening
'

test_done
