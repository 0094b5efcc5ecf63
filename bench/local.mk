# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# bench
