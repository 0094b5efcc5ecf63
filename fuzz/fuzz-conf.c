/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * sshgate.conf (lib/conf.c over lib/conflex.c): the input is a config
 * file, parsed line by line as conf_load() does. Contracts: the lexer's
 * spans stay inside the line and hold no control character; an error
 * names "file:line: " and fits errbuf; an accepted file dumps (-T) to a
 * config that parses back to the same dump (but for what -T cannot
 * carry, see dump_as_config).
 */
#include "config.h"

#include "conf.h"
#include "conflex.h"
#include "fuzz.h"
#include "gate_err.h"

static void
check_lexer(const char *line)
{
	struct conflex_pair p;
	size_t len = strlen(line), i;
	int r;

	memset(&p, 0, sizeof(p));
	r = conflex_line(line, &p);
	FUZZ_CHECK(r >= CONFLEX_E_GARBAGE && r <= CONFLEX_PAIR);
	FUZZ_CHECK(conflex_strerror(r) != NULL);
	if (r != CONFLEX_PAIR)
		return;
	FUZZ_CHECK(p.key >= line && p.key + p.keylen <= line + len);
	FUZZ_CHECK(p.value >= line && p.value + p.valuelen <= line + len);
	FUZZ_CHECK(p.keylen > 0 && p.valuelen > 0);
	for (i = 0; i < p.keylen; i++)
		FUZZ_CHECK((p.key[i] >= 'a' && p.key[i] <= 'z') ||
		    (p.key[i] >= 'A' && p.key[i] <= 'Z'));
	/* a tab is whitespace, and inside quotes part of the value */
	for (i = 0; i < p.valuelen; i++)
		FUZZ_CHECK(((unsigned char)p.value[i] >= 0x20 ||
		    p.value[i] == '\t') && p.value[i] != 0x7f);
}

/* Parses text (NUL-terminated, modified) into *cfg; 0 or an error. */
static int
parse_text(struct gate_config *cfg, char *text, char *err, size_t errlen)
{
	char *line, *nl, prefix[32];
	size_t len;
	int lineno = 0, r;

	for (line = text; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (++lineno > 200)
			break;
		len = strlen(line);
		while (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		check_lexer(line);
		err[0] = '\0';
		if ((r = conf_parse_line(cfg, line, "fuzz.conf", lineno,
		    err, errlen)) != 0) {
			FUZZ_CHECK(r == GATE_ERR_CONFIG);
			snprintf(prefix, sizeof(prefix), "fuzz.conf:%d: ",
			    lineno);
			FUZZ_CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
			FUZZ_CHECK(strlen(err) < errlen);
			return r;
		}
	}
	return 0;
}

/* conf_dump into a heap string. */
static char *
dump(const struct gate_config *cfg)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&out, &len)) == NULL)
		abort();
	conf_dump(cfg, f);
	fclose(f);
	return out;
}

/*
 * The dump as a config: "keyword value", the value quoted where -T's
 * plain form would not read back (a space, a leading '='). A value that
 * neither form can carry ("none", which -T also prints for an unset
 * value, and a '"' that would need quoting) is left out, and its line
 * marked in *skipped.
 */
static char *
dump_as_config(const char *d, unsigned long long *skipped)
{
	char *out = NULL;
	const char *line, *nl, *sp;
	size_t len = 0, vlen, i;
	int quote;
	FILE *f;

	*skipped = 0;
	if ((f = open_memstream(&out, &len)) == NULL)
		abort();
	for (i = 0, line = d; *line != '\0'; line = nl + 1, i++) {
		nl = strchr(line, '\n');
		FUZZ_CHECK(nl != NULL && i < 64);
		sp = memchr(line, ' ', (size_t)(nl - line));
		FUZZ_CHECK(sp != NULL);
		vlen = (size_t)(nl - sp - 1);
		quote = memchr(sp + 1, ' ', vlen) != NULL || sp[1] == '=';
		if (strncmp(sp + 1, "none\n", 5) == 0 ||
		    (quote && memchr(sp + 1, '"', vlen) != NULL)) {
			*skipped |= 1ULL << i;
			continue;
		}
		if (quote)
			fprintf(f, "%.*s \"%.*s\"\n", (int)(sp - line), line,
			    (int)vlen, sp + 1);
		else
			fprintf(f, "%.*s\n", (int)(nl - line), line);
	}
	fclose(f);
	return out;
}

/* The two dumps agree line by line, but for the lines left out. */
static void
check_same_dump(const char *d1, const char *d2, unsigned long long skipped)
{
	const char *e1, *e2;
	size_t i;

	for (i = 0; *d1 != '\0' && *d2 != '\0'; d1 = e1 + 1, d2 = e2 + 1,
	    i++) {
		FUZZ_CHECK((e1 = strchr(d1, '\n')) != NULL);
		FUZZ_CHECK((e2 = strchr(d2, '\n')) != NULL);
		FUZZ_CHECK((skipped & (1ULL << i)) != 0 || (e1 - d1 == e2 - d2 &&
		    memcmp(d1, d2, (size_t)(e1 - d1)) == 0));
	}
	FUZZ_CHECK(*d1 == '\0' && *d2 == '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gate_config cfg, again;
	unsigned long long skipped;
	char err[CONF_ERRLEN], *text, *d1 = NULL, *d2 = NULL, *c = NULL;

	if (size > 64 * 1024)
		return 0;
	text = fuzz_strndup(data, size);
	(void)conf_parse_time(text);
	(void)conf_parse_size(text);
	memset(&again, 0, sizeof(again));
	FUZZ_CHECK(conf_defaults(&cfg) == 0);
	if (parse_text(&cfg, text, err, sizeof(err)) != 0)
		goto out;
	FUZZ_CHECK(conf_defaults(&again) == 0);
	(void)conf_validate(&cfg, err, sizeof(err));
	d1 = dump(&cfg);
	c = dump_as_config(d1, &skipped);
	FUZZ_CHECK(parse_text(&again, c, err, sizeof(err)) == 0);
	d2 = dump(&again);
	check_same_dump(d1, d2, skipped);
 out:
	free(d1);
	free(d2);
	free(c);
	conf_free(&cfg);
	conf_free(&again);
	free(text);
	return 0;
}
