# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# doc: the platform API contract is installed, since the man pages point
# at it; the rest is for whoever builds and deploys from the sources.
dist_doc_DATA = doc/platform-api.md
