#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='gate-shell: dead and hung containers are noticed

With KeepaliveInterval 2s and KeepaliveCountMax 3, a session whose
container stops answering ends between 3 and 4 intervals after its last
answer (sshgate.conf(5): KeepaliveInterval x KeepaliveCountMax, plus at
most one interval), here asserted within 2 s x 4 + 3 s of slack, with
"sshgate: container 1234 stopped responding; session closed", exit code
251 and a "session ended" line with end_reason=unresponsive. Two ways to
die: every packet between gate and container dropped (nft in the test'"'"'s
network namespace), and the container'"'"'s sshd stopped (SIGSTOP, which
TCP does not notice: the kernel still acknowledges). A healthy idle
session outlives many intervals.'
. "${0%/*}/test-lib.sh"

test_require_prereq GATE_SHELL
if ! command -v nft >/dev/null; then
	skip_all="nft is missing (Debian package nftables)"
	test_done
fi
sg_watchdog 240

INTERVAL=2
COUNT=3
# the bound: one interval more than INTERVAL x COUNT, and 3 s of slack
MAX_MS=$(( (INTERVAL * (COUNT + 1) + 3) * 1000 ))
MIN_MS=$(( INTERVAL * (COUNT - 1) * 1000 ))

# session_start NAME CMD: alice's "ssh 1234-5678@gate CMD" in the
# background (stdin open until the test ends), out and err into
# NAME.out and NAME.err, the exit code into NAME.code.
session_start() {
	local name=$1
	rm -f "$name".*
	mkfifo "$name.stdin"
	( sleep 300 ) >"$name.stdin" &
	echo $! >"$name.holder"
	(
		"$TRASH/bin/ssh-alice" -l 1234-5678 127.0.0.1 "$2" \
			<"$name.stdin" >"$name.out" 2>"$name.err"
		echo $? >"$name.code"
	) &
	sg_poll 10 grep -q started "$name.out"
}

# session_wait NAME: waits for the client; $code and $took (ms since
# $start) set.
session_wait() {
	sg_poll 60 test -s "$1.code" || return
	took=$(( $(date +%s%3N) - start ))
	code=$(cat "$1.code")
	echo "exit $code after $took ms; stderr:"
	cat "$1.err"
	echo "$1: ended after $took ms" >>"$TRASH/times"
}

# What is left of the session in the container, and the rules, go.
cleanup() {
	nft delete table inet sgtest 2>/dev/null
	local pids
	pids=$( { sg_live_pids -u ct1; sg_live_pids -u sshgate -x gate-shell
		sg_live_pids -u sshgate -x sshgate-relay; } | paste -sd" ")
	test -z "$pids" || kill -CONT $pids
	test -z "$pids" || kill -9 $pids
	kill "$(cat "$1.holder")" 2>/dev/null
	sg_wait_no_process 5 -u ct1
}

# noticed NAME: the session ended as a container that stopped responding,
# within the bound.
noticed() {
	session_wait "$1" &&
	test "$code" = 251 &&
	echo "sshgate: container 1234 stopped responding; session closed" >expect &&
	test_cmp expect "$1.err" &&
	test "$took" -le $MAX_MS &&
	test "$took" -ge $MIN_MS &&
	sg_log_contains "$SG_LOG" "session ended.* login=1234-5678 .*end_reason=unresponsive detail=\"?no answer to $COUNT keepalives, ${INTERVAL}000 ms apart\"? code=251"
}

test_expect_success 'set up: API, node 1234 on container 1, the gate' '
	sg_fixture_gate "KeepaliveInterval ${INTERVAL}s" \
		"KeepaliveCountMax $COUNT" &&
	echo "bound: ${MIN_MS} to ${MAX_MS} ms" >"$TRASH/times"
'

test_expect_success 'a healthy idle session outlives many intervals' '
	test_when_finished "cleanup idle" &&
	session_start idle "echo started; sleep $(( INTERVAL * COUNT * 2 )); echo done" &&
	start=$(date +%s%3N) &&
	session_wait idle &&
	test "$code" = 0 &&
	printf "started\\ndone\\n" >expect &&
	test_cmp expect idle.out
'

test_expect_success 'every packet dropped: noticed within the bound' '
	test_when_finished "cleanup drop" &&
	: >"$SG_LOG" &&
	session_start drop "echo started; exec sleep 300" &&
	nft add table inet sgtest &&
	nft add chain inet sgtest out "{ type filter hook output priority 0; }" &&
	nft add rule inet sgtest out ip daddr 127.0.0.11 tcp dport 22 drop &&
	nft add rule inet sgtest out ip saddr 127.0.0.11 tcp sport 22 drop &&
	start=$(date +%s%3N) &&
	noticed drop
'

test_expect_success 'the container sshd stopped (SIGSTOP): noticed within the bound' '
	test_when_finished "cleanup stop" &&
	: >"$SG_LOG" &&
	session_start stop "echo started; exec sleep 300" &&
	ct_sshd=$(pgrep -u ct1 -x "sshd|sshd-session") &&
	test -n "$ct_sshd" &&
	kill -STOP $ct_sshd &&
	start=$(date +%s%3N) &&
	noticed stop
'

test_expect_success 'SIGTERM while the container is dead: ends within 1 s, logged' '
	test_when_finished "cleanup term" &&
	: >"$SG_LOG" &&
	session_start term "echo started; exec sleep 300" &&
	ct_sshd=$(pgrep -u ct1 -x "sshd|sshd-session") &&
	kill -STOP $ct_sshd &&
	sleep 1 &&
	gs=$(pgrep -u sshgate -x gate-shell) &&
	kill -TERM $gs &&
	sg_poll 1 sg_gone $gs &&
	sg_log_contains "$SG_LOG" "session ended.* login=1234-5678 .*end_reason=signal"
'

test_expect_success 'the detection times measured' '
	cat "$TRASH/times"
'

test_done
