# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# t/lib-terminal.sh: real terminals for the tests, after git's
# t/lib-terminal.sh: one tmux server per script, in the foreground of a
# daemon (so that sg_stop_all ends it and every terminal in it). A script
# that needs it sources it after t/test-lib.sh:
#
#	. "${0%/*}/lib-terminal.sh"
#
# and gets the prerequisite TMUX.
#
#	sg_tmux ARGS...			tmux on the script's private server
#	sg_tmux_start NAME CMD		a detached 80x24 terminal (no status
#					line, TERM=tmux-256color) running the
#					shell command CMD; the pane stays
#					after CMD exits
#	sg_tmux_send NAME TEXT		type TEXT, then Enter
#	sg_tmux_keys NAME KEY...	tmux send-keys (C-c, C-d, Enter...)
#	sg_tmux_capture NAME		the pane, its history included
#	sg_tmux_wait_for NAME REGEX [SECS]	until a line of the pane matches

test_lazy_prereq TMUX 'command -v tmux'

sg_tmux() {
	tmux -S "$TRASH/tmux.sock" "$@"
}

sg__tmux_server() {
	sg_daemon_pid tmux >/dev/null && return 0
	cat >"$TRASH/tmux.conf" <<-\EOF || return
	set -g default-shell /bin/sh
	set -g default-terminal tmux-256color
	set -g status off
	set -g remain-on-exit on
	set -g history-limit 10000
	set -g escape-time 0
	EOF
	sg_daemon_start tmux "$TRASH/tmux.log" \
		tmux -S "$TRASH/tmux.sock" -f "$TRASH/tmux.conf" -D || return
	sg_poll 10 test -S "$TRASH/tmux.sock" ||
		sg__error "the tmux server did not start" || return
}

sg_tmux_start() {
	test $# = 2 || sg__bug "sg_tmux_start NAME CMD"
	sg__tmux_server &&
	sg_tmux new-session -d -s "$1" -x 80 -y 24 "$2"
}

sg_tmux_send() {
	test $# = 2 || sg__bug "sg_tmux_send NAME TEXT"
	sg_tmux send-keys -t "$1" -l -- "$2" &&
	sg_tmux send-keys -t "$1" Enter
}

sg_tmux_keys() {
	local name=$1
	test $# -ge 2 || sg__bug "sg_tmux_keys NAME KEY..."
	shift
	sg_tmux send-keys -t "$name" "$@"
}

sg_tmux_capture() {
	sg_tmux capture-pane -p -J -S - -t "$1"
}

sg__tmux_has() {
	sg_tmux_capture "$1" | grep -Eq -e "$2"
}

sg_tmux_wait_for() {
	test $# = 2 || test $# = 3 || sg__bug "sg_tmux_wait_for NAME REGEX [SECS]"
	sg_poll "${3:-10}" sg__tmux_has "$1" "$2" && return 0
	echo "error: no line of terminal '$1' matches '$2' after ${3:-10}s; it shows:" >&2
	sg_tmux_capture "$1" | sed -e '/^$/d' -e 's/^/| /' | tail -n 30 >&2
	return 1
}
