/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The platform API client (doc/platform-api.md): libcurl for HTTP(S),
 * jansson for JSON. Every identifier going out is validated and escaped;
 * every answer coming in is size-capped, parsed with duplicate keys
 * rejected, and type- and grammar-checked field by field before a caller
 * sees it.
 *
 * Neither libcurl nor jansson shows through this header: the JSON
 * decoders are in api-json.h, for api.c and the unit tests.
 */
#ifndef SSHGATE_API_H
#define SSHGATE_API_H

#include <stddef.h>

#include "conf.h"
#include "ident.h"

#define API_TYPE_MAX		40
#define API_BLOB_MAX		IDENT_BLOB_MAX	/* base64 chars of a key */
#define API_HOSTKEYS_MAX	8
#define API_NAME_MAX		1024	/* bytes of a display name */
#define API_ROLE_MAX		IDENT_ROLE_MAX
#define API_STATUS_MAX		IDENT_STATUS_MAX
#define API_ENVS_MAX		1000
#define API_NODES_MAX		5000	/* over all environments */

struct api_pubkey {
	char	type[API_TYPE_MAX + 1];
	char	blob[API_BLOB_MAX + 1];
};

/* GET /v1/gate/authorize */
struct api_authz {
	char	key_id[IDENT_KEYID_MAX + 1];
	char	account[IDENT_ID_MAX + 1];
	char	node[IDENT_ID_MAX + 1];		/* "" for an ACCOUNT login */
	struct api_pubkey key;
};

/* GET /v1/gate/keys/K */
struct api_key_status {
	char	key_id[IDENT_KEYID_MAX + 1];
	char	account[IDENT_ID_MAX + 1];
	int	active;
};

struct api_node {
	char	id[IDENT_ID_MAX + 1];
	char	*name;				/* raw UTF-8: sanitize to show */
	char	role[API_ROLE_MAX + 1];
	char	status[API_STATUS_MAX + 1];
	char	environment[IDENT_ENV_MAX + 1];
	char	address[IDENT_ADDR_MAX + 1];
	int	port;
	char	user[IDENT_USER_MAX + 1];
	size_t	nhostkeys;
	struct api_pubkey *hostkeys;
};

struct api_env {
	char	name[IDENT_ENV_MAX + 1];
	char	*display_name;			/* raw UTF-8: sanitize to show */
	char	status[API_STATUS_MAX + 1];
	size_t	nnodes;
	struct api_node *nodes;
};

struct api_envlist {
	char	account[IDENT_ID_MAX + 1];
	size_t	nenvs;
	struct api_env *envs;
};

struct api_client;

/*
 * Creates a client from the config: reads the bearer token from
 * ApiTokenFile (refused if world-readable or not one line of visible
 * ASCII). On success *out is the caller's (api_client_free).
 */
int	api_client_new(const struct gate_config *cfg, struct api_client **out);
void	api_client_free(struct api_client *c);

/*
 * A deadline over all later calls, as a CLOCK_MONOTONIC time in ms
 * (clock_now_ms() + budget). Each request gets min(ApiTimeout, what is
 * left); none starts after it. 0 removes the deadline.
 */
void	api_client_set_deadline(struct api_client *c, long long deadline_ms);

/* What the last call did, for logs: "HTTP 500", curl's text, ... */
const char *api_client_detail(const struct api_client *c);
long	api_client_last_status(const struct api_client *c);

/*
 * The calls. All return 0, GATE_ERR_NOT_FOUND (404), GATE_ERR_DENIED
 * (403), GATE_ERR_AUTH (401), GATE_ERR_SERVER (5xx), GATE_ERR_TIMEOUT,
 * GATE_ERR_CONNECT, GATE_ERR_TLS, GATE_ERR_TOO_LARGE, GATE_ERR_HTTP,
 * GATE_ERR_JSON, GATE_ERR_PROTOCOL or GATE_ERR_INVALID (bad argument,
 * nothing sent).
 */
int	api_authorize(struct api_client *c, const char *login,
	    const char *fingerprint, struct api_authz *out);
int	api_key_status(struct api_client *c, const char *key_id,
	    struct api_key_status *out);
/* *out is the caller's: api_node_free(). */
int	api_node_get(struct api_client *c, const char *account,
	    const char *node, const char *key_id, struct api_node **out);
/* *out is the caller's: api_envlist_free(). */
int	api_environments(struct api_client *c, const char *account,
	    const char *key_id, struct api_envlist **out);

void	api_node_free(struct api_node *n);
void	api_envlist_free(struct api_envlist *l);

/* Frees what *n holds (not n itself) and zeroes it. NULL is a no-op. */
void	api_node_clear(struct api_node *n);

/*
 * Builds base + "/" + each segment escaped (RFC 3986 unreserved kept)
 * + query "?k=v&..." escaped, into a malloc'd string. segs and query
 * are NULL-terminated; query alternates keys and values. Exposed for
 * the unit tests.
 */
int	api_build_url(const char *base, const char *const *segs,
	    const char *const *query, char **out);

#endif /* SSHGATE_API_H */
