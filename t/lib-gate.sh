# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# t/lib-gate.sh: users, keys, the container sshds, the gate and its
# installation. Sourced by t/test-lib.sh, and by dev/demo and bench/ after
# t/lib-proc.sh; sourcing it only defines functions.
#
# Variables it reads:
#	SG_RUN	root-owned 0755 all the way up (sshd accepts an
#		AuthorizedKeysCommand and AuthorizedKeysFile there):
#		libexec/ (the installed programs), home/ (the container users'
#		homes), ctN/authorized_keys, log/sshgate.log
#	SRCDIR, BUILD	the source and build trees
#	TRASH	where the tests keep keys/, ctN/ and gate/ (the functions
#		marked "(tests)" use it; dev/ and bench/ may do without)
#
#	sg_keygen NAME [TYPE [BITS]]	(tests) $TRASH/keys/NAME{,.pub};
#					ed25519, rsa, ecdsa
#	sg_host_key FILE COMMENT	an ed25519 key at FILE unless there is one
#	sg_users_setup			users sshgate, sshgate-akc, ct1..ct3;
#					exports SG_UID, SG_GID of sshgate
#	sg_sshd_start NAME CONFIG LOG ADDR PORT [ENV-ARG...]
#					sshd -t, then sshd -D as daemon NAME
#					through env(1) with the ENV-ARGs
#	sg_container_authorize N PUBKEY	the only key user ctN accepts
#	sg_container_sshd_config N PORT HOSTKEY PIDFILE [--no-sftp]
#					prints container N's sshd_config
#	sg_container_start N [--no-sftp] (tests) container N: sshd on
#					127.0.0.(10+N):22, user ctN; exports
#					SG_CT<N>_ADDR and SG_CT<N>_HOSTKEY
#	sg_container_stop N
#	sg_gate_sshd_config ADDR PORT HOSTKEY PIDFILE [LINE...]
#					prints a gate's sshd_config
#	sg_sshd_knows KEYWORD HOSTKEY	sshd -T prints KEYWORD
#	sg_dropin_render TEMPLATE LIBEXECDIR	prints the drop-in as "make
#					install" writes it
#	sg_install_dropin TEMPLATE [LIBEXECDIR]	installs it
#	sg_install_programs [DIR]	authkeys-cmd, gate-shell, sftp-relay of
#					$BUILD into DIR ($SG_RUN/libexec)
#	sg_nsswitch_add_sshgate		"passwd: files sshgate ..."
#	sg_gate_install [TEMPLATE]	the three above and the gate's empty
#					home, /var/lib/sshgate/empty
#	sg_gate_conf [LINE...]		/etc/sshgate/sshgate.conf (the LINEs
#					first), nss.conf, the cache directory
#					and the log; exports SG_LOG
#	sg_gate_start			(tests) the gate: Debian's sshd on
#					127.0.0.1:2222 with our drop-in and
#					programs; exports SG_GATE_ADDR,
#					SG_GATE_PORT, SG_GATE_HOSTKEY
#	sg_gate_stop
#	sg_placeholder_shell NAME	a stand-in for the forced command
#	sg_gate_internal_key		(tests) the key the containers
#					authorize, as gate-shell's InternalKey
#	sg_gate_ssh_cmd KEY		(tests) $TRASH/bin/ssh-KEY: sg_ssh_gate's
#					client as one program, for rsync -e,
#					GIT_SSH_COMMAND, scp -S, lftp
#	sg_ssh KEY KNOWN_HOSTS [ssh args...]	ssh with no user config at all
#	sg_ssh_ct N [ssh args...]	(tests) ssh to container N as ctN
#	sg_ssh_gate KEY LOGIN [ssh args...]	(tests) ssh to the gate as LOGIN
#	sg_blackhole			an address where a TCP connect hangs
#					(a TUN device nobody reads); exports
#					SG_BLACKHOLE_ADDR
#	sg_fixture_platform [KEY]	(tests, with lib-api.sh) the API;
#					account 5678, environment env-shop,
#					node 1234 on container 1; KEY (alice)
#					in 5678, its id in $SG_KEY_ID; the
#					internal key; container 1 running
#	sg_fixture_gate [LINE...]	(tests) sg_fixture_platform, then the
#					gate (sg_gate_conf with InternalKey
#					and the LINEs) and $TRASH/bin/ssh-alice

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

sg_host_key() {
	test -s "$1" && test -s "$1.pub" && return 0
	rm -f "$1" "$1.pub"
	ssh-keygen -q -t ed25519 -N '' -C "$2" -f "$1" </dev/null ||
		sg__error "ssh-keygen for '$1' failed"
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
# sshd: the containers and the gate

# sg_sshd_start NAME CONFIG LOG ADDR PORT [ENV-ARG...]: check the config
# with sshd -t, then run sshd in the foreground of a daemon. The ENV-ARGs
# go to env(1): VAR=VALUE, or -i for an empty environment.
sg_sshd_start() {
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
	sg_wait_daemon "$name" "$SG_LAST_PID" "$addr" "$port" && return 0
	tail -n 20 "$log" >&2
	return 1
}

sg__check_n() {
	case $1 in
	[1-9]|[1-9][0-9])	;;
	*)	sg__bug "container number '$1' is not 1..99" ;;
	esac
}

sg_container_authorize() {
	sg__check_n "$1"
	install -d -o root -g root -m 0755 "$SG_RUN/ct$1" &&
	install -o root -g root -m 0644 "$2" "$SG_RUN/ct$1/authorized_keys"
}

# A "container": stock sshd on 127.0.0.(10+N) with Debian's directives,
# no Include of /etc/ssh/sshd_config.d (that is where the gate's drop-in
# goes), the key sg_container_authorize installed as the only key of
# user ctN.
sg_container_sshd_config() {
	local n=$1 port=$2 hostkey=$3 pidfile=$4
	test $# = 4 || { test $# = 5 && test "$5" = --no-sftp; } ||
		sg__bug "sg_container_sshd_config N PORT HOSTKEY PIDFILE [--no-sftp]"
	sg__check_n "$n"
	cat <<-EOF
	# sshgate container $n: Debian's stock directives and ours
	Port $port
	ListenAddress 127.0.0.$((10 + n))
	HostKey $hostkey
	PidFile $pidfile
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
	# Every gate session reaches a container from the gate's address:
	# OpenSSH 9.8 and later would penalise it for the failures the tests
	# provoke, so the container exempts the gate, as doc/install.md
	# tells a platform to.
	if sg_sshd_knows persourcepenaltyexemptlist "$hostkey"
	then
		echo "PerSourcePenaltyExemptList 127.0.0.1"
	fi
	test $# = 5 || echo 'Subsystem sftp /usr/lib/openssh/sftp-server'
}

sg_container_start() {
	local n=$1 dir addr
	test $# -le 2 || sg__bug "sg_container_start N [--no-sftp]"
	sg__check_n "$n"
	case $2 in
	''|--no-sftp)	;;
	*)		sg__bug "sg_container_start N [--no-sftp]" ;;
	esac
	dir=$TRASH/ct$n
	addr=127.0.0.$((10 + n))
	sg_users_setup && sg__ct_user "$n" && sg_keygen internal || return
	mkdir -p "$dir" &&
	sg_container_authorize "$n" "$TRASH/keys/internal.pub" &&
	sg_host_key "$dir/ssh_host_ed25519_key" "ct$n" &&
	sg_container_sshd_config "$n" 22 "$dir/ssh_host_ed25519_key" \
		"$dir/sshd.pid" $2 >"$dir/sshd_config" || return
	echo "$addr $(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" \
		>"$dir/known_hosts" || return
	sg_sshd_start "ct$n" "$dir/sshd_config" "$dir/sshd.log" "$addr" 22 ||
		return
	export "SG_CT${n}_ADDR=$addr"
	export "SG_CT${n}_HOSTKEY=$dir/ssh_host_ed25519_key.pub"
}

sg_container_stop() {
	sg__check_n "$1"
	sg_daemon_stop "ct$1"
}

# A gate: sshd configured like a Debian host with sshgate installed. Our
# settings come first (the first value of a keyword wins; the LINEs win
# over our LogLevel and MaxStartups), then the (private copy of the)
# host's sshd_config, whose Include pulls in the drop-in.
sg_gate_sshd_config() {
	local addr=$1 port=$2 hostkey=$3 pidfile=$4
	test $# -ge 4 || sg__bug "sg_gate_sshd_config ADDR PORT HOSTKEY PIDFILE [LINE...]"
	shift 4
	echo "# an sshgate gate, then the host's sshd_config"
	echo "Port $port"
	echo "ListenAddress $addr"
	echo "HostKey $hostkey"
	echo "PidFile $pidfile"
	test $# = 0 || printf '%s\n' "$@"
	echo "LogLevel VERBOSE"
	echo "MaxStartups 100:30:200"
	# OpenSSH 9.8 and later refuse for a while an address whose
	# connections failed to log in (PerSourcePenalties, on by default).
	# A real gate exempts its load balancer and health checks, as
	# doc/install.md says; every client of the tests connects from
	# 127.0.0.1, their load balancer. Other addresses keep penalties.
	if sg_sshd_knows persourcepenaltyexemptlist "$hostkey"
	then
		echo "PerSourcePenaltyExemptList 127.0.0.1"
	fi
	cat /etc/ssh/sshd_config
}

# sg_sshd_knows KEYWORD HOSTKEY: /usr/sbin/sshd has KEYWORD (lower case,
# as sshd -T prints it). Asks sshd -T, never its version.
sg_sshd_knows() {
	/usr/sbin/sshd -T -f /dev/null -h "$2" 2>/dev/null | grep -q "^$1 "
}

# ---------------------------------------------------------------------------
# Installing the gate

# What "make install" makes of the drop-in with pkglibexecdir=LIBEXECDIR
# and sysconfdir=/etc (sshd_config.d/local.mk): the one copy of that
# substitution outside the Makefile. authkeys-cmd's arguments are what
# configure found for this sshd (with %C or without), in $BUILD/Makefile.
sg_dropin_render() {
	local akc
	akc=$(sg_akc_args) || return
	sed -e "s|@pkglibexecdir@|$2|g" -e 's|@sysconfdir@|/etc|g' \
		-e "s|@AKC_ARGS@|$akc|g" "$1"
}

# The arguments of AuthorizedKeysCommand that configure chose.
sg_akc_args() {
	local a
	a=$(sed -n 's/^AKC_ARGS = //p' "$BUILD/Makefile" 2>/dev/null)
	case $a in
	'%u %t %k %f'|'%u %t %k %f %C')	echo "$a" ;;
	*)	sg__error "no AKC_ARGS in '$BUILD/Makefile' (configure it again)" ;;
	esac
}

# A placeholder we do not know about is an error, not a literal "@foo@"
# in sshd's config.
sg_install_dropin() {
	local dst=/etc/ssh/sshd_config.d/10-sshgate.conf
	mkdir -p /etc/ssh/sshd_config.d &&
	sg_dropin_render "$1" "${2:-$SG_RUN/libexec}" >"$dst" &&
	chmod 0644 "$dst" || return
	! grep -En '@[A-Za-z_]+@' "$dst" >&2 ||
		sg__error "'$1' has a placeholder the test library does not know"
}

# sshd checks the AuthorizedKeysCommand and every directory above it:
# root-owned, not group- or world-writable. $SG_RUN is.
sg_install_programs() {
	local p dir=${1:-$SG_RUN/libexec}
	install -d -o root -g root -m 0755 "$dir" || return
	for p in authkeys-cmd gate-shell sftp-relay
	do
		test -f "$BUILD/$p/$p" || continue
		# A libtool wrapper script would not run once copied.
		test "$(head -c 4 "$BUILD/$p/$p")" = $'\x7fELF' ||
			sg__error "'$BUILD/$p/$p' is not a binary (a libtool wrapper?)" ||
			return
		install -o root -g root -m 0755 "$BUILD/$p/$p" "$dir/$p" ||
			return
	done
}

# "passwd: files sshgate systemd": our module right after files. glibc
# finds it through LD_LIBRARY_PATH, which only the gate sshd gets.
sg_nsswitch_add_sshgate() {
	local re='^passwd:.*[[:space:]]sshgate([[:space:]]|$)'
	grep -Eq "$re" /etc/nsswitch.conf && return 0
	sed -i -E '/^passwd:/s/([[:space:]])files([[:space:]]|$)/\1files sshgate\2/' \
		/etc/nsswitch.conf &&
	grep -Eq "$re" /etc/nsswitch.conf ||
		sg__error "cannot add sshgate after files on the passwd line of '/etc/nsswitch.conf'"
}

sg_gate_install() {
	sg_install_dropin "${1:-$SRCDIR/sshd_config.d/10-sshgate.conf.in}" &&
	sg_install_programs &&
	install -d -o root -g root -m 0755 /var/lib/sshgate /var/lib/sshgate/empty &&
	sg_nsswitch_add_sshgate
}

# sg_gate_conf [LINE...]: what an installed gate reads besides sshd's own
# files: /etc/sshgate/sshgate.conf (the LINEs first: the first value of a
# keyword wins), the NSS module's nss.conf (home SG_GATE_HOME, default
# /var/lib/sshgate/empty; shell gate-shell, so that sshd can start
# nothing else for a gate login), authkeys-cmd's cache directory and one
# log file that every gate program appends to (SG_LOG). A LINE that makes
# GateShell a placeholder (sg_placeholder_shell) makes the shell /bin/sh,
# which runs the placeholder as the forced command says.
sg_gate_conf() {
	local shell=$SG_RUN/libexec/gate-shell line
	for line
	do
		case $line in
		"GateShell "*)	test "$line" = "GateShell $shell" ||
					shell=/bin/sh ;;
		esac
	done
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
	printf 'Uid %s\nGid %s\nHome %s\nShell %s\n' "$SG_UID" "$SG_GID" \
		"${SG_GATE_HOME:-/var/lib/sshgate/empty}" "$shell" \
		>/etc/sshgate/nss.conf &&
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

# The test gate: SG_GATE_DROPIN may name another drop-in template.
sg_gate_start() {
	local dir=$TRASH/gate
	local dropin=${SG_GATE_DROPIN:-$SRCDIR/sshd_config.d/10-sshgate.conf.in}
	test $# = 0 || sg__bug "sg_gate_start takes no arguments"
	test -f "$dropin" || sg__error "drop-in '$dropin' not found" || return
	sg_users_setup && mkdir -p "$dir" &&
	sg_host_key "$dir/ssh_host_ed25519_key" gate &&
	sg_gate_sshd_config 127.0.0.1 2222 "$dir/ssh_host_ed25519_key" \
		"$dir/sshd.pid" >"$dir/sshd_config" &&
	sg_gate_install "$dropin" || return
	echo "[127.0.0.1]:2222 $(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" \
		>"$dir/known_hosts" || return
	sg_sshd_start gate "$dir/sshd_config" "$dir/sshd.log" 127.0.0.1 2222 \
		"LD_LIBRARY_PATH=$BUILD/nss/.libs" || return
	export SG_GATE_ADDR=127.0.0.1 SG_GATE_PORT=2222
	export SG_GATE_HOSTKEY=$dir/ssh_host_ed25519_key.pub
}

sg_gate_stop() {
	sg_daemon_stop gate
}

# Readable by the service account only: every gate session runs as it.
sg_gate_internal_key() {
	sg_users_setup && sg_keygen internal &&
	install -d -o root -g root -m 0755 /etc/sshgate &&
	install -o sshgate -g sshgate -m 0600 "$TRASH/keys/internal" \
		/etc/sshgate/internal_key
}

# ---------------------------------------------------------------------------
# Clients

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

# ---------------------------------------------------------------------------
# The set-up most session tests share

sg_fixture_platform() {
	local key=${1:-alice}
	test $# -le 1 || sg__bug "sg_fixture_platform [KEY]"
	sg_api_start &&
	sg_api_seed_account 5678 &&
	sg_api_env 5678 env-shop &&
	sg_api_node 5678 env-shop 1234 1 &&
	SG_KEY_ID=$(sg_api_key 5678 "$key") &&
	sg_gate_internal_key &&
	sg_container_start 1
}

sg_fixture_gate() {
	sg_fixture_platform alice &&
	sg_gate_conf "$@" "InternalKey /etc/sshgate/internal_key" &&
	sg_gate_start &&
	sg_gate_ssh_cmd alice
}
