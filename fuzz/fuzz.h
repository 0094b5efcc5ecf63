/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * What every fuzz target shares. A target is one file defining
 * LLVMFuzzerTestOneInput; it is linked either with libFuzzer (configure
 * --enable-fuzzing, CC=clang) or with fuzz/replay.c, which runs it once
 * on each file of a corpus (t/t0105-fuzz-replay.sh). A target checks the
 * parser's contract with FUZZ_CHECK, not only that it does not crash.
 */
#ifndef SSHGATE_FUZZ_H
#define SSHGATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken contract: says which, and aborts so that the fuzzer stops. */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: contract broken: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* A NUL-terminated heap copy of the input, for the C-string parsers. */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Splits the input at its first n - 1 NUL bytes into n NUL-terminated
 * fields (missing ones are ""). Returns the heap copy the fields point
 * into, for free().
 */
static inline char *
fuzz_fields(const uint8_t *data, size_t size, const char **f, size_t n)
{
	char *s = fuzz_strndup(data, size), *p = s, *end = s + size;
	size_t i;

	for (i = 0; i < n; i++) {
		f[i] = p;
		if (i + 1 < n && p < end) {
			p += strlen(p);
			if (p < end)
				p++;
		}
	}
	return s;
}

#endif /* SSHGATE_FUZZ_H */
