#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='gate-shell: a revoked key is told so; a degraded API does not flood the log

authkeys-cmd may let a key in from its cache for CacheTime after the
platform revoked it; the node lookup (or the account listing) then
fails, and gate-shell says the key was revoked (exit 249), not that the
container does not exist. While
the API fails the revocation checks, the watcher writes one warning per
session when that starts and one line when it ends; an API that fails
every other check gets at most one warning per 20 RevokeIntervals, each
followed by its "confirmed again" line.'
. "${0%/*}/test-lib.sh"

test_require_prereq GATE_SHELL
sg_watchdog 240

conf() {
	sg_gate_conf "$@" "InternalKey /etc/sshgate/internal_key"
}

revoke() {
	sg_api POST "/v1/admin/keys/$1/revoke" "{}" >/dev/null
}

count() {
	grep -c "gate-shell\[[0-9]*\]: $1; " "$SG_LOG" || :
}

# more SUMMARY N: more than N lines of SUMMARY in the log
more() {
	test "$(count "$1")" -gt "$2"
}

warnings() {
	count "cannot confirm access with the platform"
}

recoveries() {
	count "access confirmed again by the platform"
}

# session_start NAME CMD: alice's "ssh 1234-5678@gate CMD" in the
# background; NAME.rc once it has exited. Returns once it has started.
session_start() {
	local started=$(count "session started")
	rm -f "$TRASH/$1.rc"
	sg_daemon_start "$1" "$TRASH/$1.log" sh -c \
		'"$0" -l 1234-5678 127.0.0.1 "$1" >"$2.out" 2>"$2.err"; echo $? >"$2.rc"' \
		"$TRASH/bin/ssh-alice" "$2" "$TRASH/$1" &&
	sg_poll 15 more "session started" "$started"
}

# ended NAME SECS CODE: session NAME exits with CODE within SECS
ended() {
	sg_poll "$2" test -s "$TRASH/$1.rc" ||
		{ echo "error: session $1 still runs after $2s"; return 1; }
	echo "$3" >expect &&
	test_cmp expect "$TRASH/$1.rc"
}

test_expect_success 'set up: API, node 1234 on container 1, the gate' '
	sg_fixture_gate "RevokeInterval 200ms" "RevokeGrace 1h"
'

test_expect_success 'an API down for 15 checks: one warning, one recovery' '
	w0=$(warnings) && r0=$(recoveries) &&
	session_start steady "sleep 8" &&
	sg_api_fault "{\"path\":\"/v1/gate/keys\",\"kind\":\"status\",\"code\":503}" &&
	sleep 3 &&
	sg_api_faults_clear &&
	ended steady 20 0 &&
	sg_poll 5 more "access confirmed again by the platform" "$r0" &&
	w=$(( $(warnings) - w0 )) && r=$(( $(recoveries) - r0 )) &&
	echo "warnings $w, recoveries $r" &&
	test "$w" = 1 && test "$r" = 1 &&
	sg_log_contains_all "$SG_LOG" "access confirmed again by the platform; " \
		"login=1234-5678( |$)" "unconfirmed_ms=[0-9]+( |$)"
'

test_expect_success 'an API failing every other check for 8s: a few lines, each warning recovered' '
	w0=$(warnings) && r0=$(recoveries) &&
	session_start flap "sleep 12" &&
	for i in $(seq 1 20); do
		sg_api_fault "{\"path\":\"/v1/gate/keys\",\"kind\":\"status\",\"code\":503,\"count\":1}" &&
		sleep 0.4 || return 1
	done &&
	ended flap 20 0 &&
	w=$(( $(warnings) - w0 )) && r=$(( $(recoveries) - r0 )) &&
	echo "20 failed checks: warnings $w, recoveries $r" &&
	test "$w" -ge 1 && test "$w" -le 4 &&
	test "$r" = "$w"
'

test_expect_success 'a key revoked within the cache window: told it was revoked, 249' '
	conf "CacheTime 30s" "RevokeInterval 1s" &&
	sg_ssh_gate alice 1234-5678 true &&
	sg_ssh_gate alice 5678 list >/dev/null &&
	revoke "$SG_KEY_ID" &&
	test_expect_code 249 sg_ssh_gate alice 1234-5678 true >out 2>err &&
	echo "sshgate: this key was revoked by the platform; access refused" >expect &&
	test_cmp expect err &&
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: session refused; " \
		"login=1234-5678( |$)" "key_id=$SG_KEY_ID( |$)" \
		"reason=\"key revoked\"( |$)" "code=249( |$)"
'

test_expect_success 'the same for an account login within the cache window' '
	test_expect_code 249 sg_ssh_gate alice 5678 list >out 2>err &&
	test_must_be_empty out &&
	echo "sshgate: this key was revoked by the platform; access refused" >expect &&
	test_cmp expect err &&
	sg_log_contains_all "$SG_LOG" "gate-shell\[[0-9]+\]: account listing failed; " \
		"login=5678( |$)" "reason=\"key revoked\"( |$)"
'

test_done
