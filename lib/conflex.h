/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The lexical rules of our config files, shared by sshgate.conf
 * (lib/conf.c) and the NSS module's nss.conf (nss/nss_sshgate.c) so that
 * the two cannot drift: one "Keyword value" a line, the keyword of ASCII
 * letters, separated from its value by whitespace and/or one '=', one
 * value optionally in double quotes, then at most a '#' comment. Blank
 * lines and comment lines carry nothing.
 *
 * What a keyword means, its default and what happens when it is given
 * twice are the caller's: sshgate.conf keeps the first value as
 * sshd_config does (-T shows which one counts), nss.conf refuses a second
 * one, because the NSS module has no way to warn about it.
 *
 * Pure functions: no allocation, no I/O, no printing, no locale, no global
 * state; safe inside the NSS module (STYLE.md rule 2).
 */
#ifndef SSHGATE_CONFLEX_H
#define SSHGATE_CONFLEX_H

#include <stddef.h>
#include <stdint.h>

/* What conflex_line() found; errors are negative. */
#define CONFLEX_PAIR		1	/* a keyword and a value */
#define CONFLEX_EMPTY		0	/* blank or comment line */
#define CONFLEX_E_CONTROL	-1	/* control character in the line */
#define CONFLEX_E_KEYWORD	-2	/* no keyword, or not letters only */
#define CONFLEX_E_QUOTE		-3	/* unterminated quote */
#define CONFLEX_E_NOVALUE	-4	/* empty or missing value */
#define CONFLEX_E_GARBAGE	-5	/* more than one value */

/* Spans into the line passed to conflex_line(); not NUL-terminated. */
struct conflex_pair {
	const char	*key;
	size_t		 keylen;
	const char	*value;
	size_t		 valuelen;
};

/*
 * Splits one NUL-terminated line (without its newline). Returns
 * CONFLEX_PAIR and fills *out, CONFLEX_EMPTY, or a CONFLEX_E_* code; with
 * CONFLEX_E_NOVALUE and CONFLEX_E_GARBAGE the key span is already set,
 * for the message.
 */
int	conflex_line(const char *line, struct conflex_pair *out);

/* A static, lower-case description of a CONFLEX_E_* code; never NULL. */
const char	*conflex_strerror(int err);

/*
 * 1 if the len bytes at word equal name, ignoring ASCII case (not the
 * locale's: think of the Turkish dotless i), else 0.
 */
int	conflex_keyword_eq(const char *word, size_t len, const char *name);

/* A unit suffix and what it multiplies by; the list ends with NULL. */
struct conflex_unit {
	const char	*suffix;	/* "" for a bare number */
	uint64_t	 mult;
};

/*
 * Parses decimal digits followed by exactly one of the suffixes in units
 * (compared case-sensitively: list both cases to accept both) into *out.
 * Returns 0, or -1 if s is not of that form or the result is above max.
 */
int	conflex_number(const char *s, const struct conflex_unit *units,
	    uint64_t max, uint64_t *out);

#endif /* SSHGATE_CONFLEX_H */
