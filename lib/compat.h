/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/* Functions glibc 2.36 (Debian 12) lacks. */
#ifndef SSHGATE_COMPAT_H
#define SSHGATE_COMPAT_H

#include <stddef.h>
#include <string.h>

#ifndef HAVE_STRLCPY
/* OpenBSD semantics: returns strlen(src); truncated if >= size. */
size_t	strlcpy(char *dst, const char *src, size_t size);
#endif

#ifndef HAVE_EXPLICIT_BZERO
void	explicit_bzero(void *p, size_t n);
#endif

#endif /* SSHGATE_COMPAT_H */
