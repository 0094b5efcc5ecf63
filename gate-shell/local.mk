# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# gate-shell: the forced command; relays a session to the container
pkglibexec_PROGRAMS += gate-shell/gate-shell
gate_shell_gate_shell_SOURCES = gate-shell/gate-shell.c \
	gate-shell/menu.c gate-shell/menu.h
gate_shell_gate_shell_CFLAGS = $(AM_CFLAGS) $(LIBSSH_CFLAGS) \
	$(CURL_CFLAGS) $(JANSSON_CFLAGS)
gate_shell_gate_shell_LDADD = lib/libsshgate.la $(LIBSSH_LIBS)
dist_man_MANS += man/gate-shell.8
