# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# t/: C unit tests and the helpers the shell tests drive.
#
# The unit tests print TAP; "make check" (and so "make distcheck") runs
# them through automake's TAP driver, and prove runs them in the suite
# through t/t01*-unit-*.sh. They are built by plain "make", not only by
# "make check" (check_PROGRAMS), because the prove wrappers and the
# sanitizer build run them from a tree that was only made.
UNIT_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(LIBSSH_CFLAGS)
UNIT_LDADD = lib/libsshgate.la
UNIT_TESTS = t/unit/test-ident t/unit/test-conf t/unit/test-api \
	t/unit/test-log t/unit/test-termsafe t/unit/test-signer

noinst_PROGRAMS += $(UNIT_TESTS) t/helpers/api-probe
TESTS = $(UNIT_TESTS)
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) \
	$(top_srcdir)/build-aux/tap-driver.sh
t_unit_test_ident_SOURCES = t/unit/test-ident.c t/unit/tap.h
t_unit_test_ident_CFLAGS = $(UNIT_CFLAGS)
t_unit_test_ident_LDADD = $(UNIT_LDADD)
t_unit_test_conf_SOURCES = t/unit/test-conf.c t/unit/tap.h
t_unit_test_conf_CFLAGS = $(UNIT_CFLAGS)
t_unit_test_conf_LDADD = $(UNIT_LDADD)
t_unit_test_api_SOURCES = t/unit/test-api.c t/unit/tap.h
t_unit_test_api_CFLAGS = $(UNIT_CFLAGS)
t_unit_test_api_LDADD = $(UNIT_LDADD)
t_unit_test_log_SOURCES = t/unit/test-log.c t/unit/tap.h
t_unit_test_log_CFLAGS = $(UNIT_CFLAGS)
t_unit_test_log_LDADD = $(UNIT_LDADD)
t_unit_test_termsafe_SOURCES = t/unit/test-termsafe.c t/unit/tap.h
t_unit_test_termsafe_CFLAGS = $(UNIT_CFLAGS)
t_unit_test_termsafe_LDADD = $(UNIT_LDADD)
t_unit_test_signer_SOURCES = t/unit/test-signer.c t/unit/tap.h
t_unit_test_signer_CFLAGS = $(UNIT_CFLAGS) $(CRYPTO_CFLAGS)
t_unit_test_signer_LDADD = $(UNIT_LDADD) $(LIBSSH_LIBS) $(CRYPTO_LIBS)
t_helpers_api_probe_SOURCES = t/helpers/api-probe.c
t_helpers_api_probe_CFLAGS = $(UNIT_CFLAGS)
t_helpers_api_probe_LDADD = $(UNIT_LDADD)

# read by t/unit/test-ident and dev/platform-api --self-test-grammars
EXTRA_DIST += t/data/ident-vectors
# t0408's hostile container: a python3 script (python3-cryptography)
EXTRA_DIST += t/helpers/hostile-container
