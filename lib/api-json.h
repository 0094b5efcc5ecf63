/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The JSON side of the platform API client: the decoders api.c runs on
 * each answer, in their own header so that only api.c and the unit tests
 * see jansson (api.h keeps it from the programs).
 */
#ifndef SSHGATE_API_JSON_H
#define SSHGATE_API_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "api.h"

/*
 * Turns a body of len bytes into a JSON object: duplicate keys, trailing
 * garbage, NUL and non-objects are GATE_ERR_JSON. On success *root is
 * the caller's (json_decref); on error it is NULL.
 */
int	api_parse(const char *buf, size_t len, json_t **root);

/*
 * Check one object against the contract (doc/platform-api.md; each
 * identifier against its grammar in ident.h) and copy what they keep, so
 * the caller may json_decref the root afterwards. They return 0,
 * GATE_ERR_PROTOCOL or GATE_ERR_ALLOC; on error *out holds nothing.
 */
int	api_decode_authz(const json_t *root, struct api_authz *out);
int	api_decode_key_status(const json_t *root, struct api_key_status *out);
/* Fills *out; the caller frees it with api_node_clear(). */
int	api_decode_node(const json_t *obj, struct api_node *out);
/* *out is the caller's: api_envlist_free(). */
int	api_decode_envlist(const json_t *root, struct api_envlist **out);

#endif /* SSHGATE_API_JSON_H */
