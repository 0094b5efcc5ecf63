#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# bench/bench.sh: the body of bench/run, which sets BENCH_MODE, BENCH_OUT,
# BENCH_CG, BENCH_CG_KIND and SSHGATE_BUILD and runs this; not meant to be
# run by hand. It uses t/test-lib.sh for the namespaces and the harness,
# and the parts it sources (t/lib-proc.sh, t/lib-gate.sh, t/lib-api.sh)
# for the daemons, the API, the container and the gate's files. Each step
# is one TAP line on stderr; the numbers go to $BENCH_OUT.
#
# Four paths to the same container sshd (ct1 on 127.0.0.11:22):
#	direct		ssh ct1@127.0.0.11
#	proxyjump	ssh -J pj@127.0.0.2:2222 ct1@127.0.0.11
#	naive		ssh -p 2222 naive@127.0.0.3: ForceCommand relay.sh, which
#			runs OpenSSH's ssh to the container (ssh -s ... sftp
#			for the sftp subsystem)
#	sshgate		ssh -p 2222 1234-5678@127.0.0.1: authkeys-cmd, gate-shell,
#			sftp-relay against the reference API
# The three gates run the same sshd_config (test header, Debian's file,
# the sshgate drop-in, which only matches group sshgate), each in its own
# cgroup; so do the container, the API and the client commands.

test -n "${BENCH_OUT:-}" && test -n "${BENCH_CG:-}" || {
	echo "bench.sh: run bench/run, not this file" >&2
	exit 2
}

. "$(dirname "$(readlink -f -- "${BASH_SOURCE[0]}")")/../t/test-lib.sh"
# The TAP lines of the steps are progress: stderr. stdout is the table's.
exec 5>&2

BENCH_DIR=$SRCDIR/bench
SAMPLES=$BENCH_OUT/samples.csv
ERRLOG=$BENCH_OUT/errors.log
PATHS="direct proxyjump naive sshgate"
GATES="proxyjump naive sshgate"
ACCOUNT=5678
NODE=1234
LOGIN=$NODE-$ACCOUNT
CT_ADDR=127.0.0.11
MAXSTARTUPS=100:30:200
MARK=86399			# sleep time that marks our idle sessions
CDATA=/run/bench-client		# client-side files (tmpfs of the namespace)
CLK_TCK=$(getconf CLK_TCK)

if test "$BENCH_MODE" = smoke; then
	ROUNDS=2 TP_ROUNDS=1 BULK=4194304 SFTP=4194304 SESSIONS=3
	PAR=5 PAR_ROUNDS=1 AKC_CALLS=5 REVOKE_SESSIONS=1 REVOKE_INTERVAL=1
	LINGER=3		# how long sessions may take to end with their client
else
	ROUNDS=${BENCH_ROUNDS:-7} TP_ROUNDS=${BENCH_TP_ROUNDS:-3}
	BULK=${BENCH_BULK:-1073741824} SFTP=${BENCH_SFTP:-536870912}
	SESSIONS=${BENCH_SESSIONS:-20} PAR=${BENCH_PAR:-50}
	PAR_ROUNDS=${BENCH_PAR_ROUNDS:-3} AKC_CALLS=${BENCH_AKC_CALLS:-100}
	REVOKE_SESSIONS=3
	REVOKE_INTERVAL=	# sshgate.conf's default (30s)
	LINGER=10
fi

declare -A GATE_ADDR=([sshgate]=127.0.0.1 [proxyjump]=127.0.0.2 [naive]=127.0.0.3)
declare -A LISTENER=()

# ---------------------------------------------------------------------------
# Samples: one CSV line per measured value (report.py makes the tables).

sample() { # METRIC PATH ROUND VALUE UNIT
	echo "$1,$2,$3,$4,$5" >>"$SAMPLES"
}

fsub() { # A B -> A-B
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a - b }'
}

now() {
	echo "$EPOCHREALTIME"
}

bench_err() {
	echo "$(date -u +%T) $*" >>"$ERRLOG"
	echo "error: $*" >&2
}

# ---------------------------------------------------------------------------
# CPU accounting: $BENCH_CG/NAME, one per daemon plus "client".
# cgroups (v2 cpu.stat or v1 cpuacct.usage) count every process that
# ever ran there, those that outlived their parent included. Without
# them (BENCH_CG_KIND=proc), NAME/roots lists the PIDs put there, a
# group is those processes and their live descendants, and its CPU is
# their times plus those of the children they reaped (each daemon is
# the init of its own PID namespace, see bench_listener, so it reaps
# every process of its sessions); the client's CPU is then what each
# measured command's subshell reports of its children (bash's times).

cg_make() {
	mkdir -p "$BENCH_CG/$1"
}

cg_put() { # NAME PID
	local st f
	if test "$BENCH_CG_KIND" = proc; then
		# PID:STARTTIME, so that a PID used again is not taken for it
		st=$(<"/proc/$2/stat") || return 1
		read -r -a f <<<"${st##*) }"
		echo "$2:${f[19]}" >>"$BENCH_CG/$1/roots"
	else
		echo "$2" >"$BENCH_CG/$1/cgroup.procs"
	fi
}

# cg_join NAME: the calling (sub)shell and what it starts go there
cg_join() {
	cg_put "$1" "$BASHPID"
}

# proc mode: the live processes of a group, one PID a line
cg__tree() { # NAME
	local roots=$BENCH_CG/$1/roots
	test -s "$roots" || return 0
	ps -e -o pid=,ppid= | awk -v roots="$roots" '
		{ pp[$1] = $2 }
		END {
			while ((getline l < roots) > 0) {
				split(l, f, ":")
				if (!(f[1] in pp))
					continue
				st = ""
				file = "/proc/" f[1] "/stat"
				if ((getline st < file) > 0) {
					sub(/.*\) /, "", st)
					split(st, x, " ")
					if (x[20] == f[2])
						root[f[1]] = 1
				}
				close(file)
			}
			for (p in pp)
				for (q = p; q in pp; q = pp[q])
					if (q in root) {
						print p
						break
					}
		}'
}

cg_usec() { # NAME -> CPU microseconds so far
	local pids
	case $BENCH_CG_KIND in
	v2)	awk '$1 == "usage_usec" { print $2 }' "$BENCH_CG/$1/cpu.stat" ;;
	v1)	awk '{ printf "%d\n", $1 / 1000 }' "$BENCH_CG/$1/cpuacct.usage" ;;
	proc)
		pids=$(cg__tree "$1")
		if test -z "$pids"; then
			echo 0
			return
		fi
		# utime stime cutime cstime: fields 14-17, 12-15 after "comm) "
		# shellcheck disable=SC2046
		sed 's/.*) //' $(printf '/proc/%s/stat ' $pids) 2>/dev/null |
		awk -v hz="$CLK_TCK" '{ t += $12 + $13 + $14 + $15 }
			END { printf "%d\n", t * 1e6 / hz }' ;;
	esac
}

cg_procs() {
	if test "$BENCH_CG_KIND" = proc; then
		cg__tree "$1"
	else
		cat "$BENCH_CG/$1/cgroup.procs" 2>/dev/null
	fi
}

cg_count() {
	cg_procs "$1" | wc -l
}

cg__idle() {
	local g
	test "$(cg_count client)" -eq 0 && test "$(cg_count container)" -le 1 ||
		return 1
	for g in $GATES
	do
		test "$(cg_count "gate-$g")" -le 1 || return 1
	done
}

# cg_reap NAME: TERM, then KILL, what is left in a cgroup but its
# listener: session processes of ours that did not end with their client.
cg_reap() {
	local pid pids=
	for pid in $(cg_procs "$1")
	do
		test "$pid" = "${LISTENER[$1]:-}" || pids="$pids $pid"
	done
	test -n "$pids" || return 0
	echo "$1: left over after their client went:" >>"$ERRLOG"
	ps -o pid=,ppid=,stat=,time=,args= -p "${pids# }" >>"$ERRLOG" 2>/dev/null
	kill -TERM $pids 2>/dev/null
	sg_poll 5 sg_all_gone $pids && return 0
	kill -KILL $pids 2>/dev/null
	sg_poll 5 sg_all_gone $pids
}

# Until the client commands are gone and every daemon is down to its
# listener: session processes linger after the client has exited. What
# is still there after SECS is a finding (counted in the leftover_procs
# samples, its processes in errors.log) and is stopped, so that it does
# not bill the next measurement.
cg_wait_idle() {
	local g n
	sg_poll "${1:-15}" cg__idle && return 0
	bench_err "still busy after ${1:-15}s: client $(cg_count client), container $(cg_count container), gates $(for g in $GATES; do printf '%s ' "$(cg_count "gate-$g")"; done)"
	for g in $GATES
	do
		n=$(($(cg_count "gate-$g") - 1))
		test $n -le 0 || sample leftover_procs "$g" "$STEP" $n count
	done
	for g in client container gate-proxyjump gate-naive gate-sshgate
	do
		cg_reap $g
	done
	sg_poll 5 cg__idle
	return 1
}

# ---------------------------------------------------------------------------
# The paths

# path_ssh PATH CONFIG: SSHC=(the client's ssh command, destination
# included; a remote command may follow).
path_ssh() {
	case $1 in
	direct)		SSHC=(ssh -F "$2" "ct1@$CT_ADDR") ;;
	proxyjump)	SSHC=(ssh -F "$2" -J "pj@${GATE_ADDR[proxyjump]}:2222" "ct1@$CT_ADDR") ;;
	naive)		SSHC=(ssh -F "$2" -p 2222 "naive@${GATE_ADDR[naive]}") ;;
	sshgate)	SSHC=(ssh -F "$2" -p 2222 "$LOGIN@${GATE_ADDR[sshgate]}") ;;
	*)		bench_err "path_ssh: unknown path '$1'"; return 1 ;;
	esac
}

# path_sftp PATH CONFIG BATCH: SFTPC=(sftp -b BATCH ... destination);
# sftp wants its options before the destination.
path_sftp() {
	case $1 in
	direct)		SFTPC=(sftp -F "$2" -b "$3" "ct1@$CT_ADDR") ;;
	proxyjump)	SFTPC=(sftp -F "$2" -b "$3" -o "ProxyJump=pj@${GATE_ADDR[proxyjump]}:2222" "ct1@$CT_ADDR") ;;
	naive)		SFTPC=(sftp -F "$2" -b "$3" -P 2222 "naive@${GATE_ADDR[naive]}") ;;
	sshgate)	SFTPC=(sftp -F "$2" -b "$3" -P 2222 "$LOGIN@${GATE_ADDR[sshgate]}") ;;
	esac
}

# ---------------------------------------------------------------------------
# Set up

# The client's ssh_config: the one given with -F, so that ProxyJump's
# "ssh -W" child reads it too (it gets no -c or -o of ours).
client_config() { # FILE KEY [CIPHERS]
	{
		echo "Host *"
		echo "	IdentityFile $TRASH/keys/$2"
		echo "	IdentitiesOnly yes"
		echo "	IdentityAgent none"
		echo "	UserKnownHostsFile $TRASH/client/known_hosts"
		echo "	GlobalKnownHostsFile /dev/null"
		echo "	StrictHostKeyChecking yes"
		echo "	UpdateHostKeys no"
		echo "	BatchMode yes"
		echo "	ControlMaster no"
		echo "	ControlPath none"
		echo "	ConnectTimeout 20"
		echo "	LogLevel ERROR"
		test -z "${3:-}" || echo "	Ciphers $3"
	} >"$1"
}

# bench_gate_conf NAME [LINE...]: the gates' sshd_config: what differs
# between them (address, host key, PID file), the same test settings,
# Debian's sshd_config (whose Include pulls in the sshgate drop-in), then
# the LINEs.
bench_gate_conf() {
	local name=$1 dir=$TRASH/gate-$1
	shift
	mkdir -p "$dir" &&
	sg_host_key "$dir/ssh_host_ed25519_key" "gate-$name" || return
	{
		sg_gate_sshd_config "${GATE_ADDR[$name]}" 2222 \
			"$dir/ssh_host_ed25519_key" "$dir/sshd.pid" \
			"LogLevel INFO" "MaxStartups $MAXSTARTUPS" \
			"AuthorizedKeysFile $SG_RUN/bench-ak/%u"
		test $# = 0 || printf '%s\n' "$@"
	} >"$dir/sshd_config"
}

# Without cgroups, each daemon is the init of a PID namespace of its own
# (SG_DAEMON_WRAP of t/lib-proc.sh): sshd's session processes outlive
# the ones that forked them, and their CPU would go to the bench's init
# when it reaps them, not to their daemon. The daemon is then the child
# of that unshare. It gets a /proc of its namespace as well: a program
# built with the sanitizers looks itself up there by its own PID.
bench_listener() { # PID -> the daemon's own PID
	local i child
	if test "$BENCH_CG_KIND" != proc; then
		echo "$1"
		return 0
	fi
	for i in $(seq 50)
	do
		child=$(ps -o pid= --ppid "$1" | tr -d ' ')
		if test -n "$child"; then
			echo "$child"
			return 0
		fi
		sleep 0.1
	done
	bench_err "no daemon under the unshare $1"
	return 1
}

bench_gate_start() { # NAME [VAR=VALUE...]
	local name=$1 dir=$TRASH/gate-$1
	shift
	sg_sshd_start "gate-$name" "$dir/sshd_config" "$dir/sshd.log" \
		"${GATE_ADDR[$name]}" 2222 "$@" || return
	LISTENER[gate-$name]=$(bench_listener "$SG_LAST_PID") &&
	cg_make "gate-$name" && cg_put "gate-$name" "${LISTENER[gate-$name]}"
}

bench_user() { # NAME
	getent passwd "$1" >/dev/null ||
	useradd -l -m -d "$SG_RUN/home/$1" -s /bin/sh -p '*' \
		-c "bench gate user $1" "$1"
}

# The naive gate's relay: OpenSSH's ssh as the gate user, its own key and
# known_hosts, the cipher from its ~/.ssh/config.
write_relay() {
	cat >"$SG_RUN/bench/relay.sh" <<-EOF &&
	#!/bin/sh
	# naive gate: the ForceCommand of user naive, one OpenSSH client per session
	case "\${SSH_ORIGINAL_COMMAND:-}" in
	/usr/lib/openssh/sftp-server|internal-sftp)
	    exec ssh -q -o BatchMode=yes -s ct1@$CT_ADDR sftp ;;
	esac
	if [ -n "\${SSH_TTY:-}" ]; then
	    exec ssh -q -o BatchMode=yes -tt ct1@$CT_ADDR \${SSH_ORIGINAL_COMMAND:+"\$SSH_ORIGINAL_COMMAND"}
	fi
	exec ssh -q -o BatchMode=yes ct1@$CT_ADDR \${SSH_ORIGINAL_COMMAND:+"\$SSH_ORIGINAL_COMMAND"}
	EOF
	chmod 0755 "$SG_RUN/bench/relay.sh"
}

naive_ciphers() { # [CIPHERS]: the relay leg's cipher
	local h=$SG_RUN/home/naive
	{
		echo "Host *"
		echo "	IdentityFile $h/.ssh/id_ed25519"
		echo "	UserKnownHostsFile $h/.ssh/known_hosts"
		test -z "${1:-}" || echo "	Ciphers $1"
	} >"$h/.ssh/config" &&
	chown naive:naive "$h/.ssh/config" && chmod 0644 "$h/.ssh/config"
}

authorized() { # FILE KEYNAME...: root-owned authorized_keys
	local f=$1
	shift
	for k
	do
		cat "$TRASH/keys/$k.pub" || return
	done >"$f.new" && chmod 0644 "$f.new" && mv "$f.new" "$f"
}

bench_setup() {
	local h=$SG_RUN/home/naive revoke_line=
	test -z "$REVOKE_INTERVAL" || revoke_line="RevokeInterval ${REVOKE_INTERVAL}s"
	test "$BENCH_CG_KIND" != proc ||
		SG_DAEMON_WRAP=(unshare --pid --fork --mount-proc --kill-child=TERM)
	: >"$SAMPLES" && : >"$ERRLOG" &&
	echo "metric,path,round,value,unit" >"$SAMPLES" &&
	sample loadavg_start all 0 "$(cut -d' ' -f1 /proc/loadavg)" load &&
	mkdir -p "$TRASH/client" "$CDATA" &&
	cg_make client && cg_make container && cg_make api &&
	sg_keygen client && sg_keygen revokee && sg_keygen naive-relay &&

	# the platform: account 5678, node 1234 = container 1 (shared by
	# the four paths), two user keys
	sg_fixture_platform client >/dev/null &&
	client_id=$SG_KEY_ID &&
	revokee_id=$(sg_api_key $ACCOUNT revokee) &&
	LISTENER[api]=$(bench_listener "$(sg_daemon_pid api)") &&
	cg_put api "${LISTENER[api]}" &&
	LISTENER[container]=$(bench_listener "$(sg_daemon_pid ct1)") &&
	cg_put container "${LISTENER[container]}" &&
	authorized "$SG_RUN/ct1/authorized_keys" internal client revokee naive-relay &&

	# gate users of the anchors; their keys in a root-owned directory
	bench_user pj && bench_user naive &&
	install -d -o root -g root -m 0755 "$SG_RUN/bench-ak" "$SG_RUN/bench" &&
	authorized "$SG_RUN/bench-ak/pj" client revokee &&
	authorized "$SG_RUN/bench-ak/naive" client revokee &&
	install -d -o naive -g naive -m 0700 "$h/.ssh" &&
	install -o naive -g naive -m 0600 "$TRASH/keys/naive-relay" "$h/.ssh/id_ed25519" &&
	echo "$CT_ADDR $(cut -d' ' -f1,2 "$TRASH/ct1/ssh_host_ed25519_key.pub")" >"$h/.ssh/known_hosts" &&
	chown naive:naive "$h/.ssh/known_hosts" &&
	naive_ciphers && write_relay &&

	# sshgate's files; its LogLevel and RevokeInterval come first
	sg_gate_conf "LogLevel INFO" "InternalKey /etc/sshgate/internal_key" \
		${revoke_line:+"$revoke_line"} &&
	sg_gate_install &&

	# the three gates
	bench_gate_conf sshgate &&
	bench_gate_conf proxyjump &&
	bench_gate_conf naive "Match User naive" \
		"	ForceCommand $SG_RUN/bench/relay.sh" \
		"	AllowTcpForwarding no" "	AllowAgentForwarding no" \
		"	X11Forwarding no" &&
	bench_gate_start sshgate "LD_LIBRARY_PATH=$BUILD/nss/.libs" &&
	bench_gate_start proxyjump &&
	bench_gate_start naive &&

	# the client knows every host key
	{
		echo "$CT_ADDR $(cut -d' ' -f1,2 "$TRASH/ct1/ssh_host_ed25519_key.pub")"
		for g in $GATES
		do
			echo "[${GATE_ADDR[$g]}]:2222 $(cut -d' ' -f1,2 "$TRASH/gate-$g/ssh_host_ed25519_key.pub")"
		done
	} >"$TRASH/client/known_hosts" &&
	CFG=$TRASH/client/ssh_config &&
	CFG_AES=$TRASH/client/ssh_config.aes &&
	CFG_REV=$TRASH/client/ssh_config.revokee &&
	client_config "$CFG" client &&
	client_config "$CFG_AES" client aes128-gcm@openssh.com &&
	client_config "$CFG_REV" revokee
}

# ---------------------------------------------------------------------------
# One measured client command

# measure PATH CMD...: runs CMD (a function or program, in a subshell of
# the client cgroup, stdin /dev/null, stdout discarded) when everything
# is idle, waits until it is idle again, and sets M_WALL (s), M_RC and the
# CPU seconds M_GATE (the path's gate, 0 for direct), M_CONT, M_CLIENT,
# M_API.
measure() {
	local p=$1 g0=0 g1=0 c0 c1 k0 k1 a0 a1 t0 t1 gate=gate-$1
	shift
	test "$p" != sshd-only || gate=gate-proxyjump
	cg_wait_idle
	test "$p" = direct || g0=$(cg_usec $gate)
	c0=$(cg_usec container) k0=$(cg_usec client) a0=$(cg_usec api)
	t0=$EPOCHREALTIME
	rm -f "$TRASH/client.times"
	(
		cg_join client || exit 125
		"$@"
		rc=$?
		# proc mode: the CPU of the children this subshell waited for
		test "$BENCH_CG_KIND" != proc || times >"$TRASH/client.times"
		exit $rc
	) </dev/null >/dev/null 2>>"$ERRLOG"
	M_RC=$?
	t1=$EPOCHREALTIME
	cg_wait_idle
	test "$p" = direct || g1=$(cg_usec $gate)
	c1=$(cg_usec container) k1=$(cg_usec client) a1=$(cg_usec api)
	if test "$BENCH_CG_KIND" = proc; then
		# "0m0.010s 0m0.002s", the second line: children's user, system
		k0=0 k1=$(sed -n '2s/[ms]/ /gp' "$TRASH/client.times" 2>/dev/null |
			awk '{ printf "%d\n", ($1 * 60 + $2 + $3 * 60 + $4) * 1e6 }')
		test -n "$k1" || k1=0
	fi
	M_WALL=$(fsub "$t1" "$t0")
	M_GATE=$(awk -v a="$g0" -v b="$g1" 'BEGIN { printf "%.6f", (b - a) / 1e6 }')
	M_CONT=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.6f", (b - a) / 1e6 }')
	M_CLIENT=$(awk -v a="$k0" -v b="$k1" 'BEGIN { printf "%.6f", (b - a) / 1e6 }')
	M_API=$(awk -v a="$a0" -v b="$a1" 'BEGIN { printf "%.6f", (b - a) / 1e6 }')
	test "$M_RC" = 0 || bench_err "$p: exit $M_RC: $*"
}

# record PREFIX PATH ROUND: the samples of the last measure
record() {
	sample "$1_wall_s" "$2" "$3" "$M_WALL" s
	test "$2" = direct || sample "$1_gate_cpu_s" "$2" "$3" "$M_GATE" s
	test "$2" = sshd-only || sample "$1_container_cpu_s" "$2" "$3" "$M_CONT" s
	sample "$1_client_cpu_s" "$2" "$3" "$M_CLIENT" s
	test "$2" != sshgate || sample "$1_api_cpu_s" "$2" "$3" "$M_API" s
	test "$M_RC" = 0 || sample "$1_failed" "$2" "$3" 1 count
}

op_login() {
	"${SSHC[@]}" true
}

op_up() {
	head -c "$BULK" /dev/zero | "${SSHC[@]}" 'cat >/dev/null'
}

op_down() {
	"${SSHC[@]}" "head -c $BULK /dev/zero"
}

op_sftp() {
	"${SFTPC[@]}"
}

op_par() {
	local i fail=0
	local -a pids=()
	for ((i = 0; i < PAR; i++))
	do
		"${SSHC[@]}" true </dev/null >/dev/null 2>>"$ERRLOG" &
		pids+=($!)
	done
	for i in "${pids[@]}"
	do
		wait "$i" || fail=$((fail + 1))
	done
	echo "$fail" >"$TRASH/par.fail"
	test $fail = 0
}

# ---------------------------------------------------------------------------
# The steps

step_sanity() {
	local p out c f
	head -c 1048577 /dev/urandom >"$CDATA/sanity" &&
	echo pwd >"$TRASH/client/pwd.batch" &&
	for p in $PATHS
	do
		path_ssh $p "$CFG" &&
		out=$("${SSHC[@]}" 'echo ok-$(id -un)' </dev/null) &&
		test "$out" = ok-ct1 &&
		out=$("${SSHC[@]}" 'wc -c' <"$CDATA/sanity") &&
		test "$out" = 1048577 &&
		path_sftp $p "$CFG" "$TRASH/client/pwd.batch" &&
		"${SFTPC[@]}" </dev/null >"$TRASH/sftp.out" &&
		grep -q "$SG_RUN/home/ct1" "$TRASH/sftp.out" || {
			bench_err "path $p does not work (got '$out')"
			return 1
		}
		echo "path $p: ok"
	done &&
	# what the client negotiates with its default config and the aes one
	for f in "$CFG" "$CFG_AES"
	do
		c=$(ssh -v -F "$f" "ct1@$CT_ADDR" true 2>&1 </dev/null |
			sed -n 's/.*kex: client->server cipher: \([^ ]*\).*/\1/p' | head -n 1)
		echo "${f##*/} $c"
	done >"$BENCH_OUT/ciphers.txt" &&
	cat "$BENCH_OUT/ciphers.txt" &&
	cg_wait_idle
}

step_login() {
	local r p
	for ((r = 0; r <= ROUNDS; r++))
	do
		for p in $PATHS
		do
			path_ssh $p "$CFG"
			measure $p op_login
			# round 0 warms the caches up and is not recorded
			test $r = 0 || record login $p $r
		done
		# for scale: a plain login to a gate sshd, no relay at all
		SSHC=(ssh -F "$CFG" -p 2222 "pj@${GATE_ADDR[proxyjump]}")
		measure sshd-only op_login
		test $r = 0 || record login sshd-only $r
	done
}

step_bulk() {
	local cipher cfg dir r p ok=0
	for cipher in default aes128-gcm
	do
		if test $cipher = default; then
			cfg=$CFG
			naive_ciphers
		else
			cfg=$CFG_AES
			naive_ciphers aes128-gcm@openssh.com
		fi
		for dir in up down
		do
			for ((r = 1; r <= TP_ROUNDS; r++))
			do
				for p in $PATHS
				do
					path_ssh $p "$cfg"
					measure $p op_$dir
					record "${dir}_$cipher" $p $r
					test "$M_RC" = 0 || ok=1
				done
			done
		done
	done
	naive_ciphers
	sample bulk_bytes all 0 "$BULK" bytes
	return $ok
}

step_sftp() {
	local op r p ok=0 home=$SG_RUN/home/ct1 size
	head -c "$SFTP" /dev/urandom >"$CDATA/up.bin" &&
	install -o ct1 -g ct1 -m 0644 "$CDATA/up.bin" "$home/src.bin" &&
	echo "put $CDATA/up.bin up.bin" >"$TRASH/client/put.batch" &&
	echo "get src.bin $CDATA/got.bin" >"$TRASH/client/get.batch" || return
	for op in put get
	do
		for ((r = 1; r <= TP_ROUNDS; r++))
		do
			for p in $PATHS
			do
				rm -f "$home/up.bin" "$CDATA/got.bin"
				path_sftp $p "$CFG" "$TRASH/client/$op.batch"
				measure $p op_sftp
				if test $op = put; then
					size=$(stat -c %s "$home/up.bin" 2>/dev/null)
				else
					size=$(stat -c %s "$CDATA/got.bin" 2>/dev/null)
				fi
				if test "${size:-0}" != "$SFTP"; then
					bench_err "sftp $op through $p: ${size:-no} bytes, not $SFTP"
					M_RC=1
				fi
				record "sftp_$op" $p $r
				test "$M_RC" = 0 || ok=1
			done
		done
	done
	rm -f "$home/up.bin" "$home/src.bin" "$CDATA/got.bin" "$CDATA/up.bin"
	sample sftp_bytes all 0 "$SFTP" bytes
	return $ok
}

# The processes of the idle sessions: all of a daemon's cgroup but its
# listener. One "kind pss_kb uss_kb" line each.
session_memory() { # CGROUP
	local pid cmd kind
	for pid in $(cg_procs "$1")
	do
		test "$pid" != "${LISTENER[$1]}" || continue
		cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
		case $cmd in
		*"[priv]"*)	kind=sshd-priv ;;
		"sh -c "*)	kind=sh ;;
		"sshd: "*|"sshd-session: "*)	kind=sshd-session ;;
		*gate-shell*)	kind=gate-shell ;;
		*sftp-relay*)	kind=sftp-relay ;;
		ssh\ *)		kind=relay-ssh ;;
		"sleep $MARK "*) kind=sleep ;;
		*)		kind=other:${cmd%% *} ;;
		esac
		awk -v k="$kind" '/^Pss:/ { p = $2 } /^Private_(Clean|Dirty):/ { u += $2 }
			END { if (NR) print k, p + 0, u + 0 }' "/proc/$pid/smaps_rollup" 2>/dev/null
	done
}

sessions_up() {
	local n=0 pid
	for pid in $(cg_procs container)
	do
		test "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" = "sleep $MARK " &&
			n=$((n + 1))
	done
	test $n -ge "$SESSIONS"
}

step_memory() {
	local p i pids g0 g1 idle=5 ok=0 side cg
	test "$BENCH_MODE" != smoke || idle=1
	for p in $PATHS
	do
		cg_wait_idle
		path_ssh $p "$CFG"
		pids=()
		for ((i = 0; i < SESSIONS; i++))
		do
			(
				cg_join client &&
				exec "${SSHC[@]}" -tt "sleep $MARK"
			) </dev/null >/dev/null 2>>"$ERRLOG" &
			pids+=($!)
		done
		if ! sg_poll 60 sessions_up; then
			bench_err "$p: not all of the $SESSIONS idle sessions came up"
			ok=1
		fi
		sleep 1
		for side in gate container
		do
			cg=$side
			if test $side = gate; then
				test $p != direct || continue
				cg=gate-$p
			fi
			session_memory $cg >"$TRASH/mem.$p.$side"
			awk -v n="$SESSIONS" '{ p += $2; u += $3; c++ }
				END { printf "%.1f %.1f %.2f\n", p / n, u / n, c / n }' \
				"$TRASH/mem.$p.$side" >"$TRASH/mem.sum"
			read -r pss uss procs <"$TRASH/mem.sum"
			sample "mem_${side}_pss_kb" $p 1 "$pss" kB
			sample "mem_${side}_uss_kb" $p 1 "$uss" kB
			sample "mem_${side}_procs" $p 1 "$procs" count
			awk -v n="$SESSIONS" -v p=$p -v s=$side '
				{ c[$1]++; ps[$1] += $2; us[$1] += $3 }
				END { for (k in c) printf "mem_%s_kind:%s,%s,1,%.1f/%.1f/%.2f,pss/uss/procs kB per session\n", s, k, p, ps[k] / n, us[k] / n, c[k] / n }' \
				"$TRASH/mem.$p.$side" >>"$SAMPLES"
		done
		# an idle session should cost no CPU: a busy loop shows here
		if test $p != direct; then
			g0=$(cg_usec "gate-$p")
			sleep $idle
			g1=$(cg_usec "gate-$p")
			sample mem_idle_gate_cpu_pct $p 1 \
				"$(awk -v a="$g0" -v b="$g1" -v t=$idle 'BEGIN { printf "%.3f", (b - a) / 1e4 / t }')" "%"
		fi
		kill -TERM "${pids[@]}" 2>/dev/null
		for i in "${pids[@]}"
		do
			wait "$i" 2>/dev/null
		done
		# sessions that outlive their client are counted, not fatal
		cg_wait_idle $LINGER
	done
	sample mem_sessions all 0 "$SESSIONS" count
	return $ok
}

step_parallel() {
	local r p ok=0
	# the parallel logins load the machine themselves: the last look
	sample loadavg_later all 0 "$(cut -d' ' -f1 /proc/loadavg)" load
	for ((r = 1; r <= PAR_ROUNDS; r++))
	do
		for p in $PATHS
		do
			path_ssh $p "$CFG"
			rm -f "$TRASH/par.fail"
			measure $p op_par
			sample par_wall_s $p $r "$M_WALL" s
			sample par_failures $p $r "$(cat "$TRASH/par.fail" 2>/dev/null || echo "$PAR")" count
			test "$p" = direct || sample par_gate_cpu_s $p $r "$M_GATE" s
			test "$M_RC" = 0 || ok=1
		done
	done
	sample par_logins all 0 "$PAR" count
	return $ok
}

# authkeys-cmd as sshd runs it: as the AuthorizedKeysCommandUser, with
# %u %t %k %f. A miss asks the API (the cache emptied first), a hit is
# answered by the cache. The wall time includes starting the process;
# the log line's latency_ms is authkeys-cmd's own view.
step_authkeys() {
	local akc=$SG_RUN/libexec/authkeys-cmd blob fp kind i t0 t1 last
	local -a cmd
	blob=$(cut -d' ' -f2 "$TRASH/keys/client.pub") &&
	fp=$(ssh-keygen -E sha256 -lf "$TRASH/keys/client.pub" | cut -d' ' -f2) &&
	cmd=(setpriv --reuid=sshgate-akc --regid=sshgate-akc --init-groups --
		"$akc" "$LOGIN" ssh-ed25519 "$blob" "$fp") &&
	"${cmd[@]}" >"$TRASH/akc.out" </dev/null &&
	grep -q "^restrict,pty,command=\"exec .*gate-shell --key-id=$client_id\" ssh-ed25519 $blob\$" "$TRASH/akc.out" || {
		bench_err "authkeys-cmd does not print the key line"
		return 1
	}
	for kind in miss hit
	do
		for ((i = 1; i <= AKC_CALLS; i++))
		do
			test $kind = hit || rm -f /run/sshgate/authkeys/*
			t0=$EPOCHREALTIME
			"${cmd[@]}" </dev/null >/dev/null 2>>"$ERRLOG" ||
				bench_err "authkeys-cmd failed"
			t1=$EPOCHREALTIME
			last=$(grep 'authkeys-cmd\[' "$SG_LOG" | tail -n 1)
			case $last in
			*" cache=$kind "*)	;;
			*)	continue ;;	# a hit that aged out: not this kind
			esac
			sample "akc_${kind}_ms" sshgate $i \
				"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')" ms
			sample "akc_${kind}_internal_ms" sshgate $i \
				"$(echo "$last" | sed -n 's/.* latency_ms=\([0-9]*\).*/\1/p')" ms
		done
	done
}

# Revocation of a live session: each path's session runs with the
# "revokee" key, which is then removed where that path checks keys (the
# container's authorized_keys for direct, the gate's for ProxyJump and
# the naive gate, the platform API for sshgate). Only sshgate looks again
# while a session runs; the others are given the same time to end.
step_revoke() {
	local p k interval cap t0 t end ok=0 rc
	local -a names=() pids=()
	local -A ended=()
	interval=${REVOKE_INTERVAL:-30}
	cap=$(awk -v i="$interval" 'BEGIN { printf "%.1f", i * 1.1 + 5 }')
	rv_start() { # NAME PATH
		path_ssh "$2" "$CFG_REV"
		(
			cg_join client &&
			"${SSHC[@]}" 'echo started; exec sleep 86398' \
				>"$TRASH/rv.$1.out" 2>"$TRASH/rv.$1.err"
			echo $? >"$TRASH/rv.$1.rc"
		) </dev/null &
		names+=("$1")
		pids+=($!)
		sg_poll 20 grep -qs started "$TRASH/rv.$1.out" ||
			bench_err "revocation: session $1 did not start"
	}
	rm -f "$TRASH"/rv.*
	for p in direct proxyjump naive
	do
		rv_start $p $p
	done
	# sshgate's sessions at different phases of their check interval
	for ((k = 1; k <= REVOKE_SESSIONS; k++))
	do
		rv_start sshgate.$k sshgate
		sleep "$(awk -v i="$interval" -v n=$REVOKE_SESSIONS 'BEGIN { printf "%.2f", i / n }')"
	done
	t0=$EPOCHREALTIME
	authorized "$SG_RUN/ct1/authorized_keys" internal client naive-relay &&
	authorized "$SG_RUN/bench-ak/pj" client &&
	authorized "$SG_RUN/bench-ak/naive" client &&
	sg_api POST "/v1/admin/keys/$revokee_id/revoke" '{}' >/dev/null || {
		bench_err "revocation: cannot revoke"
		ok=1
	}
	while :
	do
		t=$(fsub "$EPOCHREALTIME" "$t0")
		for k in "${!names[@]}"
		do
			test -z "${ended[$k]:-}" || continue
			if test -s "$TRASH/rv.${names[$k]}.rc"; then
				ended[$k]=$t
			fi
		done
		end=t
		for k in "${!names[@]}"
		do
			test -n "${ended[$k]:-}" || end=
		done
		test -z "$end" || break
		awk -v t="$t" -v c="$cap" 'BEGIN { exit !(t >= c) }' && break
		sleep 0.05
	done
	for k in "${!names[@]}"
	do
		p=${names[$k]%%.*}
		if test -n "${ended[$k]:-}"; then
			rc=$(cat "$TRASH/rv.${names[$k]}.rc")
			sample revoke_latency_s $p $((k + 1)) "${ended[$k]}" s
			sample revoke_exit_status $p $((k + 1)) "$rc" code
			test $p != sshgate || test "$rc" = 249 || {
				bench_err "revocation: sshgate session ended with $rc, not 249"
				ok=1
			}
		else
			sample revoke_latency_s $p $((k + 1)) never s
			test $p != sshgate || {
				bench_err "revocation: sshgate session still runs after ${cap}s"
				ok=1
			}
		fi
	done
	sample revoke_cap_s all 0 "$cap" s
	sample revoke_interval_s all 0 "$interval" s
	kill -TERM "${pids[@]}" 2>/dev/null
	pkill -TERM -P "$(echo "${pids[@]}" | tr ' ' ',')" 2>/dev/null
	for k in "${pids[@]}"
	do
		wait "$k" 2>/dev/null
	done
	# sshd does not signal a command without a terminal when its client
	# goes: the anchors' "sleep" would run on in the container
	for k in $(cg_procs container)
	do
		test "$(tr '\0' ' ' <"/proc/$k/cmdline" 2>/dev/null)" != "sleep 86398 " ||
			kill -TERM "$k"
	done
	cg_wait_idle 10
	return $ok
}

step_report() {
	BENCH_MODE=$BENCH_MODE BENCH_CG_KIND=$BENCH_CG_KIND \
	BENCH_CONFIG="rounds=$ROUNDS tp_rounds=$TP_ROUNDS bulk=$BULK sftp=$SFTP sessions=$SESSIONS par=$PAR par_rounds=$PAR_ROUNDS akc_calls=$AKC_CALLS revoke_sessions=$REVOKE_SESSIONS revoke_interval=${REVOKE_INTERVAL:-default} maxstartups=$MAXSTARTUPS" \
		python3 "$BENCH_DIR/report.py" "$BENCH_OUT"
}

# Everything we started: the daemons by PID, then our cgroups.
bench_stop() {
	local d
	sg_stop_all
	test "$BENCH_CG_KIND" != proc || return 0
	for d in "$BENCH_CG"/*/
	do
		test -d "$d" || continue
		sg_poll 5 test ! -s "$d/cgroup.procs"
		rmdir "$d" 2>/dev/null
	done
	return 0
}

# bench_step TITLE FUNCTION: one TAP line; fails if the step failed.
bench_step() {
	local before=$test_failure t0
	STEP=$2
	if test -n "$bench_broken"; then
		test_skip "$1" "the set-up failed"
		return 1
	fi
	t0=$EPOCHREALTIME
	test_expect_success "$1" "$2"
	sample step_s "$2" 0 "$(fsub "$EPOCHREALTIME" "$t0")" s
	test "$test_failure" = "$before"
}

# BENCH_STEPS (all by default) picks the measurements, for a quick look at
# one of them: sanity login bulk sftp memory parallel authkeys revoke.
bench_wants() {
	case " ${BENCH_STEPS:-all} " in
	*" all "*|*" $1 "*)	return 0 ;;
	esac
	return 1
}

bench_main() {
	bench_broken=
	bench_step "set up: the API, container 1, the sshgate, ProxyJump and naive gates ($BENCH_MODE)" \
		bench_setup || bench_broken=t
	bench_step 'sanity: the four paths reach ct1, by ssh and sftp' step_sanity ||
		bench_broken=t
	! bench_wants login ||
	bench_step "login latency and CPU per login, $ROUNDS alternating rounds" step_login
	! bench_wants bulk ||
	bench_step "$BULK bytes up and down through cat, two ciphers, $TP_ROUNDS rounds" step_bulk
	! bench_wants sftp ||
	bench_step "sftp put and get of $SFTP bytes, $TP_ROUNDS rounds" step_sftp
	! bench_wants memory ||
	bench_step "memory of $SESSIONS idle PTY sessions per path" step_memory
	! bench_wants parallel ||
	bench_step "$PAR parallel logins, $PAR_ROUNDS rounds" step_parallel
	! bench_wants authkeys ||
	bench_step "authkeys-cmd per call, $AKC_CALLS calls each, cache miss and hit" step_authkeys
	! bench_wants revoke ||
	bench_step "revocation latency of a live session" step_revoke
	test_expect_success 'stop the daemons, remove the cgroups' bench_stop
	bench_step 'report: table.md, results.json' step_report
	cp "$sg_log" "$BENCH_OUT/bench.log" 2>/dev/null
	test_done
}

# A script of one's own may source this file with BENCH_LIBRARY_ONLY set
# (and the variables of bench/run) to use the set-up and the steps.
test -n "${BENCH_LIBRARY_ONLY:-}" || bench_main
