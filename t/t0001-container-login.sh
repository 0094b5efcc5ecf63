#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC

test_description='the harness proves itself: containers and straight ssh logins'

. "${0%/*}/test-lib.sh"

test_expect_success 'start containers 1 and 2' '
	sg_container_start 1 &&
	sg_container_start 2 &&
	test "$SG_CT1_ADDR" = 127.0.0.11 &&
	test "$SG_CT2_ADDR" = 127.0.0.12 &&
	sg_listening 127.0.0.11 22 &&
	sg_listening 127.0.0.12 22 &&
	test -f "$SG_CT1_HOSTKEY" &&
	! cmp "$SG_CT1_HOSTKEY" "$SG_CT2_HOSTKEY"
'

for n in 1 2
do
	test_expect_success "container $n: ssh as ct$n with the internal key" '
		sg_ssh_ct '$n' "id -un; echo \$SSH_CONNECTION" >out &&
		echo ct'$n' >expect &&
		sed -n 1p out >actual &&
		test_cmp expect actual &&
		echo "127.0.0.1'$n' 22" >expect &&
		sed -n 2p out | cut -d" " -f3,4 >actual &&
		test_cmp expect actual
	'
done

test_expect_success 'the exit status of the remote command comes back' '
	test_expect_code 7 sg_ssh_ct 1 "exit 7" &&
	test_expect_code 0 sg_ssh_ct 1 true
'

test_expect_success 'stdin reaches the remote command and stdout comes back' '
	printf "line one\nline two\n" >expect &&
	sg_ssh_ct 1 cat <expect >actual &&
	test_cmp expect actual
'

test_expect_success 'sftp works, and not without the Subsystem line' '
	sg_container_start 3 --no-sftp &&
	echo "put-by-sftp" >file &&
	sftp -F /dev/null -b - -i "$TRASH/keys/internal" -o IdentitiesOnly=yes \
		-o BatchMode=yes -o UserKnownHostsFile="$TRASH/ct1/known_hosts" \
		-o GlobalKnownHostsFile=/dev/null ct1@"$SG_CT1_ADDR" <<-\EOF &&
	put file sftp-file
	EOF
	sg_ssh_ct 1 "cat sftp-file" >actual &&
	test_cmp file actual &&
	test_must_fail sftp -F /dev/null -b /dev/null -i "$TRASH/keys/internal" \
		-o IdentitiesOnly=yes -o BatchMode=yes \
		-o UserKnownHostsFile="$TRASH/ct3/known_hosts" \
		-o GlobalKnownHostsFile=/dev/null ct3@"$SG_CT3_ADDR" 2>err &&
	sg_log_contains "$TRASH/ct3/sshd.log" "subsystem request for sftp by user ct3 failed"
'

test_expect_success 'a wrong key is refused' '
	sg_keygen wrong &&
	test_must_fail sg_ssh wrong "$TRASH/ct1/known_hosts" \
		-l ct1 "$SG_CT1_ADDR" true 2>err &&
	grep "Permission denied (publickey)" err
'

test_expect_success 'another user than ctN is refused' '
	test_must_fail sg_ssh internal "$TRASH/ct1/known_hosts" \
		-l ct2 "$SG_CT1_ADDR" true 2>err &&
	grep "Permission denied (publickey)" err &&
	sg_log_contains "$TRASH/ct1/sshd.log" "User ct2 from .* not allowed because not listed in AllowUsers"
'

test_expect_success 'a wrong host key in known_hosts is refused' '
	echo "$SG_CT1_ADDR $(cut -d" " -f1,2 "$SG_CT2_HOSTKEY")" >wrong_known_hosts &&
	test_must_fail sg_ssh internal wrong_known_hosts \
		-l ct1 "$SG_CT1_ADDR" true 2>err &&
	grep "Host key verification failed" err &&
	grep "REMOTE HOST IDENTIFICATION HAS CHANGED" err
'

test_expect_success 'sg_container_stop: port closed, process and sessions gone' '
	pid=$(cat "$TRASH/ct1/sshd.pid") &&
	sg_daemon_start session session.log \
		sg_ssh_ct 1 "echo session-up; exec sleep 600" &&
	client=$SG_LAST_PID &&
	sg_log_contains session.log session-up 10 &&
	sg_container_stop 1 &&
	! sg_listening "$SG_CT1_ADDR" 22 &&
	sg_wait_gone "$pid" 0 &&
	! pgrep -u ct1 &&
	sg_wait_gone "$client" 5 &&
	test_must_fail sg_ssh_ct 1 true 2>err &&
	grep "Connection refused" err
'

test_expect_success 'the other container still works, and 1 starts again' '
	sg_ssh_ct 2 true &&
	sg_container_start 1 &&
	sg_ssh_ct 1 "id -un" >actual &&
	echo ct1 >expect &&
	test_cmp expect actual
'

test_done
