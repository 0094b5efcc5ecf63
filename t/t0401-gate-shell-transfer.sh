#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='gate-shell: bytes through the gate, both ways, none lost

Uploads and downloads through ssh NODE-ACCOUNT@gate, compared byte for byte
with what the container wrote or read (its home is on the test host):
100 MiB each way, 1 GiB down to a client slower than the container,
stdout stalled while stderr flows, every size around the channel
windows (libssh 0.10 opens with 64000 bytes and grows to 1280000,
OpenSSH uses 2 MiB; its ssh_connector cut uploads at the first full
window), both directions at once, stdout and stderr under load, slow
readers on either side.'
. "${0%/*}/test-lib.sh"

test_require_prereq GATE_SHELL
sg_watchdog 400

# gate CMD: alice's ssh to node 1234, stdin as given
gate() {
	sg_ssh_gate alice 1234-5678 "$@"
}

# put FILE NAME: FILE into ct1's home, owned by ct1
put() {
	install -o ct1 -g ct1 -m 0644 "$1" "$home/$2"
}

test_expect_success 'set up: API, node 1234 on container 1, the gate, 100 MiB of random data' '
	sg_fixture_gate &&
	alice=$SG_KEY_ID &&
	home=$SG_RUN/home/ct1 &&
	head -c 104857600 /dev/urandom >big &&
	sha256sum <big | cut -d" " -f1 >big.sha256
'

test_expect_success 'upload: 100 MiB through sha256sum in the container, same digest' '
	gate sha256sum <big >out &&
	cut -d" " -f1 out >actual &&
	test_cmp big.sha256 actual
'

test_expect_success 'upload: 100 MiB into a file in the container, byte for byte' '
	test_when_finished "rm -f \"\$home/up.bin\"" &&
	gate "cat >up.bin" <big &&
	cmp big "$home/up.bin"
'

test_expect_success 'download: 100 MiB file of the container, byte for byte' '
	test_when_finished "rm -f \"\$home/big.bin\" down" &&
	put big big.bin &&
	gate "cat big.bin" >down &&
	cmp big down
'

# The client's leg (the gate's sshd) is slower than the container's, as in
# the bench: gate-shell must not let libssh hold more and more of the
# download. It once did, until libssh dropped its buffer past 256 MiB and
# gate-shell crashed in ssh_channel_poll.
test_expect_success 'download: 1 GiB faster than the client takes it, same digest, exit status kept' '
	head -c 1073741824 /dev/zero | sha256sum >zero.sha256 &&
	{ gate "head -c 1073741824 /dev/zero; exit 7"; echo $? >rc; } |
	sha256sum >actual &&
	test_cmp zero.sha256 actual &&
	echo 7 >expect &&
	test_cmp expect rc
'

# stdout and stderr share the channel's window, and libssh grows it at
# every read of either: a client that stops reading stdout while the
# container still writes stderr must not make gate-shell take in more
# and more stdout (it grew by a window at each stderr read, towards
# libssh's 256 MiB cap). The reader stalls for a while, looks at
# gate-shell's memory, then reads on: nothing may be lost either way.
test_expect_success 'download: stdout stalled while stderr flows, gate-shell stays small, nothing lost' '
	{
		gate "i=0; while test \$i -lt 3200; do head -c 65536 /dev/zero; echo line \$i >&2; i=\$((i + 1)); done" 2>err.out
		echo $? >rc
	} | {
		sg_poll 60 pgrep -x gate-shell >/dev/null &&
		sleep 3 &&
		pid=$(pgrep -x gate-shell) &&
		awk "/^VmHWM:/ { print \$2 }" "/proc/$pid/status" >hwm.kb &&
		wc -c >count
	} &&
	echo 0 >expect &&
	test_cmp expect rc &&
	echo 209715200 >expect &&
	test_cmp expect count &&
	test_line_count = 3200 err.out &&
	echo "gate-shell VmHWM: $(cat hwm.kb) kB" &&
	test "$(cat hwm.kb)" -lt 65536
'

# 0 and 1; a page; one SSH packet (32768); libssh's first window (64000)
# and 64 KiB; libssh's grown window (1280000); OpenSSH's window (2 MiB)
# and one byte more; 8 MiB + 1.
for n in 0 1 4095 32768 64000 65536 1280000 2097152 2097153 8388609
do
	test_expect_success "$n bytes: upload and download, nothing cut" '
		head -c '$n' big >part &&
		gate "cat >part.up" <part &&
		cmp part "$home/part.up" &&
		gate "cat part.up" >part.down &&
		cmp part part.down &&
		gate "wc -c <part.up" >count &&
		echo '$n' >expect &&
		test_cmp expect count
	'
done

test_expect_success 'both directions at once: 32 MiB through cat' '
	head -c 33554432 big >both &&
	gate cat <both >both.out &&
	cmp both both.out
'

test_expect_success 'stdout and stderr under load: 8 MiB each at the same time, kept apart' '
	test_when_finished "rm -f \"\$home/a\" \"\$home/b\"" &&
	head -c 8388608 big >a &&
	tail -c 8388608 big >b &&
	put a a &&
	put b b &&
	gate "cat a & cat b >&2; wait" >out 2>err &&
	cmp a out &&
	cmp b err
'

test_expect_success 'a slow reader on the client side: the download waits, nothing lost' '
	test_when_finished "rm -f \"\$home/slow.bin\"" &&
	head -c 20971520 big >slow &&
	put slow slow.bin &&
	gate "cat slow.bin" | { sleep 2; cat; } >slow.out &&
	cmp slow slow.out
'

test_expect_success 'a slow reader in the container: the upload waits, nothing lost' '
	test_when_finished "rm -f \"\$home/slow.up\"" &&
	head -c 20971520 big >slow &&
	gate "sleep 2; cat >slow.up" <slow &&
	cmp slow "$home/slow.up"
'

test_expect_success 'all output arrives before the exit status' '
	test_when_finished "rm -f \"\$home/burst.bin\"" &&
	head -c 5000000 big >burst &&
	put burst burst.bin &&
	test_expect_code 9 gate "cat burst.bin; echo tail >&2; exit 9" >burst.out 2>err &&
	cmp burst burst.out &&
	echo tail >expect &&
	test_cmp expect err
'

test_done
