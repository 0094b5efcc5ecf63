#!/bin/sh
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# C unit tests of lib/signer.c: the binary prints TAP itself.
top=$(cd "${0%/*}/.." && pwd)
exec "${SSHGATE_BUILD:-$top}/t/unit/test-signer"
