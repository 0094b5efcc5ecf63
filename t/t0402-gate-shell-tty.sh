#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='gate-shell: interactive sessions through a real terminal

ssh -t NODE-ACCOUNT@gate from inside tmux (a real terminal of 80x24,
TERM=tmux-256color): the container shell prompt, typed commands echoed
once (the gate side of the terminal is raw), the terminal size at start
and after a resize, ^C, a password prompt that does not echo, a command
with a terminal, and the exit status of the shell.'
. "${0%/*}/test-lib.sh"
. "${0%/*}/lib-terminal.sh"

test_require_prereq GATE_SHELL,TMUX
sg_watchdog 240

# terminal NAME LOGIN [SSH-ARGS...]: a new 80x24 terminal NAME running
# alice's "ssh -t LOGIN@gate SSH-ARGS"; its exit status lands in NAME.rc.
terminal() {
	local name=$1 login=$2
	shift 2
	{
		printf '%q ' "$TRASH/bin/ssh-alice" -t -l "$login" 127.0.0.1 "$@"
		printf '\necho "rc=$?" >%q\n' "$TRASH/$name.rc"
	} >"$TRASH/$name.sh" &&
	sg_tmux_start "$name" "bash $TRASH/$name.sh"
}

# exited NAME CODE: the client in terminal NAME has exited with CODE
exited() {
	sg_poll 5 test -s "$TRASH/$1.rc" ||
		{ echo "error: the client in '$1' still runs"; return 1; }
	echo "rc=$2" >expect &&
	test_cmp expect "$TRASH/$1.rc"
}

test_expect_success 'set up: API, node 1234 on container 1, the gate' '
	sg_fixture_gate &&
	alice=$SG_KEY_ID
'

test_expect_success 'a shell: the prompt of ct1 in container 1 appears' '
	terminal sh 1234-5678 &&
	sg_tmux_wait_for sh "^ct1@[^ ]*:~\\$" 10
'

test_expect_success 'a typed command runs, and is echoed once' '
	sg_tmux_send sh "echo hello-\$((6*7))" &&
	sg_tmux_wait_for sh "^hello-42$" &&
	sg_tmux_capture sh | grep -cF "echo hello-\$((6*7))" >count &&
	echo 1 >expect &&
	test_cmp expect count
'

test_expect_success 'TERM of the client reaches the container' '
	sg_tmux_send sh "echo term=\$TERM" &&
	sg_tmux_wait_for sh "^term=tmux-256color$"
'

test_expect_success 'the terminal size of the client: 24 rows, 80 columns' '
	sg_tmux_send sh "echo size=\$(stty size)" &&
	sg_tmux_wait_for sh "^size=24 80$"
'

test_expect_success 'after a resize to 100x30 the container sees 30 rows, 100 columns' '
	sg_tmux resize-window -t sh -x 100 -y 30 &&
	test "$(sg_tmux display -p -t sh "#{pane_width}x#{pane_height}")" = 100x30 &&
	sleep 0.3 &&
	sg_tmux_send sh "echo size=\$(stty size)" &&
	sg_tmux_wait_for sh "^size=30 100$"
'

test_expect_success 'a resize reaches a running program as SIGWINCH' '
	sg_tmux_send sh "trap \"echo winch=\\\$(stty size)\" WINCH; echo armed-\$((3+4)); sleep 30 & wait \$!; kill \$!; trap - WINCH" &&
	sg_tmux_wait_for sh "^armed-7$" &&
	sg_tmux resize-window -t sh -x 120 -y 40 &&
	sg_tmux_wait_for sh "^winch=40 120$" 5
'

test_expect_success '^C interrupts a running command; the prompt comes back' '
	sg_tmux_send sh "echo sleeping-\$((1+1)); sleep 100" &&
	sg_tmux_wait_for sh "^sleeping-2$" &&
	sleep 0.3 &&
	sg_tmux_keys sh C-c &&
	sg_tmux_send sh "echo back-\$((2+3))" &&
	sg_tmux_wait_for sh "^back-5$" 3
'

test_expect_success 'input the container does not echo is not echoed by the gate either' '
	sg_tmux_send sh "stty -echo; echo ready-\$((1+2)); read s; stty echo; echo got-\$s" &&
	sg_tmux_wait_for sh "^ready-3$" &&
	sg_tmux_send sh "secret77" &&
	sg_tmux_wait_for sh "^got-secret77$" &&
	! sg_tmux_capture sh | grep "^secret77"
'

test_expect_success 'a lot of output to the terminal, then the prompt' '
	sg_tmux_send sh "seq 1 30000; echo end-\$((1+2))" &&
	sg_tmux_wait_for sh "^end-3$" 20 &&
	sg_tmux_capture sh | grep -x 30000
'

test_expect_success 'exit 3 in the shell: the client exits with 3' '
	sg_tmux_send sh "exit 3" &&
	exited sh 3
'

test_expect_success 'the audit log has the shell session' '
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: session started; " \
		"login=1234-5678( |$)" "key_id=$alice( |$)" "kind=shell( |$)" &&
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: session ended; " \
		"login=1234-5678( |$)" "key_id=$alice( |$)" "kind=shell( |$)" \
		"exit_status=3( |$)"
'

test_expect_success 'a command with -t runs on a terminal and can prompt' '
	terminal ex 1234-5678 "tty; read -p \"name? \" n; echo \"hi-\$n-\$((1+1))\"; exit 6" &&
	sg_tmux_wait_for ex "^/dev/pts/[0-9]+$" 10 &&
	sg_tmux_wait_for ex "name\\? ?$" &&
	sg_tmux_send ex bob &&
	sg_tmux_wait_for ex "^hi-bob-2$" &&
	exited ex 6
'

test_expect_success 'ssh -tt without a terminal: TERM and the exit status come back' '
	TERM=xterm-256color test_expect_code 5 sg_ssh_gate alice 1234-5678 -tt \
		"echo term=\$TERM; test -t 0 && echo on-a-tty; exit 5" >out 2>err &&
	tr -d "\\r" <out >actual &&
	grep -x "term=xterm-256color" actual &&
	grep -x "on-a-tty" actual
'

test_done
