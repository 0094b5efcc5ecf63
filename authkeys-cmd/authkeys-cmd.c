/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * authkeys-cmd: sshd's AuthorizedKeysCommand for the gate.
 *
 *	AuthorizedKeysCommand .../authkeys-cmd %u %t %k %f
 *
 * Asks the platform API whether the key may log in as the login and
 * prints at most one authorized_keys line, built only from validated
 * tokens, that forces gate-shell with the key's id. sshd takes the first
 * matching line and silently skips a malformed one, so nothing from the
 * API other than a whitelisted key id reaches the line.
 *
 * Exit 0: decided (a line printed or not). Exit 1: API or internal error
 * (no line). Exit 2: usage or configuration error.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "api.h"
#include "cache.h"
#include "compat.h"
#include "conf.h"
#include "gate_err.h"
#include "ident.h"
#include "log.h"
#include "prog.h"

#define EXIT_DECIDED	0
#define EXIT_ERROR	1
#define EXIT_USAGE	2

#define LINE_MAX_OUT	(API_BLOB_MAX + 512)

struct request {
	const char	*login;
	const char	*type;
	const char	*blob;
	const char	*fp;
	struct ident_login parsed;
};

static void
usage(void)
{
	fprintf(stderr, "usage: authkeys-cmd [-f config] LOGIN TYPE KEY "
	    "FINGERPRINT\n       authkeys-cmd [-f config] -t | -T\n");
}

/* The forced command goes between double quotes: allow no quoting chars. */
static int
is_safe_command_path(const char *s)
{
	size_t i;

	if (s[0] != '/')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '/' || s[i] == '.' || s[i] == '_' ||
		    s[i] == '-' || s[i] == '+'))
			return 0;
	}
	return 1;
}

/*
 * Checks what sshd passed: the login grammar, a supported plain key type,
 * a key that parses as that type, and a fingerprint that is the key's.
 */
static int
check_request(struct request *rq, const char **why)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL;
	int r = GATE_ERR_INVALID;

	*why = "invalid login";
	if (ident_login_parse(rq->login, &rq->parsed) != 0)
		goto out;
	*why = "unsupported key type";
	if (!ident_is_key_type(rq->type))
		goto out;
	*why = "malformed key";
	if (!ident_is_base64(rq->blob, API_BLOB_MAX) ||
	    ssh_pki_import_pubkey_base64(rq->blob,
	    ssh_key_type_from_name(rq->type), &key) != SSH_OK ||
	    strcmp(ssh_key_type_to_char(ssh_key_type(key)), rq->type) != 0)
		goto out;
	*why = "fingerprint does not match the key";
	if (!ident_is_fingerprint(rq->fp) ||
	    ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
	    &hlen) != SSH_OK ||
	    (fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash,
	    hlen)) == NULL || strcmp(fp, rq->fp) != 0)
		goto out;
	*why = NULL;
	r = 0;
 out:
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return r;
}

/* Is the API's key the very key sshd asked about? */
static int
same_key(const struct request *rq, const struct api_pubkey *k)
{
	ssh_key a = NULL, b = NULL;
	int same = 0;

	if (strcmp(k->type, rq->type) != 0)
		return 0;
	if (ssh_pki_import_pubkey_base64(rq->blob,
	    ssh_key_type_from_name(rq->type), &a) == SSH_OK &&
	    ssh_pki_import_pubkey_base64(k->blob,
	    ssh_key_type_from_name(k->type), &b) == SSH_OK)
		same = ssh_key_cmp(a, b, SSH_KEY_CMP_PUBLIC) == 0;
	ssh_key_free(a);
	ssh_key_free(b);
	return same;
}

static int
print_line(const struct gate_config *cfg, const struct request *rq,
    const char *key_id)
{
	char line[LINE_MAX_OUT];
	size_t off = 0;
	ssize_t w;
	int n;

	/*
	 * sshd runs a forced command as "$SHELL -c COMMAND", and dash forks
	 * for it: with exec the shell becomes gate-shell, one process less
	 * per session. GateShell is a plain path (is_safe_command_path).
	 */
	n = snprintf(line, sizeof(line),
	    "restrict,pty,command=\"exec %s --key-id=%s\" %s %s\n",
	    cfg->gate_shell, key_id, rq->type, rq->blob);
	if (n < 0 || (size_t)n >= sizeof(line))
		return GATE_ERR_TOO_LARGE;
	while (off < (size_t)n) {
		w = write(STDOUT_FILENO, line + off, (size_t)n - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return GATE_ERR_SYSTEM;
		off += (size_t)w;
	}
	return 0;
}

/*
 * Errors that say the API is unreachable, not that it said something:
 * no connection (or one that broke), no answer in time, or a 5xx.
 */
static int
is_outage(int err)
{
	return err == GATE_ERR_CONNECT || err == GATE_ERR_TIMEOUT ||
	    err == GATE_ERR_SERVER;
}

static int
authorize(const struct gate_config *cfg, struct request *rq)
{
	struct api_client *api = NULL;
	struct api_authz authz;
	struct cache_entry ce;
	struct logline l;
	const char *why = NULL, *cache = "off", *decision = "deny";
	const char *key_id = NULL;
	long long start = api_now_ms();
	int r, have_cache = 0, ret = EXIT_ERROR, prio = LOG_INFO;

	if (check_request(rq, &why) != 0) {
		ret = EXIT_DECIDED;
		goto log;
	}

	if (cfg->cache_time > 0 || cfg->stale_if_error > 0) {
		if (cache_open_dir(cfg->cache_dir) == 0) {
			have_cache = 1;
			cache = "miss";
		} else {
			cache = "unusable";
		}
	}
	if (have_cache && cfg->cache_time > 0 &&
	    cache_get(cfg->cache_dir, rq->login, rq->fp, &ce) == 0 &&
	    ce.age_ms < cfg->cache_time) {
		cache = "hit";
		key_id = ce.key_id;
		goto allow;
	}

	if ((r = api_client_new(cfg, &api)) != 0) {
		why = "cannot set up the API client (token file?)";
		prio = LOG_ERR;
		goto log;
	}
	api_client_set_deadline(api, start + cfg->auth_timeout);
	r = api_authorize(api, rq->login, rq->fp, &authz);
	if (r == GATE_ERR_NOT_FOUND || r == GATE_ERR_DENIED) {
		why = r == GATE_ERR_NOT_FOUND ? "unknown key" :
		    "key may not log in as this login";
		if (have_cache)
			cache_drop(cfg->cache_dir, rq->login, rq->fp);
		ret = EXIT_DECIDED;
		goto log;
	}
	if (r != 0) {
		why = gate_strerror(r);
		prio = LOG_ERR;
		if (have_cache && cfg->stale_if_error > 0 && is_outage(r) &&
		    cache_get(cfg->cache_dir, rq->login, rq->fp, &ce) == 0 &&
		    ce.age_ms < cfg->stale_if_error) {
			cache = "stale";
			key_id = ce.key_id;
			prio = LOG_WARNING;
			goto allow;
		}
		goto log;
	}
	/* a yes must be about this key, this account and this node */
	if (!same_key(rq, &authz.key)) {
		why = "API answered for a different key";
		prio = LOG_ERR;
		goto log;
	}
	if (strcmp(authz.account, rq->parsed.account) != 0 ||
	    strcmp(authz.node, rq->parsed.node) != 0) {
		why = "API answered for a different account or node";
		prio = LOG_ERR;
		goto log;
	}
	key_id = authz.key_id;
	if (have_cache && cache_put(cfg->cache_dir, rq->login, rq->fp,
	    key_id) != 0)
		cache = "write-failed";
 allow:
	if ((r = print_line(cfg, rq, key_id)) != 0) {
		why = gate_strerror(r);
		prio = LOG_ERR;
		goto log;
	}
	decision = "allow";
	ret = EXIT_DECIDED;
 log:
	logline_init(&l, strcmp(decision, "allow") == 0 ? "key accepted" :
	    ret == EXIT_DECIDED ? "key refused" : "key refused on error");
	logline_str(&l, "login", rq->login);
	logline_str(&l, "fp", rq->fp);
	logline_str(&l, "type", rq->type);
	if (key_id != NULL)
		logline_str(&l, "key_id", key_id);
	logline_str(&l, "decision", decision);
	if (why != NULL)
		logline_str(&l, "reason", why);
	logline_str(&l, "cache", cache);
	if (api != NULL) {
		logline_int(&l, "api_status", api_client_last_status(api));
		logline_str(&l, "api_detail", api_client_detail(api));
	}
	logline_int(&l, "latency_ms", api_now_ms() - start);
	/* 9.2 gives an AuthorizedKeysCommand no client address (%C is 9.4) */
	logline_emit(&l, prio);
	api_client_free(api);
	return ret;
}

int
main(int argc, char **argv)
{
	struct gate_config cfg;
	struct request rq;
	const char *conf = NULL;
	int ch, test = 0, dump = 0, ret = EXIT_USAGE;

	memset(&cfg, 0, sizeof(cfg));
	if (prog_sanitise_fds() != 0)
		return EXIT_ERROR;
	log_init("authkeys-cmd", LOG_TO_SYSLOG);
	while ((ch = getopt(argc, argv, "f:tT")) != -1) {
		switch (ch) {
		case 'f':
			conf = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'T':
			dump = 1;
			break;
		default:
			usage();
			goto out;
		}
	}
	argc -= optind;
	argv += optind;
	if ((test || dump) ? argc != 0 : argc != 4) {
		usage();
		goto out;
	}
	/* sshd puts our stderr in its log: say it there too */
	switch (prog_config("authkeys-cmd", conf, test, dump, 1, &cfg)) {
	case 0:
		break;
	case 1:
		ret = is_safe_command_path(cfg.gate_shell) ? EXIT_DECIDED :
		    EXIT_USAGE;
		if (ret != EXIT_DECIDED)
			fprintf(stderr, "authkeys-cmd: %s: GateShell \"%s\" may "
			    "only contain letters, digits and / . _ - +\n",
			    cfg.path, cfg.gate_shell);
		goto out;
	default:
		goto out;
	}
	if (!is_safe_command_path(cfg.gate_shell)) {
		fprintf(stderr, "authkeys-cmd: %s: GateShell \"%s\" may only "
		    "contain letters, digits and / . _ - +\n",
		    cfg.path, cfg.gate_shell);
		goto out;
	}

	/* a backstop for the deadline: sshd itself waits LoginGraceTime */
	signal(SIGALRM, SIG_DFL);
	alarm((unsigned int)(cfg.auth_timeout / 1000 + 2));

	rq.login = argv[0];
	rq.type = argv[1];
	rq.blob = argv[2];
	rq.fp = argv[3];
	ret = authorize(&cfg, &rq);
 out:
	conf_free(&cfg);
	return ret;
}
