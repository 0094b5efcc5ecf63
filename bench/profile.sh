#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# bench/profile.sh: where sshgate's own programs spend their time, on the
# set-up of bench/run. Run it as root through bench/run --profile, which
# sets the same variables as for a benchmark; the reports go to
# $BENCH_OUT/profile/:
#
#	perf-login.txt	20 logins through sshgate (ssh 1234-5678@gate true),
#			perf record of the gate's cgroup only (perf -G): CPU
#			by program and library in ms per login, then the top
#			symbols of authkeys-cmd, gate-shell and sshd
#	perf-up.txt,	one upload and one download of BENCH_BULK bytes
#	perf-down.txt	(256 MiB) through sshgate: the same, for gate-shell
#	timeline.txt	one login, strace -f -tt of the gate sshd: when
#			authkeys-cmd and gate-shell start and what they wait on
#	callgrind-*.txt	callgrind_annotate of gate-shell (one login running
#			true, one 64 MiB upload, one 64 MiB download) and of
#			authkeys-cmd (a cache miss and a hit)
#
# gate-shell runs under valgrind through a wrapper that GateShell names
# (authkeys-cmd writes GateShell into the key line), only for the
# callgrind part.

export BENCH_LIBRARY_ONLY=1
. "$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")/bench.sh"

PROF=$BENCH_OUT/profile
LOGINS=${BENCH_PROFILE_LOGINS:-20}
PBULK=${BENCH_BULK:-268435456}
test "$BENCH_MODE" != smoke || { LOGINS=3 PBULK=16777216; }

# perf samples only the gate's cgroup (perf -G, cgroup v2), one sample
# per PERIOD_US of CPU time: samples x period = CPU time.
PERIOD_US=250
CGREL=${BENCH_CG#/sys/fs/cgroup/unified/}
CGREL=${CGREL#/sys/fs/cgroup/}/gate-sshgate

perf_gate() { # DATA CMD...: perf record of the gate's cgroup while CMD runs
	local data=$1
	shift
	perf record -q -a -g -e cpu-clock -c $((PERIOD_US * 1000)) -G "$CGREL" \
		-o "$data" -- "$@"
}

# perf_report DATA DIVISOR UNIT COMM...: the gate's CPU by program, by
# program and library, then the top symbols of each COMM, in ms per UNIT
# (the run's CPU time divided by DIVISOR).
perf_report() {
	local data=$1 div=$2 unit=$3 c
	shift 3
	local fmt="{ printf \"%9.2f ms/$unit  %s\\n\", \$1 * $PERIOD_US / 1000 / $div, substr(\$0, index(\$0, \$2)) }"
	echo "## gate-side CPU by program (perf -G $CGREL, one sample per ${PERIOD_US} us of CPU)"
	perf report -i "$data" --no-children --sort comm --stdio -g none \
		-F sample,comm 2>/dev/null | grep -v '^#' | grep -v '^$' |
		sort -rn | head -n 15 | awk "$fmt"
	echo
	echo "## by program and library"
	perf report -i "$data" --no-children --sort comm,dso --stdio -g none \
		-F sample,comm,dso 2>/dev/null | grep -v '^#' | grep -v '^$' |
		sort -rn | head -n 30 | awk "$fmt"
	for c
	do
		echo
		echo "## $c: top symbols (self)"
		perf report -i "$data" --no-children --comm "$c" --sort dso,sym \
			--stdio -g none -F sample,dso,sym 2>/dev/null |
			grep -v '^#' | grep -v '^$' | sort -rn | head -n 25 | awk "$fmt"
	done
}

prof_perf_login() {
	mkdir -p "$PROF" &&
	path_ssh sshgate "$CFG" &&
	"${SSHC[@]}" true </dev/null &&
	cg_wait_idle &&
	perf_gate "$PROF/perf-login.data" \
		bash -c 'for i in $(seq "$0"); do "$@" true </dev/null || exit 1; done' \
		"$LOGINS" "${SSHC[@]}" >/dev/null 2>"$PROF/perf-login.err" &&
	cg_wait_idle &&
	perf_report "$PROF/perf-login.data" "$LOGINS" login authkeys-cmd gate-shell sshd \
		>"$PROF/perf-login.txt" &&
	head -n 50 "$PROF/perf-login.txt"
}

prof_perf_bulk() {
	local dir
	mkdir -p "$PROF" &&
	path_ssh sshgate "$CFG" &&
	for dir in up down
	do
		cg_wait_idle &&
		perf_gate "$PROF/perf-$dir.data" \
			bash -c 'if test "$0" = up; then
					head -c "$1" /dev/zero | "${@:2}" "cat >/dev/null"
				else
					"${@:2}" "head -c $1 /dev/zero" >/dev/null
				fi' \
			$dir "$PBULK" "${SSHC[@]}" </dev/null 2>"$PROF/perf-$dir.err" &&
		cg_wait_idle &&
		perf_report "$PROF/perf-$dir.data" \
			"$(awk -v b="$PBULK" 'BEGIN { print b / 1073741824 }')" GiB \
			gate-shell sshd >"$PROF/perf-$dir.txt" || return 1
	done &&
	head -n 40 "$PROF/perf-up.txt" "$PROF/perf-down.txt"
}

# One login with the gate sshd listener traced: the child processes it
# starts and their system calls, with times.
prof_timeline() {
	local pid=${LISTENER[gate-sshgate]}
	mkdir -p "$PROF" &&
	path_ssh sshgate "$CFG" &&
	cg_wait_idle &&
	strace -f -tt -p "$pid" -o "$PROF/strace-login.txt" -s 64 \
		-e trace=execve,connect,sendto,recvfrom,read,write,poll,ppoll,wait4,exit_group &
	spid=$!
	sleep 1 &&
	t0=$(date +%H:%M:%S.%N) &&
	"${SSHC[@]}" true </dev/null &&
	t1=$(date +%H:%M:%S.%N) &&
	cg_wait_idle &&
	kill $spid
	wait $spid
	{
		echo "client: ssh started $t0, exited $t1"
		echo
		echo "## processes started by the gate sshd (execve) and their exits"
		grep -E 'execve\(|exit_group|\+\+\+ exited' "$PROF/strace-login.txt"
		echo
		echo "## connects"
		grep -E 'connect\(' "$PROF/strace-login.txt"
	} >"$PROF/timeline.txt" &&
	cat "$PROF/timeline.txt"
}

prof_callgrind() {
	local wrap=$SG_RUN/libexec/gate-shell-callgrind akc=$SG_RUN/libexec/authkeys-cmd
	local blob fp f
	mkdir -p "$PROF/cg" && chmod 0777 "$PROF/cg" &&
	cat >"$wrap" <<-EOF &&
	#!/bin/sh
	exec valgrind --tool=callgrind --callgrind-out-file=$PROF/cg/gate-shell.%p \\
		$SG_RUN/libexec/gate-shell "\$@" 2>>$PROF/cg/valgrind.log
	EOF
	chmod 0755 "$wrap" &&
	# the wrapper is both the key line's command and the login shell:
	# gate-shell, as the shell, would otherwise run the session itself
	sed -i "1i GateShell $wrap" /etc/sshgate/sshgate.conf &&
	cp /etc/sshgate/nss.conf "$PROF/cg/nss.conf" &&
	sed -i "s|^Shell .*|Shell $wrap|" /etc/sshgate/nss.conf &&
	rm -f /run/sshgate/authkeys/* &&
	path_ssh sshgate "$CFG" &&
	"${SSHC[@]}" true </dev/null &&
	cg_wait_idle 30 &&
	f=$(ls -t "$PROF"/cg/gate-shell.* | head -n 1) && mv "$f" "$PROF/cg/login.out" &&
	head -c 67108864 /dev/zero | "${SSHC[@]}" 'cat >/dev/null' &&
	cg_wait_idle 60 &&
	f=$(ls -t "$PROF"/cg/gate-shell.* | head -n 1) && mv "$f" "$PROF/cg/upload.out" &&
	"${SSHC[@]}" 'head -c 67108864 /dev/zero' </dev/null >/dev/null &&
	cg_wait_idle 60 &&
	f=$(ls -t "$PROF"/cg/gate-shell.* | head -n 1) && mv "$f" "$PROF/cg/download.out" &&
	sed -i "1d" /etc/sshgate/sshgate.conf &&
	cat "$PROF/cg/nss.conf" >/etc/sshgate/nss.conf &&
	blob=$(cut -d' ' -f2 "$TRASH/keys/client.pub") &&
	fp=$(ssh-keygen -E sha256 -lf "$TRASH/keys/client.pub" | cut -d' ' -f2) &&
	rm -f /run/sshgate/authkeys/* &&
	setpriv --reuid=sshgate-akc --regid=sshgate-akc --init-groups -- \
		valgrind --tool=callgrind --callgrind-out-file="$PROF/cg/akc-miss.out" \
		"$akc" "$LOGIN" ssh-ed25519 "$blob" "$fp" >/dev/null 2>>"$PROF/cg/valgrind.log" &&
	setpriv --reuid=sshgate-akc --regid=sshgate-akc --init-groups -- \
		valgrind --tool=callgrind --callgrind-out-file="$PROF/cg/akc-hit.out" \
		"$akc" "$LOGIN" ssh-ed25519 "$blob" "$fp" >/dev/null 2>>"$PROF/cg/valgrind.log" &&
	for f in login upload download akc-miss akc-hit
	do
		{
			echo "## callgrind: $f, inclusive"
			callgrind_annotate --inclusive=yes "$PROF/cg/$f.out" 2>/dev/null |
				sed -n '/^Ir/,$p' | head -n 60
			echo
			echo "## callgrind: $f, self"
			callgrind_annotate "$PROF/cg/$f.out" 2>/dev/null |
				sed -n '/^Ir/,$p' | head -n 40
		} >"$PROF/callgrind-$f.txt" || return 1
	done &&
	head -n 30 "$PROF/callgrind-login.txt" "$PROF/callgrind-akc-hit.txt"
}

bench_broken=
bench_step "set up: the API, container 1, the three gates ($BENCH_MODE)" \
	bench_setup || bench_broken=t
bench_step 'sanity: the four paths reach ct1' step_sanity || bench_broken=t
bench_step "perf: $LOGINS logins through sshgate" prof_perf_login
bench_step "perf: $PBULK bytes up and down through sshgate" prof_perf_bulk
bench_step 'strace: the timeline of one login on the gate' prof_timeline
bench_step 'callgrind: gate-shell and authkeys-cmd' prof_callgrind
test_expect_success 'stop the daemons, remove the cgroups' bench_stop
cp "$sg_log" "$BENCH_OUT/profile.log" 2>/dev/null
test_done
