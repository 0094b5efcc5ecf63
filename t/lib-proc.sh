# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# t/lib-proc.sh: processes and waiting, for the tests and for dev/ and
# bench/. Sourcing it only defines functions: it enters no namespace,
# prints nothing and needs no variable but those named below.
#
#	sg_poll SECS CMD...		run CMD every 50 ms until it succeeds
#	sg_gone PID			PID has exited (a zombie counts as gone)
#	sg_all_gone PID...		every PID has
#	sg_wait_gone PID [SECS]		wait until PID has exited
#	sg_listening ADDR PORT		a TCP socket listens on ADDR:PORT now
#	sg_wait_for_port ADDR PORT [SECS]	wait until one does
#	sg_wait_daemon NAME PID ADDR PORT	wait until PID listens, give up at
#					once if it dies
#	sg_close_fds			close every fd but 0, 1 and 2 (for a
#					subshell about to become a daemon)
#	sg_daemon_start NAME LOG CMD...	start CMD in the background, record its
#					PID (in $SG_LAST_PID and $SG_DAEMONS)
#	sg_daemon_pid NAME		the PID of the live daemon NAME
#	sg_daemon_stop NAME		TERM the daemon and its children, then KILL
#	sg_stop_all			stop every recorded daemon, newest first
#	sg_live_pids PGREP-ARGS...	what pgrep finds, zombies left out
#	sg_wait_no_process SECS PGREP-ARGS...	until sg_live_pids finds nothing
#	sg_log_contains FILE REGEX [SECS]	wait for a line matching REGEX
#	sg_log_contains_all FILE REGEX...	wait (5s) for one line that
#					matches every REGEX (grep -E)
#
# The daemon list is the file $SG_DAEMONS, one "PID NAME" a line (a file
# rather than a shell variable, so that daemons started from a subshell
# are stopped too). SG_STOP_TIMEOUT (default 5) is how long a daemon has
# between TERM and KILL. The functions that wait say why they failed in
# an "error: ..." line on stderr. The test library replaces sg__info (a
# progress note, silent here) and sg__bug (a misuse: exits).

sg__error() {
	echo "error: $*" >&2
	return 1
}

sg__bug() {
	echo "error: bug in the caller: $*" >&2
	exit 1
}

sg__info() {
	:
}

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

# A zombie counts as gone: it no longer runs or holds a socket. So does
# what is not a PID at all (an empty record).
sg_gone() {
	local stat
	case $1 in
	''|*[!0-9]*)	return 0 ;;
	esac
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 0
	stat=${stat##*) }
	test "${stat%% *}" = Z
}

sg_all_gone() {
	local pid
	for pid
	do
		sg_gone "$pid" || return 1
	done
}

sg_wait_gone() {
	sg_poll "${2:-10}" sg_gone "$1" ||
		sg__error "process $1 still runs after ${2:-10}s"
}

sg_listening() {
	local addr=$1
	case $addr in
	*:*)	addr="[$addr]" ;;
	esac
	test -n "$(ss -Hltn src "$addr:$2" 2>/dev/null)"
}

sg_wait_for_port() {
	sg_poll "${3:-10}" sg_listening "$1" "$2" ||
		sg__error "nothing listens on '$1' port $2 after ${3:-10}s"
}

# sg_wait_daemon NAME PID ADDR PORT: wait until the daemon listens, but
# give up at once if it dies (a bad config, an address in use).
sg_wait_daemon() {
	sg_poll 10 sg__listening_or_gone "$2" "$3" "$4"
	if sg_gone "$2"; then
		sg__error "'$1' exited while starting"
		return
	fi
	sg_listening "$3" "$4" ||
		sg__error "'$1' does not listen on '$3' port $4 after 10s"
}

sg__listening_or_gone() {
	sg_gone "$1" || sg_listening "$2" "$3"
}

# A daemon must not hold what its starter has open: a TAP pipe would
# keep prove (or a $(...)) waiting for EOF, a lock would stay taken.
# 255 is bash's own. (No redirection of the loop: bash would save fd 2
# on a descriptor of the list, and not get it back.)
sg_close_fds() {
	local fd
	for fd in "/proc/$BASHPID/fd/"*
	do
		fd=${fd##*/}
		case $fd in
		0|1|2|255)	;;
		*)	eval "exec $fd>&-" ;;
		esac
	done
}

sg_daemon_start() {
	test $# -ge 3 || sg__bug "sg_daemon_start NAME LOG CMD..."
	local name=$1 log=$2
	shift 2
	! sg_daemon_pid "$name" >/dev/null ||
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
	(
		sg_close_fds
		exec </dev/null >>"$log" 2>&1
		if test -n "${session[*]}"; then
			exec "${session[@]}" "$@"
		fi
		"$@"
	) &
	SG_LAST_PID=$!
	echo "$SG_LAST_PID $name" >>"$SG_DAEMONS"
	sg__info "started $name (pid $SG_LAST_PID): $*"
}

sg_daemon_pid() {
	local pid name
	test -f "$SG_DAEMONS" || return 1
	while read -r pid name
	do
		test "$name" = "$1" || continue
		sg_gone "$pid" && continue
		echo "$pid"
		return 0
	done <"$SG_DAEMONS"
	return 1
}

# The loops read the list on fd 7 so that nothing in them eats it, and
# not in a pipeline: sg__stop_tree must run in this shell to reap.
sg_daemon_stop() {
	local pid name found=
	test -f "$SG_DAEMONS" || sg__error "no daemon '$1'" || return
	while read -r pid name <&7
	do
		test "$name" = "$1" || continue
		sg__stop_tree "$pid" "$name"
		found=t
	done 7<"$SG_DAEMONS"
	sg__forget "$1"
	test -n "$found" || sg__error "no daemon '$1'"
}

# Newest first: the gate goes before the containers and the API it uses.
sg_stop_all() {
	local pid name
	test -n "$SG_DAEMONS" && test -f "$SG_DAEMONS" || return 0
	while read -r pid name <&7
	do
		sg__stop_tree "$pid" "$name"
	done 7< <(tac "$SG_DAEMONS")
	: >"$SG_DAEMONS"
}

sg__forget() {
	local pid name
	while read -r pid name
	do
		test "$name" = "$1" || echo "$pid $name"
	done <"$SG_DAEMONS" >"$SG_DAEMONS.new" &&
	mv "$SG_DAEMONS.new" "$SG_DAEMONS"
}

# sg__stop_tree PID NAME: TERM the process and its descendants (an sshd
# listener does not end its sessions when it exits), KILL what is left
# after $SG_STOP_TIMEOUT seconds. PIDs are not reused within a run: the
# PID namespace is fresh and pid_max is far away.
sg__stop_tree() {
	local pids timeout=${SG_STOP_TIMEOUT:-5}
	sg_gone "$1" && return 0
	pids="$1 $(sg__descendants "$1")"
	sg__info "stopping $2 (pid $1)"
	kill -TERM $pids 2>/dev/null
	if ! sg_poll "$timeout" sg_all_gone $pids; then
		sg__info "$2 (pid $1) ignored TERM for ${timeout}s; sending KILL"
		kill -KILL $pids 2>/dev/null
		sg_poll 2 sg_all_gone $pids
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

sg_live_pids() {
	local pid
	for pid in $(pgrep "$@")
	do
		sg_gone "$pid" || echo "$pid"
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
