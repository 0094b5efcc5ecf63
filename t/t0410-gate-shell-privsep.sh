#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='gate-shell: the process that relays a container holds no secret

During a live session the process that holds the connection to the
container (found by its socket, whatever its name) has no_new_privs and a
seccomp filter, is not readable by another process of the same uid,
cannot open the internal key, the API token or any other file, create a
directory or signal its parent (asked from inside the process itself,
through gdb), and neither the private half of the internal key nor the
token is anywhere in its memory. The session still ends with its
command'"'"'s exit status and the usual audit lines; SIGTERM to gate-shell
ends it as before; a relay that dies ends it as lost, with its audit
line. sftp-relay and the menu relay the same way.'
. "${0%/*}/test-lib.sh"
. "${0%/*}/lib-terminal.sh"

test_require_prereq GATE_SHELL
test_lazy_prereq GDB 'command -v gdb'
test_require_prereq GDB
sg_watchdog 240

# The pid of the process with the established connection to container 1.
relay_pid() {
	ss -Htnp state established dst 127.0.0.11:22 |
		sed -n 's/.*pid=\([0-9][0-9]*\).*/\1/p' | head -n 1
}

relay_up() {
	relay=$(relay_pid) && test -n "$relay"
}

# probe CALL: what the C call CALL (an int) and then errno give inside
# the relay, as "RESULT ERRNO" (gdb runs the call in the process itself,
# under its own no_new_privs, Landlock and seccomp).
probe() {
	gdb -nx -q -batch -p "$relay" \
		-iex 'set debuginfod enabled off' \
		-ex "print (int)$1" \
		-ex 'print (int)*(int *)__errno_location()' 2>/dev/null |
		sed -n 's/^\$[0-9]* = \(-*[0-9]*\)$/\1/p' | paste -sd' '
}

# probe_open PATH: open(PATH, O_RDONLY) inside the relay
probe_open() {
	probe "open(\"$1\", 0)"
}

# session_start [KEY]: KEY (alice) runs "read l; echo got \$l; exit 7" on node 1234
# with its stdin on fd 7 of this shell; $client is the ssh, $relay the
# process with the container connection, $monitor its parent.
session_start() {
	rm -f in out err &&
	mkfifo in &&
	{ "$TRASH/bin/ssh-${1:-alice}" -l 1234-5678 127.0.0.1 \
		"read l; echo \"got \$l\"; exit 7" <in >out 2>err & } &&
	client=$! &&
	exec 7>in &&
	sg_poll 10 relay_up &&
	monitor=$(ps -o ppid= -p "$relay" | tr -d " ") &&
	sg_log_contains "$SG_LOG" "gate-shell\\[$monitor\\]: session started; " 10
}

# session_wait: the client's exit status into ./code
session_wait() {
	exec 7>&- &&
	{ wait $client; echo $? >code; }
}

# Status and seccomp mode of the process with the container connection.
relay_confined() {
	grep "^NoNewPrivs:[[:space:]]*1$" /proc/$relay/status &&
	grep "^Seccomp:[[:space:]]*2$" /proc/$relay/status
}

hex() {
	printf %s "$1" | od -An -tx1 | tr -d ' \n'
}

# The 32-byte seed of an unencrypted OpenSSH ed25519 key file, in hex.
key_seed() {
	python3 - "$1" <<-\EOP
	import base64, sys
	body = "".join(l for l in open(sys.argv[1]) if not l.startswith("-----"))
	raw = base64.b64decode(body)
	pub = raw[raw.index(b"ssh-ed25519", 20) + 15:][:32]
	at = raw.rindex(pub)
	print(raw[at - 32:at].hex())
	EOP
}

test_expect_success 'set up: API, node 1234 on container 1, the gate' '
	sg_fixture_gate "LogLevel DEBUG" &&
	seed=$(key_seed /etc/sshgate/internal_key) &&
	test ${#seed} = 64 &&
	token=$(cat /etc/sshgate/api-token) &&
	test -n "$token"
'

test_expect_success 'a session runs and the relay process is found by its socket' '
	session_start &&
	echo "relay $relay: $(cat /proc/$relay/comm), parent $monitor" &&
	echo gate-shell >expect &&
	cat /proc/$monitor/comm >actual &&
	test_cmp expect actual
'

test_expect_success 'the relay has no_new_privs and a seccomp filter' '
	relay_confined
'

test_expect_success 'another process of the same uid cannot read its memory' '
	user=$(stat -c %U /proc/$relay) &&
	test "$user" = sshgate &&
	test_must_fail runuser -u sshgate -- dd if=/proc/$relay/mem bs=1 \
		count=1 skip=4096 status=none of=/dev/null &&
	test_must_fail runuser -u sshgate -- cat /proc/$relay/environ
'

test_expect_success 'the relay cannot open the internal key: EACCES' '
	echo "-1 13" >expect &&
	probe_open /etc/sshgate/internal_key >actual &&
	test_cmp expect actual
'

test_expect_success 'the relay cannot open the API token nor the log: EACCES' '
	echo "-1 13" >expect &&
	probe_open /etc/sshgate/api-token >actual &&
	test_cmp expect actual &&
	probe_open "$SG_LOG" >actual &&
	test_cmp expect actual
'

test_expect_success 'the relay cannot create a directory (Landlock) nor signal its parent' '
	dir=$(mktemp -d /tmp/sg-relay.XXXXXX) &&
	test_when_finished "rm -rf $dir" &&
	chown sshgate "$dir" &&
	runuser -u sshgate -- mkdir "$dir/by-sshgate" &&
	echo "-1 13" >expect &&
	probe "mkdir(\"$dir/by-relay\", 0700)" >actual &&
	test_cmp expect actual &&
	test_path_is_missing "$dir/by-relay" &&
	echo "-1 1" >expect &&
	probe "kill($monitor, 0)" >actual &&
	test_cmp expect actual
'

test_expect_success 'the relay makes no new socket once logged in' '
	echo "-1 13" >expect &&
	probe "socket(2, 2, 0)" >actual &&
	test_cmp expect actual &&
	probe "socket(1, 1, 0)" >actual &&
	test_cmp expect actual &&
	grep "^Seccomp_filters:[[:space:]]*2$" /proc/$relay/status
'

test_expect_success 'the relay holds no fd to the key or the token' '
	ls -l /proc/$relay/fd/ >fds &&
	! grep -e internal_key -e api-token fds
'

test_expect_success 'neither the key seed nor the token is in its memory' '
	python3 "$SRCDIR/t/helpers/memscan.py" "$relay" "$(hex 1234-5678)" \
		"$seed" "$(hex "$token")" >scan &&
	cat scan &&
	grep -x "found 0" scan &&
	grep -x "absent 1" scan &&
	grep -x "absent 2" scan
'

test_expect_success 'the session still ends with its command'"'"'s status' '
	echo bye >&7 &&
	session_wait &&
	echo 7 >expect &&
	test_cmp expect code &&
	echo "got bye" >expect &&
	test_cmp expect out &&
	sg_log_contains "$SG_LOG" "gate-shell\\[[0-9]*\\]: session started; .*login=1234-5678" &&
	sg_log_contains "$SG_LOG" "gate-shell\\[[0-9]*\\]: session ended; .*login=1234-5678.*exit_status=7" &&
	sg_log_contains "$SG_LOG" "relay process confined: no-new-privs,not-dumpable,landlock,landlock-scope,seccomp"
'

test_expect_success 'SIGTERM to gate-shell ends the session through the relay' '
	session_start &&
	kill -TERM $monitor &&
	session_wait &&
	echo 255 >expect &&
	test_cmp expect code &&
	sg_wait_gone "$relay" 5 &&
	sg_log_contains "$SG_LOG" "gate-shell\\[$monitor\\]: session ended; .*end_reason=signal"
'

test_expect_success 'a relay that dies ends the session as lost, with its audit line' '
	session_start &&
	kill -KILL $relay &&
	session_wait &&
	echo 251 >expect &&
	test_cmp expect code &&
	grep "connection to container 1234 lost" err &&
	sg_log_contains "$SG_LOG" "gate-shell\\[$monitor\\]: session ended; .*end_reason=error detail=\"the relay process was killed by signal 9\""
'

# A relay a container took over may ignore what it is told: the monitor
# gives it RELAY_KILL_GRACE_MS (1 s) after a signal, the watcher's verdict
# or MaxSessionTime, then kills it. A stopped relay plays that part.
killed_line() {
	sg_log_contains "$SG_LOG" "gate-shell\\[$monitor\\]: session ended; .*end_reason=$1 detail=\"the relay process did not end within 1000 ms .$2.; killed\""
}

test_expect_success 'a stopped relay: SIGTERM still ends the session (255), the relay killed' '
	session_start &&
	kill -STOP $relay &&
	kill -TERM $monitor &&
	session_wait &&
	echo 255 >expect &&
	test_cmp expect code &&
	sg_wait_gone "$relay" 5 &&
	killed_line signal signal
'

test_expect_success 'gate-shell killed with SIGKILL: its relay does not outlive it' '
	session_start &&
	kill -KILL $monitor &&
	sg_wait_gone "$relay" 5 &&
	session_wait
'

test_expect_success 'a stopped relay: a revoked key still ends the session (249)' '
	test_when_finished "sg_gate_conf \"LogLevel DEBUG\" \"InternalKey /etc/sshgate/internal_key\"" &&
	sg_gate_conf "LogLevel DEBUG" "RevokeInterval 1s" \
		"InternalKey /etc/sshgate/internal_key" &&
	k1=$(sg_api_key 5678 k1) &&
	sg_gate_ssh_cmd k1 &&
	session_start k1 &&
	kill -STOP $relay &&
	sg_api POST "/v1/admin/keys/$k1/revoke" "{}" >/dev/null &&
	session_wait &&
	echo 249 >expect &&
	test_cmp expect code &&
	sg_wait_gone "$relay" 5 &&
	killed_line revoked check
'

test_expect_success 'a stopped relay: MaxSessionTime still ends the session (244)' '
	test_when_finished "sg_gate_conf \"LogLevel DEBUG\" \"InternalKey /etc/sshgate/internal_key\"" &&
	sg_gate_conf "LogLevel DEBUG" "MaxSessionTime 3s" \
		"InternalKey /etc/sshgate/internal_key" &&
	session_start &&
	kill -STOP $relay &&
	session_wait &&
	echo 244 >expect &&
	test_cmp expect code &&
	sg_wait_gone "$relay" 5 &&
	killed_line max_time max_time
'

test_lazy_prereq SFTP 'command -v sftp'

test_expect_success SFTP 'an sftp session is relayed by a confined process too' '
	rm -f in &&
	mkfifo in &&
	{ sftp -S "$TRASH/bin/ssh-alice" -b - 1234-5678@127.0.0.1 \
		<in >sftp.out 2>&1 & } &&
	client=$! &&
	exec 7>in &&
	sg_poll 10 relay_up &&
	echo sftp-relay >expect &&
	cat /proc/$(ps -o ppid= -p "$relay" | tr -d " ")/comm >actual &&
	test_cmp expect actual &&
	relay_confined &&
	echo "-1 13" >expect &&
	probe_open /etc/sshgate/internal_key >actual &&
	test_cmp expect actual &&
	echo pwd >&7 &&
	session_wait &&
	echo 0 >expect &&
	test_cmp expect code &&
	grep "^Remote working directory: /" sftp.out
'

test_expect_success TMUX 'a session from the menu is relayed by a confined process too' '
	sg_tmux_start m "$TRASH/bin/ssh-alice -tt 5678@127.0.0.1; echo rc=\$? >$TRASH/m.rc; sleep 600" &&
	sg_tmux_wait_for m "1\\) env-shop" &&
	sg_tmux_send m 1 &&
	sg_tmux_wait_for m "1\\) .*1234" &&
	sg_tmux_send m 1 &&
	sg_tmux_wait_for m "ct1@" &&
	sg_poll 10 relay_up &&
	relay_confined &&
	echo "-1 13" >expect &&
	probe_open /etc/sshgate/api-token >actual &&
	test_cmp expect actual &&
	sg_tmux_send m "exit 5" &&
	sg_tmux_wait_for m "session with container 1234 ended \\(exit 5\\)" &&
	sg_wait_gone "$relay" 5
'

test_expect_success 'an InternalKey that is not ed25519: refused (254), said in the log' '
	test_when_finished "install -o sshgate -g sshgate -m 0600 \"$TRASH/keys/internal\" /etc/sshgate/internal_key" &&
	ssh-keygen -q -t ecdsa -N "" -f "$TRASH/ecdsa" </dev/null &&
	install -o sshgate -g sshgate -m 0600 "$TRASH/ecdsa" /etc/sshgate/internal_key &&
	test_expect_code 254 "$TRASH/bin/ssh-alice" -l 1234-5678 127.0.0.1 true &&
	sg_log_contains "$SG_LOG" "session refused; .*detail=\"the internal key /etc/sshgate/internal_key: not an ed25519 key\""
'

test_done
