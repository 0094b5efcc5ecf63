#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='gate-shell: sessions end (IdleTimeout, MaxSessionTime)

A session through which no byte moves either way for IdleTimeout ends
with exit status 245, one "sshgate: " line and a "session ended" line
with end_reason=idle; output alone (top redrawing on a terminal, a
command printing) keeps it alive. A login ends after MaxSessionTime
however busy, with 244 and end_reason=max_time. Both are off by
default. The command in the container is hung up, and nothing is left
on the gate. The bounds asserted are generous: the limits are 2s and 3s,
the tests allow 20s.'
. "${0%/*}/test-lib.sh"
. "${0%/*}/lib-terminal.sh"

test_require_prereq GATE_SHELL
sg_watchdog 240

conf() {
	sg_gate_conf "$@" "InternalKey /etc/sshgate/internal_key"
}

now_ms() {
	date +%s%3N
}

gate() {
	sg_ssh_gate alice 1234-5678 "$@" >out 2>err
}

test_expect_success 'set up: API, node 1234 on container 1, the gate' '
	sg_fixture_gate
'

test_expect_success 'off by default: a silent command of 3s runs to its end' '
	gate "sleep 3; echo done" &&
	echo done >expect &&
	test_cmp expect out &&
	test_must_be_empty err
'

test_expect_success 'IdleTimeout: a silent command ends with 245 and one line' '
	conf "IdleTimeout 2s" &&
	start=$(now_ms) &&
	test_expect_code 245 gate "sleep 41; echo never" &&
	took=$(( $(now_ms) - start )) &&
	echo "ended after ${took}ms" &&
	test "$took" -ge 2000 && test "$took" -lt 20000 &&
	test_must_be_empty out &&
	echo "sshgate: no input or output for 2s; session closed (IdleTimeout)" >expect &&
	test_cmp expect err &&
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: session ended; " \
		"login=1234-5678( |$)" "end_reason=idle( |$)" "code=245( |$)"
'

test_expect_success 'the idle command in the container is hung up' '
	sg_wait_no_process 10 -u ct1 -f "sleep 41"
'

test_expect_success 'output keeps a session alive: 4s of a line every 0.5s' '
	gate "for i in 1 2 3 4 5 6 7 8; do echo \$i; sleep 0.5; done" &&
	seq 1 8 >expect &&
	test_cmp expect out &&
	test_must_be_empty err
'

test_expect_success 'input keeps a session alive: 4s of a line every 0.5s' '
	for i in 1 2 3 4 5 6 7 8; do echo $i; sleep 0.5; done |
		sg_ssh_gate alice 1234-5678 cat >out 2>err &&
	seq 1 8 >expect &&
	test_cmp expect out
'

test_expect_success TMUX 'a terminal running top is not idle; a shell prompt is' '
	sg_tmux_start top "$TRASH/bin/ssh-alice -tt -l 1234-5678 127.0.0.1 top -d 0.5; echo rc=\$? >$TRASH/top.rc; sleep 600" &&
	sg_tmux_wait_for top "load average" 15 &&
	sleep 5 &&
	! test -e "$TRASH/top.rc" &&
	sg_tmux_keys top q &&
	sg_poll 10 test -s "$TRASH/top.rc" &&
	echo rc=0 >expect && test_cmp expect "$TRASH/top.rc" &&
	sg_tmux_start prompt "$TRASH/bin/ssh-alice -tt -l 1234-5678 127.0.0.1; echo rc=\$? >$TRASH/prompt.rc; sleep 600" &&
	sg_poll 20 test -s "$TRASH/prompt.rc" &&
	echo rc=245 >expect && test_cmp expect "$TRASH/prompt.rc" &&
	sg_tmux_wait_for prompt "^sshgate: no input or output for 2s; session closed \(IdleTimeout\)"
'

test_expect_success 'MaxSessionTime: a busy session ends with 244 and one line' '
	conf "MaxSessionTime 3s" &&
	start=$(now_ms) &&
	test_expect_code 244 gate "while :; do echo x; sleep 0.2; done" &&
	took=$(( $(now_ms) - start )) &&
	echo "ended after ${took}ms" &&
	test "$took" -ge 3000 && test "$took" -lt 20000 &&
	grep -qx x out &&
	echo "sshgate: this login reached the gate'"'"'s limit of 3s; session closed (MaxSessionTime)" >expect &&
	test_cmp expect err &&
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: session ended; " \
		"end_reason=max_time( |$)" "code=244( |$)" &&
	sg_wait_no_process 10 -u ct1 -f "while :; do echo x"
'

test_expect_success 'the two together: the first limit reached ends it' '
	conf "MaxSessionTime 3s" "IdleTimeout 1m" &&
	test_expect_code 244 gate "sleep 42" &&
	conf "MaxSessionTime 1m" "IdleTimeout 2s" &&
	test_expect_code 245 gate "sleep 43"
'

test_expect_success 'no gate-shell is left' '
	sg_wait_no_process 10 -x gate-shell
'

test_done
