/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The terminal sanitizer: every string from the platform API goes
 * through it before it reaches a terminal. It keeps printable UTF-8 and
 * replaces everything a terminal would act on (ESC and the other C0
 * controls, DEL, C1 controls, bidi overrides and isolates, zero-width
 * and other non-printing characters, malformed UTF-8) with '?', and caps
 * the display width.
 */
#ifndef SSHGATE_TERMSAFE_H
#define SSHGATE_TERMSAFE_H

#include <stddef.h>

/*
 * Writes the sanitized form of src into dst (dstlen bytes, always
 * NUL-terminated) taking at most max_cols terminal columns; a cut string
 * ends in "..." within the cap. Returns the columns used. Call
 * termsafe_init() once first.
 */
size_t	termsafe(char *dst, size_t dstlen, const char *src, size_t max_cols);

/* Selects a UTF-8 LC_CTYPE for wcwidth(). 0 or -1. */
int	termsafe_init(void);

#endif /* SSHGATE_TERMSAFE_H */
