# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# sshd_config.d: the drop-in, with the install paths filled in and
# authkeys-cmd's arguments as configure found them for this sshd
sshdconfddir = $(sysconfdir)/ssh/sshd_config.d
sshdconfd_DATA = sshd_config.d/10-sshgate.conf
EXTRA_DIST += sshd_config.d/10-sshgate.conf.in sshd_config.d/probe-akc-conn
CLEANFILES += sshd_config.d/10-sshgate.conf

sshd_config.d/10-sshgate.conf: $(srcdir)/sshd_config.d/10-sshgate.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) sshd_config.d && \
	sed -e 's|@pkglibexecdir@|$(pkglibexecdir)|g' \
	    -e 's|@sysconfdir@|$(sysconfdir)|g' \
	    -e 's|[@]AKC_ARGS[@]|$(AKC_ARGS)|g' \
	    $(srcdir)/sshd_config.d/10-sshgate.conf.in >$@.tmp && mv $@.tmp $@
