/* Unit tests: escaping of values in log lines. */
#include "config.h"

#include <string.h>

#include "log.h"
#include "tap.h"

static void
esc(const char *in, const char *want, const char *what)
{
	char out[LOG_VALUE_MAX * 4 + 8];

	log_escape(out, sizeof(out), in);
	tap_is_str(out, want, what);
}

int
main(void)
{
	struct logline l;
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
	return tap_done();
}
