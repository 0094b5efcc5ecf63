# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# sftp-relay: the sftp subsystem relay, exec'd by gate-shell; it shares
# gate-shell's outcome table and revocation policy (gate-shell/local.mk)
pkglibexec_PROGRAMS += sftp-relay/sftp-relay
sftp_relay_sftp_relay_SOURCES = sftp-relay/sftp-relay.c \
	$(GATE_POLICY_SOURCES)
sftp_relay_sftp_relay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/gate-shell
sftp_relay_sftp_relay_CFLAGS = $(AM_CFLAGS) $(LIBSSH_CFLAGS) \
	$(CURL_CFLAGS) $(JANSSON_CFLAGS)
sftp_relay_sftp_relay_LDADD = lib/libsshgate.la $(LIBSSH_LIBS)
dist_man_MANS += man/sftp-relay.8
