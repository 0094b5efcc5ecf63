#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='the account menu: its limits and a clean terminal

r asks the platform for the listing at most once every
MenuRefreshInterval, however fast it is pressed; IdleTimeout closes a
menu nobody types in (245) and MaxSessionTime a login that has lasted
too long (244), each with one line and a "menu closed" audit line; a
session started from the menu that idles out ends the menu too. After a
container session that left the alternate screen, mouse reporting, a
hidden cursor and its own title on, the menu is drawn on a terminal put
back as it was. Through real terminals (tmux) and the real ssh client.'
. "${0%/*}/test-lib.sh"
. "${0%/*}/lib-terminal.sh"

test_require_prereq GATE_SHELL,TMUX
sg_watchdog 240

conf() {
	sg_gate_conf "$@" "InternalKey /etc/sshgate/internal_key"
}

listings() {
	sg_api GET /v1/admin/stats | sg_json by_endpoint environments
}

# menu NAME: ssh -tt 5678@gate in a new terminal; NAME.rc once it exits
menu() {
	rm -f "$TRASH/$1.rc" &&
	sg_tmux_start "$1" "$TRASH/bin/ssh-alice -tt -l 5678 127.0.0.1; echo rc=\$? >$TRASH/$1.rc; sleep 600" &&
	sg_tmux_wait_for "$1" "account 5678 - environments" 15 &&
	sg_tmux_wait_for "$1" "0 or q: quit"
}

# rc NAME CODE [SECS]: the client of terminal NAME exited with CODE
rc() {
	sg_poll "${3:-20}" test -s "$TRASH/$1.rc" &&
	echo "rc=$2" >expect &&
	test_cmp expect "$TRASH/$1.rc"
}

# pane NAME FORMAT: a tmux format of terminal NAME's pane
pane() {
	sg_tmux display-message -p -t "$1" "$2"
}

test_expect_success 'set up: API, node 1234 on container 1, the gate' '
	sg_fixture_gate
'

test_expect_success 'r pressed 20 times at once asks the API at most twice' '
	conf "MenuRefreshInterval 3s" &&
	menu r &&
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	for i in $(seq 1 20); do sg_tmux_send r r || return 1; done &&
	sleep 1 &&
	sg_tmux_wait_for r "the list is refreshed at most every 3\.0s" &&
	calls=$(listings) &&
	echo "listings for 20 r: $calls" &&
	test "$calls" -le 2
'

test_expect_success 'r works again once MenuRefreshInterval has passed' '
	sleep 4 &&
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	sg_tmux_send r r &&
	sg_poll 10 test "$(listings)" = 1 &&
	sg_tmux_send r q &&
	rc r 0
'

test_expect_success 'IdleTimeout closes an untouched menu with 245' '
	conf "IdleTimeout 2s" &&
	menu idle &&
	rc idle 245 &&
	sg_tmux_wait_for idle "^sshgate: no input for 2s; menu closed \(IdleTimeout\)" &&
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: menu closed; " \
		"login=5678( |$)" "end_reason=idle( |$)" "code=245( |$)"
'

test_expect_success 'typing keeps the menu open' '
	conf "IdleTimeout 2s" &&
	menu typing &&
	for i in 1 2 3 4 5 6; do sg_tmux_send typing "" && sleep 0.5 || return 1; done &&
	! test -e typing.rc &&
	rc typing 245
'

test_expect_success 'a session from the menu that idles out ends the menu with 245' '
	conf "IdleTimeout 2s" &&
	menu sess &&
	sg_tmux_send sess 1 &&
	sg_tmux_wait_for sess "environment env-shop" &&
	sg_tmux_send sess 1 &&
	sg_tmux_wait_for sess "connecting to container 1234" &&
	rc sess 245 &&
	sg_tmux_wait_for sess "^sshgate: no input or output for 2s; session closed \(IdleTimeout\)"
'

test_expect_success 'MaxSessionTime closes the menu with 244' '
	conf "MaxSessionTime 3s" &&
	menu max &&
	rc max 244 &&
	sg_tmux_wait_for max "^sshgate: this login reached the gate.s limit of 3s; menu closed \(MaxSessionTime\)" &&
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: menu closed; " \
		"end_reason=max_time( |$)" "code=244( |$)"
'

test_expect_success 'after a session that left modes on, the menu gets a clean terminal' '
	conf &&
	menu clean &&
	sg_tmux_send clean 1 &&
	sg_tmux_wait_for clean "environment env-shop" &&
	sg_tmux_send clean 1 &&
	sg_tmux_wait_for clean "ct1@" &&
	sg_tmux_send clean "printf \"\\033]2;EVIL\\007\\033[?1049h\\033[?1000h\\033[?1006h\\033[?1l\\033[?25l\\033[5m\"; sleep 1; exit 3" &&
	sg_tmux_wait_for clean "session with container 1234 ended \(exit 3\)" &&
	sg_tmux_wait_for clean "0 or q: back" &&
	pane clean "alt=#{alternate_on} mouse=#{mouse_any_flag} sgr=#{mouse_sgr_flag} cursor=#{cursor_flag} title=#{pane_title}" >state &&
	echo "alt=0 mouse=0 sgr=0 cursor=1 title=sshgate - account 5678" >expect &&
	test_cmp expect state &&
	sg_tmux_send clean q &&
	sg_tmux_send clean q &&
	rc clean 0
'

test_done
