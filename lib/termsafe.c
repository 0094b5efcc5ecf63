/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include "termsafe.h"

int
termsafe_init(void)
{
	/* C.UTF-8 is built into glibc: no locale package needed */
	return setlocale(LC_CTYPE, "C.UTF-8") != NULL ? 0 : -1;
}

/*
 * Decodes one UTF-8 sequence at s. Returns its length and the code point
 * in *cp, or 0 for a malformed, overlong or surrogate sequence.
 */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Characters a terminal or a renderer acts on instead of showing. */
static int
is_dangerous(uint32_t c)
{
	return c < 0x20 || c == 0x7f ||
	    (c >= 0x80 && c <= 0x9f) ||		/* C1, including CSI */
	    c == 0x061c ||			/* arabic letter mark */
	    (c >= 0x200b && c <= 0x200f) ||	/* zero width, LRM, RLM */
	    (c >= 0x2028 && c <= 0x202e) ||	/* separators, embeddings */
	    (c >= 0x2060 && c <= 0x206f) ||	/* isolates and invisibles */
	    c == 0xfeff ||			/* zero width no-break */
	    (c >= 0xfff9 && c <= 0xfffb) ||	/* interlinear annotations */
	    (c >= 0xe0000 && c <= 0xe007f);	/* tags */
}

size_t
termsafe(char *dst, size_t dstlen, const char *src, size_t max_cols)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, cols = 0, n, w_end = 0, cols_end = 0;
	uint32_t cp;
	int w;

	if (dstlen == 0)
		return 0;
	dst[0] = '\0';
	if (src == NULL)
		return 0;
	while (*s != '\0') {
		n = utf8_decode(s, &cp);
		if (n == 0 || is_dangerous(cp) ||
		    (w = wcwidth((wchar_t)cp)) < 0) {
			/* one '?' for the whole bad sequence or character */
			cp = '?';
			w = 1;
			if (n == 0)
				n = 1;
		}
		/* too wide or too long: cut where "..." still fits */
		if (cols + (size_t)w > max_cols || o + n + 4 > dstlen) {
			o = w_end;
			if (cols_end + 3 <= max_cols && o + 4 <= dstlen) {
				memcpy(dst + o, "...", 3);
				o += 3;
				cols = cols_end + 3;
			} else
				cols = cols_end;
			dst[o] = '\0';
			return cols;
		}
		if (cp == '?' && *s != '?')
			dst[o++] = '?';
		else {
			memcpy(dst + o, s, n);
			o += n;
		}
		cols += (size_t)w;
		s += n;
		/* where a cut would leave room for "..." */
		if (cols + 3 <= max_cols) {
			w_end = o;
			cols_end = cols;
		}
	}
	dst[o] = '\0';
	return cols;
}
