/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * Unit tests: the identifier grammars of lib/ident.c, against the vectors
 * in t/data/ident-vectors (the format is described at its top), plus what
 * a vector cannot say: how a login splits, NULL, a cap other than the
 * grammar's.
 *
 * The vectors file is $srcdir/t/data/ident-vectors when srcdir is set in
 * the environment (make check), else argv[1].
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate_err.h"
#include "ident.h"
#include "tap.h"

#define VEC_LINE_MAX	1024
#define VEC_EXAMPLE_MAX	16384

static int
is_login(const char *s)
{
	return ident_login_parse(s, NULL) == 0;
}

/* Every grammar the file names, and the function that decides it. */
static const struct grammar {
	const char	*name;
	int		(*valid)(const char *);
} grammars[] = {
	{ "login",		is_login },
	{ "account",		ident_is_id },
	{ "node",		ident_is_id },
	{ "key_id",		ident_is_key_id },
	{ "fingerprint",	ident_is_fingerprint },
	{ "environment",	ident_is_env_name },
	{ "user",		ident_is_user },
	{ "status",		ident_is_status },
	{ "role",		ident_is_role },
	{ "address",		ident_is_address },
	{ "key_type",		ident_is_key_type },
	{ "key_blob",		ident_is_key_blob },
	{ "term",		ident_is_term },
	{ "locale",		ident_is_locale },
	{ "client_port",	ident_is_port },
	{ "command_path",	ident_is_command_path },
	{ "signal",		ident_is_signal },
};
#define NGRAMMARS	(sizeof(grammars) / sizeof(grammars[0]))

static int
hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One item of an example at *sp: a character or an escape. -1: malformed. */
static int
decode_item(const char **sp, char *c)
{
	const char *s = *sp;

	if (s[0] == '\\' && s[1] == '\\') {
		*c = '\\';
		*sp = s + 2;
	} else if (s[0] == '\\' && s[1] == 'x' && hex(s[2]) >= 0 &&
	    hex(s[3]) >= 0) {
		*c = (char)(hex(s[2]) << 4 | hex(s[3]));
		*sp = s + 4;
		if (*c == '\0')
			return -1;
	} else if (s[0] == '\\' || s[0] == '{' ||
	    (unsigned char)s[0] <= 0x20 || (unsigned char)s[0] >= 0x7f) {
		return -1;
	} else {
		*c = s[0];
		*sp = s + 1;
	}
	return 0;
}

/* Decodes an EXAMPLE field into dst (dstlen bytes). 0 or -1: malformed. */
static int
decode_example(const char *s, char *dst, size_t dstlen)
{
	size_t o = 0, n;
	char c;

	while (*s != '\0') {
		if (decode_item(&s, &c) != 0)
			return -1;
		n = 1;
		if (*s == '{') {
			for (n = 0, s++; *s >= '0' && *s <= '9'; s++)
				if ((n = n * 10 + (size_t)(*s - '0')) >= dstlen)
					return -1;
			if (*s++ != '}' || n == 0)
				return -1;
		}
		if (n >= dstlen - o)
			return -1;
		memset(dst + o, c, n);
		o += n;
	}
	dst[o] = '\0';
	return 0;
}

/* Splits line into at most max fields at spaces and tabs; -1: too many. */
static int
split(char *line, char **f, int max)
{
	int n = 0;

	for (;;) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0')
			return n;
		if (n == max)
			return -1;
		f[n++] = line;
		while (*line != '\0' && *line != ' ' && *line != '\t')
			line++;
		if (*line != '\0')
			*line++ = '\0';
	}
}

static const struct grammar *
find_grammar(const char *name)
{
	size_t i;

	for (i = 0; i < NGRAMMARS; i++)
		if (strcmp(grammars[i].name, name) == 0)
			return &grammars[i];
	return NULL;
}

/*
 * Runs one line of the vectors file; counts the vectors per grammar and
 * verdict in seen[grammar][valid]. Malformed lines are a failed test.
 */
static void
run_line(char *line, unsigned long lineno, unsigned seen[][2])
{
	static char example[VEC_EXAMPLE_MAX];
	const struct grammar *g;
	char *f[3];
	int n, want;

	if (line[0] == '#' || (n = split(line, f, 3)) == 0)
		return;
	if (n < 2 || (strcmp(f[1], "valid") != 0 &&
	    strcmp(f[1], "invalid") != 0) || (g = find_grammar(f[0])) == NULL ||
	    decode_example(n == 3 ? f[2] : "", example, sizeof(example)) != 0) {
		tap_ok(0, "ident-vectors line %lu: unknown grammar or "
		    "malformed vector", lineno);
		return;
	}
	want = strcmp(f[1], "valid") == 0;
	seen[g - grammars][want]++;
	tap_ok(g->valid(example) == want, "%s %s \"%s\"", f[0], f[1],
	    n == 3 ? f[2] : "");
}

static void
run_vectors(const char *path)
{
	unsigned seen[NGRAMMARS][2];
	char line[VEC_LINE_MAX];
	unsigned long lineno = 0;
	size_t i, len;
	FILE *fp;

	memset(seen, 0, sizeof(seen));
	if ((fp = fopen(path, "r")) == NULL) {
		tap_ok(0, "open \"%s\": %s", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(fp)) {
			tap_ok(0, "ident-vectors line %lu: too long", lineno);
			break;
		}
		run_line(line, lineno, seen);
	}
	tap_ok(!ferror(fp), "read \"%s\"", path);
	fclose(fp);
	for (i = 0; i < NGRAMMARS; i++)
		tap_ok(seen[i][0] > 0 && seen[i][1] > 0, "grammar %s has valid "
		    "and invalid vectors", grammars[i].name);
}

static void
login_ok(const char *s, const char *node, const char *account)
{
	struct ident_login l;
	int r = ident_login_parse(s, &l);

	tap_ok(r == 0 && strcmp(l.node, node) == 0 &&
	    strcmp(l.account, account) == 0, "login \"%s\" splits", s);
}

int
main(int argc, char **argv)
{
	char path[4096];
	const char *srcdir = getenv("srcdir");
	size_t i;

	if (srcdir != NULL)
		snprintf(path, sizeof(path), "%s/t/data/ident-vectors", srcdir);
	else if (argc == 2)
		snprintf(path, sizeof(path), "%s", argv[1]);
	else {
		fprintf(stderr, "usage: test-ident VECTORS (or srcdir set)\n");
		return 2;
	}
	run_vectors(path);

	login_ok("5678", "", "5678");
	login_ok("1234-5678", "1234", "5678");
	login_ok("0", "", "0");
	login_ok("1234567890-1234567890", "1234567890", "1234567890");
	for (i = 0; i < NGRAMMARS; i++)
		tap_ok(!grammars[i].valid(NULL), "%s: NULL is invalid",
		    grammars[i].name);
	tap_ok(ident_login_parse(NULL, NULL) == GATE_ERR_INVALID,
	    "login: NULL is GATE_ERR_INVALID");
	tap_ok(ident_is_base64("AAAA", 4), "base64 at its cap");
	tap_ok(!ident_is_base64("AAAAAAAA", 4), "base64 over the cap");
	tap_ok(!ident_is_base64(NULL, 4), "base64: NULL is invalid");
	return tap_done();
}
