#!/bin/bash
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
test_description='the fuzz corpora replay clean

Every input of fuzz/corpus/<target> (the seeds, what the fuzzers found,
and each crash they found, kept as a regression input) runs once through
its target built with fuzz/replay.c as main(): in the ASan+UBSan build a
memory error or undefined behaviour aborts, in any build a broken
contract does (fuzz/README.md).'
. "${0%/*}/test-lib.sh"

for t in api conf ident keyline log nss termsafe; do
	test_expect_success "fuzz-$t replays fuzz/corpus/$t" '
		test -x "$BUILD/fuzz/fuzz-'$t'" &&
		test -d "$SRCDIR/fuzz/corpus/'$t'" &&
		"$BUILD/fuzz/fuzz-'$t'" "$SRCDIR/fuzz/corpus/'$t'" >out 2>err &&
		n=$(ls "$SRCDIR/fuzz/corpus/'$t'" | wc -l) &&
		test "$n" -gt 0 &&
		grep -x "replayed $n inputs" out
	'
done

test_done
