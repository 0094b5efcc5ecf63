# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# t/lib-api.sh: the reference platform API (dev/platform-api), its test
# CA, admin calls and the seeding of accounts, environments, nodes and
# keys. Sourced by t/test-lib.sh (and bench/ through it) after
# t/lib-proc.sh and t/lib-gate.sh; sourcing it only defines functions.
# The API's files are in $TRASH/api.
#
#	sg_api_start [--https]		the reference platform API on
#					127.0.0.1:8080 (and 8443); exports
#					SG_API_URL, SG_API_HTTPS_URL, SG_API_CA,
#					SG_API_TOKEN(_FILE), SG_ADMIN_TOKEN(_FILE)
#	sg_api_stop
#	sg_api METHOD PATH [JSON]	an admin call; body on stdout
#	sg_json [KEY...]		a value out of the JSON on stdin
#	sg_api_seed_account ACCOUNT [NAME]	the account
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
#	sg_api_fault JSON		inject a fault (POST /v1/admin/faults:
#					path, kind, code, seconds, count...)
#	sg_api_faults_clear		remove every fault

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
	test -s "$TRASH/api/pid" || sg_gone "$1"
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
# Seeding

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
	sg_host_key "$TRASH/ct$n/ssh_host_ed25519_key" "ct$n" || return
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


# ---------------------------------------------------------------------------
# Fault injection (doc/platform-api.md, the reference server)

sg_api_fault() {
	test $# = 1 || sg__bug "sg_api_fault JSON"
	sg_api POST /v1/admin/faults "$1" >/dev/null
}

sg_api_faults_clear() {
	sg_api DELETE /v1/admin/faults >/dev/null
}
