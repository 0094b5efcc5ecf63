/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * Revocation: asked every RevokeInterval during a session. See revoke.h.
 */
#include "config.h"

#include <string.h>

#include "api.h"
#include "gate_err.h"
#include "log.h"
#include "revoke.h"
#include "session.h"

/*
 * What an API error says of the session: 401, 403, 404 and an answer
 * that breaks the contract are answers (a rotated token must not make
 * live sessions impossible to end); the platform not answering is not.
 */
static int
revoke_verdict_of(int err)
{
	switch (err) {
	case GATE_ERR_NOT_FOUND:
	case GATE_ERR_DENIED:
	case GATE_ERR_AUTH:
	case GATE_ERR_JSON:
	case GATE_ERR_PROTOCOL:
	case GATE_ERR_TOO_LARGE:
	case GATE_ERR_INVALID:
		return SESSION_DENIED;
	default:
		/* timeout, connect, TLS, 5xx, another status */
		return SESSION_UNCONFIRMED;
	}
}

int
revoke_check(struct api_client *api, const struct session_req *rq)
{
	struct api_key_status ks;
	struct api_node *n = NULL;
	const char *why = NULL;
	int r;

	r = api_key_status(api, rq->key_id, &ks);
	if (r == 0 && !ks.active)
		why = "key revoked";
	else if (r == 0 && strcmp(ks.account, rq->login.account) != 0)
		why = "key moved to another account";
	else if (r == 0) {
		r = api_node_get(api, rq->login.account, rq->login.node,
		    rq->key_id, &n);
		api_node_free(n);
		if (r != 0 && revoke_verdict_of(r) == SESSION_DENIED)
			why = "node no longer reachable with this key";
	} else if (revoke_verdict_of(r) == SESSION_DENIED)
		why = "key status refused";
	if (why != NULL) {
		log_verbose("key %s on node %s: %s (%s%s%s)", rq->key_id,
		    rq->login.node, why, r != 0 ? gate_errname(r) : "answer",
		    r != 0 ? ": " : "", r != 0 ? api_client_detail(api) : "");
		return SESSION_DENIED;
	}
	if (r != 0) {
		log_debug("key %s on node %s: not confirmed: %s %s",
		    rq->key_id, rq->login.node, gate_errname(r),
		    api_client_detail(api));
		return SESSION_UNCONFIRMED;
	}
	log_debug("key %s on node %s: still allowed", rq->key_id,
	    rq->login.node);
	return SESSION_ALLOWED;
}

int
revoke_key_revoked(struct api_client *api, const char *key_id)
{
	struct api_key_status ks;
	int r;

	if ((r = api_key_status(api, key_id, &ks)) != 0) {
		log_debug("key %s: status unknown: %s", key_id,
		    gate_errname(r));
		return 0;
	}
	log_verbose("key %s: %s", key_id, ks.active ? "active" : "revoked");
	return !ks.active;
}

void
revoke_explain(const struct gate_config *cfg, const struct session_req *rq,
    struct session_outcome *so)
{
	struct api_client *api = NULL;

	if (so->stage != SESSION_STAGE_LOOKUP ||
	    (so->err != GATE_ERR_DENIED && so->err != GATE_ERR_NOT_FOUND))
		return;
	if (api_client_new(cfg, &api) == 0 &&
	    revoke_key_revoked(api, rq->key_id))
		so->verdict = SESSION_DENIED;
	api_client_free(api);
}
