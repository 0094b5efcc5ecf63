# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# gate-shell: the forced command; relays a session to the container.
# outcome.c (what an outcome means to the user) and revoke.c (which API
# answers end a session) are the policy of gate-shell and of its sftp
# subsystem, sftp-relay, which compiles them in too (sftp-relay/local.mk):
# programs' policy, kept out of lib/ by lib/gate_err.h's rule.
GATE_POLICY_SOURCES = gate-shell/outcome.c gate-shell/outcome.h \
	gate-shell/revoke.c gate-shell/revoke.h
pkglibexec_PROGRAMS += gate-shell/gate-shell
gate_shell_gate_shell_SOURCES = gate-shell/gate-shell.c \
	gate-shell/menu.c gate-shell/menu.h $(GATE_POLICY_SOURCES)
gate_shell_gate_shell_CFLAGS = $(AM_CFLAGS) $(LIBSSH_CFLAGS) \
	$(CURL_CFLAGS) $(JANSSON_CFLAGS)
gate_shell_gate_shell_LDADD = lib/libsshgate.la $(LIBSSH_LIBS)
dist_man_MANS += man/gate-shell.8
