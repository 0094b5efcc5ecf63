/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/* Unit tests: escaping of values in log lines. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

static void
esc(const char *in, const char *want, const char *what)
{
	char out[LOG_VALUE_MAX * 4 + 8];

	log_escape(out, sizeof(out), in);
	tap_is_str(out, want, what);
}

/* log_diag: written only at its level, "func: text", escaped whole. */
static void
diag_lines(void)
{
	char path[] = "/tmp/test-log.XXXXXX", buf[512];
	FILE *f;
	size_t n;
	int fd;

	if ((fd = mkstemp(path)) == -1) {
		tap_ok(0, "mkstemp");
		return;
	}
	close(fd);
	log_init("test-log", 0);
	tap_ok(log_set_file(path) == 0, "log file opened");
	log_set_level(LOG_LEVEL_VERBOSE);
	tap_ok(!log_enabled(LOG_LEVEL_DEBUG) && log_enabled(LOG_LEVEL_VERBOSE),
	    "VERBOSE enables verbose lines, not debug ones");
	log_debug("hidden %d", 1);
	log_verbose("shown %s", "a\x1b[2Jb\\c");
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("window %u", 42u);
	f = fopen(path, "r");
	n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f != NULL)
		fclose(f);
	unlink(path);
	tap_ok(strstr(buf, "hidden") == NULL, "debug line dropped at VERBOSE");
	tap_ok(strstr(buf, "test-log[") != NULL &&
	    strstr(buf, "]: diag_lines: shown a\\x1b[2Jb\\x5cc\n") != NULL,
	    "verbose line carries the function, control bytes escaped");
	tap_ok(strstr(buf, "]: diag_lines: window 42\n") != NULL,
	    "debug line written at DEBUG");
}

int
main(void)
{
	struct logline l;
	const char *none = getenv("SSHGATE_TEST_UNSET_VARIABLE");
	char big[1000], out[32];

	esc("1234-5678", "1234-5678", "plain value unchanged");
	esc("a b", "\"a b\"", "value with a space is quoted");
	esc("", "\"\"", "empty value is quoted");
	esc(NULL, "-", "NULL is -");
	esc("x\ny", "x\\x0ay", "newline escaped");
	esc("\x1b[31m", "\\x1b[31m", "ESC escaped");
	esc("a\"b", "a\\x22b", "quote escaped");
	esc("a=b", "a\\x3db", "equals escaped (no fake key=value)");
	esc("\xc3\xa9", "\\xc3\\xa9", "8-bit bytes escaped");
	esc("a\\b", "a\\x5cb", "backslash escaped");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_escape(out, sizeof(out), big);
	tap_ok(strlen(out) < sizeof(out) && strstr(out, "...") != NULL,
	    "long value truncated with ...");

	logline_init(&l, "key accepted");
	logline_str(&l, "login", "1234-5678");
	logline_int(&l, "latency_ms", 12);
	logline_str(&l, "client", "evil\n key_id=1");
	tap_is_str(l.buf, "key accepted; login=1234-5678 latency_ms=12 "
	    "client=\"evil\\x0a key_id\\x3d1\"", "summary and key=value tail");

	logline_init(&l, "session ended");
	logline_kv(&l, "login=%s code=%d bytes=%lld size=%zu none=%s "
	    "detail?=%s gone?=%s", "1234-5678", -3, 1LL << 40, (size_t)7, none,
	    "x y", "");
	tap_is_str(l.buf, "session ended; login=1234-5678 code=-3 "
	    "bytes=1099511627776 size=7 none=- detail=\"x y\"",
	    "logline_kv: conversions, NULL as -, optional empty left out");
	logline_init(&l, "odd");
	logline_kv(&l, "a=%s b %d", "x", 1);
	tap_is_str(l.buf, "odd; a=x log_format=bad", "logline_kv: bad format");

	diag_lines();
	return tap_done();
}
