#!/bin/sh
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# The identifier grammars: t/data/ident-vectors run against lib/ident.c
# (the C unit test prints TAP itself), then against the reference
# server's grammars (dev/platform-api), as one more test.
top=$(cd "${0%/*}/.." && pwd)
vectors=$top/t/data/ident-vectors
out=$(env -u srcdir "${SSHGATE_BUILD:-$top}/t/unit/test-ident" "$vectors")
rc=$?
printf '%s\n' "$out" | grep -v '^1\.\.'
n=$(printf '%s\n' "$out" | grep -c '^\(not \)\{0,1\}ok ')
n=$((n + 1))
if why=$("$top/dev/platform-api" --self-test-grammars "$vectors" 2>&1); then
	echo "ok $n - dev/platform-api agrees with t/data/ident-vectors"
else
	echo "not ok $n - dev/platform-api agrees with t/data/ident-vectors"
	printf '%s\n' "$why" | sed 's/^/# /'
	rc=1
fi
echo "1..$n"
exit $rc
