/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The platform API decoders (lib/api.c through api-json.h): the input is
 * an HTTP body, parsed by api_parse() as api.c parses every answer, then
 * handed to each decoder. Contracts: a body api_parse() accepts is a JSON
 * object; whatever a decoder accepts re-validates against the grammars
 * of ident.h and stays within the caps of api.h, so that a caller may use
 * it without checking again.
 */
#include "config.h"

#include "api-json.h"
#include "fuzz.h"
#include "gate_err.h"
#include "ident.h"
#include "log.h"

static void
check_pubkey(const struct api_pubkey *k)
{
	FUZZ_CHECK(ident_is_key_type(k->type));
	FUZZ_CHECK(ident_is_key_blob(k->blob));
}

static void
check_node(const struct api_node *n, int in_listing)
{
	size_t i;

	FUZZ_CHECK(ident_is_id(n->id));
	FUZZ_CHECK(n->name != NULL && strlen(n->name) <= API_NAME_MAX);
	FUZZ_CHECK(ident_is_role(n->role));
	FUZZ_CHECK(ident_is_status(n->status));
	FUZZ_CHECK(n->environment[0] == '\0' ||
	    ident_is_env_name(n->environment));
	FUZZ_CHECK(!in_listing || ident_is_env_name(n->environment));
	FUZZ_CHECK(ident_is_address(n->address));
	FUZZ_CHECK(n->port >= 1 && n->port <= 65535);
	FUZZ_CHECK(ident_is_user(n->user));
	FUZZ_CHECK(n->nhostkeys >= 1 && n->nhostkeys <= API_HOSTKEYS_MAX);
	for (i = 0; i < n->nhostkeys; i++)
		check_pubkey(&n->hostkeys[i]);
}

static void
decode_all(const json_t *root)
{
	struct api_authz authz;
	struct api_key_status ks;
	struct api_node node;
	struct api_envlist *l = NULL;
	size_t i, j, total = 0;

	if (api_decode_authz(root, &authz) == 0) {
		FUZZ_CHECK(ident_is_key_id(authz.key_id));
		FUZZ_CHECK(ident_is_id(authz.account));
		FUZZ_CHECK(authz.node[0] == '\0' || ident_is_id(authz.node));
		check_pubkey(&authz.key);
	} else
		FUZZ_CHECK(authz.key_id[0] == '\0');
	if (api_decode_key_status(root, &ks) == 0) {
		FUZZ_CHECK(ident_is_key_id(ks.key_id));
		FUZZ_CHECK(ident_is_id(ks.account));
		FUZZ_CHECK(ks.active == 0 || ks.active == 1);
		FUZZ_CHECK(ks.active == (strcmp(json_string_value(
		    json_object_get(root, "status")), "active") == 0));
	}
	if (api_decode_node(root, &node) == 0) {
		check_node(&node, 0);
		api_node_clear(&node);
	} else
		FUZZ_CHECK(node.name == NULL && node.hostkeys == NULL);
	if (api_decode_envlist(root, &l) == 0) {
		FUZZ_CHECK(l != NULL && ident_is_id(l->account));
		FUZZ_CHECK(l->nenvs <= API_ENVS_MAX);
		for (i = 0; i < l->nenvs; i++) {
			FUZZ_CHECK(ident_is_env_name(l->envs[i].name));
			FUZZ_CHECK(ident_is_status(l->envs[i].status));
			FUZZ_CHECK(l->envs[i].display_name != NULL &&
			    strlen(l->envs[i].display_name) <= API_NAME_MAX);
			total += l->envs[i].nnodes;
			for (j = 0; j < l->envs[i].nnodes; j++) {
				check_node(&l->envs[i].nodes[j], 1);
				FUZZ_CHECK(strcmp(l->envs[i].nodes[j].
				    environment, l->envs[i].name) == 0);
			}
		}
		FUZZ_CHECK(total <= API_NODES_MAX);
		api_envlist_free(l);
	} else
		FUZZ_CHECK(l == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	json_t *root = NULL;
	int r;

	if (!ready) {
		/* the refusals are formatted (log_diag), but go nowhere */
		log_init("fuzz", 0);
		log_set_level(LOG_LEVEL_DEBUG);
		ready = 1;
	}
	r = api_parse((const char *)data, size, &root);
	if (r != 0) {
		FUZZ_CHECK(r == GATE_ERR_JSON && root == NULL);
		return 0;
	}
	FUZZ_CHECK(json_is_object(root));
	decode_all(root);
	/* each member on its own, as a listing holds nodes */
	{
		const char *key;
		json_t *v;

		json_object_foreach(root, key, v)
			if (json_is_object(v))
				decode_all(v);
	}
	json_decref(root);
	return 0;
}
