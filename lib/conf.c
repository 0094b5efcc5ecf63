/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * sshgate.conf parser: a keyword table and one switch, in the manner of
 * sshd's servconf.c. See sshgate.conf(5).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "conf.h"
#include "conflex.h"
#include "gate_err.h"

#define CONF_LINE_MAX	1024
#define CONF_LINES_MAX	10000
#define CONF_VALUE_MAX	1023
#define CONF_KEYWORD_MAX	63

enum conf_type {
	T_STRING,	/* printable, no whitespace */
	T_LINE,		/* printable, spaces allowed */
	T_PATH,		/* absolute path */
	T_URL,		/* http:// or https:// URL */
	T_BOOL,		/* yes | no */
	T_TIME,		/* a time_units number, in [min, max] ms */
	T_SIZE,		/* a size_units number, in [min, max] bytes */
	T_COUNT,	/* a plain number, in [min, max] */
	T_LOGLEVEL,	/* QUIET ERROR INFO VERBOSE DEBUG */
};

#define F(field)	offsetof(struct gate_config, field)
#define LIBEXEC(prog)	SSHGATE_LIBEXECDIR "/" prog
#define SYSCONF(file)	SSHGATE_PKGSYSCONFDIR "/" file

/*
 * Keyword, type, field, range and default in one list, so that adding a
 * keyword is one entry here (and one in sshgate.conf(5)); the defaults go
 * through set_value() like a value from the file, so they obey the same
 * rules. A NULL default leaves the field NULL ("none").
 */
static const struct keyword {
	const char	*name;
	enum conf_type	 type;
	size_t		 off;
	long		 min, max;
	const char	*dflt;
} keywords[] = {
	/* keyword, type, field; range (ms or bytes), default */
	{ "ApiUrl",		T_URL,		F(api_url),
	    0, 0,			NULL },
	{ "ApiTokenFile",	T_PATH,		F(api_token_file),
	    0, 0,			SYSCONF("api-token") },
	{ "ApiCaFile",		T_PATH,		F(api_ca_file),
	    0, 0,			NULL },
	{ "ApiUnixSocket",	T_PATH,		F(api_unix_socket),
	    0, 0,			NULL },
	{ "ApiAllowHttp",	T_BOOL,		F(api_allow_http),
	    0, 1,			"no" },
	{ "ApiConnectTimeout",	T_TIME,		F(api_connect_timeout),
	    10, 60000,			"1s" },
	{ "ApiTimeout",		T_TIME,		F(api_timeout),
	    10, 60000,			"2s" },
	{ "ApiMaxResponse",	T_SIZE,		F(api_max_response),
	    1024, 64L * 1024 * 1024,	"256K" },
	{ "LogLevel",		T_LOGLEVEL,	F(log_level),
	    0, 0,			"INFO" },
	{ "LogFile",		T_PATH,		F(log_file),
	    0, 0,			NULL },
	{ "AuthTimeout",	T_TIME,		F(auth_timeout),
	    100, 60000,			"3s" },
	{ "CacheDir",		T_PATH,		F(cache_dir),
	    0, 0,			"/run/sshgate/authkeys" },
	{ "CacheTime",		T_TIME,		F(cache_time),
	    0, 60000,			"5s" },
	{ "StaleIfError",	T_TIME,		F(stale_if_error),
	    0, 86400000L,		"0" },
	{ "GateShell",		T_PATH,		F(gate_shell),
	    0, 0,			LIBEXEC("gate-shell") },
	{ "InternalKey",	T_PATH,		F(internal_key),
	    0, 0,			SYSCONF("internal_key") },
	{ "ConnectTimeout",	T_TIME,		F(connect_timeout),
	    100, 120000,		"5s" },
	{ "RevokeInterval",	T_TIME,		F(revoke_interval),
	    0, 86400000L,		"30s" },
	{ "RevokeGrace",	T_TIME,		F(revoke_grace),
	    0, 86400000L,		"5m" },
	{ "KeepaliveInterval",	T_TIME,		F(keepalive_interval),
	    0, 3600000L,		"30s" },
	{ "IdleTimeout",	T_TIME,		F(idle_timeout),
	    0, 604800000L,		"0" },
	{ "MaxSessionTime",	T_TIME,		F(max_session_time),
	    0, 604800000L,		"0" },
	{ "MenuRefreshInterval",	T_TIME,	F(menu_refresh_interval),
	    0, 60000,			"3s" },
	{ "KeepaliveCountMax",	T_COUNT,	F(keepalive_count_max),
	    1, 100,			"4" },
	/* Debian's "Subsystem sftp" line: what sshd passes a forced command */
	{ "SftpSubsystem",	T_LINE,		F(sftp_subsystem),
	    0, 0,			"/usr/lib/openssh/sftp-server" },
	{ "SftpRelay",		T_PATH,		F(sftp_relay),
	    0, 0,			LIBEXEC("sftp-relay") },
};
#define NKEYWORDS	(sizeof(keywords) / sizeof(keywords[0]))

_Static_assert(NKEYWORDS <= 64, "struct gate_config's seen has 64 bits");

/* Times are in ms; a bare number is seconds, as in sshd_config. */
static const struct conflex_unit time_units[] = {
	{ "ms", 1 }, { "", 1000 }, { "s", 1000 }, { "m", 60 * 1000 },
	{ "h", 60 * 60 * 1000 }, { NULL, 0 },
};

static const struct conflex_unit size_units[] = {
	{ "", 1 }, { "K", 1024 }, { "k", 1024 }, { "M", 1024 * 1024 },
	{ "m", 1024 * 1024 }, { NULL, 0 },
};

static const struct conflex_unit count_units[] = {
	{ "", 1 }, { NULL, 0 },
};

static const char *const loglevels[] = {
	"QUIET", "ERROR", "INFO", "VERBOSE", "DEBUG",
};

static char **
str_field(struct gate_config *cfg, const struct keyword *k)
{
	return (char **)(void *)((char *)cfg + k->off);
}

static long *
long_field(struct gate_config *cfg, const struct keyword *k)
{
	return (long *)(void *)((char *)cfg + k->off);
}

static int *
int_field(struct gate_config *cfg, const struct keyword *k)
{
	return (int *)(void *)((char *)cfg + k->off);
}

static int
is_string(enum conf_type type)
{
	return type == T_STRING || type == T_LINE || type == T_PATH ||
	    type == T_URL;
}

static int	set_value(struct gate_config *, const struct keyword *,
		    const char *, const char *, char *, size_t);

int
conf_defaults(struct gate_config *cfg)
{
	char err[CONF_ERRLEN];
	size_t i;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < NKEYWORDS; i++) {
		if (keywords[i].dflt == NULL)
			continue;
		if ((r = set_value(cfg, &keywords[i], keywords[i].dflt,
		    "(defaults)", err, sizeof(err))) != 0) {
			conf_free(cfg);
			/* a default the table's own rules refuse is a bug */
			return r == GATE_ERR_CONFIG ? GATE_ERR_INTERNAL : r;
		}
	}
	return 0;
}

void
conf_free(struct gate_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < NKEYWORDS; i++) {
		if (!is_string(keywords[i].type))
			continue;
		free(*str_field(cfg, &keywords[i]));
		*str_field(cfg, &keywords[i]) = NULL;
	}
	free(cfg->path);
	cfg->path = NULL;
}

static long
parse_number(const char *s, const struct conflex_unit *units)
{
	uint64_t v;

	if (conflex_number(s, units, LONG_MAX, &v) != 0)
		return -1;
	return (long)v;
}

long
conf_parse_time(const char *s)
{
	return s == NULL ? -1 : parse_number(s, time_units);
}

long
conf_parse_size(const char *s)
{
	return s == NULL ? -1 : parse_number(s, size_units);
}

/* Visible ASCII only: no controls, no 8-bit bytes; space if allowed. */
static int
is_printable(const char *s, int space_ok)
{
	for (; *s != '\0'; s++) {
		if (*s == ' ' && space_ok)
			continue;
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	}
	return 1;
}

static int
is_visible(const char *s)
{
	return is_printable(s, 0);
}

static int
check_url(const char *v)
{
	const char *host;

	if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else
		return 0;
	/* no credentials, query or fragment in the base URL */
	if (*host == '\0' || *host == '/' || strpbrk(v, "@?#") != NULL)
		return 0;
	return is_visible(v);
}

/* The grammar of a string value; 0 and a message if v fails it. */
static int
check_string(const struct keyword *k, const char *v, const char *where,
    char *errbuf, size_t errlen)
{
	switch (k->type) {
	case T_STRING:
	case T_LINE:
		if (is_printable(v, k->type == T_LINE))
			return 1;
		snprintf(errbuf, errlen, "%s: bad value for %s",
		    where, k->name);
		return 0;
	case T_PATH:
		if (v[0] == '/' && is_printable(v, 1))
			return 1;
		snprintf(errbuf, errlen, "%s: %s needs an absolute path, "
		    "not \"%s\"", where, k->name, v);
		return 0;
	case T_URL:
		if (check_url(v))
			return 1;
		snprintf(errbuf, errlen, "%s: %s needs an http:// or "
		    "https:// URL without credentials, query or fragment, "
		    "not \"%s\"", where, k->name, v);
		return 0;
	default:
		return 0;
	}
}

static int
set_string(struct gate_config *cfg, const struct keyword *k, const char *v,
    const char *where, char *errbuf, size_t errlen)
{
	char **sp = str_field(cfg, k);
	size_t len;

	if (!check_string(k, v, where, errbuf, errlen))
		return GATE_ERR_CONFIG;
	free(*sp);
	if ((*sp = strdup(v)) == NULL)
		return GATE_ERR_ALLOC;
	/* base URLs are joined with "/v1/..." */
	if (k->type == T_URL) {
		len = strlen(*sp);
		while (len > 0 && (*sp)[len - 1] == '/')
			(*sp)[--len] = '\0';
	}
	return 0;
}

static int
set_number(struct gate_config *cfg, const struct keyword *k, const char *v,
    const char *where, char *errbuf, size_t errlen)
{
	long n;

	n = parse_number(v, k->type == T_TIME ? time_units :
	    k->type == T_SIZE ? size_units : count_units);
	if (n >= 0 && n >= k->min && n <= k->max) {
		*long_field(cfg, k) = n;
		return 0;
	}
	if (k->type == T_TIME)
		snprintf(errbuf, errlen, "%s: %s needs a time between %ldms "
		    "and %ldms (e.g. 500ms, 3s), not \"%s\"", where, k->name,
		    k->min, k->max, v);
	else if (k->type == T_SIZE)
		snprintf(errbuf, errlen, "%s: %s needs a size between %ld "
		    "and %ld bytes (e.g. 64K), not \"%s\"", where, k->name,
		    k->min, k->max, v);
	else
		snprintf(errbuf, errlen, "%s: %s needs a number between %ld "
		    "and %ld, not \"%s\"", where, k->name, k->min, k->max, v);
	return GATE_ERR_CONFIG;
}

static int
set_value(struct gate_config *cfg, const struct keyword *k, const char *v,
    const char *where, char *errbuf, size_t errlen)
{
	size_t i;

	switch (k->type) {
	case T_STRING:
	case T_LINE:
	case T_PATH:
	case T_URL:
		return set_string(cfg, k, v, where, errbuf, errlen);
	case T_BOOL:
		if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "no") == 0) {
			*int_field(cfg, k) = strcasecmp(v, "yes") == 0;
			return 0;
		}
		snprintf(errbuf, errlen, "%s: %s needs yes or no, not \"%s\"",
		    where, k->name, v);
		return GATE_ERR_CONFIG;
	case T_TIME:
	case T_SIZE:
	case T_COUNT:
		return set_number(cfg, k, v, where, errbuf, errlen);
	case T_LOGLEVEL:
		for (i = 0; i < sizeof(loglevels) / sizeof(loglevels[0]); i++) {
			if (strcasecmp(v, loglevels[i]) == 0) {
				*int_field(cfg, k) = (int)i;
				return 0;
			}
		}
		snprintf(errbuf, errlen, "%s: LogLevel needs one of QUIET, "
		    "ERROR, INFO, VERBOSE, DEBUG, not \"%s\"", where, v);
		return GATE_ERR_CONFIG;
	}
	return GATE_ERR_INTERNAL;
}

int
conf_parse_line(struct gate_config *cfg, const char *line, const char *file,
    int lineno, char *errbuf, size_t errlen)
{
	char where[PATH_MAX + 32], value[CONF_VALUE_MAX + 1];
	struct conflex_pair pair;
	size_t i;
	int r;

	snprintf(where, sizeof(where), "%s:%d", file, lineno);
	if ((r = conflex_line(line, &pair)) == CONFLEX_EMPTY)
		return 0;
	if (pair.keylen > CONF_KEYWORD_MAX)
		r = CONFLEX_E_KEYWORD;
	if (r == CONFLEX_E_NOVALUE || r == CONFLEX_E_GARBAGE) {
		snprintf(errbuf, errlen, r == CONFLEX_E_NOVALUE ?
		    "%s: %.*s needs a value" : "%s: garbage after the value "
		    "of %.*s", where, (int)pair.keylen, pair.key);
		return GATE_ERR_CONFIG;
	}
	if (r != CONFLEX_PAIR) {
		snprintf(errbuf, errlen, "%s: %s", where, conflex_strerror(r));
		return GATE_ERR_CONFIG;
	}
	if (pair.valuelen > CONF_VALUE_MAX) {
		snprintf(errbuf, errlen, "%s: value too long", where);
		return GATE_ERR_CONFIG;
	}
	memcpy(value, pair.value, pair.valuelen);
	value[pair.valuelen] = '\0';

	for (i = 0; i < NKEYWORDS; i++) {
		if (!conflex_keyword_eq(pair.key, pair.keylen,
		    keywords[i].name))
			continue;
		/* first value wins, as in sshd_config */
		if (cfg->seen & (1ULL << i))
			return 0;
		cfg->seen |= 1ULL << i;
		return set_value(cfg, &keywords[i], value, where,
		    errbuf, errlen);
	}
	snprintf(errbuf, errlen, "%s: unknown keyword \"%.*s\"", where,
	    (int)pair.keylen, pair.key);
	return GATE_ERR_CONFIG;
}

int
conf_load(struct gate_config *cfg, const char *path, char *errbuf,
    size_t errlen)
{
	FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, r = GATE_ERR_CONFIG;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		r = GATE_ERR_SYSTEM;
		goto out;
	}
	free(cfg->path);
	if ((cfg->path = strdup(path)) == NULL) {
		r = GATE_ERR_ALLOC;
		goto out;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		if (++lineno > CONF_LINES_MAX) {
			snprintf(errbuf, errlen, "%s:%d: too many lines",
			    path, lineno);
			goto out;
		}
		if ((size_t)len > CONF_LINE_MAX) {
			snprintf(errbuf, errlen, "%s:%d: line too long",
			    path, lineno);
			goto out;
		}
		if (strlen(line) != (size_t)len) {
			snprintf(errbuf, errlen, "%s:%d: NUL byte in line",
			    path, lineno);
			goto out;
		}
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if ((r = conf_parse_line(cfg, line, path, lineno,
		    errbuf, errlen)) != 0)
			goto out;
	}
	if (ferror(f)) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		r = GATE_ERR_SYSTEM;
		goto out;
	}
	r = 0;
 out:
	free(line);
	if (f != NULL)
		fclose(f);
	return r;
}

int
conf_validate(const struct gate_config *cfg, char *errbuf, size_t errlen)
{
	const char *file = cfg->path != NULL ? cfg->path : "(defaults)";

	if (cfg->api_url == NULL) {
		snprintf(errbuf, errlen, "%s: ApiUrl is not set", file);
		return GATE_ERR_CONFIG;
	}
	if (strncmp(cfg->api_url, "http://", 7) == 0 && !cfg->api_allow_http) {
		snprintf(errbuf, errlen, "%s: ApiUrl is plain http but "
		    "ApiAllowHttp is no", file);
		return GATE_ERR_CONFIG;
	}
	if (cfg->api_connect_timeout > cfg->api_timeout) {
		snprintf(errbuf, errlen, "%s: ApiConnectTimeout is longer "
		    "than ApiTimeout", file);
		return GATE_ERR_CONFIG;
	}
	return 0;
}

static void
dump_time(FILE *f, const char *name, long ms)
{
	if (ms % 1000 == 0)
		fprintf(f, "%s %lds\n", name, ms / 1000);
	else
		fprintf(f, "%s %ldms\n", name, ms);
}

void
conf_dump(const struct gate_config *cfg, FILE *f)
{
	struct gate_config *c = (struct gate_config *)cfg;
	char lower[64];
	const char *s;
	size_t i, j;

	for (i = 0; i < NKEYWORDS; i++) {
		for (j = 0; keywords[i].name[j] != '\0' &&
		    j < sizeof(lower) - 1; j++)
			lower[j] = (char)(keywords[i].name[j] |
			    (keywords[i].name[j] >= 'A' &&
			    keywords[i].name[j] <= 'Z' ? 0x20 : 0));
		lower[j] = '\0';
		switch (keywords[i].type) {
		case T_STRING:
		case T_LINE:
		case T_PATH:
		case T_URL:
			s = *str_field(c, &keywords[i]);
			fprintf(f, "%s %s\n", lower, s != NULL ? s : "none");
			break;
		case T_BOOL:
			fprintf(f, "%s %s\n", lower,
			    *int_field(c, &keywords[i]) ? "yes" : "no");
			break;
		case T_TIME:
			dump_time(f, lower, *long_field(c, &keywords[i]));
			break;
		case T_SIZE:
		case T_COUNT:
			fprintf(f, "%s %ld\n", lower,
			    *long_field(c, &keywords[i]));
			break;
		case T_LOGLEVEL:
			fprintf(f, "%s %s\n", lower,
			    loglevels[*int_field(c, &keywords[i])]);
			break;
		}
	}
}
