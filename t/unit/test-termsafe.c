/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/* Unit tests: the terminal sanitizer. */
#include "config.h"

#include <string.h>

#include "tap.h"
#include "termsafe.h"

static void
safe(const char *in, size_t cols, const char *want, const char *what)
{
	char out[256];

	termsafe(out, sizeof(out), in, cols);
	tap_is_str(out, want, what);
}

int
main(void)
{
	char big[2000], out[64];
	size_t c;

	tap_ok(termsafe_init() == 0, "a UTF-8 locale is available");
	safe("shop-app-1", 40, "shop-app-1", "plain ASCII unchanged");
	safe("caf\xc3\xa9", 40, "caf\xc3\xa9", "printable UTF-8 kept");
	safe("\x1b[2J\x1b]0;owned\x07", 40, "?[2J?]0;owned?", "ESC and BEL replaced");
	safe("a\rb\nc\td", 40, "a?b?c?d", "CR LF TAB replaced");
	safe("x\x7fy", 40, "x?y", "DEL replaced");
	safe("x\xc2\x9b" "31my", 40, "x?31my", "C1 CSI replaced");
	safe("\xe2\x80\xae" "evil", 40, "?evil", "RLO bidi override replaced");
	safe("\xe2\x81\xa6x\xe2\x81\xa9", 40, "?x?", "bidi isolates replaced");
	safe("a\xe2\x80\x8b" "b", 40, "a?b", "zero width space replaced");
	safe("\xef\xbb\xbfx", 40, "?x", "BOM replaced");
	safe("\xff\xfe", 40, "??", "invalid bytes replaced");
	safe("\xc0\xaf", 40, "??", "overlong encoding replaced");
	safe("\xed\xa0\x80", 40, "???", "surrogate replaced");
	safe("abcdefghij", 8, "abcde...", "cut to the column cap with ...");
	safe("abcdefgh", 8, "abcdefgh", "exactly at the cap is not cut");
	safe("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac", 7,
	    "\xe6\x97\xa5\xe6\x9c\xac...", "wide characters count two columns");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	c = termsafe(out, sizeof(out), big, 500);
	tap_ok(strlen(out) < sizeof(out) && c <= 500 &&
	    strcmp(out + strlen(out) - 3, "...") == 0,
	    "the buffer caps a long name too");
	safe(NULL, 10, "", "NULL is empty");
	return tap_done();
}
