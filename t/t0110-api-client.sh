#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='the platform API client (lib/api.c) against the reference server

Drives the real client through t/helpers/api-probe over real HTTP and
HTTPS: TLS accepted and rejected, deadlines, the size cap, and every
fault the reference server can inject. Each failure must be a typed
error within the deadline, never a crash, a hang or a partial result.'
. "${0%/*}/test-lib.sh"

probe() {
	"$BUILD/t/helpers/api-probe" "$@" >out 2>err
}

# conf FILE [extra lines]: a client config; extra lines come first and win
conf() {
	local f=$1; shift
	{
		printf '%s\n' "$@"
		echo "ApiUrl $SG_API_URL"
		echo "ApiAllowHttp yes"
		echo "ApiTokenFile $SG_API_TOKEN_FILE"
		echo "ApiTimeout 2s"
		echo "ApiConnectTimeout 1s"
	} >"$f"
}

elapsed_ms() {
	sed -n 's/^elapsed_ms=//p' err
}

fault() {
	sg_api POST /v1/admin/faults "$1" >/dev/null
}

test_expect_success 'set up the reference API with an account, a node, a key' '
	sg_api_start --https &&
	sg_keygen user && sg_keygen other && sg_keygen hostkey &&
	sg_api POST /v1/admin/accounts "{\"id\":\"5678\",\"name\":\"Alice\"}" &&
	sg_api POST /v1/admin/accounts "{\"id\":\"9999\",\"name\":\"Bob\"}" &&
	sg_api POST /v1/admin/accounts/5678/environments \
		"{\"name\":\"env-shop\",\"display_name\":\"Shop\",\"status\":\"running\"}" &&
	hk=$(cut -d" " -f2 keys/hostkey.pub) &&
	sg_api POST /v1/admin/accounts/5678/environments/env-shop/nodes \
		"{\"id\":\"1234\",\"name\":\"shop-app-1\",\"role\":\"cp\",\"status\":\"running\",\"address\":\"127.0.0.11\",\"port\":22,\"user\":\"ct1\",\"host_keys\":[{\"type\":\"ssh-ed25519\",\"blob\":\"$hk\"}]}" &&
	sg_api POST /v1/admin/accounts/5678/keys \
		"{\"public_key\":\"$(cat keys/user.pub)\"}" >key.json &&
	key_id=$(sg_json key_id <key.json) &&
	fp=$(sg_json fingerprint <key.json) &&
	test "$fp" = "$(ssh-keygen -lf keys/user.pub | cut -d" " -f2)" &&
	sg_api POST /v1/admin/accounts/9999/keys \
		"{\"public_key\":\"$(cat keys/other.pub)\"}" >other.json &&
	other_fp=$(sg_json fingerprint <other.json) &&
	conf http.conf
'

test_expect_success 'authorize over http: key id, account, node and the key' '
	probe -f http.conf authorize 1234-5678 "$fp" &&
	blob=$(cut -d" " -f2 keys/user.pub) &&
	echo "authz key_id=$key_id account=5678 node=1234 type=ssh-ed25519 blob=$blob" >expect &&
	test_cmp expect out
'

test_expect_success 'authorize an ACCOUNT login: no node' '
	probe -f http.conf authorize 5678 "$fp" &&
	grep "^authz key_id=$key_id account=5678 node=- " out
'

test_expect_success 'unknown key is not_found, a key of another account is denied' '
	test_expect_code 1 probe -f http.conf authorize 1234-5678 "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" &&
	grep "^error not_found status=404" out &&
	test_expect_code 1 probe -f http.conf authorize 1234-5678 "$other_fp" &&
	grep "^error denied status=403" out
'

test_expect_success 'a login or fingerprint outside the grammar is never sent' '
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	test_expect_code 1 probe -f http.conf authorize "1234-5678/../x" "$fp" &&
	grep "^error invalid" out &&
	test_expect_code 1 probe -f http.conf authorize 5678 "SHA256:a&b" &&
	grep "^error invalid" out &&
	test "$(sg_api GET /v1/admin/stats | sg_json total)" = 0
'

test_expect_success 'key status, node and environments decode' '
	probe -f http.conf key "$key_id" &&
	echo "key key_id=$key_id account=5678 active=1" >expect &&
	test_cmp expect out &&
	probe -f http.conf node 5678 1234 "$key_id" &&
	echo "node id=1234 role=cp status=running env=env-shop address=127.0.0.11 port=22 user=ct1 hostkeys=1 ssh-ed25519" >expect &&
	test_cmp expect out &&
	probe -f http.conf envs 5678 "$key_id" &&
	grep "^envs account=5678 count=1" out &&
	grep "^env name=env-shop status=running nodes=1" out
'

test_expect_success 'a revoked key reads as not active' '
	sg_keygen revoked &&
	sg_api POST /v1/admin/accounts/5678/keys \
		"{\"public_key\":\"$(cat keys/revoked.pub)\"}" >k2.json &&
	k2=$(sg_json key_id <k2.json) &&
	sg_api POST /v1/admin/keys/$k2/revoke "{}" >/dev/null &&
	probe -f http.conf key "$k2" &&
	grep "active=0" out
'

test_expect_success 'a wrong token is an auth error' '
	echo wrong-token >bad-token && chmod 0600 bad-token &&
	conf badtoken.conf "ApiTokenFile $TRASH/bad-token" &&
	test_expect_code 1 probe -f badtoken.conf key "$key_id" &&
	grep "^error auth status=401" out
'

test_expect_success 'a token file others may read is refused before any request' '
	cp "$SG_API_TOKEN_FILE" open-token && chmod 0644 open-token &&
	conf open.conf "ApiTokenFile $TRASH/open-token" &&
	test_expect_code 2 probe -f open.conf key "$key_id" &&
	grep "^error config client" out
'

test_expect_success 'plain http is refused unless ApiAllowHttp yes' '
	conf nohttp.conf "ApiAllowHttp no" &&
	test_expect_code 2 probe -f nohttp.conf key "$key_id" &&
	grep "ApiAllowHttp" err
'

test_expect_success 'https verified against ApiCaFile is accepted' '
	conf https.conf "ApiUrl $SG_API_HTTPS_URL" "ApiCaFile $SG_API_CA" \
		"ApiAllowHttp no" &&
	probe -f https.conf key "$key_id" &&
	grep "active=1" out
'

test_expect_success 'https with a certificate the system CAs do not know is rejected' '
	conf https-sys.conf "ApiUrl $SG_API_HTTPS_URL" "ApiAllowHttp no" &&
	test_expect_code 1 probe -f https-sys.conf key "$key_id" &&
	grep "^error tls" out
'

test_expect_success 'https to a name the certificate does not carry is rejected' '
	echo "127.0.0.1 api.invalid" >>/etc/hosts &&
	conf https-name.conf "ApiUrl https://api.invalid:8443" \
		"ApiCaFile $SG_API_CA" "ApiAllowHttp no" &&
	test_expect_code 1 probe -f https-name.conf key "$key_id" &&
	grep "^error tls" out
'

test_expect_success 'an https URL is not downgraded by the allowed protocols' '
	conf mixed.conf "ApiUrl http://127.0.0.1:8443" "ApiAllowHttp yes" &&
	test_expect_code 1 probe -f mixed.conf key "$key_id" &&
	grep "^error" out
'

test_expect_success 'proxy variables in the environment are ignored' '
	https_proxy=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 \
	ALL_PROXY=http://127.0.0.1:9 probe -f http.conf key "$key_id" &&
	grep "active=1" out
'

test_expect_success 'nothing listening: a connect error' '
	conf closed.conf "ApiUrl http://127.0.0.1:9" &&
	test_expect_code 1 probe -f closed.conf key "$key_id" &&
	grep "^error connect" out
'

test_expect_success 'a unix socket API' '
	sg_daemon_start api-unix "$TRASH/api/unix.stderr" /usr/bin/python3 \
		"$SRCDIR/dev/platform-api" --state "$TRASH/api/state.json" \
		--token-file "$SG_API_TOKEN_FILE" \
		--admin-token-file "$SG_ADMIN_TOKEN_FILE" \
		--unix "$SG_RUN/api.sock" --pid-file "$TRASH/api/unix.pid" &&
	sg_poll 10 test -s "$TRASH/api/unix.pid" &&
	conf unix.conf "ApiUrl http://localhost" \
		"ApiUnixSocket $SG_RUN/api.sock" &&
	probe -f unix.conf key "$key_id" &&
	grep "active=1" out
'

test_expect_success 'slow API: timeout within ApiTimeout' '
	test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
	fault "{\"path\":\"/v1/gate/keys\",\"kind\":\"delay\",\"seconds\":5}" &&
	conf slow.conf "ApiTimeout 1s" "ApiConnectTimeout 500ms" &&
	test_expect_code 1 probe -f slow.conf key "$key_id" &&
	grep "^error timeout" out &&
	test "$(elapsed_ms)" -lt 5000
'

test_expect_success 'the caller deadline bounds a request below ApiTimeout' '
	test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
	fault "{\"path\":\"/v1/gate/keys\",\"kind\":\"delay\",\"seconds\":5}" &&
	test_expect_code 1 probe -d 300 -f http.conf key "$key_id" &&
	grep "^error timeout" out &&
	test "$(elapsed_ms)" -lt 3000
'

test_expect_success 'HTTP 500 is a server error' '
	test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"status\",\"code\":500}" &&
	test_expect_code 1 probe -f http.conf authorize 1234-5678 "$fp" &&
	grep "^error server status=500" out
'

test_expect_success 'HTTP 503 is a server error, 418 an unexpected answer' '
	test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"status\",\"code\":503,\"count\":1}" &&
	test_expect_code 1 probe -f http.conf authorize 1234-5678 "$fp" &&
	grep "^error server status=503" out &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"status\",\"code\":418,\"count\":1}" &&
	test_expect_code 1 probe -f http.conf authorize 1234-5678 "$fp" &&
	grep "^error http status=418" out
'

test_expect_success 'a dropped connection is a connection error' '
	test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"drop\"}" &&
	test_expect_code 1 probe -f http.conf authorize 1234-5678 "$fp" &&
	grep "^error connect " out
'

test_expect_success 'a garbage body is a JSON error' '
	test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"garbage\"}" &&
	test_expect_code 1 probe -f http.conf authorize 1234-5678 "$fp" &&
	grep "^error json status=200" out
'

test_expect_success 'an oversized body is cut off at ApiMaxResponse' '
	test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"oversize\",\"bytes\":8388608}" &&
	conf small.conf "ApiMaxResponse 64K" &&
	test_expect_code 1 probe -f small.conf authorize 1234-5678 "$fp" &&
	grep "^error too_large" out &&
	grep "larger than 65536 bytes" out
'

test_expect_success 'a body just under the cap still decodes' '
	probe -f small.conf envs 5678 "$key_id" &&
	grep "^envs account=5678" out
'

test_expect_success 'duplicate keys in the answer are a JSON error' '
	test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"duplicate_key\"}" &&
	test_expect_code 1 probe -f http.conf authorize 1234-5678 "$fp" &&
	grep "^error json" out
'

test_expect_success 'a wrong key blob is passed up as is, for the caller to compare' '
	test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
	fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"wrong_blob\"}" &&
	probe -f http.conf authorize 1234-5678 "$fp" &&
	grep "^authz key_id=$key_id " out &&
	! grep " blob=$blob\$" out
'

for field in key_id account node type blob
do
	test_expect_success "newline and quote injected into $field: protocol error" '
		test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
		fault "{\"path\":\"/v1/gate/authorize\",\"kind\":\"inject\",\"field\":\"'$field'\"}" &&
		test_expect_code 1 probe -f http.conf authorize 1234-5678 "$fp" &&
		grep "^error protocol status=200" out
	'
done

for field in id address user role
do
	test_expect_success "hostile node $field: protocol error" '
		test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
		fault "{\"path\":\"/v1/gate/accounts\",\"kind\":\"inject\",\"field\":\"'$field'\"}" &&
		test_expect_code 1 probe -f http.conf node 5678 1234 "$key_id" &&
		grep "^error protocol status=200" out
	'
done

test_expect_success 'an API answering about another key is a protocol error' '
	test_when_finished "sg_api DELETE /v1/admin/faults >/dev/null" &&
	fault "{\"path\":\"/v1/gate/keys\",\"kind\":\"inject\",\"field\":\"key_id\",\"value\":\"424242\"}" &&
	test_expect_code 1 probe -f http.conf key "$key_id" &&
	grep "^error protocol" out
'

test_done
