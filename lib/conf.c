/*
 * sshgate.conf parser: a keyword table and one switch, in the manner of
 * sshd's servconf.c. See sshgate.conf(5).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "conf.h"
#include "gate_err.h"

#define CONF_LINE_MAX	1024
#define CONF_LINES_MAX	10000
#define CONF_VALUE_MAX	1023

enum conf_type {
	T_STRING,	/* printable, no whitespace */
	T_LINE,		/* printable, spaces allowed */
	T_PATH,		/* absolute path */
	T_URL,		/* http:// or https:// URL */
	T_BOOL,		/* yes | no */
	T_TIME,		/* conf_parse_time, in [min, max] ms */
	T_SIZE,		/* conf_parse_size, in [min, max] bytes */
	T_LOGLEVEL,	/* QUIET ERROR INFO VERBOSE DEBUG */
};

static const struct keyword {
	const char	*name;
	enum conf_type	 type;
	size_t		 off;
	long		 min, max;
} keywords[] = {
	{ "ApiUrl",		T_URL,	offsetof(struct gate_config, api_url), 0, 0 },
	{ "ApiTokenFile",	T_PATH,	offsetof(struct gate_config, api_token_file), 0, 0 },
	{ "ApiCaFile",		T_PATH,	offsetof(struct gate_config, api_ca_file), 0, 0 },
	{ "ApiUnixSocket",	T_PATH,	offsetof(struct gate_config, api_unix_socket), 0, 0 },
	{ "ApiAllowHttp",	T_BOOL,	offsetof(struct gate_config, api_allow_http), 0, 1 },
	{ "ApiConnectTimeout",	T_TIME,	offsetof(struct gate_config, api_connect_timeout), 10, 60000 },
	{ "ApiTimeout",		T_TIME,	offsetof(struct gate_config, api_timeout), 10, 60000 },
	{ "ApiMaxResponse",	T_SIZE,	offsetof(struct gate_config, api_max_response), 1024, 64L * 1024 * 1024 },
	{ "LogLevel",		T_LOGLEVEL, offsetof(struct gate_config, log_level), 0, 0 },
	{ "LogFile",		T_PATH,	offsetof(struct gate_config, log_file), 0, 0 },
	{ "AuthTimeout",	T_TIME,	offsetof(struct gate_config, auth_timeout), 100, 60000 },
	{ "CacheDir",		T_PATH,	offsetof(struct gate_config, cache_dir), 0, 0 },
	{ "CacheTime",		T_TIME,	offsetof(struct gate_config, cache_time), 0, 60000 },
	{ "StaleIfError",	T_TIME,	offsetof(struct gate_config, stale_if_error), 0, 86400000L },
	{ "GateShell",		T_PATH,	offsetof(struct gate_config, gate_shell), 0, 0 },
	{ "InternalKey",	T_PATH,	offsetof(struct gate_config, internal_key), 0, 0 },
	{ "ConnectTimeout",	T_TIME,	offsetof(struct gate_config, connect_timeout), 100, 120000 },
	{ "RevokeInterval",	T_TIME,	offsetof(struct gate_config, revoke_interval), 0, 86400000L },
	{ "KeepaliveInterval",	T_TIME,	offsetof(struct gate_config, keepalive_interval), 0, 3600000L },
	{ "SftpSubsystem",	T_LINE,	offsetof(struct gate_config, sftp_subsystem), 0, 0 },
	{ "SftpRelay",		T_PATH,	offsetof(struct gate_config, sftp_relay), 0, 0 },
};
#define NKEYWORDS	(sizeof(keywords) / sizeof(keywords[0]))

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
set_default(struct gate_config *cfg, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < NKEYWORDS; i++) {
		if (strcmp(keywords[i].name, name) != 0)
			continue;
		if ((*str_field(cfg, &keywords[i]) = strdup(value)) == NULL)
			return GATE_ERR_ALLOC;
		return 0;
	}
	return GATE_ERR_INTERNAL;
}

int
conf_defaults(struct gate_config *cfg)
{
	int r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->api_allow_http = 0;
	cfg->api_connect_timeout = 1000;
	cfg->api_timeout = 2000;
	cfg->api_max_response = 256 * 1024;
	cfg->log_level = LOG_LEVEL_INFO;
	cfg->auth_timeout = 3000;
	cfg->cache_time = 5000;
	cfg->stale_if_error = 0;
	cfg->connect_timeout = 5000;
	cfg->revoke_interval = 30000;
	cfg->keepalive_interval = 30000;
	if ((r = set_default(cfg, "ApiTokenFile",
	    SSHGATE_PKGSYSCONFDIR "/api-token")) != 0 ||
	    (r = set_default(cfg, "CacheDir", "/run/sshgate/authkeys")) != 0 ||
	    (r = set_default(cfg, "GateShell",
	    SSHGATE_LIBEXECDIR "/gate-shell")) != 0 ||
	    (r = set_default(cfg, "InternalKey",
	    SSHGATE_PKGSYSCONFDIR "/internal_key")) != 0 ||
	    /* Debian's "Subsystem sftp" line: what sshd passes a forced command */
	    (r = set_default(cfg, "SftpSubsystem",
	    "/usr/lib/openssh/sftp-server")) != 0 ||
	    (r = set_default(cfg, "SftpRelay",
	    SSHGATE_LIBEXECDIR "/sftp-relay")) != 0) {
		conf_free(cfg);
		return r;
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
		switch (keywords[i].type) {
		case T_STRING:
		case T_LINE:
		case T_PATH:
		case T_URL:
			free(*str_field(cfg, &keywords[i]));
			*str_field(cfg, &keywords[i]) = NULL;
			break;
		default:
			break;
		}
	}
	free(cfg->path);
	cfg->path = NULL;
}

long
conf_parse_time(const char *s)
{
	char *end;
	long v, mult;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || v < 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (*end == '\0' || strcmp(end, "s") == 0)
		mult = 1000;
	else if (strcmp(end, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(end, "h") == 0)
		mult = 3600 * 1000;
	else
		return -1;
	if (v > LONG_MAX / mult)
		return -1;
	return v * mult;
}

long
conf_parse_size(const char *s)
{
	char *end;
	long v, mult;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || v < 0)
		return -1;
	if (*end == '\0')
		mult = 1;
	else if (strcasecmp(end, "K") == 0)
		mult = 1024;
	else if (strcasecmp(end, "M") == 0)
		mult = 1024 * 1024;
	else
		return -1;
	if (v > LONG_MAX / mult)
		return -1;
	return v * mult;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
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

static int
set_value(struct gate_config *cfg, const struct keyword *k, const char *v,
    const char *where, char *errbuf, size_t errlen)
{
	char **sp;
	long n;
	size_t i, len;

	switch (k->type) {
	case T_STRING:
	case T_LINE:
	case T_PATH:
	case T_URL:
		if (k->type == T_LINE && !is_printable(v, 1)) {
			snprintf(errbuf, errlen, "%s: bad value for %s",
			    where, k->name);
			return GATE_ERR_CONFIG;
		}
		if (k->type == T_PATH && (v[0] != '/' || !is_printable(v, 1))) {
			snprintf(errbuf, errlen, "%s: %s needs an absolute "
			    "path, not \"%s\"", where,
			    k->name, v);
			return GATE_ERR_CONFIG;
		}
		if (k->type == T_URL && !check_url(v)) {
			snprintf(errbuf, errlen, "%s: %s needs an http:// or "
			    "https:// URL without credentials, query or "
			    "fragment, not \"%s\"", where, k->name, v);
			return GATE_ERR_CONFIG;
		}
		if (k->type == T_STRING && !is_visible(v)) {
			snprintf(errbuf, errlen, "%s: bad value for %s",
			    where, k->name);
			return GATE_ERR_CONFIG;
		}
		sp = str_field(cfg, k);
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
	case T_BOOL:
		if (strcasecmp(v, "yes") == 0)
			*int_field(cfg, k) = 1;
		else if (strcasecmp(v, "no") == 0)
			*int_field(cfg, k) = 0;
		else {
			snprintf(errbuf, errlen, "%s: %s needs yes or no, "
			    "not \"%s\"", where, k->name, v);
			return GATE_ERR_CONFIG;
		}
		return 0;
	case T_TIME:
	case T_SIZE:
		n = k->type == T_TIME ? conf_parse_time(v) :
		    conf_parse_size(v);
		if (n < 0 || n < k->min || n > k->max) {
			if (k->type == T_TIME)
				snprintf(errbuf, errlen, "%s: %s needs a time "
				    "between %ldms and %ldms (e.g. 500ms, 3s), "
				    "not \"%s\"", where, k->name, k->min,
				    k->max, v);
			else
				snprintf(errbuf, errlen, "%s: %s needs a size "
				    "between %ld and %ld bytes (e.g. 64K), "
				    "not \"%s\"", where, k->name, k->min,
				    k->max, v);
			return GATE_ERR_CONFIG;
		}
		*long_field(cfg, k) = n;
		return 0;
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
	char where[PATH_MAX + 32], name[64], value[CONF_VALUE_MAX + 1];
	const char *p = line, *start;
	size_t n, i;

	snprintf(where, sizeof(where), "%s:%d", file, lineno);
	for (start = line; *start != '\0'; start++) {
		if ((unsigned char)*start < 0x20 && *start != '\t') {
			snprintf(errbuf, errlen, "%s: control character in "
			    "line", where);
			return GATE_ERR_CONFIG;
		}
	}
	while (is_space(*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;

	/* keyword */
	for (start = p; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z');)
		p++;
	n = (size_t)(p - start);
	if (n == 0 || n >= sizeof(name) || !(*p == '\0' || is_space(*p) ||
	    *p == '=')) {
		snprintf(errbuf, errlen, "%s: bad keyword", where);
		return GATE_ERR_CONFIG;
	}
	memcpy(name, start, n);
	name[n] = '\0';

	/* separator: whitespace and at most one '=' */
	while (is_space(*p))
		p++;
	if (*p == '=') {
		p++;
		while (is_space(*p))
			p++;
	}

	/* value: one token, optionally in double quotes */
	if (*p == '"') {
		start = ++p;
		while (*p != '\0' && *p != '"')
			p++;
		if (*p != '"') {
			snprintf(errbuf, errlen, "%s: unterminated quote",
			    where);
			return GATE_ERR_CONFIG;
		}
		n = (size_t)(p - start);
		p++;
	} else {
		start = p;
		while (*p != '\0' && !is_space(*p))
			p++;
		n = (size_t)(p - start);
	}
	if (n == 0) {
		snprintf(errbuf, errlen, "%s: %s needs a value", where, name);
		return GATE_ERR_CONFIG;
	}
	if (n > CONF_VALUE_MAX) {
		snprintf(errbuf, errlen, "%s: value too long", where);
		return GATE_ERR_CONFIG;
	}
	memcpy(value, start, n);
	value[n] = '\0';
	while (is_space(*p))
		p++;
	if (*p != '\0' && *p != '#') {
		snprintf(errbuf, errlen, "%s: garbage after the value of %s",
		    where, name);
		return GATE_ERR_CONFIG;
	}

	for (i = 0; i < NKEYWORDS; i++) {
		if (strcasecmp(name, keywords[i].name) != 0)
			continue;
		/* first value wins, as in sshd_config */
		if (cfg->seen & (1ULL << i))
			return 0;
		cfg->seen |= 1ULL << i;
		return set_value(cfg, &keywords[i], value, where,
		    errbuf, errlen);
	}
	snprintf(errbuf, errlen, "%s: unknown keyword \"%s\"", where, name);
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
