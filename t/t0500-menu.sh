#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='the account menu: ssh ACCOUNT@gate

list, list --json and help without a terminal; the interactive menu
through a real terminal (tmux) with the real ssh client: pick a container,
come back, refresh, filter, page, quit; hostile names shown harmless.'
. "${0%/*}/test-lib.sh"
. "${0%/*}/lib-terminal.sh"

test_require_prereq GATE_SHELL,TMUX

gate() {
	sg_ssh_gate alice "$@" >out 2>err
}

tmux_ssh() {
	sg_gate_ssh_cmd alice &&
	sg_tmux_start "$1" "$TRASH/bin/ssh-alice -tt $2@127.0.0.1; echo \"rc=\$?\" >$TRASH/$1.rc; sleep 600"
}

test_expect_success 'set up: API, accounts, environments, containers, gate' '
	sg_api_start &&
	sg_gate_internal_key &&
	sg_container_start 1 && sg_container_start 2 &&
	sg_api_seed_account 5678 && sg_api_seed_account 7777 &&
	sg_api POST /v1/admin/accounts/5678/environments \
		"{\"name\":\"env-shop\",\"display_name\":\"Shop\",\"status\":\"running\"}" &&
	sg_api POST /v1/admin/accounts/5678/environments \
		"{\"name\":\"env-blog\",\"display_name\":\"Blog\",\"status\":\"stopped\"}" &&
	sg_api_node 5678 env-shop 1234 1 shop-app &&
	sg_api_node 5678 env-shop 1235 2 shop-db &&
	sg_api_node 5678 env-blog 1236 1 blog-app stopped &&
	alice_id=$(sg_api_key 5678 alice) &&
	sg_api_key 7777 alice7 >/dev/null &&
	# r twice in a row below: t0501 tests MenuRefreshInterval
	sg_gate_conf "MenuRefreshInterval 0" &&
	sg_gate_start
'

test_expect_success 'help' '
	gate 5678 help &&
	cat >expect <<-\EOF &&
	sshgate: account 5678
	  ssh 5678@gate              the menu of environments and containers (needs a terminal)
	  ssh 5678@gate list         the containers as a table
	  ssh 5678@gate list --json  the same as JSON
	  ssh 5678@gate help         this text
	  ssh NODE-5678@gate [cmd]   a shell or a command in container NODE
	  sftp NODE-5678@gate        the files of container NODE
	EOF
	test_cmp expect out
'

test_expect_success 'list prints the table' '
	gate 5678 list &&
	cat >expect <<-\EOF &&
	account 5678: 2 environments, 3 containers

	env-shop  Shop                      running
	  NODE        NAME                      ROLE      STATUS    ADDRESS          LOGIN
	  1234        shop-app                  cp        running   127.0.0.11       1234-5678
	  1235        shop-db                   cp        running   127.0.0.12       1235-5678

	env-blog  Blog                      stopped
	  NODE        NAME                      ROLE      STATUS    ADDRESS          LOGIN
	  1236        blog-app                  cp        stopped   127.0.0.11       1236-5678
	EOF
	test_cmp expect out
'

test_expect_success 'list and list --json are audit events with the login, key id and client' '
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: account listed; " \
		"login=5678( |$)" "key_id=$alice_id( |$)" "client=127\.0\.0\.1( |$)" \
		"listing=list( |$)" "environments=2( |$)" "nodes=3( |$)" &&
	gate 5678 "list --json" &&
	sg_log_contains_all "$SG_LOG" "account listed; " "key_id=$alice_id( |$)" \
		"listing=\"list --json\"( |$)"
'

test_expect_success 'list --json prints JSON with the login to use' '
	gate 5678 "list --json" &&
	/usr/bin/python3 -c "
import json, sys
d = json.load(open(\"out\"))
assert d[\"account\"] == \"5678\", d
envs = {e[\"name\"]: e for e in d[\"environments\"]}
assert sorted(envs) == [\"env-blog\", \"env-shop\"], envs
n = envs[\"env-shop\"][\"nodes\"][0]
assert n == {\"id\": \"1234\", \"name\": \"shop-app\", \"role\": \"cp\", \"status\": \"running\", \"address\": \"127.0.0.11\", \"login\": \"1234-5678\"}, n
assert envs[\"env-blog\"][\"status\"] == \"stopped\"
assert envs[\"env-blog\"][\"nodes\"][0][\"status\"] == \"stopped\"
"
'

test_expect_success 'an account with no environments' '
	sg_ssh_gate alice7 7777 list >out 2>err &&
	echo "account 7777: 0 environments, 0 containers" >expect &&
	test_cmp expect out
'

test_expect_success 'any other command on an ACCOUNT login is refused with the NODE-ACCOUNT form' '
	test_expect_code 254 gate 5678 "uname -a" &&
	test_must_be_empty out &&
	grep "^sshgate: .*ssh NODE-5678@gate" err &&
	test_line_count = 1 err
'

test_expect_success 'no terminal and no command: told to use list or -t' '
	test_expect_code 254 sg_ssh alice "$TRASH/gate/known_hosts" -T -p 2222 \
		-l 5678 127.0.0.1 >out 2>err &&
	grep "^sshgate: the account menu needs a terminal" err
'

test_expect_success 'an API error is one line and a documented code' '
	test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
	sg_api POST /v1/admin/faults "{\"path\":\"/v1/gate/accounts\",\"kind\":\"status\",\"code\":500}" >/dev/null &&
	test_expect_code 253 gate 5678 list &&
	test_must_be_empty out &&
	test_line_count = 1 err &&
	grep "^sshgate: the platform API is unavailable" err
'

test_expect_success 'the menu: environments on an 80x24 terminal' '
	tmux_ssh m 5678 &&
	sg_tmux_wait_for m "account 5678 - environments" &&
	sg_tmux_wait_for m "1\) env-shop +Shop +running +2 containers" &&
	sg_tmux_wait_for m "2\) env-blog +Blog +stopped +1 container" &&
	sg_tmux_wait_for m "0 or q: quit"
'

test_expect_success 'the menu: open an environment, enter a container, run a command' '
	sg_tmux_send m 1 &&
	sg_tmux_wait_for m "environment env-shop" &&
	sg_tmux_wait_for m "1\) shop-app +1234 +cp +running +127.0.0.11" &&
	sg_tmux_send m 1 &&
	sg_tmux_wait_for m "connecting to container 1234" &&
	sg_tmux_wait_for m "ct1@" &&
	sg_tmux_send m "echo in-\$(id -un)-\$((6*7))" &&
	sg_tmux_wait_for m "in-ct1-42"
'

test_expect_success 'the menu: its listing and its connection are audit events' '
	sg_log_contains_all "$SG_LOG" "account listed; " "login=5678( |$)" \
		"key_id=$alice_id( |$)" "client=127\.0\.0\.1( |$)" \
		"listing=menu( |$)" &&
	sg_log_contains_all "$SG_LOG" "menu connection; " "login=5678( |$)" \
		"key_id=$alice_id( |$)" "client=127\.0\.0\.1( |$)" "node=1234( |$)"
'

test_expect_success 'the menu comes back after the session' '
	sg_tmux_send m "exit 5" &&
	sg_tmux_wait_for m "session with container 1234 ended \(exit 5\)" &&
	sg_tmux_wait_for m "environment env-shop"
'

test_expect_success 'the menu: a stopped container cannot be entered' '
	sg_tmux_send m q &&
	sg_tmux_wait_for m "account 5678 - environments" &&
	sg_tmux_send m 2 &&
	sg_tmux_wait_for m "environment env-blog" &&
	sg_tmux_send m 1 &&
	sg_tmux_wait_for m "container 1236 \(blog-app\) is stopped; it cannot be entered" &&
	sg_tmux_send m q
'

test_expect_success 'the menu: typing filters by name' '
	sg_tmux_wait_for m "account 5678 - environments" &&
	sg_tmux_send m blog &&
	sg_tmux_wait_for m "filter: blog" &&
	sg_tmux_capture m | tail -n 24 >screen &&
	grep "1) env-blog" screen &&
	! grep "env-shop" screen &&
	sg_tmux_send m "" &&
	sg_tmux_wait_for m "2\) env-blog"
'

test_expect_success 'the menu: r refreshes after the platform gains a container' '
	sg_tmux_send m 1 &&
	sg_tmux_wait_for m "environment env-shop" &&
	sg_api_node 5678 env-shop 1237 2 shop-cache &&
	sg_tmux_send m r &&
	sg_tmux_wait_for m "3\) shop-cache +1237" &&
	sg_api PATCH /v1/admin/nodes/1237 "{\"name\":\"shop-cache-2\"}" >/dev/null &&
	sg_tmux_send m r &&
	sg_tmux_wait_for m "3\) shop-cache-2 +1237" &&
	sg_tmux_send m q &&
	sg_log_contains_all "$SG_LOG" "account listed; " "login=5678( |$)" \
		"key_id=$alice_id( |$)" "listing=refresh( |$)"
'

test_expect_success 'the menu: the screen follows a resize' '
	sg_tmux resize-window -t m -x 100 -y 30 &&
	sg_tmux_wait_for m "account 5678 - environments" &&
	sg_tmux_send m "" &&
	sg_tmux_wait_for m "0 or q: quit"
'

test_expect_success 'the menu: q quits with 0' '
	sg_tmux_send m q &&
	sg_poll 10 test -s m.rc &&
	echo rc=0 >expect &&
	test_cmp expect m.rc
'

test_expect_success 'the menu: 200 containers are paged' '
	sg_api POST /v1/admin/accounts/5678/environments \
		"{\"name\":\"env-big\",\"display_name\":\"Big\",\"status\":\"running\"}" &&
	for i in $(seq 2000 2199); do
		sg_api_node 5678 env-big $i 1 "big-$i" >/dev/null || return 1
	done &&
	gate 5678 list &&
	test $(grep -c "^  2[01][0-9][0-9] " out) = 200 &&
	tmux_ssh big 5678 &&
	sg_tmux_wait_for big "3\) env-big +Big +running +200 containers" &&
	sg_tmux_send big 3 &&
	sg_tmux_wait_for big "page 1/[0-9]+ \(n next" &&
	sg_tmux_send big n &&
	sg_tmux_wait_for big "page 2/" &&
	sg_tmux_send big 200 &&
	sg_tmux_wait_for big "connecting to container 2199" &&
	sg_tmux_wait_for big "ct1@" &&
	sg_tmux_send big exit &&
	sg_tmux_wait_for big "session with container 2199 ended" &&
	sg_tmux_send big q && sg_tmux_send big q &&
	sg_poll 10 test -s big.rc
'

test_expect_success 'hostile names are shown harmless' '
	sg_api PATCH /v1/admin/nodes/1235 "$(/usr/bin/python3 -c "
import json; print(json.dumps({\"name\": \"\x1b[31mRED\x1b[0m \u202eevil \x07\x7f\xc2\x9b\"}))")" >/dev/null &&
	gate 5678 list &&
	! grep -q "$(printf "\033")" out &&
	! grep -q "$(printf "\342\200\256")" out &&
	grep "?\[31mRED?\[0m ?evil" out &&
	gate 5678 "list --json" &&
	! grep -q "$(printf "\033")" out &&
	grep -i "u001b\[31mRED" out &&
	grep -i "u202eevil" out
'

test_expect_success 'a 500-character name is cut to fit the screen' '
	test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
	long=$(printf "x%.0s" $(seq 500)) &&
	sg_api POST /v1/admin/faults "{\"path\":\"/v1/gate/accounts\",\"kind\":\"inject\",\"field\":\"display_name\",\"value\":\"$long\"}" >/dev/null &&
	gate 5678 list &&
	grep "^env-shop  x\{21\}\.\.\.  running" out &&
	test $(wc -L <out) -le 100 &&
	tmux_ssh long 5678 &&
	sg_tmux_wait_for long "1\) env-shop +x+\.\.\. +running" &&
	sg_tmux_capture long >screen &&
	test $(wc -L <screen) -le 80 &&
	sg_tmux_send long q
'

test_done
