/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The config lexer shared by lib/conf.c and the NSS module; see conflex.h.
 * Nothing here may allocate, print, exit or look at the locale.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conflex.h"

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static char
to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static const char *
skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

int
conflex_line(const char *line, struct conflex_pair *out)
{
	const char *p;

	memset(out, 0, sizeof(*out));
	for (p = line; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return CONFLEX_E_CONTROL;
	p = skip_space(line);
	if (*p == '\0' || *p == '#')
		return CONFLEX_EMPTY;

	for (out->key = p; is_letter(*p); p++)
		;
	out->keylen = (size_t)(p - out->key);
	if (out->keylen == 0 || !(*p == '\0' || is_space(*p) || *p == '='))
		return CONFLEX_E_KEYWORD;

	/* separator: whitespace and at most one '=' */
	p = skip_space(p);
	if (*p == '=')
		p = skip_space(p + 1);

	if (*p == '"') {
		for (out->value = ++p; *p != '\0' && *p != '"'; p++)
			;
		if (*p != '"')
			return CONFLEX_E_QUOTE;
		out->valuelen = (size_t)(p - out->value);
		p++;
	} else {
		for (out->value = p; *p != '\0' && !is_space(*p); p++)
			;
		out->valuelen = (size_t)(p - out->value);
	}
	if (out->valuelen == 0)
		return CONFLEX_E_NOVALUE;
	p = skip_space(p);
	if (*p != '\0' && *p != '#')
		return CONFLEX_E_GARBAGE;
	return CONFLEX_PAIR;
}

const char *
conflex_strerror(int err)
{
	switch (err) {
	case CONFLEX_E_CONTROL:
		return "control character in line";
	case CONFLEX_E_KEYWORD:
		return "bad keyword";
	case CONFLEX_E_QUOTE:
		return "unterminated quote";
	case CONFLEX_E_NOVALUE:
		return "needs a value";
	case CONFLEX_E_GARBAGE:
		return "garbage after the value";
	default:
		return "malformed line";
	}
}

int
conflex_keyword_eq(const char *word, size_t len, const char *name)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (name[i] == '\0' || to_lower(word[i]) != to_lower(name[i]))
			return 0;
	return name[len] == '\0';
}

int
conflex_number(const char *s, const struct conflex_unit *units,
    uint64_t max, uint64_t *out)
{
	uint64_t v = 0, d;
	size_t i;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	for (i = 0; units[i].suffix != NULL; i++) {
		if (strcmp(s, units[i].suffix) != 0)
			continue;
		if (v > max / units[i].mult)
			return -1;
		*out = v * units[i].mult;
		return 0;
	}
	return -1;
}
