# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# sshgate-doctor: the operator's check of a gate (a POSIX sh script with
# the install paths filled in), see sshgate-doctor(8)
sbin_SCRIPTS = doctor/sshgate-doctor
EXTRA_DIST += doctor/sshgate-doctor.in
CLEANFILES += doctor/sshgate-doctor
dist_man_MANS += man/sshgate-doctor.8

doctor/sshgate-doctor: $(srcdir)/doctor/sshgate-doctor.in Makefile
	$(AM_V_GEN)$(MKDIR_P) doctor && \
	sed -e 's|@pkglibexecdir@|$(pkglibexecdir)|g' \
	    -e 's|@pkgsysconfdir@|$(pkgsysconfdir)|g' \
	    -e 's|[@]AKC_ARGS[@]|$(AKC_ARGS)|g' \
	    $(srcdir)/doctor/sshgate-doctor.in >$@.tmp && \
	chmod 0755 $@.tmp && mv $@.tmp $@
