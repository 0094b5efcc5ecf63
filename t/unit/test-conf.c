/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/* Unit tests: the sshgate.conf parser. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conflex.h"
#include "gate_err.h"
#include "tap.h"

static char tmpl[] = "/tmp/sshgate-test-conf.XXXXXX";

static int
load_text(struct gate_config *cfg, const char *text, char *err, size_t len)
{
	FILE *f = fopen(tmpl, "w");

	fputs(text, f);
	fclose(f);
	conf_free(cfg);
	conf_defaults(cfg);
	err[0] = '\0';
	return conf_load(cfg, tmpl, err, len);
}

static void
bad(const char *text, int line, const char *needle, const char *what)
{
	struct gate_config cfg;
	char err[CONF_ERRLEN], where[600];
	int r;

	conf_defaults(&cfg);
	r = load_text(&cfg, text, err, sizeof(err));
	snprintf(where, sizeof(where), "%s:%d: ", tmpl, line);
	tap_ok(r == GATE_ERR_CONFIG && strncmp(err, where, strlen(where)) == 0 &&
	    strstr(err, needle) != NULL, "refused: %s", what);
	if (r != GATE_ERR_CONFIG || strstr(err, needle) == NULL)
		printf("#   r=%d err=\"%s\"\n", r, err);
	conf_free(&cfg);
}

/* conflex_line() on one line: its result and the key and value it found. */
static void
lex(const char *line, int want, const char *key, const char *value)
{
	struct conflex_pair p;
	char got[128], lexwant[128], lexwhat[128];
	int r = conflex_line(line, &p);

	snprintf(got, sizeof(got), "%d %.*s=%.*s", r, (int)p.keylen,
	    p.key != NULL ? p.key : "", (int)p.valuelen,
	    p.value != NULL ? p.value : "");
	snprintf(lexwant, sizeof(lexwant), "%d %s=%s", want, key, value);
	snprintf(lexwhat, sizeof(lexwhat), "lexer: \"%s\"", line);
	tap_is_str(got, lexwant, lexwhat);
}

static void
test_lexer(void)
{
	static const struct conflex_unit units[] = {
		{ "", 1 }, { "K", 1024 }, { NULL, 0 },
	};
	uint64_t v = 0;

	lex("", CONFLEX_EMPTY, "", "");
	lex(" \t # comment", CONFLEX_EMPTY, "", "");
	lex("Key value", CONFLEX_PAIR, "Key", "value");
	lex("\tKey=value # c", CONFLEX_PAIR, "Key", "value");
	lex("Key = \"a b\"#c", CONFLEX_PAIR, "Key", "a b");
	lex("Key = = v", CONFLEX_E_GARBAGE, "Key", "=");
	lex("Key", CONFLEX_E_NOVALUE, "Key", "");
	lex("Key \"\"", CONFLEX_E_NOVALUE, "Key", "");
	lex("Key \"v", CONFLEX_E_QUOTE, "Key", "");
	lex("Key v w", CONFLEX_E_GARBAGE, "Key", "v");
	lex("Key1 v", CONFLEX_E_KEYWORD, "Key", "");
	lex("=v", CONFLEX_E_KEYWORD, "", "");
	lex("Key v\r", CONFLEX_E_CONTROL, "", "");
	tap_ok(conflex_keyword_eq("APIURL", 6, "ApiUrl") &&
	    conflex_keyword_eq("apiurl", 6, "ApiUrl") &&
	    !conflex_keyword_eq("ApiUr", 5, "ApiUrl") &&
	    !conflex_keyword_eq("ApiUrlX", 7, "ApiUrl") &&
	    !conflex_keyword_eq("ApiUrl", 6, "ApiUrlX"),
	    "keywords compare in ASCII, ignoring case, whole");
	tap_ok(conflex_number("64K", units, 65536, &v) == 0 && v == 65536 &&
	    conflex_number("65K", units, 65536, &v) == -1 &&
	    conflex_number("64k", units, 1 << 20, &v) == -1 &&
	    conflex_number("18446744073709551615", units, UINT64_MAX, &v)
	    == 0 && v == UINT64_MAX &&
	    conflex_number("18446744073709551616", units, UINT64_MAX, &v)
	    == -1 &&
	    conflex_number("18446744073709551615K", units, UINT64_MAX, &v)
	    == -1 &&
	    conflex_number(" 1", units, 10, &v) == -1 &&
	    conflex_number("+1", units, 10, &v) == -1 &&
	    conflex_number("", units, 10, &v) == -1,
	    "numbers: suffixes, caps and overflow");
	tap_is_int(conf_parse_time("250ms"), 250, "time in ms");
	tap_is_int(conf_parse_time("3"), 3000, "a bare time is seconds");
	tap_is_int(conf_parse_time("2m"), 120000, "time in minutes");
	tap_is_int(conf_parse_time("1h"), 3600000, "time in hours");
	tap_is_int(conf_parse_time("3S"), -1, "time units are lower case");
	tap_is_int(conf_parse_size("1M") + conf_parse_size("1m"), 2 << 20,
	    "size units in either case");
	tap_is_int(conf_parse_size("9223372036854775807"), 9223372036854775807L,
	    "size up to LONG_MAX");
	tap_is_int(conf_parse_size("9223372036854775808"), -1,
	    "size above LONG_MAX");
}

int
main(void)
{
	struct gate_config cfg;
	char err[CONF_ERRLEN];
	int fd, r;
	FILE *f;
	char *dump = NULL;
	size_t dumplen = 0;

	if ((fd = mkstemp(tmpl)) == -1)
		return 1;
	close(fd);

	test_lexer();

	tap_ok(conf_defaults(&cfg) == 0, "every default passes its own rules");
	f = open_memstream(&dump, &dumplen);
	conf_dump(&cfg, f);
	fclose(f);
	tap_ok(strstr(dump, "apiurl none\n") != NULL &&
	    strstr(dump, "apitokenfile " SSHGATE_PKGSYSCONFDIR
	    "/api-token\n") != NULL &&
	    strstr(dump, "apiallowhttp no\n") != NULL &&
	    strstr(dump, "apiconnecttimeout 1s\n") != NULL &&
	    strstr(dump, "apimaxresponse 262144\n") != NULL &&
	    strstr(dump, "loglevel INFO\n") != NULL &&
	    strstr(dump, "cachedir /run/sshgate/authkeys\n") != NULL &&
	    strstr(dump, "cachetime 5s\n") != NULL &&
	    strstr(dump, "gateshell " SSHGATE_LIBEXECDIR "/gate-shell\n")
	    != NULL &&
	    strstr(dump, "revokeinterval 30s\n") != NULL &&
	    strstr(dump, "keepaliveinterval 30s\n") != NULL &&
	    strstr(dump, "keepalivecountmax 4\n") != NULL &&
	    strstr(dump, "sftpsubsystem /usr/lib/openssh/sftp-server\n")
	    != NULL, "the defaults");
	free(dump);
	dump = NULL;
	tap_is_int(cfg.api_timeout, 2000, "default ApiTimeout 2s");
	tap_is_int(cfg.keepalive_count_max, 4, "default KeepaliveCountMax 4");
	tap_is_int(cfg.auth_timeout, 3000, "default AuthTimeout 3s");
	tap_is_int(cfg.stale_if_error, 0, "default StaleIfError 0: fail closed");
	tap_ok(cfg.idle_timeout == 0 && cfg.max_session_time == 0,
	    "IdleTimeout and MaxSessionTime are off by default");
	tap_is_int(cfg.menu_refresh_interval, 3000,
	    "default MenuRefreshInterval 3s");
	tap_ok(conf_validate(&cfg, err, sizeof(err)) == GATE_ERR_CONFIG &&
	    strstr(err, "ApiUrl is not set") != NULL, "ApiUrl is required");

	r = load_text(&cfg,
	    "# a comment\n"
	    "\n"
	    "  ApiUrl https://api.example.com/base/   # trailing comment\n"
	    "apiurl https://second.example.com\n"
	    "APITIMEOUT 1500ms\n"
	    "ApiConnectTimeout=250ms\n"
	    "ApiMaxResponse 64K\n"
	    "ApiTokenFile \"/etc/sshgate/my token\"\n"
	    "ApiAllowHttp no\n"
	    "LogLevel verbose\n"
	    "CacheTime 0\n"
	    "StaleIfError 5m\n"
	    "IdleTimeout 15m\n"
	    "MaxSessionTime 12h\n"
	    "MenuRefreshInterval 500ms\n", err, sizeof(err));
	tap_ok(r == 0, "a good file loads (%s)", err);
	tap_is_str(cfg.api_url, "https://api.example.com/base",
	    "first value wins, trailing slash dropped");
	tap_is_int(cfg.api_timeout, 1500, "keywords are case-insensitive");
	tap_is_int(cfg.api_connect_timeout, 250, "Keyword=value form");
	tap_is_int(cfg.api_max_response, 65536, "size suffix K");
	tap_is_str(cfg.api_token_file, "/etc/sshgate/my token", "quoted value");
	tap_is_int(cfg.log_level, LOG_LEVEL_VERBOSE, "LogLevel");
	tap_is_int(cfg.cache_time, 0, "time 0");
	tap_is_int(cfg.stale_if_error, 300000, "time in minutes");
	tap_is_int(cfg.idle_timeout, 900000, "IdleTimeout");
	tap_is_int(cfg.max_session_time, 43200000, "MaxSessionTime");
	tap_is_int(cfg.menu_refresh_interval, 500, "MenuRefreshInterval");
	tap_ok(conf_validate(&cfg, err, sizeof(err)) == 0, "validates");

	f = open_memstream(&dump, &dumplen);
	conf_dump(&cfg, f);
	fclose(f);
	tap_ok(strstr(dump, "apiurl https://api.example.com/base\n") != NULL &&
	    strstr(dump, "apitimeout 1500ms\n") != NULL &&
	    strstr(dump, "staleiferror 300s\n") != NULL &&
	    strstr(dump, "idletimeout 900s\n") != NULL &&
	    strstr(dump, "maxsessiontime 43200s\n") != NULL &&
	    strstr(dump, "apicafile none\n") != NULL,
	    "dump prints the effective values");
	free(dump);

	r = load_text(&cfg, "ApiUrl http://127.0.0.1:8080\n", err,
	    sizeof(err));
	tap_ok(r == 0 && conf_validate(&cfg, err, sizeof(err)) ==
	    GATE_ERR_CONFIG && strstr(err, "ApiAllowHttp") != NULL,
	    "plain http needs ApiAllowHttp");
	r = load_text(&cfg, "ApiUrl http://127.0.0.1:8080\nApiAllowHttp yes\n",
	    err, sizeof(err));
	tap_ok(r == 0 && conf_validate(&cfg, err, sizeof(err)) == 0,
	    "plain http with ApiAllowHttp yes");

	bad("ApiUrl https://x\nNoSuchKeyword 1\n", 2, "unknown keyword",
	    "unknown keyword names file:line");
	bad("ApiTimeout soon\n", 1, "ApiTimeout", "bad time");
	bad("KeepaliveCountMax 0\n", 1, "needs a number between 1 and 100",
	    "KeepaliveCountMax below its minimum");
	bad("KeepaliveCountMax 4K\n", 1, "KeepaliveCountMax",
	    "KeepaliveCountMax takes no unit");
	bad("ApiTimeout 61\n", 1, "ApiTimeout", "ApiTimeout above its maximum");
	bad("ApiTimeout 1ms\n", 1, "ApiTimeout", "ApiTimeout below its minimum");
	bad("ApiTimeout -1\n", 1, "ApiTimeout", "negative time");
	bad("IdleTimeout 8d\n", 1, "IdleTimeout", "bad IdleTimeout unit");
	bad("MaxSessionTime 169h\n", 1, "MaxSessionTime",
	    "MaxSessionTime above a week");
	bad("MenuRefreshInterval 2m\n", 1, "MenuRefreshInterval",
	    "MenuRefreshInterval above a minute");
	bad("ApiMaxResponse 12Q\n", 1, "ApiMaxResponse", "bad size suffix");
	bad("ApiMaxResponse 99999999999999999999\n", 1, "ApiMaxResponse",
	    "size overflow");
	bad("ApiAllowHttp maybe\n", 1, "yes or no", "bad boolean");
	bad("ApiTokenFile relative/path\n", 1, "absolute path", "relative path");
	bad("ApiUrl ftp://x\n", 1, "URL", "ftp URL");
	bad("ApiUrl https://user:pw@x\n", 1, "URL", "URL with credentials");
	bad("ApiUrl https://x/?a=b\n", 1, "URL", "URL with a query");
	bad("ApiUrl\n", 1, "needs a value", "missing value");
	bad("ApiUrl \"https://x\n", 1, "unterminated quote", "open quote");
	bad("ApiUrl https://x extra\n", 1, "garbage", "two values");
	bad("\n\nLogLevel loud\n", 3, "LogLevel", "bad LogLevel on line 3");
	bad("ApiUrl https://x\x1b[2J\n", 1, "control character",
	    "control character");
	bad("Api-Url https://x\n", 1, "bad keyword", "keyword with a dash");

	conf_free(&cfg);
	conf_defaults(&cfg);
	r = conf_load(&cfg, "/nonexistent/sshgate.conf", err, sizeof(err));
	tap_ok(r == GATE_ERR_SYSTEM && strstr(err, "/nonexistent/sshgate.conf")
	    != NULL, "missing file names the file");
	conf_free(&cfg);
	unlink(tmpl);
	return tap_done();
}
