# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# lib/: the shared library (not installed)
noinst_LTLIBRARIES += lib/libsshgate.la
lib_libsshgate_la_SOURCES = \
	lib/api.c lib/api.h lib/api-json.h \
	lib/clock.c lib/clock.h \
	lib/compat.c lib/compat.h \
	lib/conf.c lib/conf.h \
	lib/conflex.c lib/conflex.h \
	lib/gate_err.c lib/gate_err.h \
	lib/ident.c lib/ident.h \
	lib/log.c lib/log.h \
	lib/prog.c lib/prog.h \
	lib/relay.c lib/relay.h \
	lib/sandbox.c lib/sandbox.h \
	lib/rlimits.c lib/rlimits.h \
	lib/session.c lib/session.h \
	lib/signer.c lib/signer.h \
	lib/termsafe.c lib/termsafe.h \
	lib/upstream.c lib/upstream.h \
	lib/wire.c lib/wire.h
lib_libsshgate_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) \
	$(LIBSSH_CFLAGS) $(CRYPTO_CFLAGS)
lib_libsshgate_la_LIBADD = $(CURL_LIBS) $(JANSSON_LIBS) $(LIBSSH_LIBS) \
	$(CRYPTO_LIBS)
