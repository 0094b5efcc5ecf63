#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='gate-shell: a command through the gate runs in the container

ssh NODE-ACCOUNT@gate CMD: the real gate (sshd, authkeys-cmd, gate-shell)
in front of test containers (stock sshd). The command runs as the node
user of the container the login names; stdout, stderr, stdin EOF and the
exit status come back as if the client had connected to the container
itself; the environment is not passed on; the audit log has the session.'
. "${0%/*}/test-lib.sh"

test_require_prereq GATE_SHELL
sg_watchdog 240

gate() {
	sg_ssh_gate alice "$@" >out 2>err
}

# one_error: the client got one line from the gate on stderr, nothing else
one_error() {
	test_must_be_empty out &&
	test_line_count = 1 err &&
	grep "^sshgate: " err
}

# how many logins container N has accepted so far
accepted() {
	grep -c "Accepted publickey for ct$1 " "$TRASH/ct$1/sshd.log" || :
}

test_expect_success 'set up: API, accounts, nodes on containers 1 to 3, keys, the gate' '
	sg_fixture_gate &&
	alice=$SG_KEY_ID &&
	sg_api_node 5678 env-shop 1235 2 &&
	sg_api_seed_account 9999 &&
	sg_api_env 9999 env-b &&
	sg_api_node 9999 env-b 4321 3 &&
	bob=$(sg_api_key 9999 bob) &&
	sg_container_start 2 &&
	sg_container_start 3
'

test_expect_success 'stdout and stderr stay apart; the exit status comes back' '
	test_expect_code 7 gate 1234-5678 "echo out; echo err >&2; exit 7" &&
	echo out >expect &&
	test_cmp expect out &&
	echo err >expect &&
	test_cmp expect err
'

test_expect_success 'the command runs as ct1 in container 1, over a connection from the gate' '
	gate 1234-5678 "id -un; echo \$SSH_CONNECTION" &&
	echo ct1 >expect &&
	sed -n 1p out >actual &&
	test_cmp expect actual &&
	echo "127.0.0.1 127.0.0.11 22" >expect &&
	sed -n 2p out | cut -d" " -f1,3,4 >actual &&
	test_cmp expect actual &&
	test_must_be_empty err
'

test_expect_success 'the login names the container: 1235-5678 lands in container 2 as ct2' '
	gate 1235-5678 "id -un; echo \$SSH_CONNECTION" &&
	echo ct2 >expect &&
	sed -n 1p out >actual &&
	test_cmp expect actual &&
	echo "127.0.0.1 127.0.0.12 22" >expect &&
	sed -n 2p out | cut -d" " -f1,3,4 >actual &&
	test_cmp expect actual
'

test_expect_success 'every exit status comes back unchanged' '
	for code in 0 1 2 42 126 200
	do
		test_expect_code $code gate 1234-5678 "exit $code" || return 1
	done &&
	test_expect_code 127 gate 1234-5678 "no-such-command-here" &&
	grep "no-such-command-here" err
'

test_expect_success 'a command killed by a signal: 128 + the signal number' '
	test_expect_code 137 gate 1234-5678 "kill -9 \$\$" &&
	test_expect_code 143 gate 1234-5678 "kill -TERM \$\$" &&
	test_expect_code 129 gate 1234-5678 "kill -HUP \$\$"
'

test_expect_success 'the command line arrives verbatim: quotes, metacharacters, newlines, UTF-8' '
	cat >cmd <<-\EOF &&
	printf "[%s]\n" "a  b" "\$HOME" "*" "c;d" "é"
	echo second-line
	EOF
	gate 1234-5678 "$(cat cmd)" &&
	cat >expect <<-\EOF &&
	[a  b]
	[$HOME]
	[*]
	[c;d]
	[é]
	second-line
	EOF
	test_cmp expect out
'

test_expect_success 'stdin reaches the command; its EOF becomes the channel EOF' '
	printf abc | sg_ssh_gate alice 1234-5678 "cat; echo done" >out 2>err &&
	printf "abcdone\n" >expect &&
	test_cmp expect out &&
	printf "b\na\nc\n" | sg_ssh_gate alice 1234-5678 "sort; echo sorted" >out &&
	printf "a\nb\nc\nsorted\n" >expect &&
	test_cmp expect out
'

test_expect_success 'stdin at EOF from the start does not end a command that keeps running' '
	gate 1234-5678 "sleep 1; echo late" </dev/null &&
	echo late >expect &&
	test_cmp expect out
'

test_expect_success 'a command that does not read stdin ends while stdin stays open' '
	exec 7< <(sleep 30) &&
	sleeper=$! &&
	test_when_finished "exec 7<&-; kill $sleeper" &&
	start=$(date +%s%3N) &&
	timeout 10 "$TRASH/bin/ssh-alice" -l 1234-5678 127.0.0.1 "echo x; exit 3" \
		<&7 >out 2>err
	code=$? &&
	took=$(( $(date +%s%3N) - start )) &&
	echo "exit $code after ${took}ms" &&
	test $code = 3 &&
	echo x >expect &&
	test_cmp expect out
'

test_expect_success 'no terminal unless the client asks for one' '
	gate 1234-5678 "test -t 0 || echo no-tty-in; test -t 1 || echo no-tty-out" &&
	printf "no-tty-in\nno-tty-out\n" >expect &&
	test_cmp expect out
'

test_expect_success 'no shell on the gate: the session sshd is gate-shell'"'"'s parent' '
	sg_daemon_start tree "$TRASH/tree.out" "$TRASH/bin/ssh-alice" \
		-l 1234-5678 127.0.0.1 "echo started; exec sleep 30" &&
	test_when_finished "sg_daemon_stop tree" &&
	sg_log_contains tree.out started 10 &&
	pid=$(sg_live_pids -u sshgate -x gate-shell) &&
	ps -o pid=,ppid=,user=,args= -u sshgate &&
	test "$(echo $pid | wc -w)" = 1 &&
	parent=$(ps -o ppid= -p $pid) &&
	ps -o comm=,args= -p $parent >parent &&
	grep -E "^(sshd +sshd|sshd-session +sshd-session): 1234-5678@notty$" parent &&
	test -z "$(sg_live_pids -u sshgate -x sh)"
'

test_expect_success 'forty short sessions in a row: none hangs, each its own status' '
	i=1 &&
	while test $i -le 40
	do
		timeout 10 "$TRASH/bin/ssh-alice" -l 1234-5678 127.0.0.1 \
			"echo short-$i; exit $((i % 4))" >out 2>err
		code=$?
		echo "short-$i" >expect &&
		test_cmp expect out &&
		test $code = $((i % 4)) ||
			{ echo "session $i: exit status $code (124: hung)"; return 1; }
		i=$((i + 1))
	done
'

test_expect_success 'ten sessions at once each get their own output and status' '
	pids= &&
	for i in 0 1 2 3 4 5 6 7 8 9
	do
		(
			sg_ssh_gate alice 1234-5678 "sleep 0.5; echo session-$i; exit $i" \
				>par-$i.out 2>par-$i.err
			echo $? >par-$i.rc
		) &
		pids="$pids $!"
	done &&
	wait $pids &&
	for i in 0 1 2 3 4 5 6 7 8 9
	do
		echo "session-$i" >expect &&
		test_cmp expect par-$i.out &&
		echo $i >expect &&
		test_cmp expect par-$i.rc || return 1
	done
'

test_expect_success 'the client environment is not passed on (LANG at most)' '
	LANG=C.UTF-8 LC_SGTEST=leak-lc LC_ALL=C SG_OTHER=leak-other \
		gate 1234-5678 -o "SendEnv=LANG LC_* SG_*" env &&
	grep "^USER=ct1$" out &&
	! grep "leak" out &&
	! grep "^LC_" out &&
	! grep "^SSH_ORIGINAL_COMMAND=" out &&
	! grep "1234-5678" out &&
	grep -E "^SSH_CONNECTION=127\.0\.0\.1 [0-9]+ 127\.0\.0\.11 22$" out &&
	{ ! grep "^LANG=" out || grep -x "LANG=C.UTF-8" out; }
'

test_expect_success 'the audit log: session started and ended, with the target, status and bytes' '
	head -c 12345 /dev/zero |
	sg_ssh_gate alice 1234-5678 "cat >/dev/null; head -c 777 /dev/zero; exit 7" >out 2>err
	test $? = 7 &&
	test $(wc -c <out) = 777 &&
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: session started; " \
		"login=1234-5678( |$)" "key_id=$alice( |$)" "kind=exec( |$)" \
		"=1234( |$)" "=\"?127\.0\.0\.11( |:|\"|$)" &&
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: session ended; " \
		"login=1234-5678( |$)" "key_id=$alice( |$)" "kind=exec( |$)" \
		"=1234( |$)" "exit_status=7( |$)" \
		"bytes[a-z_]*=12345( |$)" "bytes[a-z_]*=777( |$)"
'

# gate_log_since N FILE: the gate's log after its first N lines
gate_log_since() {
	tail -n +"$(($1 + 1))" "$SG_LOG" >"$2"
}

test_expect_success 'LogLevel INFO: no diagnostics; VERBOSE: the steps of relay and upstream; DEBUG: their decisions too' '
	cp /etc/sshgate/sshgate.conf sshgate.conf.saved &&
	test_when_finished "cat sshgate.conf.saved >/etc/sshgate/sshgate.conf" &&
	{ echo "LogLevel INFO" && cat sshgate.conf.saved; } \
		>/etc/sshgate/sshgate.conf &&
	before=$(wc -l <"$SG_LOG") &&
	test_expect_code 60 gate 1234-5678 "echo silent; exit 60" &&
	sg_log_contains "$SG_LOG" "session ended; .*exit_status=60" &&
	gate_log_since $before info.log &&
	grep "gate-shell\[[0-9]*\]: session started; " info.log &&
	! grep -E "gate-shell\[[0-9]+\]: [a-z_]+: " info.log &&
	cat sshgate.conf.saved >/etc/sshgate/sshgate.conf &&
	debug="gate-shell\[[0-9]+\]: (relay_(setup|log_poll|fill|push|read_stdin|finished)|upstream_wait|hostkey_pinned|log_server_key|set_tcp_keepalive|exit_status_cb|close_cb): " &&
	before=$(wc -l <"$SG_LOG") &&
	test_expect_code 61 gate 1234-5678 "echo quiet; exit 61" &&
	sg_log_contains "$SG_LOG" "session ended; .*exit_status=61" &&
	gate_log_since $before verbose.log &&
	grep -E "gate-shell\[[0-9]+\]: upstream_connect: connecting to node 1234 at 127\.0\.0\.11 port 22 as ct1" verbose.log &&
	grep -E "gate-shell\[[0-9]+\]: upstream_connect: logged in as ct1 " verbose.log &&
	grep -E "gate-shell\[[0-9]+\]: relay_run: relay ended: remote" verbose.log &&
	! grep -E "$debug" verbose.log &&
	{ echo "LogLevel DEBUG" && cat sshgate.conf.saved; } \
		>/etc/sshgate/sshgate.conf &&
	before=$(wc -l <"$SG_LOG") &&
	test_expect_code 62 gate 1234-5678 "echo loud; exit 62" &&
	sg_log_contains "$SG_LOG" "session ended; .*exit_status=62" &&
	gate_log_since $before debug.log &&
	grep -E "gate-shell\[[0-9]+\]: hostkey_pinned: it is pinned key 1 of" debug.log &&
	grep -E "gate-shell\[[0-9]+\]: upstream_wait: waiting for the socket" debug.log &&
	grep -E "gate-shell\[[0-9]+\]: relay_setup: relaying: tty 0" debug.log &&
	grep -E "gate-shell\[[0-9]+\]: relay_log_poll: poll: socket in" debug.log &&
	grep -E "gate-shell\[[0-9]+\]: exit_status_cb: the container sent exit status 62" debug.log &&
	grep -E "gate-shell\[[0-9]+\]: relay_finished: the container is done" debug.log
'

test_expect_success 'ACCOUNT logins reach no container: an error naming the NODE-ACCOUNT form' '
	before="$(accepted 1) $(accepted 2) $(accepted 3)" &&
	test_must_fail gate 5678 "echo reached" &&
	one_error &&
	grep -E "NODE-(ACCOUNT|5678)|[0-9]+-5678" err &&
	test_must_fail gate 5678 -T </dev/null &&
	one_error &&
	test "$(accepted 1) $(accepted 2) $(accepted 3)" = "$before"
'

test_expect_success 'a node of another account is refused at login, before any session' '
	test_expect_code 255 gate 4321-5678 "echo reached" &&
	grep "Permission denied" err &&
	! grep reached out &&
	! grep "session started; .*login=4321-5678" "$SG_LOG" &&
	sg_ssh_gate bob 4321-9999 "id -un" >out &&
	echo ct3 >expect &&
	test_cmp expect out
'

test_expect_success 'the audit log: a short command is logged whole, without length or hash' '
	sg_ssh_gate alice 1234-5678 "echo short-audit-marker" >out &&
	sg_log_contains_all "$SG_LOG" "session started; " "key_id=$alice( |$)" \
		"command=\"echo short-audit-marker\"( |$)" &&
	! grep -E "short-audit-marker.*command_(len|sha256)=" "$SG_LOG"
'

test_expect_success 'the audit log: a command padded with 300 spaces is logged with its length and SHA-256' '
	cmd="$(printf "%300s" "")id" &&
	sg_ssh_gate alice 1234-5678 "$cmd" >out &&
	grep "^uid=" out &&
	sum=$(printf "%s" "$cmd" | sha256sum | cut -d" " -f1) &&
	echo "sha256 of the command: $sum" &&
	sg_log_contains_all "$SG_LOG" "session started; " "key_id=$alice( |$)" \
		"command=\"  " "command_len=302( |$)" \
		"command_sha256=$sum( |$)"
'

test_done
