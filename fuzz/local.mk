# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
# fuzz/: one libFuzzer target per parser of outside input (fuzz/README.md).
#
# Every build makes them with fuzz/replay.c as main(), which runs a target
# once on each file of its corpus: t/t0105-fuzz-replay.sh replays the
# committed corpora that way, in the normal and in the ASan+UBSan build,
# with any compiler. configure --enable-fuzzing (CC=clang) links them
# with libFuzzer instead, for fuzz/run.sh.
FUZZ_TARGETS = fuzz/fuzz-api fuzz/fuzz-conf fuzz/fuzz-ident \
	fuzz/fuzz-keyline fuzz/fuzz-log fuzz/fuzz-nss fuzz/fuzz-termsafe
noinst_PROGRAMS += $(FUZZ_TARGETS)
if FUZZING
fuzz_main =
FUZZ_LINK_FLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
else
fuzz_main = fuzz/replay.c
FUZZ_LINK_FLAGS = $(AM_LDFLAGS)
endif
FUZZ_COMPILE_FLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(LIBSSH_CFLAGS)
FUZZ_LINK_LIBS = lib/libsshgate.la

fuzz_fuzz_api_SOURCES = fuzz/fuzz-api.c fuzz/fuzz.h $(fuzz_main)
fuzz_fuzz_api_CFLAGS = $(FUZZ_COMPILE_FLAGS)
fuzz_fuzz_api_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_api_LDADD = $(FUZZ_LINK_LIBS) $(JANSSON_LIBS)
fuzz_fuzz_conf_SOURCES = fuzz/fuzz-conf.c fuzz/fuzz.h $(fuzz_main)
fuzz_fuzz_conf_CFLAGS = $(FUZZ_COMPILE_FLAGS)
fuzz_fuzz_conf_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_conf_LDADD = $(FUZZ_LINK_LIBS)
fuzz_fuzz_ident_SOURCES = fuzz/fuzz-ident.c fuzz/fuzz.h $(fuzz_main)
fuzz_fuzz_ident_CFLAGS = $(FUZZ_COMPILE_FLAGS)
fuzz_fuzz_ident_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_ident_LDADD = $(FUZZ_LINK_LIBS)
fuzz_fuzz_keyline_SOURCES = fuzz/fuzz-keyline.c fuzz/fuzz.h \
	authkeys-cmd/keyline.c authkeys-cmd/keyline.h $(fuzz_main)
fuzz_fuzz_keyline_CFLAGS = $(FUZZ_COMPILE_FLAGS) -I$(top_srcdir)/authkeys-cmd
fuzz_fuzz_keyline_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_keyline_LDADD = $(FUZZ_LINK_LIBS)
fuzz_fuzz_log_SOURCES = fuzz/fuzz-log.c fuzz/fuzz.h $(fuzz_main)
fuzz_fuzz_log_CFLAGS = $(FUZZ_COMPILE_FLAGS)
fuzz_fuzz_log_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_log_LDADD = $(FUZZ_LINK_LIBS)
# the module's statics are what is fuzzed: fuzz-nss.c includes its .c
fuzz_fuzz_nss_SOURCES = fuzz/fuzz-nss.c fuzz/fuzz.h $(fuzz_main)
fuzz_fuzz_nss_CFLAGS = $(FUZZ_COMPILE_FLAGS)
fuzz_fuzz_nss_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_nss_LDADD = $(FUZZ_LINK_LIBS)
EXTRA_fuzz_fuzz_nss_DEPENDENCIES = nss/nss_sshgate.c
fuzz_fuzz_termsafe_SOURCES = fuzz/fuzz-termsafe.c fuzz/fuzz.h $(fuzz_main)
fuzz_fuzz_termsafe_CFLAGS = $(FUZZ_COMPILE_FLAGS)
fuzz_fuzz_termsafe_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_termsafe_LDADD = $(FUZZ_LINK_LIBS)

# make fuzz-targets: only these (what fuzz/run.sh builds)
fuzz-targets: $(FUZZ_TARGETS)
.PHONY: fuzz-targets

EXTRA_DIST += fuzz/README.md fuzz/run.sh fuzz/corpus
