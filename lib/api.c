/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * Platform API client; see api.h and doc/platform-api.md.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "api.h"
#include "api-json.h"
#include "clock.h"
#include "compat.h"
#include "gate_err.h"
#include "ident.h"
#include "log.h"

#define API_TOKEN_MAX	4096
#define API_URL_MAX	4096

struct body {
	char	*p;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
	int	 too_large;
};

struct api_client {
	CURL	*curl;
	struct curl_slist *headers;
	char	*auth_header;		/* "Authorization: Bearer ..." */
	char	*base;
	long	 connect_timeout;
	long	 timeout;
	long long deadline;
	struct body body;
	long	 status;
	char	 errbuf[CURL_ERROR_SIZE];
	char	 detail[CURL_ERROR_SIZE + 64];
};

static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* Reads the one-line token; refuses files others may read or write. */
static int
read_token(const char *path, char **out)
{
	char buf[API_TOKEN_MAX + 2];
	struct stat st;
	ssize_t n;
	size_t len = 0, i;
	int fd = -1, r = GATE_ERR_CONFIG;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		r = GATE_ERR_SYSTEM;
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		r = GATE_ERR_SYSTEM;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & (S_IROTH | S_IWOTH |
	    S_IWGRP)) != 0)
		goto out;
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = GATE_ERR_SYSTEM;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > API_TOKEN_MAX)
		goto out;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	/* visible ASCII only: the token goes into an HTTP header */
	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] <= 0x20 ||
		    (unsigned char)buf[i] >= 0x7f)
			goto out;
	if (len == 0)
		goto out;
	if ((*out = strdup(buf)) == NULL) {
		r = GATE_ERR_ALLOC;
		goto out;
	}
	r = 0;
 out:
	explicit_bzero(buf, sizeof(buf));
	if (fd != -1)
		close(fd);
	return r;
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb, ncap;
	char *np;

	/* the cap is enforced here: 7.88 ignores MAXFILESIZE mid-stream */
	if (n > b->max || b->len + n > b->max) {
		b->too_large = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap == 0 ? 4096 : b->cap;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if (ncap > b->max + 1)
			ncap = b->max + 1;
		if ((np = realloc(b->p, ncap)) == NULL)
			return 0;
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/* The easy handle's options: what it may talk, to whom, and how. */
static int
setup_curl(struct api_client *c, const struct gate_config *cfg)
{
	if (curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR,
	    cfg->api_allow_http ? "http,https" : "https") != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_REDIR_PROTOCOLS_STR,
	    "https") != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    /* an empty proxy overrides http_proxy & co. from the environment */
	    curl_easy_setopt(c->curl, CURLOPT_PROXY, "") != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers) !=
	    CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_USERAGENT,
	    PACKAGE_NAME "/" PACKAGE_VERSION) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, write_cb) !=
	    CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &c->body) !=
	    CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf) !=
	    CURLE_OK)
		return GATE_ERR_CONFIG;
	if (cfg->api_ca_file != NULL &&
	    curl_easy_setopt(c->curl, CURLOPT_CAINFO, cfg->api_ca_file) !=
	    CURLE_OK)
		return GATE_ERR_CONFIG;
	if (cfg->api_unix_socket != NULL &&
	    curl_easy_setopt(c->curl, CURLOPT_UNIX_SOCKET_PATH,
	    cfg->api_unix_socket) != CURLE_OK)
		return GATE_ERR_CONFIG;
	log_debug("timeout %ld ms, connect timeout %ld ms, answers up to %zu "
	    "bytes%s%s", c->timeout, c->connect_timeout, c->body.max,
	    cfg->api_unix_socket != NULL ? ", through " : "",
	    cfg->api_unix_socket != NULL ? cfg->api_unix_socket : "");
	return 0;
}

int
api_client_new(const struct gate_config *cfg, struct api_client **out)
{
	struct api_client *c = NULL;
	char *token = NULL;
	size_t len;
	int r;

	*out = NULL;
	if (cfg->api_url == NULL)
		return GATE_ERR_CONFIG;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return GATE_ERR_ALLOC;
	if ((r = read_token(cfg->api_token_file, &token)) != 0)
		goto out;
	len = strlen(token) + sizeof("Authorization: Bearer ");
	if ((c->auth_header = malloc(len)) == NULL) {
		r = GATE_ERR_ALLOC;
		goto out;
	}
	snprintf(c->auth_header, len, "Authorization: Bearer %s", token);
	if ((c->base = strdup(cfg->api_url)) == NULL) {
		r = GATE_ERR_ALLOC;
		goto out;
	}
	c->connect_timeout = cfg->api_connect_timeout;
	c->timeout = cfg->api_timeout;
	c->body.max = (size_t)cfg->api_max_response;

	r = GATE_ERR_ALLOC;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (c->curl = curl_easy_init()) == NULL)
		goto out;
	if ((c->headers = curl_slist_append(NULL, c->auth_header)) == NULL ||
	    (c->headers = curl_slist_append(c->headers,
	    "Accept: application/json")) == NULL)
		goto out;
	if ((r = setup_curl(c, cfg)) != 0)
		goto out;
	*out = c;
	c = NULL;	/* transferred */
	r = 0;
 out:
	wipe_free(token);
	api_client_free(c);
	return r;
}

void
api_client_free(struct api_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	wipe_free(c->auth_header);
	free(c->base);
	free(c->body.p);
	free(c);
}

void
api_client_set_deadline(struct api_client *c, long long deadline_ms)
{
	c->deadline = deadline_ms;
}

const char *
api_client_detail(const struct api_client *c)
{
	return c->detail;
}

long
api_client_last_status(const struct api_client *c)
{
	return c->status;
}

static int
map_curl_error(CURLcode cc)
{
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return GATE_ERR_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	/* the connection broke before a whole answer came */
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		return GATE_ERR_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ISSUER_ERROR:
		return GATE_ERR_TLS;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return GATE_ERR_CONFIG;
	default:
		return GATE_ERR_HTTP;
	}
}

int
api_build_url(const char *base, const char *const *segs,
    const char *const *query, char **out)
{
	char url[API_URL_MAX], *esc;
	size_t len, n;
	int r = GATE_ERR_TOO_LARGE, i;

	*out = NULL;
	if ((len = strlcpy(url, base, sizeof(url))) >= sizeof(url))
		return GATE_ERR_TOO_LARGE;
	for (i = 0; segs != NULL && segs[i] != NULL; i++) {
		/* "." and ".." survive escaping and would be squashed */
		if (*segs[i] == '\0' || strcmp(segs[i], ".") == 0 ||
		    strcmp(segs[i], "..") == 0)
			return GATE_ERR_INVALID;
		if ((esc = curl_easy_escape(NULL, segs[i], 0)) == NULL)
			return GATE_ERR_ALLOC;
		n = (size_t)snprintf(url + len, sizeof(url) - len, "/%s", esc);
		curl_free(esc);
		if (n >= sizeof(url) - len)
			return r;
		len += n;
	}
	for (i = 0; query != NULL && query[i] != NULL; i += 2) {
		if (query[i + 1] == NULL)
			return GATE_ERR_INTERNAL;
		if ((esc = curl_easy_escape(NULL, query[i + 1], 0)) == NULL)
			return GATE_ERR_ALLOC;
		n = (size_t)snprintf(url + len, sizeof(url) - len, "%c%s=%s",
		    i == 0 ? '?' : '&', query[i], esc);
		curl_free(esc);
		if (n >= sizeof(url) - len)
			return r;
		len += n;
	}
	if ((*out = strdup(url)) == NULL)
		return GATE_ERR_ALLOC;
	return 0;
}

/*
 * Runs the request for url within timeout ms. Returns 0 when an answer
 * came, whatever its status, else the transfer error with detail set.
 */
static int
perform(struct api_client *c, const char *url, long long timeout)
{
	/*
	 * Debug lines name the path and query, never ApiUrl, which could
	 * carry a user and password; the token is only in a header.
	 */
	const char *path = url + strlen(c->base);
	curl_off_t us = 0;
	CURLcode cc;
	int r;

	if (curl_easy_setopt(c->curl, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)timeout) !=
	    CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(timeout < c->connect_timeout ? timeout :
	    c->connect_timeout)) != CURLE_OK)
		return GATE_ERR_CONFIG;
	log_debug("GET %s, timeout %lld ms", path, timeout);
	cc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->status);
	curl_easy_getinfo(c->curl, CURLINFO_TOTAL_TIME_T, &us);
	if (cc == CURLE_OK) {
		snprintf(c->detail, sizeof(c->detail), "HTTP %ld", c->status);
		log_debug("GET %s: HTTP %ld, %zu bytes in %lld ms", path,
		    c->status, c->body.len, (long long)us / 1000);
		return 0;
	}
	if (c->body.too_large) {
		snprintf(c->detail, sizeof(c->detail),
		    "response larger than %zu bytes", c->body.max);
		r = GATE_ERR_TOO_LARGE;
	} else {
		snprintf(c->detail, sizeof(c->detail), "%s",
		    c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(cc));
		r = map_curl_error(cc);
	}
	log_debug("GET %s: no answer, %lld ms", path, (long long)us / 1000);
	return r;
}

/* What the answer's status means; on 200 *root is the parsed object. */
static int
read_answer(struct api_client *c, json_t **root)
{
	switch (c->status) {
	case 200:
		return api_parse(c->body.p != NULL ? c->body.p : "",
		    c->body.len, root);
	case 401:
		return GATE_ERR_AUTH;
	case 403:
		return GATE_ERR_DENIED;
	case 404:
		return GATE_ERR_NOT_FOUND;
	default:
		return c->status >= 500 && c->status <= 599 ?
		    GATE_ERR_SERVER : GATE_ERR_HTTP;
	}
}

/* One GET; on 200 *root is the parsed object (caller decrefs). */
static int
api_get(struct api_client *c, const char *const *segs,
    const char *const *query, json_t **root)
{
	char *url = NULL;
	long long left, timeout;
	int r;

	*root = NULL;
	c->status = 0;
	c->detail[0] = '\0';
	c->errbuf[0] = '\0';
	c->body.len = 0;
	c->body.too_large = 0;
	if ((r = api_build_url(c->base, segs, query, &url)) != 0)
		goto out;

	timeout = c->timeout;
	if (c->deadline != 0) {
		left = c->deadline - clock_now_ms();
		if (left <= 0) {
			snprintf(c->detail, sizeof(c->detail),
			    "deadline passed before the request");
			r = GATE_ERR_TIMEOUT;
			goto out;
		}
		if (left < timeout)
			timeout = left;
	}
	if ((r = perform(c, url, timeout)) != 0)
		goto out;
	r = read_answer(c, root);
 out:
	if (r != 0)
		log_debug("GET %s: %s (%s)", url != NULL ?
		    url + strlen(c->base) : "-", gate_strerror(r), c->detail);
	free(url);
	return r;
}

int
api_parse(const char *buf, size_t len, json_t **root)
{
	json_error_t jerr;
	json_t *j;

	*root = NULL;
	if ((j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		log_debug("not JSON: %s (line %d, column %d)", jerr.text,
		    jerr.line, jerr.column);
		return GATE_ERR_JSON;
	}
	if (!json_is_object(j)) {
		log_debug("not a JSON object");
		json_decref(j);
		return GATE_ERR_JSON;
	}
	*root = j;
	return 0;
}

/*
 * Says at debug level, as function func, why member name broke the
 * contract (with the start of its value, if given); returns
 * GATE_ERR_PROTOCOL.
 */
static int
refuse(const char *func, const char *name, const char *why,
    const char *value)
{
	log_diag(LOG_LEVEL_DEBUG, func, "\"%s\" %s%s%.64s%s", name, why,
	    value != NULL ? ": \"" : "", value != NULL ? value : "",
	    value != NULL ? "\"" : "");
	return GATE_ERR_PROTOCOL;
}

/* Copies string field `name` of obj into dst if check() accepts it. */
static int
get_str(const json_t *obj, const char *name, char *dst, size_t dstlen,
    int (*check)(const char *))
{
	json_t *v = json_object_get(obj, name);
	const char *s;

	if (!json_is_string(v))
		return refuse(__func__, name, "missing or not a string", NULL);
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return refuse(__func__, name, "holds a NUL", NULL);
	if (strlen(s) >= dstlen)
		return refuse(__func__, name, "too long", s);
	if (check != NULL && !check(s))
		return refuse(__func__, name, "outside its grammar", s);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int
get_pubkey(const json_t *obj, struct api_pubkey *k)
{
	int r;

	if (!json_is_object(obj))
		return refuse(__func__, "key", "not an object", NULL);
	if ((r = get_str(obj, "type", k->type, sizeof(k->type),
	    ident_is_key_type)) != 0 ||
	    (r = get_str(obj, "blob", k->blob, sizeof(k->blob),
	    ident_is_key_blob)) != 0)
		return r;
	return 0;
}

/* A display string: any UTF-8 (jansson checked it) without NUL, capped. */
static int
dup_name(const json_t *obj, const char *name, char **out)
{
	json_t *v = json_object_get(obj, name);
	const char *s;

	*out = NULL;
	if (!json_is_string(v))
		return refuse(__func__, name, "missing or not a string", NULL);
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return refuse(__func__, name, "holds a NUL", NULL);
	if (strlen(s) > API_NAME_MAX)
		return refuse(__func__, name, "too long", NULL);
	if ((*out = strdup(s)) == NULL)
		return GATE_ERR_ALLOC;
	return 0;
}

int
api_decode_authz(const json_t *root, struct api_authz *out)
{
	json_t *node;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = get_str(root, "key_id", out->key_id, sizeof(out->key_id),
	    ident_is_key_id)) != 0 ||
	    (r = get_str(root, "account", out->account, sizeof(out->account),
	    ident_is_id)) != 0 ||
	    (r = get_pubkey(json_object_get(root, "key"), &out->key)) != 0)
		goto out;
	node = json_object_get(root, "node");
	if (node == NULL || json_is_null(node))
		out->node[0] = '\0';
	else if ((r = get_str(root, "node", out->node, sizeof(out->node),
	    ident_is_id)) != 0)
		goto out;
	r = 0;
 out:
	if (r != 0)
		memset(out, 0, sizeof(*out));
	return r;
}

int
api_decode_key_status(const json_t *root, struct api_key_status *out)
{
	char status[API_STATUS_MAX + 1];
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = get_str(root, "key_id", out->key_id, sizeof(out->key_id),
	    ident_is_key_id)) != 0 ||
	    (r = get_str(root, "account", out->account, sizeof(out->account),
	    ident_is_id)) != 0 ||
	    (r = get_str(root, "status", status, sizeof(status),
	    ident_is_status)) != 0)
		return r;
	/* anything but "active" is not active */
	out->active = strcmp(status, "active") == 0;
	return 0;
}

void
api_node_clear(struct api_node *n)
{
	if (n == NULL)
		return;
	free(n->name);
	free(n->hostkeys);
	memset(n, 0, sizeof(*n));
}

void
api_node_free(struct api_node *n)
{
	api_node_clear(n);
	free(n);
}

static int
get_port(const json_t *obj, int *port)
{
	json_t *v = json_object_get(obj, "port");

	if (!json_is_integer(v))
		return refuse(__func__, "port", "missing or not an integer",
		    NULL);
	if (json_integer_value(v) < 1 || json_integer_value(v) > 65535)
		return refuse(__func__, "port", "out of range", NULL);
	*port = (int)json_integer_value(v);
	return 0;
}

/* The node's pinned host keys: 1 to API_HOSTKEYS_MAX key objects. */
static int
get_hostkeys(const json_t *obj, struct api_node *out)
{
	json_t *keys = json_object_get(obj, "host_keys");
	size_t i;
	int r;

	if (!json_is_array(keys) || json_array_size(keys) < 1 ||
	    json_array_size(keys) > API_HOSTKEYS_MAX)
		return refuse(__func__, "host_keys",
		    "not a non-empty array within the cap", NULL);
	if ((out->hostkeys = calloc(json_array_size(keys),
	    sizeof(*out->hostkeys))) == NULL)
		return GATE_ERR_ALLOC;
	for (i = 0; i < json_array_size(keys); i++) {
		if ((r = get_pubkey(json_array_get(keys, i),
		    &out->hostkeys[i])) != 0)
			return r;
		out->nhostkeys++;
	}
	return 0;
}

int
api_decode_node(const json_t *obj, struct api_node *out)
{
	int r = GATE_ERR_PROTOCOL;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj)) {
		r = refuse(__func__, "node", "not an object", NULL);
		goto out;
	}
	if ((r = get_str(obj, "id", out->id, sizeof(out->id),
	    ident_is_id)) != 0 ||
	    (r = dup_name(obj, "name", &out->name)) != 0 ||
	    (r = get_str(obj, "role", out->role, sizeof(out->role),
	    ident_is_role)) != 0 ||
	    (r = get_str(obj, "status", out->status, sizeof(out->status),
	    ident_is_status)) != 0 ||
	    (r = get_str(obj, "address", out->address, sizeof(out->address),
	    ident_is_address)) != 0 ||
	    (r = get_str(obj, "user", out->user, sizeof(out->user),
	    ident_is_user)) != 0)
		goto out;
	/* "environment" is optional inside an environment listing */
	if (json_object_get(obj, "environment") != NULL &&
	    (r = get_str(obj, "environment", out->environment,
	    sizeof(out->environment), ident_is_env_name)) != 0)
		goto out;
	if ((r = get_port(obj, &out->port)) != 0 ||
	    (r = get_hostkeys(obj, out)) != 0)
		goto out;
	r = 0;
 out:
	if (r != 0)
		api_node_clear(out);
	return r;
}

void
api_envlist_free(struct api_envlist *l)
{
	size_t i, j;

	if (l == NULL)
		return;
	for (i = 0; i < l->nenvs; i++) {
		for (j = 0; j < l->envs[i].nnodes; j++)
			api_node_clear(&l->envs[i].nodes[j]);
		free(l->envs[i].nodes);
		free(l->envs[i].display_name);
	}
	free(l->envs);
	free(l);
}

/*
 * One environment of a listing into e; *total counts the nodes of the
 * whole listing against API_NODES_MAX. On error e holds what it got, for
 * api_envlist_free().
 */
static int
decode_env(const json_t *env, struct api_env *e, size_t *total)
{
	json_t *nodes;
	size_t j;
	int r;

	if (!json_is_object(env))
		return refuse(__func__, "environments", "holds a non-object",
		    NULL);
	if ((r = get_str(env, "name", e->name, sizeof(e->name),
	    ident_is_env_name)) != 0 ||
	    (r = dup_name(env, "display_name", &e->display_name)) != 0 ||
	    (r = get_str(env, "status", e->status, sizeof(e->status),
	    ident_is_status)) != 0)
		return r;
	nodes = json_object_get(env, "nodes");
	if (!json_is_array(nodes))
		return refuse(__func__, "nodes", "missing or not an array",
		    NULL);
	*total += json_array_size(nodes);
	if (*total > API_NODES_MAX)
		return refuse(__func__, "nodes", "over the cap for a listing",
		    NULL);
	if (json_array_size(nodes) > 0 && (e->nodes = calloc(
	    json_array_size(nodes), sizeof(*e->nodes))) == NULL)
		return GATE_ERR_ALLOC;
	for (j = 0; j < json_array_size(nodes); j++) {
		if ((r = api_decode_node(json_array_get(nodes, j),
		    &e->nodes[j])) != 0)
			return r;
		e->nnodes++;
		/* the listing names the environment; keep it */
		memcpy(e->nodes[j].environment, e->name, sizeof(e->name));
	}
	return 0;
}

int
api_decode_envlist(const json_t *root, struct api_envlist **out)
{
	struct api_envlist *l = NULL;
	json_t *envs;
	size_t i, total = 0;
	int r = GATE_ERR_ALLOC;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		goto out;
	if ((r = get_str(root, "account", l->account, sizeof(l->account),
	    ident_is_id)) != 0)
		goto out;
	envs = json_object_get(root, "environments");
	if (!json_is_array(envs) || json_array_size(envs) > API_ENVS_MAX) {
		r = refuse(__func__, "environments",
		    "not an array within the cap", NULL);
		goto out;
	}
	if (json_array_size(envs) > 0 && (l->envs = calloc(
	    json_array_size(envs), sizeof(*l->envs))) == NULL) {
		r = GATE_ERR_ALLOC;
		goto out;
	}
	for (i = 0; i < json_array_size(envs); i++)
		if ((r = decode_env(json_array_get(envs, i),
		    &l->envs[l->nenvs++], &total)) != 0)
			goto out;
	*out = l;
	l = NULL;	/* transferred */
	r = 0;
 out:
	api_envlist_free(l);
	return r;
}

int
api_authorize(struct api_client *c, const char *login,
    const char *fingerprint, struct api_authz *out)
{
	const char *segs[] = { "v1", "gate", "authorize", NULL };
	const char *query[] = { "login", login, "fingerprint", fingerprint,
	    NULL };
	json_t *root = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (ident_login_parse(login, NULL) != 0 ||
	    !ident_is_fingerprint(fingerprint)) {
		log_debug("login or fingerprint outside its grammar: not sent");
		return GATE_ERR_INVALID;
	}
	if ((r = api_get(c, segs, query, &root)) != 0)
		goto out;
	if ((r = api_decode_authz(root, out)) != 0) {
		log_debug("answer refused: %s", gate_strerror(r));
		goto out;
	}
	log_debug("key %s may log in to account %s, node \"%s\"",
	    out->key_id, out->account, out->node);
 out:
	json_decref(root);
	return r;
}

int
api_key_status(struct api_client *c, const char *key_id,
    struct api_key_status *out)
{
	const char *segs[] = { "v1", "gate", "keys", key_id, NULL };
	json_t *root = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (!ident_is_key_id(key_id)) {
		log_debug("key id outside its grammar: not sent");
		return GATE_ERR_INVALID;
	}
	if ((r = api_get(c, segs, NULL, &root)) != 0)
		goto out;
	if ((r = api_decode_key_status(root, out)) != 0) {
		log_debug("answer refused: %s", gate_strerror(r));
		goto out;
	}
	/* an answer about another key is a lie */
	if (strcmp(out->key_id, key_id) != 0) {
		log_debug("answer is about key %s, not %s", out->key_id,
		    key_id);
		r = GATE_ERR_PROTOCOL;
		goto out;
	}
	log_debug("key %s is %s", key_id, out->active ? "active" :
	    "not active");
 out:
	json_decref(root);
	return r;
}

int
api_node_get(struct api_client *c, const char *account, const char *node,
    const char *key_id, struct api_node **out)
{
	const char *segs[] = { "v1", "gate", "accounts", account, "nodes",
	    node, NULL };
	const char *query[] = { "key_id", key_id, NULL };
	struct api_node *n = NULL;
	json_t *root = NULL;
	int r;

	*out = NULL;
	if (!ident_is_id(account) || !ident_is_id(node) ||
	    !ident_is_key_id(key_id)) {
		log_debug("account, node or key id outside its grammar: "
		    "not sent");
		return GATE_ERR_INVALID;
	}
	if ((r = api_get(c, segs, query, &root)) != 0)
		goto out;
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		r = GATE_ERR_ALLOC;
		goto out;
	}
	if ((r = api_decode_node(root, n)) != 0) {
		log_debug("answer refused: %s", gate_strerror(r));
		goto out;
	}
	if (strcmp(n->id, node) != 0) {
		log_debug("answer is about node %s, not %s", n->id, node);
		r = GATE_ERR_PROTOCOL;
		goto out;
	}
	log_debug("node %s: %s, %s:%d as %s", n->id, n->status, n->address,
	    n->port, n->user);
	*out = n;
	n = NULL;	/* transferred */
 out:
	api_node_free(n);
	json_decref(root);
	return r;
}

int
api_environments(struct api_client *c, const char *account,
    const char *key_id, struct api_envlist **out)
{
	const char *segs[] = { "v1", "gate", "accounts", account,
	    "environments", NULL };
	const char *query[] = { "key_id", key_id, NULL };
	json_t *root = NULL;
	int r;

	*out = NULL;
	if (!ident_is_id(account) || !ident_is_key_id(key_id)) {
		log_debug("account or key id outside its grammar: not sent");
		return GATE_ERR_INVALID;
	}
	if ((r = api_get(c, segs, query, &root)) != 0)
		goto out;
	if ((r = api_decode_envlist(root, out)) != 0) {
		log_debug("answer refused: %s", gate_strerror(r));
		goto out;
	}
	if (strcmp((*out)->account, account) != 0) {
		log_debug("answer is about account %s, not %s",
		    (*out)->account, account);
		api_envlist_free(*out);
		*out = NULL;
		r = GATE_ERR_PROTOCOL;
		goto out;
	}
	log_debug("account %s: %zu environments", account, (*out)->nenvs);
 out:
	json_decref(root);
	return r;
}
