# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# nss: libnss_sshgate.so.2, the NSS module that maps gate logins to the
# sshgate service account (see nss_sshgate(8)).
#
# It is loaded into sshd and every other process that looks up a user,
# none of which is built with ASan: so no $(SANITIZE_CFLAGS) or
# $(SANITIZE_LDFLAGS) here, and the per-target flags replace AM_CFLAGS
# and AM_LDFLAGS on purpose.
nsslib_LTLIBRARIES += nss/libnss_sshgate.la
nss_libnss_sshgate_la_SOURCES = nss/nss_sshgate.c \
	lib/conflex.c lib/conflex.h lib/ident.c lib/ident.h lib/gate_err.h
nss_libnss_sshgate_la_CFLAGS = $(WARN_CFLAGS)
nss_libnss_sshgate_la_LDFLAGS = -module -avoid-version -shrext .so.2 \
	-Wl,-z,defs -Wl,-z,relro -Wl,-z,now \
	-Wl,--version-script=$(srcdir)/nss/nss_sshgate.map
EXTRA_nss_libnss_sshgate_la_DEPENDENCIES = nss/nss_sshgate.map
EXTRA_DIST += nss/nss_sshgate.map

# glibc opens libnss_sshgate.so.2 by name; the .la is of no use there.
# (nsslibdir has no "exec" in its name, so it installs with the data.)
install-data-hook: nss-install-data-hook
uninstall-hook: nss-uninstall-hook
nss-install-data-hook:
	rm -f $(DESTDIR)$(nsslibdir)/libnss_sshgate.la
nss-uninstall-hook:
	rm -f $(DESTDIR)$(nsslibdir)/libnss_sshgate.so.2
.PHONY: nss-install-data-hook nss-uninstall-hook

# The test probe: dlopen()s the built module and calls getpwnam_r with a
# buffer of an exact size placed against a guard page. Not sanitized
# either, so that it runs under valgrind.
noinst_PROGRAMS += t/helpers/nss-probe
t_helpers_nss_probe_SOURCES = t/helpers/nss-probe.c
t_helpers_nss_probe_CFLAGS = $(WARN_CFLAGS)
t_helpers_nss_probe_LDFLAGS =

dist_man_MANS += man/nss_sshgate.8
