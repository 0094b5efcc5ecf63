# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# man/: mdoc pages (each program's page is added by its directory)
dist_man_MANS += man/sshgate.8 man/sshgate.conf.5
