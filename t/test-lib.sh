#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# t/test-lib.sh: the harness of sshgate's tests, after git's t/test-lib.sh.
# t/README says how to run the tests and how to name a new one.
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
#	test_expect_success GATE_SHELL 'a title' '
#		run only where gate-shell is built
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
# It is one of four parts, one domain each; this one sources the first
# three (the tmux part is sourced by the scripts that use it):
#	t/lib-proc.sh		processes and waiting: sg_poll, sg_daemon_start,
#				sg_wait_gone, sg_listening, sg_log_contains...
#	t/lib-gate.sh		users, keys, the containers, the gate, its
#				installation, the ssh clients, the fixtures
#	t/lib-api.sh		the reference platform API, its CA, seeding
#	t/lib-terminal.sh	real terminals (tmux)
# Each part lists its functions at its top. lib-proc.sh and lib-gate.sh
# do not need this file: dev/demo and bench/ source them too.
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
#	test_expect_success [PREREQ] TITLE BODY	eval BODY in this shell; ok
#					if it succeeds; skipped without PREREQ
#	test_expect_failure [PREREQ] TITLE BODY	a known breakage: TODO
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
# Prerequisites (git's names): a PREREQ argument is a NAME, or several
# separated by commas, each maybe negated by "!"; all must hold.
#	test_set_prereq NAME		NAME holds
#	test_lazy_prereq NAME SCRIPT	NAME holds if SCRIPT (a shell body, run
#					once, when first asked, in a subshell
#					with no output) succeeds
#	test_have_prereq PREREQ		PREREQ holds
#	test_require_prereq PREREQ	skip the whole script unless it holds
# The library's own: GATE_SHELL, SFTP_RELAY, AUTHKEYS_CMD, NSS_MODULE (built
# in $BUILD), PLATFORM_API (dev/platform-api in the tree), VALGRIND;
# lib-terminal.sh adds TMUX.
#
# Harness helpers:
#	sg_watchdog SECS		stop the script if it still runs after
#					SECS (a session that hangs must fail
#					the script, not hang CI)
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

. "$TEST_DIRECTORY/lib-proc.sh" &&
. "$TEST_DIRECTORY/lib-gate.sh" &&
. "$TEST_DIRECTORY/lib-api.sh" || {
	echo "Bail out! cannot read the parts of the test library"
	exit 1
}

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
sg_ret=0
sg_log=
sg_log_mark=0
SG_DAEMONS=
sg_trash_made=

# ---------------------------------------------------------------------------
# The test API

test_expect_success() {
	sg__run_unless_skipped success "$@" || return 0
	shift $(($# - 2))
	if test $sg_ret = 0; then
		sg__ok "$1"
	else
		sg__failed "$1" "$2"
	fi
}

test_expect_failure() {
	sg__run_unless_skipped failure "$@" || return 0
	shift $(($# - 2))
	if test $sg_ret = 0; then
		test_fixed=$((test_fixed + 1))
		echo "ok $test_count - $(sg__tap_title "$1") # TODO known breakage vanished" >&5
	else
		test_broken=$((test_broken + 1))
		echo "not ok $test_count - $(sg__tap_title "$1") # TODO known breakage" >&5
	fi
}

# sg__run_unless_skipped KIND [PREREQ] TITLE BODY: fails if the test is
# skipped for a missing PREREQ (and reports it), else runs it and sets
# sg_ret to its status.
sg__run_unless_skipped() {
	local kind=$1
	shift
	test $# = 2 || test $# = 3 ||
		sg__bug "test_expect_$kind needs [a prerequisite,] a title and a body"
	if test $# = 3; then
		sg__skip_unless "$@" || return 1
		shift
	fi
	sg__run_test "$1" "$2"
	sg_ret=$?
}

test_skip() {
	test $# = 2 || sg__bug "test_skip needs a title and a reason"
	test_count=$((test_count + 1))
	echo "ok $test_count # skip $(sg__tap_title "$1") ($2)" >&5
}

# sg__skip_unless PREREQ TITLE: fails, after reporting TITLE as skipped,
# unless PREREQ holds.
sg__skip_unless() {
	test_have_prereq "$1" && return 0
	test_skip "$2" "missing $(sg__missing_prereq "$1")"
	return 1
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

# These two replace lib-proc.sh's: a bug shows even when stderr goes to
# the log, progress notes go to the log (or, verbose, stderr), never to
# the TAP stream.
sg__bug() {
	echo "error: bug in the test script: $*" >&6
	exit 1
}

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
# Prerequisites

declare -A sg_prereq=() sg_lazy=()

test_set_prereq() {
	test $# = 1 || sg__bug "test_set_prereq NAME"
	sg_prereq[$1]=t
}

test_lazy_prereq() {
	test $# = 2 || sg__bug "test_lazy_prereq NAME SCRIPT"
	sg_lazy[$1]=$2
	unset "sg_prereq[$1]"
}

# A lazy prerequisite is evaluated once, in a subshell in the trash
# directory (or the script's directory, before there is one), with no
# output; its answer is kept.
sg__prereq_holds() {
	if test -z "${sg_prereq[$1]+set}"; then
		sg_prereq[$1]=f
		if test -n "${sg_lazy[$1]+set}" &&
		   (eval "${sg_lazy[$1]}") </dev/null >/dev/null 2>&1; then
			sg_prereq[$1]=t
		fi
	fi
	test "${sg_prereq[$1]}" = t
}

test_have_prereq() {
	local p name
	test $# = 1 || sg__bug "test_have_prereq PREREQ[,PREREQ...]"
	for p in ${1//,/ }
	do
		name=${p#!}
		case $name in
		''|*[!A-Z0-9_]*)	sg__bug "bad prerequisite name '$p'" ;;
		esac
		if test "$p" = "$name"; then
			sg__prereq_holds "$name" || return 1
		else
			! sg__prereq_holds "$name" || return 1
		fi
	done
}

# The prerequisites of PREREQ that do not hold, comma-separated.
sg__missing_prereq() {
	local p missing=
	for p in ${1//,/ }
	do
		test_have_prereq "$p" || missing=$missing${missing:+,}$p
	done
	echo "$missing"
}

test_require_prereq() {
	test $# = 1 || sg__bug "test_require_prereq PREREQ[,PREREQ...]"
	test_have_prereq "$1" && return 0
	skip_all="missing $(sg__missing_prereq "$1")"
	test_done
}

test_lazy_prereq GATE_SHELL 'test -f "$BUILD/gate-shell/gate-shell"'
test_lazy_prereq SFTP_RELAY 'test -f "$BUILD/sftp-relay/sftp-relay"'
test_lazy_prereq AUTHKEYS_CMD 'test -f "$BUILD/authkeys-cmd/authkeys-cmd"'
test_lazy_prereq NSS_MODULE 'test -f "$BUILD/nss/.libs/libnss_sshgate.so.2"'
test_lazy_prereq PLATFORM_API 'test -f "$SRCDIR/dev/platform-api"'
test_lazy_prereq VALGRIND 'command -v valgrind'

# ---------------------------------------------------------------------------
# Harness helpers

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
	' "$1" "$sg_name" "$SG_DAEMONS"
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
	SG_DAEMONS=$TRASH/.daemons
	: >"$sg_log" && : >"$SG_DAEMONS" || exit 1
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
