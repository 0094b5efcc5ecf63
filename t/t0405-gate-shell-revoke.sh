#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='gate-shell: live revocation

sshd checks a key only when a connection authenticates. gate-shell asks
the platform every RevokeInterval whether the key of the session is still
active, and ends the session (exit status 249, one "sshgate: " line that
says so) once it is revoked: running commands, interactive shells, and
new sessions over a connection that authenticated before. 401, 403, 404
and malformed answers end it at once; an API that does not answer ends
it after RevokeGrace; a slow API never stalls the data.'
. "${0%/*}/test-lib.sh"
. "${0%/*}/lib-terminal.sh"

test_require_prereq GATE_SHELL,TMUX
sg_watchdog 240

conf() {
	sg_gate_conf "$@" "InternalKey /etc/sshgate/internal_key" \
		"RevokeInterval 1s"
}

revoke() {
	sg_api POST "/v1/admin/keys/$1/revoke" "{}" >/dev/null
}

now_ms() {
	date +%s%3N
}

# session_start NAME KEY CMD: KEY's "ssh 1234-5678@gate CMD" in the
# background; NAME.out and NAME.err, and NAME.rc once it has exited.
session_start() {
	rm -f "$TRASH/$1.rc"
	sg_daemon_start "$1" "$TRASH/$1.log" sh -c \
		'"$0" -l 1234-5678 127.0.0.1 "$1" >"$2.out" 2>"$2.err"; echo $? >"$2.rc"' \
		"$TRASH/bin/ssh-$2" "$3" "$TRASH/$1"
}

# ended NAME SECS CODE: session NAME exits with CODE within SECS
ended() {
	sg_poll "$2" test -s "$TRASH/$1.rc" ||
		{ echo "error: session $1 still runs after $2s"; return 1; }
	echo "$3" >expect &&
	test_cmp expect "$TRASH/$1.rc"
}

# terminal NAME KEY: a new 80x24 terminal running KEY's
# "ssh -t 1234-5678@gate"; its exit status lands in NAME.rc.
terminal() {
	{
		printf '%q ' "$TRASH/bin/ssh-$2" -t -l 1234-5678 127.0.0.1
		printf '\necho "rc=$?" >%q\n' "$TRASH/$1.rc"
	} >"$TRASH/$1.sh" &&
	sg_tmux_start "$1" "bash $TRASH/$1.sh"
}

# no connection from the gate to container 1 is left
no_upstream() {
	test -z "$(ss -Htn state established dst 127.0.0.11:22)"
}

test_expect_success 'set up: API, node 1234 on container 1, keys, the gate with RevokeInterval 1s' '
	sg_fixture_gate "RevokeInterval 1s" &&
	alice=$SG_KEY_ID &&
	k1=$(sg_api_key 5678 k1) &&
	k2=$(sg_api_key 5678 k2) &&
	k3=$(sg_api_key 5678 k3) &&
	k4=$(sg_api_key 5678 k4) &&
	for k in k1 k2 k3 k4; do sg_gate_ssh_cmd $k || return 1; done &&
	for k in f401 f403 f404 fjson fstatus fgrace flong fstall fwatch
	do
		sg_api_key 5678 $k >"$TRASH/$k.id" &&
		sg_gate_ssh_cmd $k || return 1
	done
'

test_expect_success 'an active key: a session longer than RevokeInterval runs to its end' '
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	test_expect_code 4 sg_ssh_gate alice 1234-5678 "sleep 3.5; echo done; exit 4" >out &&
	echo done >expect &&
	test_cmp expect out &&
	checks=$(sg_api GET /v1/admin/stats | sg_json by_endpoint key) &&
	echo "key checks: $checks" &&
	test "$checks" -ge 2
'

# check_gaps ID: the ms between the key checks of key ID, one per line,
# from the API's log ("2026-11-22T05:09:01.234Z api 127.0.0.1 GET
# /v1/gate/keys/ID 200 ...")
check_gaps() {
	awk -v path="/v1/gate/keys/$1" '
		$4 == "GET" && $5 == path {
			split(substr($1, 12, 12), t, ":")
			ms = (t[1] * 3600 + t[2] * 60 + t[3]) * 1000
			if (ms < last) ms += 86400000
			if (n++) printf "%d\n", ms - last
			last = ms
		}' "$TRASH/api/log"
}

test_expect_success 'sessions started together check at moments of their own' '
	j1=$(sg_api_key 5678 j1) && j2=$(sg_api_key 5678 j2) &&
	j3=$(sg_api_key 5678 j3) &&
	for k in j1 j2 j3
	do
		sg_gate_ssh_cmd $k &&
		session_start $k $k "exec sleep 5.5" || return 1
	done &&
	for k in j1 j2 j3
	do
		ended $k 15 0 || return 1
	done &&
	check_gaps $j1 >g1 && check_gaps $j2 >g2 && check_gaps $j3 >g3 &&
	paste g1 g2 g3 >gaps &&
	echo "ms between the key checks of each session:" && cat gaps &&
	test_line_count -ge 3 gaps &&
	# the jitter is 10% of 1s: drawn anew in each process, three
	# sessions agree to within 20 ms on all three gaps about once in
	# 40000 runs; drawn from one sequence for all, they always do
	head -n 3 gaps | awk "
		{ lo = hi = \$1
		  for (i = 2; i <= NF; i++) {
			if (\$i < lo) lo = \$i
			if (\$i > hi) hi = \$i
		  }
		  if (hi - lo > 20) apart = 1 }
		END { exit !apart }"
'

test_expect_success 'revoked: running commands end within RevokeInterval + 2s with 249' '
	session_start s1 k1 "echo started; exec sleep 60" &&
	session_start s2 k1 "echo started; exec sleep 60" &&
	sg_log_contains s1.out started 10 &&
	sg_log_contains s2.out started 10 &&
	revoke $k1 &&
	start=$(now_ms) &&
	ended s1 3 249 &&
	ended s2 3 249 &&
	echo "ended $(( $(now_ms) - start ))ms after the revocation" &&
	for s in s1 s2
	do
		test_line_count = 1 $s.err &&
		grep "^sshgate: .*revoked" $s.err || return 1
	done
'

test_expect_success 'revoked: the connections to the container are closed' '
	sg_poll 3 no_upstream &&
	sg_wait_no_process 3 -u ct1 -x "sshd|sshd-session" &&
	sg_wait_no_process 3 -x gate-shell
'

test_expect_success 'revoked: the log says so, with the login and the key id' '
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: " "revoked" \
		"login=1234-5678( |$)" "key_id=$k1( |$)"
'

test_expect_success 'revoked: an interactive shell ends too, and the terminal says why' '
	terminal t1 k2 &&
	sg_tmux_wait_for t1 "^ct1@[^ ]*:~\\$" 10 &&
	revoke $k2 &&
	sg_poll 3 test -s t1.rc &&
	echo rc=249 >expect &&
	test_cmp expect t1.rc &&
	sg_tmux_wait_for t1 "sshgate: .*revoked" 1
'

test_expect_success 'revoked: no new session over a connection that authenticated before' '
	mux="-o ControlMaster=auto -o ControlPath=$TRASH/cm-%r -o ControlPersist=30" &&
	test_when_finished "\"\$TRASH/bin/ssh-k3\" $mux -O exit 1234-5678@127.0.0.1 2>/dev/null" &&
	"$TRASH/bin/ssh-k3" $mux 1234-5678@127.0.0.1 "echo first" >out &&
	echo first >expect &&
	test_cmp expect out &&
	revoke $k3 &&
	"$TRASH/bin/ssh-k3" $mux -O check 1234-5678@127.0.0.1 &&
	"$TRASH/bin/ssh-k3" $mux 1234-5678@127.0.0.1 "echo ran >ran-marker" >out 2>err
	code=$?
	echo "exit $code" &&
	{ test $code = 249 || test $code = 252; } &&
	test_must_be_empty out &&
	test_line_count = 1 err &&
	grep "^sshgate: " err &&
	test_path_is_missing "$SG_RUN/home/ct1/ran-marker"
'

# the API answers every key check with fault JSON-MEMBERS; each is an
# answer, not an outage: the session ends within RevokeInterval + 2s
for f in 'f401 "kind":"status","code":401' 'f403 "kind":"status","code":403' \
	'f404 "kind":"status","code":404' 'fjson "kind":"garbage"' \
	'fstatus "kind":"inject","field":"status","value":"suspended"'
do
	k=${f%% *} fault=${f#* }
	test_expect_success "the key check answers $fault: the session ends at once with 249" '
		test_when_finished sg_api_faults_clear &&
		session_start s-$k $k "echo started; exec sleep 60" &&
		sg_log_contains s-$k.out started 10 &&
		sg_api_fault "{\"path\":\"/v1/gate/keys\",$fault}" &&
		start=$(now_ms) &&
		ended s-$k 3 249 &&
		echo "ended $(( $(now_ms) - start ))ms after the fault" &&
		test_line_count = 1 s-$k.err &&
		grep "^sshgate: access revoked by the platform; session closed" s-$k.err &&
		sg_log_contains_all "$SG_LOG" "session ended" \
			"key_id=$(cat $k.id)( |$)" "end_reason=revoked"
	'
done

# log_count RE...: how many lines of the gate's log match all of RE
log_count() {
	local lines
	lines=$(cat "$SG_LOG") &&
	for re
	do
		lines=$(printf '%s\n' "$lines" | grep -E -e "$re")
	done
	printf '%s\n' "$lines" | grep -c .
}

test_expect_success 'API answering 503, RevokeGrace 3s: the session ends after the grace, 249, one line per change' '
	test_when_finished "sg_api_faults_clear; conf" &&
	conf "RevokeGrace 3s" &&
	id=$(cat fgrace.id) &&
	session_start s-grace fgrace "echo started; exec sleep 60" &&
	sg_log_contains s-grace.out started 10 &&
	sg_api_fault "{\"path\":\"/v1/gate/keys\",\"kind\":\"status\",\"code\":503}" &&
	start=$(now_ms) &&
	ended s-grace 8 249 &&
	took=$(( $(now_ms) - start )) &&
	echo "ended ${took}ms after the API failed" &&
	test $took -ge 3000 &&
	test_line_count = 1 s-grace.err &&
	grep "^sshgate: cannot confirm access with the platform; session closed" s-grace.err &&
	test $(log_count "cannot confirm access with the platform" "key_id=$id( |$)") = 1 &&
	test $(log_count "revocation grace expired" "key_id=$id( |$)") = 1 &&
	sg_log_contains_all "$SG_LOG" "session ended" "key_id=$id( |$)" \
		"end_reason=unconfirmed" "code=249"
'

test_expect_success 'the watcher killed: nothing confirms the session any more, it ends at once with 249' '
	id=$(cat fwatch.id) &&
	session_start s-watch fwatch "echo started; exec sleep 60" &&
	sg_log_contains s-watch.out started 10 &&
	watcher=$(pgrep -x sshgate-watch) &&
	test $(printf "%s\n" "$watcher" | grep -c .) = 1 &&
	kill -9 $watcher &&
	ended s-watch 3 249 &&
	test_line_count = 1 s-watch.err &&
	grep "^sshgate: cannot confirm access with the platform; session closed" s-watch.err &&
	sg_log_contains_all "$SG_LOG" "session ended" "key_id=$id( |$)" \
		"end_reason=unconfirmed" "code=249"
'

test_expect_success 'API stopped for 3s, RevokeGrace 60s: the session survives, the recovery is logged' '
	test_when_finished "conf" &&
	conf "RevokeGrace 60s" &&
	id=$(cat flong.id) &&
	session_start s-long flong "echo started; sleep 7; echo done; exit 3" &&
	sg_log_contains s-long.out started 10 &&
	sg_api_stop &&
	sleep 3 &&
	sg_api_start &&
	ended s-long 15 3 &&
	printf "started\ndone\n" >expect &&
	test_cmp expect s-long.out &&
	test_must_be_empty s-long.err &&
	test $(log_count "cannot confirm access with the platform" "key_id=$id( |$)") = 1 &&
	test $(log_count "access confirmed again by the platform" "key_id=$id( |$)") = 1 &&
	test $(log_count "revocation grace expired" "key_id=$id( |$)") = 0
'

# gaps: reads lines on stdin, prints how many and the longest gap
# between two of them in ms, each timed as it arrives
gaps() {
	/usr/bin/python3 -c '
import sys, time
last, worst, n = None, 0.0, 0
for line in iter(sys.stdin.buffer.readline, b""):
	now = time.monotonic()
	if last is not None:
		worst = max(worst, now - last)
	last, n = now, n + 1
print(n, int(worst * 1000))
'
}

test_expect_success 'API slow by 3s: a line every 100ms reaches the client with no gap over 200ms' '
	test_when_finished "sg_api_faults_clear; conf" &&
	conf "ApiTimeout 5s" &&
	sg_api_fault "{\"path\":\"/v1/gate/keys\",\"kind\":\"delay\",\"seconds\":3}" &&
	"$TRASH/bin/ssh-fstall" -l 1234-5678 127.0.0.1 \
		"i=0; while [ \$i -lt 60 ]; do echo \$i; sleep 0.1; i=\$((i + 1)); done" |
		gaps >gaps.out &&
	read n worst <gaps.out &&
	echo "$n lines, longest gap ${worst}ms" &&
	test "$n" = 60 &&
	test "$worst" -le 200 &&
	checks=$(sg_api GET /v1/admin/faults | sg_json faults 0 hits) &&
	echo "key checks during the stream: $checks" &&
	test "$checks" -ge 2
'

test_expect_success 'RevokeInterval 0: no live check, the session runs to its end' '
	test_when_finished conf &&
	conf "RevokeInterval 0" &&
	session_start s3 k4 "echo started; sleep 3; exit 4" &&
	sg_log_contains s3.out started 10 &&
	revoke $k4 &&
	ended s3 6 4 &&
	test_must_be_empty s3.err
'

test_done
