/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * authkeys-cmd: sshd's AuthorizedKeysCommand for the gate.
 *
 *	AuthorizedKeysCommand .../authkeys-cmd %u %t %k %f [%C]
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
#include "clock.h"
#include "compat.h"
#include "conf.h"
#include "gate_err.h"
#include "ident.h"
#include "keyline.h"
#include "log.h"
#include "prog.h"

#define EXIT_DECIDED	0
#define EXIT_ERROR	1
#define EXIT_USAGE	2

#define LINE_MAX_OUT	(API_BLOB_MAX + 512)
/* %C: "LADDR LPORT ADDR PORT", four fields and three spaces */
#define CONN_MAX	(2 * (IDENT_ADDR_MAX + IDENT_PORT_MAX) + 3)

struct request {
	const char	*login;
	const char	*type;
	const char	*blob;
	const char	*fp;
	const char	*conn;		/* %C, NULL when sshd gives none */
	struct ident_login parsed;
	/* the client's end of the connection, from conn; "" without */
	char		 conn_buf[CONN_MAX + 1];
	const char	*client_addr;
	const char	*client_port;
};

static void
usage(void)
{
	fprintf(stderr, "usage: authkeys-cmd [-f config] LOGIN TYPE KEY "
	    "FINGERPRINT [CONNECTION]\n"
	    "       authkeys-cmd [-f config] -t | -T\n");
}

/*
 * sshd's %C (OpenSSH 9.4 and later), one argument of four fields that
 * single spaces separate. sshd_config(5) says "client address, client
 * port, server address, server port", but auth2-pubkey.c writes the
 * server's end first: OpenSSH 10.0p2 passes "127.0.0.1 2222 127.0.0.2
 * 38343" for a client at 127.0.0.2 (t0300 checks the port against sshd's
 * own log). Each address and port must pass ident.c's rules; the
 * client's pair is kept for the log. Without %C both stay "".
 */
static int
parse_conn(struct request *rq)
{
	char *f[4], *p;
	size_t n;

	rq->client_addr = rq->client_port = "";
	if (rq->conn == NULL)
		return 0;
	if (strnlen(rq->conn, CONN_MAX + 1) > CONN_MAX)
		return GATE_ERR_INVALID;
	strlcpy(rq->conn_buf, rq->conn, sizeof(rq->conn_buf));
	p = rq->conn_buf;
	for (n = 0; n < 4; n++) {
		f[n] = p;
		if ((p = strchr(p, ' ')) == NULL)
			break;
		*p++ = '\0';
	}
	if (n != 3 || !ident_is_address(f[0]) || !ident_is_port(f[1]) ||
	    !ident_is_address(f[2]) || !ident_is_port(f[3]))
		return GATE_ERR_INVALID;
	rq->client_addr = f[2];
	rq->client_port = f[3];
	return 0;
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

	*why = "malformed connection";
	if (parse_conn(rq) != 0)
		goto out;
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
	size_t off = 0, len;
	ssize_t w;
	int r;

	if ((r = keyline_build(line, sizeof(line), cfg->gate_shell, key_id,
	    rq->type, rq->blob, &len)) != 0)
		return r;
	while (off < len) {
		w = write(STDOUT_FILENO, line + off, len - off);
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

/* How one request is being decided: what the audit line will say. */
struct verdict {
	const char	*why;		/* the reason, NULL if none */
	const char	*cache;		/* off, miss, hit, stale, unusable... */
	const char	*key_id;	/* the key id allowed, NULL if none */
	int		 have_cache;
	int		 allowed;	/* the line was printed */
	int		 ret;		/* EXIT_DECIDED or EXIT_ERROR */
	int		 prio;
	struct cache_entry ce;
	struct api_authz authz;
};

/* With the cache on: opens it, and takes a fresh enough entry as a yes. */
static void
cache_check(const struct gate_config *cfg, const struct request *rq,
    struct verdict *v)
{
	if (cfg->cache_time <= 0 && cfg->stale_if_error <= 0)
		return;
	if (cache_open_dir(cfg->cache_dir) != 0) {
		v->cache = "unusable";
		log_debug("cache %s unusable: asking the API", cfg->cache_dir);
		return;
	}
	v->have_cache = 1;
	v->cache = "miss";
	if (cfg->cache_time > 0 &&
	    cache_get(cfg->cache_dir, rq->login, rq->fp, &v->ce) == 0 &&
	    v->ce.age_ms < cfg->cache_time) {
		v->cache = "hit";
		v->key_id = v->ce.key_id;
		log_debug("cache hit: key %s, said %lld ms ago (CacheTime %ld "
		    "ms)", v->key_id, v->ce.age_ms, cfg->cache_time);
	}
}

/*
 * The API failed with err. Only when it is unreachable (is_outage) may a
 * cache entry younger than StaleIfError stand in for its yes. Returns 1
 * with v->key_id set if one does, else 0.
 */
static int
use_stale(const struct gate_config *cfg, const struct request *rq, int err,
    struct verdict *v)
{
	v->why = gate_strerror(err);
	v->prio = LOG_ERR;
	if (!v->have_cache || cfg->stale_if_error <= 0 || !is_outage(err)) {
		log_debug("API failed (%s): no stale answer may stand in",
		    v->why);
		return 0;
	}
	if (cache_get(cfg->cache_dir, rq->login, rq->fp, &v->ce) != 0 ||
	    v->ce.age_ms >= cfg->stale_if_error) {
		log_debug("API unreachable (%s): no cache entry younger than "
		    "StaleIfError %ld ms", v->why, cfg->stale_if_error);
		return 0;
	}
	v->cache = "stale";
	v->key_id = v->ce.key_id;
	v->prio = LOG_WARNING;
	log_debug("API unreachable (%s): the cache's key %s, said %lld ms "
	    "ago, stands in", v->why, v->key_id, v->ce.age_ms);
	return 1;
}

/*
 * Asks the API (*api is the caller's to free). Returns 1 with v->key_id
 * set when the answer is a yes for this very key, account and node, or a
 * stale entry stands in; else 0 with the reason in v.
 */
static int
ask_api(const struct gate_config *cfg, const struct request *rq,
    struct api_client **api, long long start, struct verdict *v)
{
	int r;

	if (api_client_new(cfg, api) != 0) {
		v->why = "cannot set up the API client (token file?)";
		v->prio = LOG_ERR;
		return 0;
	}
	api_client_set_deadline(*api, start + cfg->auth_timeout);
	r = api_authorize(*api, rq->login, rq->fp, &v->authz);
	if (r == GATE_ERR_NOT_FOUND || r == GATE_ERR_DENIED) {
		v->why = r == GATE_ERR_NOT_FOUND ? "unknown key" :
		    "key may not log in as this login";
		if (v->have_cache)
			cache_drop(cfg->cache_dir, rq->login, rq->fp);
		v->ret = EXIT_DECIDED;
		return 0;
	}
	if (r != 0)
		return use_stale(cfg, rq, r, v);
	/* a yes must be about this key, this account and this node */
	v->prio = LOG_ERR;
	if (!same_key(rq, &v->authz.key)) {
		v->why = "API answered for a different key";
		return 0;
	}
	if (strcmp(v->authz.account, rq->parsed.account) != 0 ||
	    strcmp(v->authz.node, rq->parsed.node) != 0) {
		v->why = "API answered for a different account or node";
		return 0;
	}
	v->prio = LOG_INFO;
	v->key_id = v->authz.key_id;
	if (v->have_cache && cache_put(cfg->cache_dir, rq->login, rq->fp,
	    v->key_id) != 0)
		v->cache = "write-failed";
	return 1;
}

/* The audit line of one request; tests and operators read its fields. */
static void
log_verdict(const struct request *rq, const struct verdict *v,
    const struct api_client *api, long long start)
{
	struct logline l;

	logline_init(&l, v->allowed ? "key accepted" :
	    v->ret == EXIT_DECIDED ? "key refused" : "key refused on error");
	logline_kv(&l, "login=%s fp=%s type=%s key_id?=%s decision=%s "
	    "reason?=%s cache=%s", rq->login, rq->fp, rq->type, v->key_id,
	    v->allowed ? "allow" : "deny", v->why, v->cache);
	/* no client address without %C (OpenSSH before 9.4) */
	logline_kv(&l, "client?=%s client_port?=%s", rq->client_addr,
	    rq->client_port);
	if (api != NULL)
		logline_kv(&l, "api_status=%ld api_detail=%s",
		    api_client_last_status(api), api_client_detail(api));
	logline_kv(&l, "latency_ms=%lld", clock_now_ms() - start);
	logline_emit(&l, v->prio);
}

static int
authorize(const struct gate_config *cfg, struct request *rq)
{
	struct api_client *api = NULL;
	struct verdict v;
	long long start = clock_now_ms();
	int r;

	memset(&v, 0, sizeof(v));
	v.cache = "off";
	v.ret = EXIT_ERROR;
	v.prio = LOG_INFO;
	if (check_request(rq, &v.why) != 0) {
		v.ret = EXIT_DECIDED;
		goto out;
	}
	cache_check(cfg, rq, &v);
	if (v.key_id == NULL && !ask_api(cfg, rq, &api, start, &v))
		goto out;
	if ((r = print_line(cfg, rq, v.key_id)) != 0) {
		v.why = gate_strerror(r);
		v.prio = LOG_ERR;
		goto out;
	}
	v.allowed = 1;
	v.ret = EXIT_DECIDED;
 out:
	log_verdict(rq, &v, api, start);
	api_client_free(api);
	return v.ret;
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
	if ((test || dump) ? argc != 0 : argc != 4 && argc != 5) {
		usage();
		goto out;
	}
	/* sshd puts our stderr in its log: say it there too */
	switch (prog_config("authkeys-cmd", conf, test, dump, 1, &cfg)) {
	case 0:
		break;
	case 1:
		ret = ident_is_command_path(cfg.gate_shell) ? EXIT_DECIDED :
		    EXIT_USAGE;
		if (ret != EXIT_DECIDED)
			fprintf(stderr, "authkeys-cmd: %s: GateShell \"%s\" may "
			    "only contain letters, digits and / . _ - +\n",
			    cfg.path, cfg.gate_shell);
		goto out;
	default:
		goto out;
	}
	if (!ident_is_command_path(cfg.gate_shell)) {
		fprintf(stderr, "authkeys-cmd: %s: GateShell \"%s\" may only "
		    "contain letters, digits and / . _ - +\n",
		    cfg.path, cfg.gate_shell);
		goto out;
	}

	/* a backstop for the deadline: sshd itself waits LoginGraceTime */
	signal(SIGALRM, SIG_DFL);
	alarm((unsigned int)(cfg.auth_timeout / 1000 + 2));

	memset(&rq, 0, sizeof(rq));
	rq.login = argv[0];
	rq.type = argv[1];
	rq.blob = argv[2];
	rq.fp = argv[3];
	rq.conn = argc == 5 ? argv[4] : NULL;
	ret = authorize(&cfg, &rq);
 out:
	conf_free(&cfg);
	return ret;
}
