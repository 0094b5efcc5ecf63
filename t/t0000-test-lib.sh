#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC

test_description='the test library itself: TAP, failures, prerequisites, trash, namespaces, daemons'

. "${0%/*}/test-lib.sh"

# write_script NAME <BODY: a test script $TRASH/sub/NAME.sh on this library.
# Its trash is $TRASH/sub/trash.NAME, so it goes away with ours.
write_script() {
	mkdir -p "$TRASH/sub" &&
	{
		echo '#!/bin/bash'
		echo "test_description='$1'"
		echo ". '$SRCDIR/t/test-lib.sh'"
		cat
	} >"$TRASH/sub/$1.sh"
}

# run_sub NAME [OPTION...]: run it as prove would, output in NAME.out and
# NAME.err. SUB_OUT tells it where to leave evidence for us.
run_sub() {
	env -u TEST_VERBOSE SUB_OUT="$TRASH" SG_STOP_TIMEOUT=1 \
		bash "$TRASH/sub/$1.sh" "${@:2}" >"$1.out" 2>"$1.err"
}

test_expect_success 'a passing test counts as ok' ':'

test_expect_success 'tests run in the shell of the script (1)' '
	set_by_test_one=yes
'

test_expect_success 'tests run in the shell of the script (2)' '
	test "$set_by_test_one" = yes
'

test_expect_success 'test_must_fail wants a controlled failure' '
	test_must_fail false &&
	test_must_fail sh -c "exit 255" &&
	! test_must_fail true 2>err &&
	grep "command succeeded" err &&
	! test_must_fail sh -c "kill -TERM \$\$" 2>err &&
	grep "died by signal 15" err &&
	! test_must_fail sg-no-such-command 2>err &&
	grep "cannot run" err
'

test_expect_success 'test_expect_code and test_cmp' '
	test_expect_code 7 sh -c "exit 7" &&
	! test_expect_code 7 true 2>err &&
	grep "exit status 0, not 7" err &&
	echo same >a && echo same >b && test_cmp a b &&
	echo other >c &&
	! test_cmp a c >diff &&
	grep "^-same" diff && grep "^+other" diff
'

test_expect_success 'test_must_be_empty, test_path_is_*, test_line_count' '
	: >empty &&
	test_must_be_empty empty &&
	! test_must_be_empty a 2>err &&
	grep "^same" err &&
	! test_must_be_empty no-such-file 2>err &&
	test_path_is_file a &&
	test_path_is_dir . &&
	test_path_is_missing no-such-file &&
	! test_path_is_missing a 2>err &&
	printf "1\n2\n3\n" >three &&
	test_line_count = 3 three &&
	test_line_count -gt 2 three &&
	! test_line_count = 2 three 2>err &&
	grep "has 3 lines, not = 2" err
'

test_expect_success 'test_when_finished runs after the test' '
	test_when_finished "rm -f finished" &&
	: >finished &&
	test -f finished
'

test_expect_success 'the cleanup of the previous test ran' '
	! test -e finished
'

test_expect_success 'the trash directory exists and is the cwd and $HOME' '
	test "$TRASH" = "$SRCDIR/t/trash.t0000-test-lib" &&
	test -d "$TRASH" &&
	test "$(pwd -P)" = "$TRASH" &&
	test "$HOME" = "$TRASH" &&
	test -f "$TRASH/test.log"
'

test_expect_success 'a test may change directory' '
	mkdir -p elsewhere && cd elsewhere
'

test_expect_success 'the next test starts in the trash again' '
	test "$(pwd -P)" = "$TRASH"
'

test_expect_success 'we are PID 1 of our namespaces, and only lo is up' '
	test $$ = 1 &&
	ip -o link show up >links &&
	test $(wc -l <links) = 1 &&
	grep "^1: lo:" links
'

# findmnt lists every mount stacked on a directory (on a real host /run
# is a tmpfs already, under ours): the last one is the one in use.
test_expect_success '/etc, /run, /var/log are private tmpfs, /var/lib an overlay' '
	for d in /etc /run /var/log
	do
		test "$(findmnt -n -o FSTYPE "$d" | tail -n 1)" = tmpfs || return 1
	done &&
	test "$(findmnt -n -o FSTYPE /var/lib | tail -n 1)" = overlay &&
	test -d /var/lib/dpkg &&
	mkdir /var/lib/sshgate-t0000 &&
	test "$(stat -c %U:%G:%a /run/sshd "$SG_RUN")" = "root:root:755
root:root:755" &&
	test -f /etc/passwd && test -f /etc/ssh/sshd_config &&
	mkdir -p /etc/sshgate && echo x >/etc/sshgate/t0000
'

test_expect_success 'a script that passes: plan, exit 0, no trash left' '
	write_script sub-pass <<-\EOF &&
	test_expect_success "first" ":"
	test_expect_success "second" "test_must_fail false"
	test_expect_failure "known" "false"
	test_expect_success "a # in the title" ":"
	test_done
	EOF
	run_sub sub-pass &&
	cat >expect <<-\EOF &&
	ok 1 - first
	ok 2 - second
	not ok 3 - known # TODO known breakage
	ok 4 - a \# in the title
	1..4
	EOF
	grep -v "^#" sub-pass.out >actual &&
	test_cmp expect actual &&
	! test -e sub/trash.sub-pass
'

test_expect_success 'a failing test: test_done exits 1, output shown, trash kept' '
	write_script sub-fail <<-\EOF &&
	test_expect_success "passes" ":"
	test_expect_success "fails" "echo output-of-the-failing-test && false"
	test_expect_success "passes after" ":"
	test_done
	EOF
	test_expect_code 1 run_sub sub-fail &&
	cat >expect <<-\EOF &&
	ok 1 - passes
	not ok 2 - fails
	ok 3 - passes after
	1..3
	EOF
	grep -v "^#" sub-fail.out >actual &&
	test_cmp expect actual &&
	grep "^# output-of-the-failing-test" sub-fail.err &&
	grep "output-of-the-failing-test" sub/trash.sub-fail/test.log
'

test_expect_success '-i stops at the first failing test, -v shows the output' '
	test_expect_code 1 run_sub sub-fail -i &&
	grep "^not ok 2 - fails$" sub-fail.out &&
	! grep "^ok 3" sub-fail.out &&
	test_expect_code 1 run_sub sub-fail -v &&
	grep "^output-of-the-failing-test" sub-fail.err &&
	test_must_be_empty sub/trash.sub-fail/test.log
'

test_expect_success 'cleanups run when a test fails, and a failing cleanup fails' '
	write_script sub-cleanup <<-\EOF &&
	test_expect_success "fails" "test_when_finished \": >cleaned\" && false"
	test_expect_success "its cleanup ran" "test -f cleaned"
	test_expect_success "cleanup fails" "test_when_finished false && :"
	test_done
	EOF
	test_expect_code 1 run_sub sub-cleanup &&
	cat >expect <<-\EOF &&
	not ok 1 - fails
	ok 2 - its cleanup ran
	not ok 3 - cleanup fails
	1..3
	EOF
	grep -v "^#" sub-cleanup.out >actual &&
	test_cmp expect actual
'

test_expect_success 'skip_all skips the whole script' '
	write_script sub-skip <<-\EOF &&
	skip_all="nothing to see"
	test_done
	EOF
	run_sub sub-skip &&
	echo "1..0 # SKIP nothing to see" >expect &&
	test_cmp expect sub-skip.out &&
	! test -e sub/trash.sub-skip
'

test_set_prereq SET_HERE
test_lazy_prereq LAZY_TRUE 'echo noise; echo more noise >&2; echo x >>lazy-runs; true'
test_lazy_prereq LAZY_FALSE 'false'

test_expect_success 'test_have_prereq: set, lazy, unknown, negated, lists' '
	test_have_prereq SET_HERE &&
	test_have_prereq LAZY_TRUE >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	! test_have_prereq LAZY_FALSE &&
	! test_have_prereq NEVER_DECLARED &&
	test_have_prereq !LAZY_FALSE &&
	! test_have_prereq !SET_HERE &&
	test_have_prereq SET_HERE,LAZY_TRUE,!NEVER_DECLARED &&
	! test_have_prereq SET_HERE,LAZY_FALSE &&
	test_have_prereq LAZY_TRUE &&
	test_line_count = 1 lazy-runs
'

test_expect_success 'the library knows what is built: GATE_SHELL, NSS_MODULE...' '
	if test -f "$BUILD/gate-shell/gate-shell"
	then
		test_have_prereq GATE_SHELL
	else
		! test_have_prereq GATE_SHELL
	fi &&
	if test -f "$SRCDIR/dev/platform-api"
	then
		test_have_prereq PLATFORM_API
	else
		! test_have_prereq PLATFORM_API
	fi
'

test_expect_success 'test_expect_success PREREQ: skipped without it, run with it' '
	write_script sub-prereq <<-\EOF &&
	test_set_prereq HAVE
	test_lazy_prereq LAZY "test -n \"\$SUB_OUT\""
	test_expect_success HAVE "with a prerequisite that holds" ": >\"\$SUB_OUT/ran-have\""
	test_expect_success MISSING "with one that does not" ": >\"\$SUB_OUT/ran-missing\""
	test_expect_success HAVE,LAZY,MISSING "with a list" ": >\"\$SUB_OUT/ran-list\""
	test_expect_success !MISSING "negated" ":"
	test_expect_failure MISSING "a known breakage without it" "false"
	test_expect_success "no prerequisite" ":"
	test_done
	EOF
	run_sub sub-prereq &&
	cat >expect <<-\EOF &&
	ok 1 - with a prerequisite that holds
	ok 2 # skip with one that does not (missing MISSING)
	ok 3 # skip with a list (missing MISSING)
	ok 4 - negated
	ok 5 # skip a known breakage without it (missing MISSING)
	ok 6 - no prerequisite
	1..6
	EOF
	grep -v "^#" sub-prereq.out >actual &&
	test_cmp expect actual &&
	test -f ran-have &&
	! test -e ran-missing &&
	! test -e ran-list
'

test_expect_success 'test_require_prereq: the whole script, or nothing' '
	write_script sub-require <<-\EOF &&
	test_lazy_prereq TRUE true
	test_require_prereq TRUE
	test_require_prereq TRUE,NOPE,NADA
	test_expect_success "never" ": >\"\$SUB_OUT/ran-require\""
	test_done
	EOF
	run_sub sub-require &&
	echo "1..0 # SKIP missing NOPE,NADA" >expect &&
	test_cmp expect sub-require.out &&
	! test -e ran-require &&
	! test -e sub/trash.sub-require
'

test_expect_success 'a bad prerequisite name is a bug in the script' '
	write_script sub-badprereq <<-\EOF &&
	test_expect_success "lower case" "test_have_prereq lower"
	test_done
	EOF
	test_expect_code 1 run_sub sub-badprereq &&
	grep "bad prerequisite name .lower." sub-badprereq.err
'

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

test_lazy_prereq NOBODY_READS_TREE '
	as_nobody test -r "$SRCDIR/t/test-lib.sh" -a -x "$TRASH"
'

test_expect_success NOBODY_READS_TREE 'not root: skip_all' '
	as_nobody env -u TEST_VERBOSE bash sub/sub-pass.sh \
		>nonroot.out 2>nonroot.err &&
	grep "^1\.\.0 # SKIP not root" nonroot.out
'

test_expect_success 'a script gets namespaces of its own' '
	write_script sub-ns <<-\EOF &&
	test_expect_success "change the world" "
		for ns in mnt net pid uts ipc
		do
			readlink /proc/self/ns/\$ns >\"\$SUB_OUT/sub-ns.\$ns\" || return 1
		done &&
		hostname sg-sub-ns &&
		useradd -l -M sg-sub-user &&
		mkdir -p /etc/sshgate /var/lib/sshgate-sub &&
		echo from-sub >/etc/sshgate/from-sub
	"
	test_done
	EOF
	run_sub sub-ns &&
	for ns in mnt net pid uts ipc
	do
		test -s sub-ns.$ns &&
		test "$(cat sub-ns.$ns)" != "$(readlink /proc/self/ns/$ns)" ||
		return 1
	done &&
	test "$(hostname)" != sg-sub-ns &&
	! getent passwd sg-sub-user &&
	! test -e /etc/sshgate/from-sub &&
	! test -e /var/lib/sshgate-sub &&
	test -f /etc/sshgate/t0000
'

test_expect_success 'sg_daemon_stop stops a daemon and its children by PID' '
	sg_daemon_start tree tree.log sh -c "sleep 1000 & echo \$! >tree.child; wait" &&
	pid=$SG_LAST_PID &&
	sg_poll 5 test -s tree.child &&
	child=$(cat tree.child) &&
	test_must_fail sg_daemon_start tree tree.log sleep 1000 2>err &&
	grep "already running" err &&
	sg_daemon_stop tree &&
	sg_wait_gone $pid 0 &&
	sg_wait_gone $child 0 &&
	test_must_fail sg_daemon_stop tree 2>err &&
	grep "no daemon" err
'

# The polite daemon leaves a mark when it gets TERM: the teardown of the
# PID namespace would only KILL it, so the mark shows the library did it.
# Each says when its trap is set: a TERM before that would just kill it.
test_expect_success 'daemons of a failing script are stopped by PID at exit' '
	cat >sub/polite.sh <<-\EOF &&
	trap "echo got TERM >\"\$SUB_OUT/\$1.term\"; exit 0" TERM
	echo ready
	while :; do sleep 0.1; done
	EOF
	cat >sub/stubborn.sh <<-\EOF &&
	trap "" TERM
	echo ready
	while :; do sleep 0.1; done
	EOF
	write_script sub-daemons <<-\EOF &&
	test_expect_success "start daemons" "
		sg_daemon_start polite polite.log sh \"\$SUB_OUT/sub/polite.sh\" polite1 &&
		sg_daemon_start stubborn stubborn.log sh \"\$SUB_OUT/sub/stubborn.sh\" &&
		sg_log_contains polite.log ready &&
		sg_log_contains stubborn.log ready
	"
	test_expect_success "fail" "false"
	test_done
	EOF
	test_expect_code 1 run_sub sub-daemons &&
	echo "got TERM" >expect &&
	test_cmp expect polite1.term &&
	grep "stubborn (pid [0-9]*) ignored TERM for 1s; sending KILL" \
		sub/trash.sub-daemons/test.log &&
	! pgrep -f "$TRASH/sub/polite.sh" &&
	! pgrep -f "$TRASH/sub/stubborn.sh"
'

test_expect_success 'exit in a test body: reported, daemons stopped' '
	write_script sub-exit <<-\EOF &&
	test_expect_success "start" "
		sg_daemon_start polite polite.log sh \"\$SUB_OUT/sub/polite.sh\" polite2 &&
		sg_log_contains polite.log ready
	"
	test_expect_success "exit" "exit 3"
	test_done
	EOF
	test_expect_code 3 run_sub sub-exit &&
	grep "^not ok 2 - exit" sub-exit.out &&
	grep "unexpected exit with status 3" sub-exit.err &&
	test -f polite2.term
'

# Under ^C the terminal signals the whole process group; so do we. A
# background job ignores SIGINT, and a shell cannot trap a signal ignored
# at its start: perl restores the default first.
test_expect_success 'INT or TERM: daemons stopped, status of the signal' '
	write_script sub-signal <<-\EOF &&
	test_expect_success "start" "
		sg_daemon_start polite polite.log sh \"\$SUB_OUT/sub/polite.sh\" polite-\$SIG &&
		sg_log_contains polite.log ready
	"
	test_expect_success "wait" ": >\"\$SUB_OUT/signal.ready\" && sleep 30"
	test_done
	EOF
	for sig in INT TERM
	do
		rm -f signal.ready || return 1
		SIG=$sig setsid perl -e "\$SIG{INT} = q(DEFAULT); exec @ARGV" \
			env -u TEST_VERBOSE SUB_OUT="$TRASH" \
			bash sub/sub-signal.sh >sub-signal.out 2>sub-signal.err &
		pid=$! &&
		sg_poll 20 test -f signal.ready &&
		kill -$sig -- -$pid || return 1
		wait $pid
		code=$?
		test $code = $((128 + $(kill -l $sig))) &&
		test -f polite-$sig.term || return 1
	done
'

test_expect_success 'sg_listening and sg_wait_for_port' '
	sg_daemon_start listener listener.log /usr/bin/python3 -c "
import socket, time
s = socket.socket()
s.bind((\"127.0.0.5\", 5555))
s.listen()
time.sleep(1000)" &&
	sg_wait_for_port 127.0.0.5 5555 5 &&
	sg_listening 127.0.0.5 5555 &&
	! sg_listening 127.0.0.5 5556 &&
	! sg_listening 127.0.0.6 5555 &&
	sg_daemon_stop listener &&
	! sg_listening 127.0.0.5 5555 &&
	test_must_fail sg_wait_for_port 127.0.0.5 5555 0.3 2>err &&
	grep "nothing listens on .127.0.0.5. port 5555" err
'

test_expect_success 'sg_log_contains waits for a line' '
	(sleep 0.3 && echo "a late line" >>late.log) &
	sg_log_contains late.log "late l[i]ne" 5 &&
	test_must_fail sg_log_contains late.log "never there" 0.2 2>err &&
	grep "no line of .late.log. matches" err
'

test_expect_success 'sg_keygen' '
	sg_keygen alice &&
	sg_keygen bob rsa &&
	sg_keygen carol ecdsa &&
	cut -d" " -f1 keys/alice.pub keys/bob.pub keys/carol.pub >actual &&
	printf "%s\n" ssh-ed25519 ssh-rsa ecdsa-sha2-nistp256 >expect &&
	test_cmp expect actual &&
	test "$(stat -c %a keys/alice)" = 600 &&
	sg_keygen alice &&
	test_must_fail sg_keygen alice rsa 2>err &&
	grep "key .alice. exists with type .ssh-ed25519." err
'

test_expect_success 'sg_users_setup' '
	sg_users_setup &&
	sg_users_setup &&
	test "$(getent passwd sshgate | cut -d: -f3,4,7)" = \
		"$SG_UID:$SG_GID:/usr/sbin/nologin" &&
	id -nG sshgate-akc | grep -w sshgate &&
	for n in 1 2 3
	do
		test "$(getent passwd ct$n | cut -d: -f6,7)" = \
			"$SG_RUN/home/ct$n:/bin/bash" &&
		test "$(getent shadow ct$n | cut -d: -f2)" = "*" &&
		test -d "$SG_RUN/home/ct$n" || return 1
	done
'

test_expect_success PLATFORM_API 'sg_api_start --https and sg_api' '
	sg_api_start --https &&
	test "$(stat -c %U:%G:%a /etc/sshgate/api-token)" = root:sshgate:640 &&
	sg_api POST /v1/admin/accounts "{\"id\":\"5678\",\"name\":\"Alice\"}" &&
	test "$SG_API_STATUS" = 201 &&
	test_must_fail sg_api POST /v1/admin/accounts \
		"{\"id\":\"5678\",\"name\":\"Alice\"}" 2>err &&
	test "$SG_API_STATUS" = 409 &&
	grep "HTTP 409" err &&
	sg_api GET /v1/admin/stats >stats &&
	test "$(sg_json total <stats)" = 0 &&
	for url in "$SG_API_HTTPS_URL" https://localhost:8443
	do
		echo "Authorization: Bearer $SG_API_TOKEN" |
		curl -sS --cacert "$SG_API_CA" -H @- -o body \
			-w "%{http_code}\n" "$url/v1/gate/keys/1" >status &&
		echo 404 >expect && test_cmp expect status || return 1
	done &&
	test_must_fail curl -sS -o /dev/null "$SG_API_HTTPS_URL/" 2>err &&
	grep -i "certificate" err &&
	sg_api_stop &&
	! sg_listening 127.0.0.1 8080 &&
	! sg_listening 127.0.0.1 8443
'

test_done
