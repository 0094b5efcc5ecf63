/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * lib/termsafe.c: byte 0 is the column cap, byte 1 the size of the
 * output buffer, the rest (up to a NUL) the string from the API. The
 * output must be valid UTF-8 without a character a terminal acts on, fit
 * its buffer and its cap, take the columns termsafe() says, and come out
 * of a second pass unchanged.
 */
#include "config.h"

#include <wchar.h>

#include "fuzz.h"
#include "termsafe.h"

/* A second, independent decoder: the length of one sequence, or 0. */
static size_t
ref_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	n = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
	    (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 0)
		return 0;
	*cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && *cp < 0x80) || (n == 3 && *cp < 0x800) ||
	    (n == 4 && *cp < 0x10000) || *cp > 0x10ffff ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

static int
ref_dangerous(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c ||
	    (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	    (c >= 0x2060 && c <= 0x206f) || c == 0xfeff ||
	    (c >= 0xfff9 && c <= 0xfffb) || (c >= 0xe0000 && c <= 0xe007f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const unsigned char *p;
	char *src, *dst, *again;
	size_t max_cols, dstlen, cols, sum = 0, n;
	uint32_t cp;
	int w;

	if (!ready) {
		FUZZ_CHECK(termsafe_init() == 0);
		ready = 1;
	}
	if (size < 2)
		return 0;
	max_cols = data[0];
	dstlen = data[1];
	src = fuzz_strndup(data + 2, size - 2);
	/* exact size, so that ASan sees a write past it */
	if ((dst = malloc(dstlen > 0 ? dstlen : 1)) == NULL)
		abort();
	cols = termsafe(dst, dstlen, src, max_cols);
	if (dstlen == 0) {
		FUZZ_CHECK(cols == 0);
		goto out;
	}
	FUZZ_CHECK(memchr(dst, '\0', dstlen) != NULL);
	FUZZ_CHECK(cols <= max_cols);
	for (p = (const unsigned char *)dst; *p != '\0'; p += n) {
		FUZZ_CHECK((n = ref_decode(p, &cp)) != 0);
		FUZZ_CHECK(!ref_dangerous(cp));
		FUZZ_CHECK((w = wcwidth((wchar_t)cp)) >= 0);
		sum += (size_t)w;
	}
	FUZZ_CHECK(sum == cols);
	/*
	 * What is safe stays as it is (given the 4 bytes termsafe() keeps
	 * free for a cut: with the same dstlen, a second pass cuts the
	 * "..." it was given, which is fine).
	 */
	if ((again = malloc(dstlen + 4)) == NULL)
		abort();
	FUZZ_CHECK(termsafe(again, dstlen + 4, dst, max_cols) == cols);
	FUZZ_CHECK(strcmp(again, dst) == 0);
	free(again);
 out:
	free(dst);
	free(src);
	return 0;
}
