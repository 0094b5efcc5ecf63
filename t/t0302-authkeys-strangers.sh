#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='authkeys-cmd: what a stranger offering many keys costs

Every key a client offers for a gate login runs authkeys-cmd once and
asks the platform API once. The drop-in'"'"'s MaxAuthTries bounds that per
connection, even when the site'"'"'s own sshd_config allows more: a client
offering 20 unknown keys causes at most 6 authkeys-cmd runs and 6 API
lookups, then sshd disconnects it; a user whose agent holds a few other
keys before the right one still logs in.'
. "${0%/*}/test-lib.sh"

test_require_prereq AUTHKEYS_CMD,GATE_SHELL

# The bound the drop-in states (sshd_config.d/10-sshgate.conf.in).
MAX_AUTH_TRIES=6

authorize_calls() {
	sg_api GET /v1/admin/stats | sg_json by_endpoint authorize
}

# offer LOGIN KEY...: one connection offering each key in turn.
offer() {
	local login=$1 k
	local -a ids=()
	shift
	for k
	do
		ids+=(-i "$TRASH/keys/$k")
	done
	ssh -F /dev/null "${ids[@]}" -o IdentitiesOnly=yes \
		-o IdentityAgent=none -o BatchMode=yes \
		-o StrictHostKeyChecking=yes \
		-o UserKnownHostsFile="$TRASH/gate/known_hosts" \
		-o GlobalKnownHostsFile=/dev/null -o UpdateHostKeys=no \
		-o ConnectTimeout=10 -p 2222 -l "$login" 127.0.0.1 id -un
}

refused_runs() {
	grep -c "authkeys-cmd\[[0-9]*\]: key refused; " "$SG_LOG" || :
}

test_expect_success 'set up: a site that allows 30 tries, the gate, 20 strangers' '
	mkdir -p /etc/ssh/sshd_config.d &&
	echo "MaxAuthTries 30" >/etc/ssh/sshd_config.d/05-site.conf &&
	sg_fixture_gate &&
	for i in $(seq 1 20); do sg_keygen stranger$i || return 1; done
'

test_expect_success 'sshd accepts MaxAuthTries in the Match block' '
	LD_LIBRARY_PATH=$BUILD/nss/.libs /usr/sbin/sshd -T -f "$TRASH/gate/sshd_config" \
		-C user=1234-5678,host=x,addr=127.0.0.1 >eff &&
	grep -x "maxauthtries $MAX_AUTH_TRIES" eff &&
	LD_LIBRARY_PATH=$BUILD/nss/.libs /usr/sbin/sshd -T -f "$TRASH/gate/sshd_config" \
		-C user=root,host=x,addr=127.0.0.1 >eff-root &&
	grep -x "maxauthtries 30" eff-root
'

test_expect_success 'a NODE-ACCOUNT login offering 20 unknown keys: at most 6 lookups' '
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	before=$(refused_runs) &&
	test_expect_code 255 offer 1234-5678 $(seq -f stranger%g 1 20) \
		>out 2>err &&
	grep -i "too many authentication failures" err &&
	calls=$(authorize_calls) &&
	runs=$(( $(refused_runs) - before )) &&
	echo "API lookups $calls, authkeys-cmd runs $runs" &&
	test "$calls" -ge 1 && test "$calls" -le $MAX_AUTH_TRIES &&
	test "$runs" -ge 1 && test "$runs" -le $MAX_AUTH_TRIES
'

test_expect_success 'an ACCOUNT login is bounded the same way' '
	sg_api POST /v1/admin/stats/reset "{}" >/dev/null &&
	test_expect_code 255 offer 5678 $(seq -f stranger%g 1 20) \
		>out 2>err &&
	calls=$(authorize_calls) &&
	echo "API lookups $calls" &&
	test "$calls" -ge 1 && test "$calls" -le $MAX_AUTH_TRIES
'

test_expect_success 'three other keys before the right one still log in' '
	offer 1234-5678 stranger1 stranger2 stranger3 alice >out 2>err &&
	echo ct1 >expect &&
	test_cmp expect out
'

test_done
