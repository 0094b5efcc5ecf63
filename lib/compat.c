/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <string.h>

#include "compat.h"

#ifndef HAVE_STRLCPY
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}
#endif

#ifndef HAVE_EXPLICIT_BZERO
void
explicit_bzero(void *p, size_t n)
{
	memset(p, 0, n);
	/* keep the compiler from eliding the memset */
	__asm__ __volatile__("" : : "r"(p) : "memory");
}
#endif
