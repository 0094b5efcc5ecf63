# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# authkeys-cmd: sshd's AuthorizedKeysCommand
pkglibexec_PROGRAMS += authkeys-cmd/authkeys-cmd
authkeys_cmd_authkeys_cmd_SOURCES = authkeys-cmd/authkeys-cmd.c \
	authkeys-cmd/keyline.c authkeys-cmd/keyline.h \
	authkeys-cmd/cache.c authkeys-cmd/cache.h
authkeys_cmd_authkeys_cmd_CFLAGS = $(AM_CFLAGS) $(LIBSSH_CFLAGS) \
	$(CURL_CFLAGS) $(JANSSON_CFLAGS)
authkeys_cmd_authkeys_cmd_LDADD = lib/libsshgate.la $(LIBSSH_LIBS)
dist_man_MANS += man/authkeys-cmd.8
