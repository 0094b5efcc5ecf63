#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# t/test-lib.sh: the one test library of sshgate, after git's t/test-lib.sh.
#
# A test script t/tNNNN-area-detail.sh looks like this:
#
#	#!/bin/bash
#	test_description='what this script checks'
#	. "${0%/*}/test-lib.sh"
#
#	test_expect_success 'title' '
#		commands chained with &&
#	'
#	test_done
#
# Run them from the top of the source tree: prove t/t*.sh (or prove -j2).
# Options of a script: -v/--verbose (or TEST_VERBOSE=1, which prove -v
# sets) shows the output of the tests on stderr; -x traces the test bodies;
# -i/--immediate stops at the first failing test; -d/--debug keeps the
# trash directory even when all tests pass.
#
# The library needs root. It re-executes the script as PID 1 of private
# mount, network, PID, UTS and IPC namespaces: the tests may add users,
# edit /etc and listen on any loopback port without the host seeing any of
# it, and every process they start dies with the script.
#
# Variables for the tests:
#	SRCDIR	top of the source tree
#	BUILD	build tree ($SSHGATE_BUILD, default $SRCDIR): programs at
#		$BUILD/<prog>/<prog>, the NSS module at
#		$BUILD/nss/.libs/libnss_sshgate.so.2, unit tests at $BUILD/t/unit/
#	TRASH	the script's trash directory (also the cwd and $HOME of tests)
#	SG_RUN	/run/sshgate-test: root-owned 0755 all the way up, so sshd
#		accepts the AuthorizedKeysFile and AuthorizedKeysCommand there
#
# Test API (git's names):
#	test_expect_success TITLE BODY	eval BODY in this shell; ok if it succeeds
#	test_expect_failure TITLE BODY	a known breakage: reported as TODO
#	test_skip TITLE REASON		report TITLE as skipped
#	test_must_fail CMD...		CMD fails in a controlled way (not by a
#					signal, not "command not found")
#	test_expect_code N CMD...	CMD exits with status N
#	test_cmp EXPECT ACTUAL		the two files are equal (shows a diff)
#	test_must_be_empty FILE		FILE exists and is empty (else shows it)
#	test_path_is_file, test_path_is_dir, test_path_is_missing PATH
#	test_line_count OP N FILE	e.g. test_line_count = 3 out
#	test_when_finished CMD		run CMD after the current test, pass or fail
#	test_done			print the plan; exit 1 if a test failed
#	skip_all=REASON; test_done	skip the whole script
#
# Harness helpers (the ones that start, stop or wait for something say why
# they failed in an "error: ..." line on stderr):
#	sg_poll SECS CMD...		run CMD every 50 ms until it succeeds
#	sg_daemon_start NAME LOG CMD...	start CMD in the background, record its
#					PID (in $SG_LAST_PID) for the stop at exit
#	sg_daemon_stop NAME		TERM the daemon and its children, then KILL
#	sg_stop_all			stop every recorded daemon
#	sg_listening ADDR PORT		a TCP socket listens on ADDR:PORT now
#	sg_wait_for_port ADDR PORT [SECS]	wait until one does
#	sg_wait_gone PID [SECS]		wait until PID has exited
#	sg_log_contains FILE REGEX [SECS]	wait for a line matching REGEX (grep -E)
#	sg_keygen NAME [TYPE [BITS]]	$TRASH/keys/NAME{,.pub}; ed25519, rsa, ecdsa
#	sg_users_setup			users sshgate, sshgate-akc, ct1..ct3;
#					exports SG_UID, SG_GID of sshgate
#	sg_api_start [--https]		the reference platform API on
#					127.0.0.1:8080 (and 8443); exports
#					SG_API_URL, SG_API_HTTPS_URL, SG_API_CA,
#					SG_API_TOKEN(_FILE), SG_ADMIN_TOKEN(_FILE)
#	sg_api_stop
#	sg_api METHOD PATH [JSON]	an admin call; body on stdout
#	sg_json [KEY...]		a value out of the JSON on stdin
#	sg_container_start N [--no-sftp]	container N: sshd on 127.0.0.(10+N):22,
#					user ctN; exports SG_CT<N>_ADDR and
#					SG_CT<N>_HOSTKEY (its public host key)
#	sg_container_stop N
#	sg_gate_start			the gate: Debian's sshd on 127.0.0.1:2222
#					with our drop-in and programs; exports
#					SG_GATE_ADDR, SG_GATE_PORT, SG_GATE_HOSTKEY
#	sg_gate_stop
#	sg_ssh KEY KNOWN_HOSTS [ssh args...]	ssh with no user config at all
#	sg_ssh_ct N [ssh args...]	ssh to container N as ctN, internal key
#	sg_ssh_gate KEY LOGIN [ssh args...]	ssh to the gate as LOGIN
#
# Daemons must be started through sg_daemon_start (the sg_*_start helpers
# do): a background process a test starts itself keeps the TAP pipe open
# until the namespace dies. Call the helpers that export variables in the
# test's own shell, not in a $(...) or a pipeline.

if test -z "$BASH_VERSION"; then
	echo "Bail out! t/test-lib.sh needs bash"
	exit 1
fi

# "prove t/t*.sh" runs this file too (the shebang makes perl hand it to
# bash): as a script of its own it has nothing to test.
if test "${BASH_SOURCE[0]}" = "$0"; then
	echo "1..0 # SKIP the test library, sourced by the tests"
	exit 0
fi

# fd 5 is the TAP stream and fd 6 the script's stderr, whatever the tests
# redirect; 3 and 4 receive the tests' stdout and stderr.
exec 5>&1 6>&2

case $0 in
*/*)	sg_script_dir=${0%/*} ;;
*)	sg_script_dir=. ;;
esac
sg_script_dir=$(cd "$sg_script_dir" && pwd -P) || exit 1
sg_name=${0##*/}
sg_script=$sg_script_dir/$sg_name
sg_name=${sg_name%.sh}
TEST_DIRECTORY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P) || exit 1
SRCDIR=$(cd "$TEST_DIRECTORY/.." && pwd -P) || exit 1
BUILD=${SSHGATE_BUILD:-$SRCDIR}
BUILD=$(cd "$BUILD" && pwd -P) || {
	echo "Bail out! no build directory '$BUILD'"
	exit 1
}
# The trash sits next to the script: t/trash.<name> for the real tests,
# and inside the parent's trash for the scripts t0000 writes and runs.
TRASH=$sg_script_dir/trash.$sg_name
SG_RUN=/run/sshgate-test
SG_STOP_TIMEOUT=${SG_STOP_TIMEOUT:-5}
export SRCDIR BUILD TRASH SG_RUN TEST_DIRECTORY

case $TEST_VERBOSE in
''|0)	sg_verbose= ;;
*)	sg_verbose=t ;;
esac
sg_immediate=
sg_trace=
sg_debug=
for sg_arg
do
	case $sg_arg in
	-v|--verbose)	sg_verbose=t ;;
	-i|--immediate)	sg_immediate=t ;;
	-x)		sg_trace=t ;;
	-d|--debug)	sg_debug=t ;;
	*)	echo "Bail out! unknown option '$sg_arg' of $sg_name"; exit 1 ;;
	esac
done

test_count=0
test_success=0
test_failure=0
test_broken=0
test_fixed=0
sg_in_test=
sg_title=
sg_done=
sg_cleanup=
sg_cleanup_ret=0
sg_log=
sg_log_mark=0
sg_daemons=
sg_trash_made=

# ---------------------------------------------------------------------------
# The test API

test_expect_success() {
	test $# = 2 || sg__bug "test_expect_success needs a title and a body"
	if sg__run_test "$1" "$2"; then
		sg__ok "$1"
	else
		sg__failed "$1" "$2"
	fi
}

test_expect_failure() {
	test $# = 2 || sg__bug "test_expect_failure needs a title and a body"
	if sg__run_test "$1" "$2"; then
		test_fixed=$((test_fixed + 1))
		echo "ok $test_count - $(sg__tap_title "$1") # TODO known breakage vanished" >&5
	else
		test_broken=$((test_broken + 1))
		echo "not ok $test_count - $(sg__tap_title "$1") # TODO known breakage" >&5
	fi
}

test_skip() {
	test $# = 2 || sg__bug "test_skip needs a title and a reason"
	test_count=$((test_count + 1))
	echo "ok $test_count # skip $(sg__tap_title "$1") ($2)" >&5
}

# Like git: a failure by signal, a missing command or a shell that cannot
# run the command is a broken test, not the expected failure.
test_must_fail() {
	"$@"
	local code=$?
	if test $code = 0; then
		echo "test_must_fail: command succeeded: $*" >&2
	elif test $code -gt 128 && test $code -le 192; then
		echo "test_must_fail: died by signal $((code - 128)): $*" >&2
	elif test $code = 126 || test $code = 127; then
		echo "test_must_fail: cannot run: $*" >&2
	else
		return 0
	fi
	return 1
}

test_expect_code() {
	local want=$1 code
	shift
	"$@"
	code=$?
	test $code = "$want" && return 0
	echo "test_expect_code: exit status $code, not $want: $*" >&2
	return 1
}

test_cmp() {
	test $# = 2 || sg__bug "test_cmp needs two files"
	diff -u -- "$1" "$2"
}

test_must_be_empty() {
	test_path_is_file "$1" || return
	test -s "$1" || return 0
	echo "'$1' is not empty, it contains:" >&2
	cat "$1" >&2
	return 1
}

test_path_is_file() {
	test -f "$1" || sg__error "'$1' is not a file"
}

test_path_is_dir() {
	test -d "$1" || sg__error "'$1' is not a directory"
}

test_path_is_missing() {
	! test -e "$1" && ! test -L "$1" || sg__error "'$1' exists"
}

test_line_count() {
	test $# = 3 || sg__bug "test_line_count OP N FILE"
	local n
	n=$(wc -l <"$3") || return
	test "$n" "$1" "$2" ||
		sg__error "'$3' has $n lines, not $1 $2"
}

# Cleanups run in reverse order of registration; a failing one fails the
# test, and all of them run.
test_when_finished() {
	test -n "$sg_in_test" || sg__bug "test_when_finished outside a test"
	sg_cleanup="{ $*
} || sg_cleanup_ret=1
$sg_cleanup"
}

test_done() {
	sg_in_test=
	sg_done=t
	if test -n "$skip_all"; then
		echo "1..0 # SKIP $skip_all" >&5
		sg_stop_all
		sg__remove_trash
		exit 0
	fi
	echo "1..$test_count" >&5
	sg_stop_all
	test $test_fixed = 0 ||
		echo "# $test_fixed known breakage(s) vanished; please update the test(s)" >&5
	test $test_broken = 0 ||
		echo "# still have $test_broken known breakage(s)" >&5
	if test $test_failure != 0; then
		echo "# failed $test_failure among $test_count test(s); trash kept in $TRASH" >&5
		exit 1
	fi
	echo "# passed all $test_count test(s)" >&5
	test -z "$sg_debug" || sg_trash_made=
	sg__remove_trash
	exit 0
}

# Runs one test: the body and then its cleanups, in this shell (so that
# variables and started daemons are seen by later tests), with stdin from
# /dev/null and the output to the log or, verbose, to stderr.
sg__run_test() {
	local ret
	test_count=$((test_count + 1))
	sg_title=$1
	sg_cleanup=
	sg_cleanup_ret=0
	sg_log_mark=$(sg__log_lines)
	echo "=== $test_count - $1" >&3
	sg_in_test=t
	sg__eval "$2"
	ret=$?
	test -z "$sg_cleanup" || sg__eval "$sg_cleanup"
	sg_in_test=
	# A test that changed directory must not move the next one.
	cd "$TRASH" || sg__bug "cannot go back to '$TRASH'"
	test $ret = 0 && test $sg_cleanup_ret = 0
}

sg__eval() {
	test -z "$sg_trace" || set -x
	eval "$1" </dev/null >&3 2>&4
	local ret=$?
	{ set +x; } 2>/dev/null 4>/dev/null
	return $ret
}

sg__ok() {
	test_success=$((test_success + 1))
	echo "ok $test_count - $(sg__tap_title "$1")" >&5
}

# In a TAP line "#" starts a directive (SKIP, TODO): escape it.
sg__tap_title() {
	echo "${1//#/\\#}"
}

# The TAP line goes to stdout; the body and the test's output go to stderr,
# which prove shows even without -v, so a CI log tells why.
sg__failed() {
	test_failure=$((test_failure + 1))
	echo "not ok $test_count - $(sg__tap_title "$1")" >&5
	{
		echo "# failed test $test_count - $1:"
		printf '%s\n' "$2" | sed 's/^/#	/'
		if test -z "$sg_verbose"; then
			echo "# its output (tail of $sg_log):"
			tail -n +"$((sg_log_mark + 1))" "$sg_log" | tail -n 60 |
				sed 's/^/# /'
		fi
	} >&6
	if test -n "$sg_immediate"; then
		sg_done=t
		sg_stop_all
		exit 1
	fi
}

sg__log_lines() {
	if test -n "$sg_verbose"; then
		echo 0
	else
		wc -l <"$sg_log"
	fi
}

sg__bug() {
	echo "error: bug in the test script: $*" >&6
	exit 1
}

sg__error() {
	echo "error: $*" >&2
	return 1
}

# Progress notes for the log (or, verbose, stderr), not for the TAP stream.
sg__info() {
	echo "$*" >&4
}

# Whatever ends the script (test_done, a failed -i test, exit in a test
# body, a signal): stop the daemons by PID. A test body that calls exit
# never returns to sg__run_test, so report it here.
sg__on_exit() {
	local code=$?
	trap - EXIT
	# prove may be gone (^C reaches it too): a write to the dead TAP pipe
	# must not kill us before the daemons are stopped.
	trap '' PIPE
	if test -n "$sg_in_test"; then
		echo "not ok $test_count - $(sg__tap_title "$sg_title")" >&5
		echo "# FATAL: unexpected exit with status $code in test $test_count" >&6
		test $code != 0 || code=1
	elif test -z "$sg_done"; then
		echo "# FATAL: $sg_name exited with status $code before test_done" >&6
		test $code != 0 || code=1
	fi
	sg_stop_all
	exit $code
}

sg__remove_trash() {
	test -n "$sg_trash_made" || return 0
	cd "$sg_script_dir" && rm -rf -- "$TRASH"
}

# ---------------------------------------------------------------------------
# Processes

# sg_poll SECS CMD...: run CMD every 50 ms until it succeeds (0) or SECS
# (may be fractional; 0 = try once) have passed (1).
sg_poll() {
	local ms deadline
	printf -v ms '%.0f' "${1}e3" 2>/dev/null || sg__bug "sg_poll: bad timeout '$1'"
	shift
	# EPOCHREALTIME without its decimal point is in microseconds.
	deadline=$((${EPOCHREALTIME//[!0-9]/} / 1000 + ms))
	until "$@"
	do
		test $((${EPOCHREALTIME//[!0-9]/} / 1000)) -lt $deadline || return 1
		sleep 0.05
	done
}

# The daemon list is a file rather than a shell variable so that daemons
# started from a subshell are stopped too. One "PID NAME" per line.
sg_daemon_start() {
	test $# -ge 3 || sg__bug "sg_daemon_start NAME LOG CMD..."
	local name=$1 log=$2
	shift 2
	! sg__daemon_pid "$name" >/dev/null ||
		sg__error "daemon '$name' is already running" || return
	# A session of its own: ^C on the terminal reaches the script, which
	# then stops the daemons in order, not the daemons themselves. (setsid
	# does not fork here: a background job is no process group leader.)
	# A shell function cannot be exec'd by setsid; it stays in our group.
	local -a session=(setsid)
	test "$(type -t "$1")" = file || session=()
	# SG_DAEMON_WRAP, an array that is normally unset, goes in front of
	# a program: bench/ makes each daemon the init of a PID namespace
	# of its own with it, so that the daemon reaps what it orphans.
	test -z "${session[*]}" || session+=(${SG_DAEMON_WRAP[@]+"${SG_DAEMON_WRAP[@]}"})
	# Close the TAP stream and the test output: a daemon must not keep
	# prove (or a $(...) in a test) waiting for EOF.
	"${session[@]}" "$@" </dev/null >>"$log" 2>&1 3>&- 4>&- 5>&- 6>&- &
	SG_LAST_PID=$!
	echo "$SG_LAST_PID $name" >>"$sg_daemons"
	sg__info "started $name (pid $SG_LAST_PID): $*"
}

# Prints the PID of the live daemon NAME.
sg__daemon_pid() {
	local pid name
	test -f "$sg_daemons" || return 1
	while read -r pid name
	do
		test "$name" = "$1" || continue
		sg__gone "$pid" && continue
		echo "$pid"
		return 0
	done <"$sg_daemons"
	return 1
}

# The loops read the list on fd 7 so that nothing in them eats it, and
# not in a pipeline: sg__stop_tree must run in this shell to reap.
sg_daemon_stop() {
	local pid name found=
	test -f "$sg_daemons" || sg__error "no daemon '$1'" || return
	while read -r pid name <&7
	do
		test "$name" = "$1" || continue
		sg__stop_tree "$pid" "$name"
		found=t
	done 7<"$sg_daemons"
	sg__forget "$1"
	test -n "$found" || sg__error "no daemon '$1'"
}

# Newest first: the gate goes before the containers and the API it uses.
sg_stop_all() {
	local pid name
	test -n "$sg_daemons" && test -f "$sg_daemons" || return 0
	while read -r pid name <&7
	do
		sg__stop_tree "$pid" "$name"
	done 7< <(tac "$sg_daemons")
	: >"$sg_daemons"
}

sg__forget() {
	local pid name
	while read -r pid name
	do
		test "$name" = "$1" || echo "$pid $name"
	done <"$sg_daemons" >"$sg_daemons.new" &&
	mv "$sg_daemons.new" "$sg_daemons"
}

# sg__stop_tree PID NAME: TERM the process and its descendants (an sshd
# listener does not end its sessions when it exits), KILL what is left
# after $SG_STOP_TIMEOUT seconds. PIDs are not reused within a run: the
# PID namespace is fresh and pid_max is far away.
sg__stop_tree() {
	local pids
	sg__gone "$1" && return 0
	pids="$1 $(sg__descendants "$1")"
	sg__info "stopping $2 (pid $1)"
	kill -TERM $pids 2>/dev/null
	if ! sg_poll "$SG_STOP_TIMEOUT" sg__all_gone $pids; then
		sg__info "$2 (pid $1) ignored TERM for ${SG_STOP_TIMEOUT}s; sending KILL"
		kill -KILL $pids 2>/dev/null
		sg_poll 2 sg__all_gone $pids
	fi
	# Reap it if it is our child, so bash does not report its death later.
	wait "$1" 2>/dev/null
	return 0
}

sg__descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END {
			for (p in parent) {
				a = parent[p]
				for (depth = 0; a > 1 && depth < 64; depth++) {
					if (a == root) { print p; break }
					a = (a in parent) ? parent[a] : 0
				}
			}
		}'
}

# A zombie counts as gone: it no longer runs or holds a socket.
sg__gone() {
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 0
	stat=${stat##*) }
	test "${stat%% *}" = Z
}

sg__all_gone() {
	local pid
	for pid
	do
		sg__gone "$pid" || return 1
	done
}

sg_wait_gone() {
	sg_poll "${2:-10}" sg__gone "$1" ||
		sg__error "process $1 still runs after ${2:-10}s"
}

sg_listening() {
	local addr=$1
	case $addr in
	*:*)	addr="[$addr]" ;;
	esac
	test -n "$(ss -Hltn src "$addr:$2")"
}

sg_wait_for_port() {
	sg_poll "${3:-10}" sg_listening "$1" "$2" ||
		sg__error "nothing listens on '$1' port $2 after ${3:-10}s"
}

# sg__wait_daemon NAME PID ADDR PORT: wait until the daemon listens, but
# give up at once if it dies (a bad config, an address in use).
sg__wait_daemon() {
	sg_poll 10 sg__listening_or_gone "$2" "$3" "$4"
	if sg__gone "$2"; then
		sg__error "'$1' exited while starting"
		return
	fi
	sg_listening "$3" "$4" ||
		sg__error "'$1' does not listen on '$3' port $4 after 10s"
}

sg__listening_or_gone() {
	sg__gone "$1" || sg_listening "$2" "$3"
}

sg_log_contains() {
	test $# -ge 2 || sg__bug "sg_log_contains FILE REGEX [SECS]"
	sg_poll "${3:-5}" sg__grep_file "$1" "$2" && return 0
	echo "error: no line of '$1' matches '$2'; its last lines:" >&2
	tail -n 20 "$1" >&2
	return 1
}

sg__grep_file() {
	grep -Eq -e "$2" -- "$1" 2>/dev/null
}

# ---------------------------------------------------------------------------
# Keys and users

sg_keygen() {
	local name=$1 type=${2:-ed25519} bits=$3 want have
	case $name in
	''|*[!A-Za-z0-9_.-]*)	sg__bug "sg_keygen: bad key name '$name'" ;;
	esac
	case $type in
	ed25519)	want=ssh-ed25519 ;;
	rsa)		want=ssh-rsa ;;
	ecdsa)		want=ecdsa-sha2-nistp${bits:-256} ;;
	*)		sg__bug "sg_keygen: unknown key type '$type'" ;;
	esac
	# Asking twice for the same key is fine (helpers do), for another
	# type of key under the same name it is a bug.
	if test -f "$TRASH/keys/$name"; then
		read -r have _ <"$TRASH/keys/$name.pub"
		test "$have" = "$want" ||
			sg__error "key '$name' exists with type '$have'"
		return
	fi
	mkdir -p "$TRASH/keys" &&
	ssh-keygen -q -t "$type" ${bits:+-b "$bits"} -N '' \
		-C "$name@sshgate-test" -f "$TRASH/keys/$name" </dev/null
}

# The gate's service account (gate logins map to it), the
# AuthorizedKeysCommandUser (in group sshgate to read the API token, not
# the service account: the internal key is readable by that one only) and
# the container users. Password field "*": useradd's "!" makes sshd refuse
# even key logins once UsePAM is off. -l: no lastlog/faillog writes.
sg_users_setup() {
	if ! getent group sshgate >/dev/null; then
		groupadd --system sshgate || return
	fi
	if ! getent passwd sshgate >/dev/null; then
		useradd --system -l -g sshgate -M -d /nonexistent \
			-s /usr/sbin/nologin -p '*' \
			-c 'sshgate service account' sshgate || return
	fi
	if ! getent passwd sshgate-akc >/dev/null; then
		useradd --system -l -U -G sshgate -M -d /nonexistent \
			-s /usr/sbin/nologin -p '*' \
			-c 'sshgate AuthorizedKeysCommandUser' sshgate-akc || return
	fi
	sg__ct_user 1 && sg__ct_user 2 && sg__ct_user 3 || return
	SG_UID=$(id -u sshgate) && SG_GID=$(id -g sshgate) || return
	export SG_UID SG_GID
}

sg__ct_user() {
	getent passwd "ct$1" >/dev/null && return 0
	mkdir -p "$SG_RUN/home" &&
	useradd -l -m -d "$SG_RUN/home/ct$1" -s /bin/bash -p '*' \
		-c "container $1 user" "ct$1"
}

# ---------------------------------------------------------------------------
# The reference platform API

sg_api_start() {
	local api=${SG_PLATFORM_API:-$SRCDIR/dev/platform-api} dir=$TRASH/api
	local https= pid
	case $# in
	0)	;;
	1)	test "$1" = --https || sg__bug "sg_api_start [--https]"
		https=t ;;
	*)	sg__bug "sg_api_start [--https]" ;;
	esac
	test -f "$api" || sg__error "platform API '$api' not found" || return
	sg_users_setup && mkdir -p "$dir" && install -d -m 0755 /etc/sshgate ||
		return
	sg__token /etc/sshgate/api-token root:sshgate 0640 &&
	sg__token "$dir/admin-token" root:root 0600 || return
	# curl reads the header from a file: the token stays out of argv.
	(umask 077 && echo "Authorization: Bearer $(cat "$dir/admin-token")" \
		>"$dir/admin-header") || return
	set -- --state "$dir/state.json" \
		--token-file /etc/sshgate/api-token \
		--admin-token-file "$dir/admin-token" \
		--http 127.0.0.1:8080 --pid-file "$dir/pid" --log "$dir/log"
	if test -n "$https"; then
		sg__test_ca || return
		set -- "$@" --https 127.0.0.1:8443 \
			--tls-cert "$dir/server.pem" --tls-key "$dir/server-key.pem"
	fi
	rm -f "$dir/pid"
	sg_daemon_start api "$dir/stderr" /usr/bin/python3 "$api" "$@" || return
	pid=$SG_LAST_PID
	# The server writes its pid file once every listener is bound.
	sg_poll 10 sg__api_ready_or_gone "$pid"
	if ! test -s "$dir/pid"; then
		echo "error: platform API did not start; its stderr:" >&2
		tail -n 20 "$dir/stderr" >&2
		return 1
	fi
	export SG_API_URL=http://127.0.0.1:8080
	if test -n "$https"; then
		export SG_API_HTTPS_URL=https://127.0.0.1:8443
		export SG_API_CA=$dir/ca.pem
	fi
	export SG_API_TOKEN_FILE=/etc/sshgate/api-token
	export SG_API_TOKEN=$(cat /etc/sshgate/api-token)
	export SG_ADMIN_TOKEN_FILE=$dir/admin-token
	export SG_ADMIN_TOKEN=$(cat "$dir/admin-token")
}

sg__api_ready_or_gone() {
	test -s "$TRASH/api/pid" || sg__gone "$1"
}

sg_api_stop() {
	sg_daemon_stop api
}

# sg__token FILE OWNER MODE: a random hex token, kept across restarts of
# the API within a run.
sg__token() {
	test -s "$1" ||
		(umask 077 && openssl rand -hex 32 >"$1") || return
	chown "$2" "$1" && chmod "$3" "$1"
}

# A throwaway CA and a server certificate for 127.0.0.1 and localhost,
# with a config of our own so the host's openssl.cnf does not matter.
sg__test_ca() {
	local d=$TRASH/api
	test -s "$d/server.pem" && return 0
	cat >"$d/openssl.cnf" <<-\EOF || return
	[req]
	distinguished_name = dn
	prompt = no
	[dn]
	CN = sshgate test
	[ca_ext]
	basicConstraints = critical, CA:TRUE
	keyUsage = critical, keyCertSign, cRLSign
	subjectKeyIdentifier = hash
	[server_ext]
	basicConstraints = critical, CA:FALSE
	keyUsage = critical, digitalSignature
	extendedKeyUsage = serverAuth
	subjectAltName = IP:127.0.0.1, DNS:localhost
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid
	EOF
	(
		umask 077 &&
		openssl req -x509 -new -config "$d/openssl.cnf" -extensions ca_ext \
			-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-subj '/CN=sshgate test CA' -days 30 \
			-keyout "$d/ca-key.pem" -out "$d/ca.pem" &&
		openssl req -new -config "$d/openssl.cnf" \
			-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-subj '/CN=localhost' \
			-keyout "$d/server-key.pem" -out "$d/server.csr" &&
		openssl x509 -req -in "$d/server.csr" -days 30 \
			-CA "$d/ca.pem" -CAkey "$d/ca-key.pem" -set_serial 2 \
			-extfile "$d/openssl.cnf" -extensions server_ext \
			-out "$d/server.pem"
	) >"$d/openssl.log" 2>&1 ||
		{ cat "$d/openssl.log" >&2; sg__error "cannot make the test CA"; return; }
	chmod 0644 "$d/ca.pem" "$d/server.pem"
}

# sg_api METHOD PATH [JSON]: prints the body; fails on HTTP >= 400 or no
# answer. The status is in $SG_API_STATUS, and in $TRASH/api/status for
# callers in a $(...).
sg_api() {
	local dir=$TRASH/api status
	local -a args
	test $# = 2 || test $# = 3 || sg__bug "sg_api METHOD PATH [JSON]"
	test -n "$SG_API_URL" || sg__bug "sg_api: the API is not started"
	args=(-sS -X "$1" -H "@$dir/admin-header" --max-time 30
		-o "$dir/body" -w '%{http_code}')
	# The body goes through stdin: in argv a leading "@" would name a file.
	if test $# = 3; then
		args+=(-H 'Content-Type: application/json' --data-binary @-)
	fi
	rm -f "$dir/body"
	status=$(printf '%s' "$3" | curl "${args[@]}" "$SG_API_URL$2")
	SG_API_STATUS=${status:-000}
	echo "$SG_API_STATUS" >"$dir/status"
	if test -s "$dir/body"; then
		cat "$dir/body"
		test -z "$(tail -c 1 "$dir/body")" || echo
	fi
	test "$SG_API_STATUS" -ge 200 && test "$SG_API_STATUS" -lt 400 && return 0
	echo "error: $1 '$2': HTTP $SG_API_STATUS" >&2
	return 1
}

# sg_json [KEY...]: reads JSON on stdin and prints the value at the path
# (list indexes are numbers): strings as they are, the rest as JSON.
sg_json() {
	/usr/bin/python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
	v = v[int(k)] if isinstance(v, list) else v[k]
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
' "$@"
}

# ---------------------------------------------------------------------------
# sshd: the containers and the gate

# sg__sshd_start NAME CONFIG LOG ADDR PORT [VAR=VALUE...]: check the
# config with sshd -t, then run sshd in the foreground of a daemon.
sg__sshd_start() {
	local name=$1 config=$2 log=$3 addr=$4 port=$5 out
	shift 5
	out=$(env "$@" /usr/sbin/sshd -t -f "$config" 2>&1) ||
		sg__error "sshd -t -f '$config': $out" || return
	! sg_listening "$addr" "$port" ||
		sg__error "something already listens on '$addr' port $port" ||
		return
	# sshd re-executes itself, so it must be started by absolute path.
	sg_daemon_start "$name" "$log" env "$@" /usr/sbin/sshd -D -e \
		-f "$config" || return
	sg__wait_daemon "$name" "$SG_LAST_PID" "$addr" "$port" && return 0
	tail -n 20 "$log" >&2
	return 1
}

sg__host_key() {
	test -f "$1" ||
		ssh-keygen -q -t ed25519 -N '' -C "$2" -f "$1" </dev/null
}

sg__check_n() {
	case $1 in
	[1-9]|[1-9][0-9])	;;
	*)	sg__bug "container number '$1' is not 1..99" ;;
	esac
}

# A "container": stock sshd on 127.0.0.(10+N):22 with Debian's directives,
# no Include of /etc/ssh/sshd_config.d (that is where the gate's drop-in
# goes), the gate's internal key as the only key of user ctN.
sg_container_start() {
	local n=$1 sftp=t dir addr
	test $# -le 2 || sg__bug "sg_container_start N [--no-sftp]"
	sg__check_n "$n"
	case $2 in
	'')		;;
	--no-sftp)	sftp= ;;
	*)		sg__bug "sg_container_start N [--no-sftp]" ;;
	esac
	dir=$TRASH/ct$n
	addr=127.0.0.$((10 + n))
	sg_users_setup && sg__ct_user "$n" && sg_keygen internal || return
	mkdir -p "$dir" &&
	install -d -o root -g root -m 0755 "$SG_RUN/ct$n" &&
	install -o root -g root -m 0644 "$TRASH/keys/internal.pub" \
		"$SG_RUN/ct$n/authorized_keys" &&
	sg__host_key "$dir/ssh_host_ed25519_key" "ct$n" || return
	cat >"$dir/sshd_config" <<-EOF || return
	# container $n of the sshgate tests: Debian's stock directives and ours
	Port 22
	ListenAddress $addr
	HostKey $dir/ssh_host_ed25519_key
	PidFile $dir/sshd.pid
	LogLevel VERBOSE
	MaxStartups 100:30:200
	KbdInteractiveAuthentication no
	UsePAM yes
	X11Forwarding yes
	PrintMotd no
	AcceptEnv LANG LC_*
	PasswordAuthentication no
	AuthorizedKeysFile $SG_RUN/ct$n/authorized_keys
	AllowUsers ct$n
	EOF
	if test -n "$sftp"; then
		echo 'Subsystem sftp /usr/lib/openssh/sftp-server' \
			>>"$dir/sshd_config" || return
	fi
	echo "$addr $(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" \
		>"$dir/known_hosts" || return
	sg__sshd_start "ct$n" "$dir/sshd_config" "$dir/sshd.log" "$addr" 22 ||
		return
	export "SG_CT${n}_ADDR=$addr"
	export "SG_CT${n}_HOSTKEY=$dir/ssh_host_ed25519_key.pub"
}

sg_container_stop() {
	sg__check_n "$1"
	sg_daemon_stop "ct$1"
}

# The gate: sshd configured like a Debian host with sshgate installed. Our
# test settings come first (the first value of a keyword wins), then the
# (private copy of the) host's sshd_config, whose Include pulls in the
# drop-in. SG_GATE_DROPIN may name another drop-in template.
# sg_gate_conf [LINE...]: what an installed gate reads besides sshd's own
# files: /etc/sshgate/sshgate.conf (the LINEs first: the first value of a
# keyword wins), the NSS module's nss.conf, authkeys-cmd's cache directory
# and one log file that every gate program appends to (SG_LOG).
sg_gate_conf() {
	sg_users_setup || return
	install -d -o root -g root -m 0755 /etc/sshgate "$SG_RUN/log" \
		/run/sshgate &&
	install -d -o sshgate-akc -g sshgate-akc -m 0700 /run/sshgate/authkeys &&
	{
		printf '%s\n' "$@"
		echo "ApiUrl ${SG_API_URL:-http://127.0.0.1:8080}"
		echo "ApiAllowHttp yes"
		echo "ApiTokenFile /etc/sshgate/api-token"
		echo "CacheDir /run/sshgate/authkeys"
		echo "LogFile $SG_RUN/log/sshgate.log"
		echo "LogLevel VERBOSE"
		echo "GateShell $SG_RUN/libexec/gate-shell"
		echo "SftpRelay $SG_RUN/libexec/sftp-relay"
	} >/etc/sshgate/sshgate.conf &&
	printf 'Uid %s\nGid %s\nHome /var/lib/sshgate/empty\nShell /bin/sh\n' \
		"$SG_UID" "$SG_GID" >/etc/sshgate/nss.conf &&
	chmod 0644 /etc/sshgate/sshgate.conf /etc/sshgate/nss.conf &&
	# both sshgate-akc and sshgate append to it
	touch "$SG_RUN/log/sshgate.log" &&
	chmod 0666 "$SG_RUN/log/sshgate.log" || return
	export SG_LOG=$SG_RUN/log/sshgate.log
}

# sg_placeholder_shell NAME: a root-owned stand-in for the forced command
# that prints what it was given, for tests of the login leg alone.
sg_placeholder_shell() {
	install -d -o root -g root -m 0755 "$SG_RUN/libexec" &&
	cat >"$SG_RUN/libexec/$1" <<-\EOS &&
	#!/bin/sh
	echo "placeholder args=$* user=$USER cmd=${SSH_ORIGINAL_COMMAND-} agent=${SSH_AUTH_SOCK-} display=${DISPLAY-}"
	EOS
	chmod 0755 "$SG_RUN/libexec/$1"
}

# ---------------------------------------------------------------------------
# Sessions through the gate (gate-shell)
#
#	sg_api_seed_account ACCOUNT [NAME]	the account, in the reference API
#	sg_api_env ACCOUNT ENV [STATUS]		an environment of it (running)
#	sg_api_node ACCOUNT ENV NODE N [NAME [STATUS]]
#					node NODE of ENV is container N:
#					127.0.0.(10+N) port 22, user ctN, its
#					real host key (made now if need be, so
#					the node may come before the container)
#	sg_api_key ACCOUNT KEY [JSON-MEMBERS]	register $TRASH/keys/KEY (made
#					if missing) in ACCOUNT, with extra
#					members ('"nodes":["1234"]'); prints
#					the key id
#	sg_gate_internal_key		install the key the containers authorize
#					as gate-shell's InternalKey
#	sg_gate_ssh_cmd KEY		$TRASH/bin/ssh-KEY: sg_ssh_gate's client
#					(port 2222, no user) as one program, for
#					rsync -e, GIT_SSH_COMMAND, scp -S, lftp
#	sg_live_pids PGREP-ARGS...	what pgrep finds, zombies left out
#	sg_wait_no_process SECS PGREP-ARGS...	until sg_live_pids finds nothing
#	sg_blackhole			an address where a TCP connect hangs
#					(a TUN device nobody reads); exports
#					SG_BLACKHOLE_ADDR
#	sg_tmux ARGS...			tmux on the script's private server
#	sg_tmux_start NAME CMD		a detached 80x24 terminal (no status
#					line, TERM=tmux-256color) running the
#					shell command CMD; the pane stays
#					after CMD exits
#	sg_tmux_send NAME TEXT		type TEXT, then Enter
#	sg_tmux_keys NAME KEY...	tmux send-keys (C-c, C-d, Enter...)
#	sg_tmux_capture NAME		the pane, its history included
#	sg_tmux_wait_for NAME REGEX [SECS]	until a line of the pane matches
#	sg_log_contains_all FILE REGEX...	wait (5s) for one line that
#					matches every REGEX (grep -E)
#	sg_watchdog SECS		stop the script if it still runs after
#					SECS (a session that hangs must fail
#					the script, not hang CI)

sg_api_seed_account() {
	test $# = 1 || test $# = 2 || sg__bug "sg_api_seed_account ACCOUNT [NAME]"
	sg_api POST /v1/admin/accounts "{\"id\":\"$1\",\"name\":\"${2:-account $1}\"}"
}

sg_api_env() {
	test $# = 2 || test $# = 3 || sg__bug "sg_api_env ACCOUNT ENV [STATUS]"
	sg_api POST "/v1/admin/accounts/$1/environments" \
		"{\"name\":\"$2\",\"display_name\":\"$2\",\"status\":\"${3:-running}\"}"
}

sg_api_node() {
	local account=$1 env=$2 id=$3 n=$4 name=${5:-ct$4} status=${6:-running}
	local pub=$TRASH/ct$4/ssh_host_ed25519_key.pub
	test $# -ge 4 && test $# -le 6 ||
		sg__bug "sg_api_node ACCOUNT ENV NODE N [NAME [STATUS]]"
	sg__check_n "$n"
	# sg_container_start keeps a host key it finds there.
	mkdir -p "$TRASH/ct$n" &&
	sg__host_key "$TRASH/ct$n/ssh_host_ed25519_key" "ct$n" || return
	sg_api POST "/v1/admin/accounts/$account/environments/$env/nodes" \
		"$(printf '{"id":"%s","name":"%s","role":"cp","status":"%s","address":"127.0.0.%s","port":22,"user":"ct%s","host_keys":[{"type":"%s","blob":"%s"}]}' \
			"$id" "$name" "$status" $((10 + n)) "$n" \
			"$(cut -d' ' -f1 "$pub")" "$(cut -d' ' -f2 "$pub")")"
}

sg_api_key() {
	local body
	test $# = 2 || test $# = 3 ||
		sg__bug "sg_api_key ACCOUNT KEY [JSON-MEMBERS]"
	sg_keygen "$2" &&
	body=$(sg_api POST "/v1/admin/accounts/$1/keys" \
		"{\"public_key\":\"$(cut -d' ' -f1,2 "$TRASH/keys/$2.pub")\"${3:+,$3}}") &&
	printf '%s\n' "$body" | sg_json key_id
}

# Readable by the service account only: every gate session runs as it.
sg_gate_internal_key() {
	sg_users_setup && sg_keygen internal &&
	install -d -o root -g root -m 0755 /etc/sshgate &&
	install -o sshgate -g sshgate -m 0600 "$TRASH/keys/internal" \
		/etc/sshgate/internal_key
}

sg_gate_ssh_cmd() {
	local key=$1 prog=$TRASH/bin/ssh-$1
	test $# = 1 || sg__bug "sg_gate_ssh_cmd KEY"
	mkdir -p "$TRASH/bin" &&
	cat >"$prog" <<-EOF &&
	#!/bin/sh
	# sg_ssh_gate's client for tools that want one program
	exec ssh -F /dev/null -i "$TRASH/keys/$key" -o IdentitiesOnly=yes \\
		-o IdentityAgent=none -o BatchMode=yes \\
		-o StrictHostKeyChecking=yes \\
		-o UserKnownHostsFile="$TRASH/gate/known_hosts" \\
		-o GlobalKnownHostsFile=/dev/null -o UpdateHostKeys=no \\
		-o ConnectTimeout=10 -p 2222 "\$@"
	EOF
	chmod 0755 "$prog"
}

sg_live_pids() {
	local pid
	for pid in $(pgrep "$@")
	do
		sg__gone "$pid" || echo "$pid"
	done
}

sg__no_live_pids() {
	test -z "$(sg_live_pids "$@")"
}

sg_wait_no_process() {
	local secs=$1 pids
	test $# -ge 2 || sg__bug "sg_wait_no_process SECS PGREP-ARGS..."
	shift
	sg_poll "$secs" sg__no_live_pids "$@" && return 0
	pids=$(sg_live_pids "$@" | paste -sd,)
	echo "error: still running after ${secs}s (pgrep $*):" >&2
	test -z "$pids" || ps -o pid,ppid,user,stat,etime,args -p "$pids" >&2
	return 1
}

# No process reads the TUN device, so what is routed there vanishes: a
# SYN gets no answer, not a refusal.
sg_blackhole() {
	if ! ip link show sg-hole >/dev/null 2>&1; then
		ip tuntap add dev sg-hole mode tun &&
		ip addr add 10.99.0.1/24 dev sg-hole &&
		ip link set sg-hole up ||
			sg__error "cannot make the TUN device sg-hole" || return
	fi
	export SG_BLACKHOLE_ADDR=10.99.0.2
}

sg_tmux() {
	tmux -S "$TRASH/tmux.sock" "$@"
}

# One server per script, in the foreground (-D) of a daemon, so that
# sg_stop_all ends it and every terminal in it.
sg__tmux_server() {
	sg__daemon_pid tmux >/dev/null && return 0
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

sg__log_has_all() {
	local lines re
	lines=$(cat "$1" 2>/dev/null) || return
	shift
	for re
	do
		lines=$(printf '%s\n' "$lines" | grep -E -e "$re") || return
	done
}

sg_log_contains_all() {
	local file=$1
	test $# -ge 2 || sg__bug "sg_log_contains_all FILE REGEX..."
	sg_poll 5 sg__log_has_all "$@" && return 0
	shift
	echo "error: no line of '$file' matches all of:" >&2
	printf '	%s\n' "$@" >&2
	echo "its last lines:" >&2
	tail -n 10 "$file" >&2
	return 1
}

# bash runs the TERM trap only once its foreground command has returned:
# so TERM the script, then what it runs other than the daemons (with
# what they started); the trap then stops the daemons.
sg_watchdog() {
	test $# = 1 || sg__bug "sg_watchdog SECS"
	sg_daemon_start watchdog "$TRASH/watchdog.log" /bin/sh -c '
		sleep "$0" || exit 0
		echo "# watchdog: $1 still runs after $0s; stopping it" |
			tee /proc/1/fd/6
		kill -TERM 1
		for sig in TERM KILL
		do
			for pid in $(pgrep -P 1)
			do
				grep -q "^$pid " "$2" && continue
				pkill -$sig -P "$pid"
				kill -$sig "$pid"
			done 2>/dev/null
			sleep 1
		done
	' "$1" "$sg_name" "$sg_daemons"
}

sg_gate_start() {
	local dir=$TRASH/gate
	local dropin=${SG_GATE_DROPIN:-$SRCDIR/sshd_config.d/10-sshgate.conf.in}
	test $# = 0 || sg__bug "sg_gate_start takes no arguments"
	test -f "$dropin" || sg__error "drop-in '$dropin' not found" || return
	sg_users_setup && mkdir -p "$dir" &&
	sg__host_key "$dir/ssh_host_ed25519_key" gate || return
	{
		echo "# the sshgate test gate, then Debian's sshd_config"
		echo "Port 2222"
		echo "ListenAddress 127.0.0.1"
		echo "HostKey $dir/ssh_host_ed25519_key"
		echo "PidFile $dir/sshd.pid"
		echo "LogLevel VERBOSE"
		echo "MaxStartups 100:30:200"
		cat /etc/ssh/sshd_config
	} >"$dir/sshd_config" || return
	sg__install_dropin "$dropin" &&
	sg__install_programs &&
	install -d -o root -g root -m 0755 /var/lib/sshgate /var/lib/sshgate/empty &&
	sg__nsswitch_add_sshgate || return
	echo "[127.0.0.1]:2222 $(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" \
		>"$dir/known_hosts" || return
	sg__sshd_start gate "$dir/sshd_config" "$dir/sshd.log" 127.0.0.1 2222 \
		"LD_LIBRARY_PATH=$BUILD/nss/.libs" || return
	export SG_GATE_ADDR=127.0.0.1 SG_GATE_PORT=2222
	export SG_GATE_HOSTKEY=$dir/ssh_host_ed25519_key.pub
}

sg_gate_stop() {
	sg_daemon_stop gate
}

# What "make install" would do with pkglibexecdir=$SG_RUN/libexec and
# sysconfdir=/etc. A placeholder we do not know about is an error, not a
# literal "@foo@" in sshd's config.
sg__install_dropin() {
	local dst=/etc/ssh/sshd_config.d/10-sshgate.conf
	mkdir -p /etc/ssh/sshd_config.d &&
	sed -e "s|@pkglibexecdir@|$SG_RUN/libexec|g" -e 's|@sysconfdir@|/etc|g' \
		"$1" >"$dst" &&
	chmod 0644 "$dst" || return
	! grep -En '@[A-Za-z_]+@' "$dst" >&2 ||
		sg__error "'$1' has a placeholder the test library does not know"
}

# sshd checks the AuthorizedKeysCommand and every directory above it:
# root-owned, not group- or world-writable. /run/sshgate-test is.
sg__install_programs() {
	local p
	install -d -o root -g root -m 0755 "$SG_RUN/libexec" || return
	for p in authkeys-cmd gate-shell sftp-relay
	do
		test -f "$BUILD/$p/$p" || continue
		# A libtool wrapper script would not run once copied.
		test "$(head -c 4 "$BUILD/$p/$p")" = $'\x7fELF' ||
			sg__error "'$BUILD/$p/$p' is not a binary (a libtool wrapper?)" ||
			return
		install -o root -g root -m 0755 "$BUILD/$p/$p" "$SG_RUN/libexec/$p" ||
			return
	done
}

# "passwd: files sshgate systemd": our module right after files. glibc
# finds it through LD_LIBRARY_PATH, which only the gate sshd gets.
sg__nsswitch_add_sshgate() {
	local re='^passwd:.*[[:space:]]sshgate([[:space:]]|$)'
	grep -Eq "$re" /etc/nsswitch.conf && return 0
	sed -i -E '/^passwd:/s/([[:space:]])files([[:space:]]|$)/\1files sshgate\2/' \
		/etc/nsswitch.conf &&
	grep -Eq "$re" /etc/nsswitch.conf ||
		sg__error "cannot add sshgate after files on the passwd line of '/etc/nsswitch.conf'"
}

# sg_ssh KEY KNOWN_HOSTS [ssh args...]: KEY is a name under $TRASH/keys
# or a path. No ssh_config, no agent, no other identity, strict host key
# checking against KNOWN_HOSTS only, and nothing is ever written to it.
sg_ssh() {
	local key=$1 known=$2
	test $# -ge 2 || sg__bug "sg_ssh KEY KNOWN_HOSTS [ssh args...]"
	shift 2
	case $key in
	/*)	;;
	*)	key=$TRASH/keys/$key ;;
	esac
	ssh -F /dev/null -i "$key" -o IdentitiesOnly=yes -o IdentityAgent=none \
		-o BatchMode=yes -o StrictHostKeyChecking=yes \
		-o UserKnownHostsFile="$known" -o GlobalKnownHostsFile=/dev/null \
		-o UpdateHostKeys=no -o ConnectTimeout=10 "$@"
}

sg_ssh_ct() {
	local n=$1
	sg__check_n "$n"
	shift
	sg_ssh internal "$TRASH/ct$n/known_hosts" -l "ct$n" "127.0.0.$((10 + n))" "$@"
}

sg_ssh_gate() {
	local key=$1 login=$2
	test $# -ge 2 || sg__bug "sg_ssh_gate KEY LOGIN [ssh args...]"
	shift 2
	sg_ssh "$key" "$TRASH/gate/known_hosts" -p 2222 -l "$login" 127.0.0.1 "$@"
}

# ---------------------------------------------------------------------------
# Namespaces

# Outside: check what we need, then run the script again as PID 1 of new
# namespaces. --kill-child=TERM: if unshare itself is killed, the script
# still gets to stop its daemons.
sg__enter_namespaces() {
	local err
	if test "$(id -u)" != 0; then
		skip_all='not root: the tests run sshd and need namespaces'
		test_done
	fi
	err=$(unshare --mount --net --pid --fork true 2>&1) || {
		echo "Bail out! cannot create namespaces: $err" >&5
		exit 1
	}
	SG_IN_NS=1 exec unshare --mount --net --pid --uts --ipc --fork \
		--kill-child=TERM --mount-proc -- /bin/bash "$sg_script" "$@"
}

# Inside: private mount propagation, loopback up, a fresh /run with sshd's
# privsep directory and our root-owned tree, a writable copy of /etc, an
# empty /var/log (sshd writes wtmp, btmp, lastlog there) and /var/lib as
# an overlay whose changes stay in memory (the gate's empty home lives
# there, /var/lib/sshgate/empty).
sg__setup_namespaces() {
	mount --make-rprivate / &&
	ip link set lo up &&
	mount -t tmpfs -o mode=0755,nosuid,nodev sg-run /run &&
	install -d -o root -g root -m 0755 /run/sshd "$SG_RUN" \
		"$SG_RUN/libexec" "$SG_RUN/home" &&
	install -o root -g utmp -m 0664 /dev/null /run/utmp &&
	mkdir /run/sg-etc &&
	mount -t tmpfs -o mode=0755 sg-etc /run/sg-etc &&
	cp -a /etc/. /run/sg-etc/ &&
	mount --move /run/sg-etc /etc &&
	rmdir /run/sg-etc &&
	mount -t tmpfs -o mode=0755,nosuid,nodev sg-log /var/log &&
	install -o root -g utmp -m 0664 /dev/null /var/log/wtmp &&
	install -o root -g utmp -m 0664 /dev/null /var/log/lastlog &&
	install -o root -g utmp -m 0660 /dev/null /var/log/btmp &&
	mkdir /run/sg-varlib &&
	mount -t tmpfs -o mode=0755 sg-varlib /run/sg-varlib &&
	mkdir /run/sg-varlib/upper /run/sg-varlib/work &&
	mount -t overlay -o lowerdir=/var/lib,upperdir=/run/sg-varlib/upper,workdir=/run/sg-varlib/work \
		sg-varlib /var/lib
}

sg__setup_trash() {
	case $TRASH in
	*/trash.*)	;;
	*)	sg__bug "odd trash directory '$TRASH'" ;;
	esac
	rm -rf -- "$TRASH" && mkdir -p "$TRASH" && cd "$TRASH" || {
		echo "Bail out! cannot make the trash directory '$TRASH'" >&5
		exit 1
	}
	TRASH=$(pwd -P)
	sg_trash_made=t
	sg_log=$TRASH/test.log
	sg_daemons=$TRASH/.daemons
	: >"$sg_log" && : >"$sg_daemons" || exit 1
}

# A known, quiet environment: no agent, C locale, no LD_LIBRARY_PATH (the
# gate sshd alone gets the NSS module), and $HOME in the trash like git:
# a plain ssh or sftp reads no user config and writes only there.
sg__setup_env() {
	unset SSH_AUTH_SOCK SSH_AGENT_PID SSH_ASKPASS DISPLAY SSH_CONNECTION \
		SSH_CLIENT SSH_TTY SSH_ORIGINAL_COMMAND LD_LIBRARY_PATH \
		LD_PRELOAD CDPATH
	export LC_ALL=C LANG=C TZ=UTC TERM=dumb HOME=$TRASH
	umask 022
}

if test "$$" != 1 || test -z "$SG_IN_NS"; then
	sg__enter_namespaces "$@"
fi
unset SG_IN_NS

trap sg__on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

sg__setup_namespaces || {
	echo "Bail out! cannot set up the test namespaces" >&5
	exit 1
}
sg__setup_trash
sg__setup_env
if test -n "$sg_verbose"; then
	exec 3>&2 4>&2
else
	exec 3>>"$sg_log" 4>&3
fi
BASH_XTRACEFD=4
