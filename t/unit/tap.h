/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The one small TAP helper for the C unit tests. Header-only: each test
 * program is one file that includes this.
 */
#ifndef SSHGATE_TAP_H
#define SSHGATE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static void tap_ok(int cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static __attribute__((unused)) void
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
}

static __attribute__((unused)) void
tap_is_str(const char *got, const char *want, const char *what)
{
	int same = got != NULL && want != NULL && strcmp(got, want) == 0;

	tap_ok(same, "%s", what);
	if (!same)
		printf("#   got: \"%s\"\n#  want: \"%s\"\n",
		    got != NULL ? got : "(null)", want != NULL ? want : "(null)");
}

static __attribute__((unused)) void
tap_is_int(long long got, long long want, const char *what)
{
	tap_ok(got == want, "%s", what);
	if (got != want)
		printf("#   got: %lld\n#  want: %lld\n", got, want);
}

static __attribute__((unused)) int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* SSHGATE_TAP_H */
