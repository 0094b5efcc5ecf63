#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='gate-shell: a client that vanishes leaves nothing behind

The client is killed (SIGKILL: no goodbye on the wire) during an upload, a
download, an interactive shell and an idle command. Within 5 seconds no
gate-shell process is left on the gate (zombies do not count) and the
session in the container is gone with it.'
. "${0%/*}/test-lib.sh"
. "${0%/*}/lib-terminal.sh"

test_require_prereq GATE_SHELL,TMUX
sg_watchdog 240

# client_start NAME CMD [STDIN]: alice's "ssh 1234-5678@gate CMD" in the
# background, its stdout thrown away; its PID in $client.
client_start() {
	sg_daemon_start "$1" "$TRASH/$1.log" sh -c \
		'exec "$0" -l 1234-5678 127.0.0.1 "$1" <"$2" >/dev/null' \
		"$TRASH/bin/ssh-alice" "$2" "${3:-/dev/null}" &&
	client=$SG_LAST_PID
}

nothing_left() {
	test -z "$(sg_live_pids -x gate-shell)$(sg_live_pids -u ct1)"
}

# What a failed test left must not fail the next one.
leftovers_kill() {
	local pids
	pids=$( { sg_live_pids -x gate-shell; sg_live_pids -u ct1; } | paste -sd" ")
	test -z "$pids" || kill -9 $pids
	sg_poll 5 nothing_left
}

# gone_within SECS: no gate-shell and no process of ct1 after SECS
gone_within() {
	sg_poll "$1" nothing_left && return 0
	echo "error: still running ${1}s after the client died:"
	ps -o pid,ppid,user,stat,etime,args -p \
		"$( { sg_live_pids -x gate-shell; sg_live_pids -u ct1; } | paste -sd,)"
	return 1
}

test_expect_success 'set up: API, node 1234 on container 1, the gate' '
	sg_fixture_gate &&
	alice=$SG_KEY_ID &&
	nothing_left
'

test_expect_success 'client killed during an upload: gate-shell and the container session go' '
	test_when_finished leftovers_kill &&
	client_start up "cat >/dev/null" /dev/zero &&
	sg_poll 10 pgrep -u ct1 -x cat &&
	test -n "$(sg_live_pids -x gate-shell)" &&
	sleep 0.5 &&
	kill -9 $client &&
	gone_within 5
'

test_expect_success 'client killed during a download: gate-shell and the container session go' '
	test_when_finished leftovers_kill &&
	client_start down "cat /dev/zero" &&
	sg_poll 10 pgrep -u ct1 -x cat &&
	sleep 0.5 &&
	kill -9 $client &&
	gone_within 5
'

test_expect_success 'client killed during an interactive shell: all of it goes' '
	test_when_finished leftovers_kill &&
	{
		printf "%q " "$TRASH/bin/ssh-alice" -t -l 1234-5678 127.0.0.1
		echo
	} >tty.sh &&
	sg_tmux_start tty "bash $TRASH/tty.sh" &&
	sg_tmux_wait_for tty "^ct1@[^ ]*:~\\$" 10 &&
	sg_tmux_send tty "sleep 100" &&
	sg_poll 5 pgrep -u ct1 -x sleep &&
	pane=$(sg_tmux display -p -t tty "#{pane_pid}") &&
	client=$(pgrep -s $pane -x ssh) &&
	kill -9 $client &&
	gone_within 5
'

# A command that neither reads nor writes: only the closed stdout pipe
# (sshd is gone) tells gate-shell that nobody listens any more. The
# command itself may outlive its session in the container (sshd does not
# signal a session without a terminal), so only sshd is looked for there.
test_expect_success 'client killed while the command is idle: gate-shell and the connection go' '
	test_when_finished leftovers_kill &&
	client_start idle "echo started; exec sleep 60" &&
	sg_poll 10 pgrep -u ct1 -x sleep &&
	kill -9 $client &&
	sg_wait_no_process 5 -x gate-shell &&
	sg_wait_no_process 2 -u ct1 -x "sshd|sshd-session" &&
	test -z "$(ss -Htn state established dst 127.0.0.11:22)"
'

test_done
