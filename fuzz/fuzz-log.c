/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * lib/log.c: the escaping of values from outside. The input is split at
 * NUL bytes into a buffer size and values; they go through log_escape(),
 * a key=value tail (logline_kv) and a diagnostic line (log_diag, read
 * back from the log file). No output may carry a control byte or a byte
 * >= 0x7f, a value may not contain an unescaped '=' or '"', and the tail
 * must split back into exactly the items written.
 */
#include "config.h"

#include <unistd.h>

#include "fuzz.h"
#include "log.h"

static int sink = -1;

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/*
 * Visible ASCII and space only; every '\' starts "\xNN" (when cut is
 * set, the text may end inside one).
 */
static void
check_text(const char *s, size_t len, int cut)
{
	size_t i;

	for (i = 0; i < len; i++) {
		FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f);
		if (s[i] != '\\')
			continue;
		if (i + 3 >= len) {
			FUZZ_CHECK(cut);
			break;
		}
		FUZZ_CHECK(s[i + 1] == 'x' && is_hex(s[i + 2]) &&
		    is_hex(s[i + 3]));
		i += 3;
	}
}

/*
 * One escaped value: bare (no space, '"' or '='), or quoted (no '"' or
 * '=' inside). Returns its length in s.
 */
static size_t
check_value(const char *s)
{
	size_t n;

	if (s[0] == '"') {
		n = strcspn(s + 1, "\"");
		FUZZ_CHECK(s[1 + n] == '"');
		FUZZ_CHECK(memchr(s + 1, '=', n) == NULL);
		check_text(s + 1, n, 0);
		return n + 2;
	}
	n = strcspn(s, " ");
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(memchr(s, '=', n) == NULL && memchr(s, '"', n) == NULL);
	check_text(s, n, 0);
	return n;
}

static void
check_escape(const char *v, size_t dstlen)
{
	char *dst;
	size_t n;

	if ((dst = malloc(dstlen)) == NULL)
		abort();
	log_escape(dst, dstlen, v);
	FUZZ_CHECK((n = strnlen(dst, dstlen)) < dstlen);
	check_text(dst, n, 0);
	/* in a big enough buffer: one whole value */
	if (dstlen > 16)
		FUZZ_CHECK(check_value(dst) == n);
	free(dst);
}

/* "summary; k1=v1 k2=v2 ..." with the keys in keys[], in order. */
static void
check_tail(const struct logline *l, const char *const *keys, size_t nkeys)
{
	const char *p;
	size_t i, klen;

	FUZZ_CHECK(l->len == strlen(l->buf) && l->len < LOG_LINE_MAX);
	/* a full line may be cut anywhere */
	check_text(l->buf, l->len, l->len >= LOG_LINE_MAX - 1);
	if (l->len >= LOG_LINE_MAX - 1)
		return;
	FUZZ_CHECK(strncmp(l->buf, "fuzz; ", 6) == 0);
	p = l->buf + 6;
	for (i = 0; i < nkeys; i++) {
		if (i > 0)
			FUZZ_CHECK(*p++ == ' ');
		klen = strlen(keys[i]);
		FUZZ_CHECK(strncmp(p, keys[i], klen) == 0 && p[klen] == '=');
		p += klen + 1;
		p += check_value(p);
	}
	FUZZ_CHECK(*p == '\0');
}

static void
check_diag(const char *v)
{
	char buf[LOG_LINE_MAX + 256];
	ssize_t n;
	char *nl;

	if (ftruncate(sink, 0) != 0)
		abort();
	log_debug("value \"%s\" seen", v);
	n = pread(sink, buf, sizeof(buf) - 1, 0);
	FUZZ_CHECK(n > 0);
	buf[n] = '\0';
	/* exactly one line */
	FUZZ_CHECK((nl = strchr(buf, '\n')) != NULL && nl[1] == '\0');
	check_text(buf, (size_t)(nl - buf), 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys5[] = { "login", "command", "n", "a",
	    "b" };
	static const char *const keys4[] = { "login", "n", "a", "b" };
	struct logline l;
	const char *f[4];
	char *copy, path[64];
	size_t dstlen;

	if (sink == -1) {
		log_init("fuzz", 0);
		log_set_level(LOG_LEVEL_DEBUG);
		/* log_set_file() refuses a symlink such as /proc/self/fd/N */
		snprintf(path, sizeof(path), "/tmp/fuzz-log.XXXXXX");
		if ((sink = mkstemp(path)) == -1 || log_set_file(path) != 0)
			abort();
		unlink(path);
	}
	if (size < 1)
		return 0;
	/* 1 to LOG_VALUE_MAX * 4 + 8 bytes, as logline_str's buffer */
	dstlen = 1 + (data[0] * 5) % (LOG_VALUE_MAX * 4 + 8);
	copy = fuzz_fields(data + 1, size - 1, f, 4);
	check_escape(f[0], dstlen);
	check_escape(f[1], LOG_VALUE_MAX * 4 + 8);

	/* four values of up to 1 KiB escaped reach the line's own cap */
	logline_init(&l, "fuzz");
	logline_kv(&l, "login=%s command?=%s n=%zu", f[0], f[1], size);
	logline_str(&l, "a", f[2]);
	logline_str(&l, "b", f[3]);
	check_tail(&l, f[1][0] != '\0' ? keys5 : keys4,
	    f[1][0] != '\0' ? 5 : 4);

	check_diag(f[2]);
	free(copy);
	return 0;
}
