#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='authkeys-cmd when the platform API is down, slow or lying

Every failure of the API must refuse the login within AuthTimeout, print
no line that sshd could accept, and leave other logins working. With
StaleIfError a key the API allowed recently still gets in while the API is
unreachable, but never after a 4xx, a bad answer or a revocation.'
. "${0%/*}/test-lib.sh"

login() {
	local key=$1; shift
	sg_ssh_gate "$key" "$@" >out 2>err
}

# authkeys-cmd run by hand the way sshd runs it, as its own user
akc() {
	local key=$1 login=$2
	runuser -u sshgate-akc -- "$SG_RUN/libexec/authkeys-cmd" "$login" \
		"$(cut -d" " -f1 keys/$key.pub)" "$(cut -d" " -f2 keys/$key.pub)" \
		"$(ssh-keygen -lf keys/$key.pub | cut -d" " -f2)" "${@:3}" \
		>akc.out 2>akc.err
}

fault() {
	sg_api POST /v1/admin/faults "$1" >/dev/null
}

clear_faults() {
	sg_api DELETE /v1/admin/faults >/dev/null
}

node_json() {
	printf '{"id":"%s","name":"n","role":"cp","status":"running","address":"127.0.0.11","port":22,"user":"ct1","host_keys":[{"type":"ssh-ed25519","blob":"%s"}]}' \
		"$1" "$(cut -d" " -f2 keys/hostkey.pub)"
}

# conf [LINE...]: the gate's config for the next logins (read per run)
conf() {
	sg_gate_conf "$@" "AuthTimeout 1500ms" "ApiTimeout 1s" \
		"ApiConnectTimeout 500ms" "GateShell $SG_RUN/libexec/print-args"
}

now_ms() {
	date +%s%3N
}

test_expect_success 'set up: API, two accounts, keys, the gate' '
	sg_api_start &&
	for k in alice bob carol hostkey; do sg_keygen $k || return 1; done &&
	sg_api POST /v1/admin/accounts "{\"id\":\"5678\",\"name\":\"A\"}" &&
	sg_api POST /v1/admin/accounts "{\"id\":\"9999\",\"name\":\"B\"}" &&
	sg_api POST /v1/admin/accounts/5678/environments \
		"{\"name\":\"e\",\"display_name\":\"E\",\"status\":\"running\"}" &&
	sg_api POST /v1/admin/accounts/9999/environments \
		"{\"name\":\"e\",\"display_name\":\"E\",\"status\":\"running\"}" &&
	sg_api POST /v1/admin/accounts/5678/environments/e/nodes "$(node_json 1234)" &&
	sg_api POST /v1/admin/accounts/9999/environments/e/nodes "$(node_json 4321)" &&
	sg_api POST /v1/admin/accounts/5678/keys "{\"public_key\":\"$(cat keys/alice.pub)\"}" &&
	sg_api POST /v1/admin/accounts/9999/keys "{\"public_key\":\"$(cat keys/bob.pub)\"}" &&
	sg_api POST /v1/admin/accounts/5678/keys "{\"public_key\":\"$(cat keys/carol.pub)\"}" >carol.json &&
	carol_id=$(sg_json key_id <carol.json) &&
	sg_placeholder_shell print-args &&
	conf "CacheTime 0" &&
	sg_gate_start &&
	login alice 1234-5678 && login bob 4321-9999 &&
	akc alice 1234-5678 && grep -c "^restrict,pty,command=\"exec " akc.out
'

# refused_within FAULT-JSON WHAT: the login and a hand run of authkeys-cmd
# are refused, the login within the deadline, and the run prints nothing.
refused_within() {
	fault "$1" &&
	start=$(now_ms) &&
	test_expect_code 255 login alice 1234-5678 &&
	took=$(( $(now_ms) - start )) &&
	grep "Permission denied" err &&
	{ akc alice 1234-5678; true; } &&
	test_must_be_empty akc.out &&
	clear_faults &&
	echo "refused in ${took}ms" &&
	test $took -lt 9000
}

test_expect_success 'slow API: refused within AuthTimeout' '
	test_when_finished clear_faults &&
	refused_within "{\"path\":\"/v1/gate/authorize\",\"kind\":\"delay\",\"seconds\":10}" &&
	grep "key refused on error; login=1234-5678 .*reason=\"deadline exceeded\"" "$SG_LOG"
'

for f in \
	'status,"code":500' \
	'status,"code":503' \
	'drop' \
	'garbage' \
	'oversize,"bytes":8388608' \
	'wrong_blob' \
	'duplicate_key' \
	'inject,"field":"key_id"' \
	'inject,"field":"account"' \
	'inject,"field":"node"' \
	'inject,"field":"type"' \
	'inject,"field":"blob"' \
	'inject,"field":"key_id","value":"7 ssh-ed25519"' \
	'inject,"field":"account","value":"1234"' \
	'inject,"field":"node","value":null'
do
	kind=${f%%,*}
	json="{\"path\":\"/v1/gate/authorize\",\"kind\":\"$kind\"${f#"$kind"}}"
	test_expect_success "API fault $f: refused, nothing printed" '
		test_when_finished clear_faults &&
		refused_within "$json"
	'
done

test_expect_success 'API answering for the key but another account: refused' '
	test_when_finished clear_faults &&
	refused_within "{\"path\":\"/v1/gate/authorize\",\"kind\":\"inject\",\"field\":\"account\",\"value\":\"9999\"}" &&
	grep "reason=\"API answered for a different account or node\"" "$SG_LOG"
'

test_expect_success 'API answering with another key: refused and logged' '
	test_when_finished clear_faults &&
	refused_within "{\"path\":\"/v1/gate/authorize\",\"kind\":\"wrong_blob\"}" &&
	grep "reason=\"API answered for a different key\"" "$SG_LOG"
'

test_expect_success 'another login succeeds while one waits for a slow API' '
	test_when_finished clear_faults &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"delay\",\"seconds\":10,\"count\":1}" &&
	(login alice 1234-5678; echo $? >slow.rc) &
	slow=$! &&
	sg_poll 5 grep -q "authorize" "$TRASH/api/log" &&
	sleep 0.2 &&
	sg_ssh_gate bob 4321-9999 >bob.out 2>bob.err &&
	grep "user=4321-9999" bob.out &&
	test_path_is_missing slow.rc &&
	wait $slow &&
	test "$(cat slow.rc)" = 255
'

test_expect_success 'API down: refused at once, nothing printed' '
	sg_api_stop &&
	start=$(now_ms) &&
	test_expect_code 255 login alice 1234-5678 &&
	test $(( $(now_ms) - start )) -lt 9000 &&
	{ akc alice 1234-5678; true; } &&
	test_must_be_empty akc.out &&
	grep "key refused on error; login=1234-5678 .*reason=\"cannot connect\"" "$SG_LOG" &&
	sg_api_start
'

test_expect_success 'StaleIfError: a key allowed recently gets in while the API is down' '
	conf "CacheTime 1s" "StaleIfError 60s" &&
	login alice 1234-5678 &&
	sleep 1.1 &&
	sg_api_stop &&
	login alice 1234-5678 &&
	grep "user=1234-5678" out &&
	grep "key accepted; login=1234-5678 .*cache=stale" "$SG_LOG"
'

test_expect_success 'StaleIfError: a key never allowed for this login does not' '
	test_expect_code 255 login alice 5678 &&
	test_expect_code 255 login bob 4321-9999 &&
	sg_api_start
'

test_expect_success 'StaleIfError: a revoked key does not get in while the API is down' '
	login carol 1234-5678 &&
	sg_api POST /v1/admin/keys/$carol_id/revoke "{}" >/dev/null &&
	sleep 1.1 &&
	test_expect_code 255 login carol 1234-5678 &&
	sg_api_stop &&
	test_expect_code 255 login carol 1234-5678 &&
	sg_api_start
'

test_expect_success 'StaleIfError: never after a 4xx answer' '
	test_when_finished clear_faults &&
	login alice 1234-5678 &&
	sleep 1.1 &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"status\",\"code\":429}" &&
	test_expect_code 255 login alice 1234-5678 &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"status\",\"code\":401}" &&
	test_expect_code 255 login alice 1234-5678
'

test_expect_success 'StaleIfError: never after a malformed or lying answer' '
	test_when_finished clear_faults &&
	login alice 1234-5678 &&
	sleep 1.1 &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"garbage\"}" &&
	test_expect_code 255 login alice 1234-5678 &&
	clear_faults &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"wrong_blob\"}" &&
	test_expect_code 255 login alice 1234-5678
'

test_expect_success 'StaleIfError: covers 5xx and timeouts' '
	test_when_finished clear_faults &&
	login alice 1234-5678 &&
	sleep 1.1 &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"status\",\"code\":502}" &&
	login alice 1234-5678 &&
	clear_faults &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"delay\",\"seconds\":10}" &&
	login alice 1234-5678
'

test_expect_success 'StaleIfError 0 (the default) fails closed' '
	conf "CacheTime 1s" &&
	login alice 1234-5678 &&
	sleep 1.1 &&
	sg_api_stop &&
	test_expect_code 255 login alice 1234-5678 &&
	sg_api_start
'

test_expect_success 'a cache directory others can read is not used' '
	conf "CacheTime 5s" &&
	chmod 0755 /run/sshgate/authkeys &&
	test_when_finished "chmod 0700 /run/sshgate/authkeys" &&
	login alice 1234-5678 &&
	grep "key accepted; login=1234-5678 .*cache=unusable" "$SG_LOG"
'

# The fifth argument is sshd's %C (OpenSSH 9.4 and later), one argument:
# "server-address server-port client-address client-port" (sshd_config(5)
# names the client first, sshd does not). Whatever the drop-in passes,
# authkeys-cmd is run by hand with it here.
test_expect_success '%C: a well-formed connection is logged, IPv4 or IPv6' '
	conf "CacheTime 0" &&
	akc alice 1234-5678 "127.0.0.1 22 192.0.2.7 50022" &&
	grep -c "^restrict,pty,command=\"exec " akc.out &&
	grep "key accepted; login=1234-5678 .* client=192.0.2.7 client_port=50022 " "$SG_LOG" &&
	akc alice 1234-5678 "::1 2222 2001:db8::7 1" &&
	grep -c "^restrict,pty,command=\"exec " akc.out &&
	grep "key accepted; login=1234-5678 .* client=2001:db8::7 client_port=1 " "$SG_LOG" &&
	akc alice 1234-5678 &&
	grep "key accepted; login=1234-5678 " "$SG_LOG" | tail -n 1 >last &&
	! grep "client=" last
'

test_expect_success '%C: anything else refuses the key, and none of it is logged' '
	long=$(printf "%0100d" 0) &&
	while IFS= read -r c
	do
		c=${c//LONG/$long} &&
		c=${c//NL/$'"'"'\n'"'"'} &&
		: >"$SG_LOG" &&
		akc alice 1234-5678 "$c" &&
		test_must_be_empty akc.out &&
		grep "key refused; login=1234-5678 .*reason=\"malformed connection\"" "$SG_LOG" &&
		! grep -E "client=|evil|forged|UNKNOWN" "$SG_LOG" || {
			echo "accepted or logged: [$c]"; return 1; }
	done <<-\EOF
	
	192.0.2.7
	192.0.2.7 50022 127.0.0.1
	192.0.2.7 50022 127.0.0.1 22 evil
	192.0.2.7  50022 127.0.0.1 22
	192.0.2.7 50022 127.0.0.1 22 
	 192.0.2.7 50022 127.0.0.1 22
	192.0.2.7 65536 127.0.0.1 22
	192.0.2.7 050022 127.0.0.1 22
	192.0.2.7 0 127.0.0.1 22
	192.0.2.7 -1 127.0.0.1 22
	192.0.2.7 50022 127.0.0.1 evil
	192.0.2.7.evil 50022 127.0.0.1 22
	fe80::1%eth0 50022 ::1 22
	UNKNOWN 65535 UNKNOWN 65535
	192.0.2.7 50022 127.0.0.1 22NLforged
	192.0.2.7	50022	127.0.0.1	22
	192.0.2.LONG 50022 127.0.0.1 22
	EOF
'

test_expect_success 'a broken config: refused, and the error names file:line' '
	conf "NoSuchKeyword 1" &&
	test_expect_code 255 login alice 1234-5678 &&
	test_expect_code 2 akc alice 1234-5678 &&
	grep "/etc/sshgate/sshgate.conf:1: unknown keyword" akc.err &&
	conf
'

test_done
