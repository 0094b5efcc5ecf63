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

int
revoke_check(struct api_client *api, const struct session_req *rq)
{
	struct api_key_status ks;
	struct api_node *n = NULL;
	const char *why = NULL;
	int r;

	r = api_key_status(api, rq->key_id, &ks);
	if (r == GATE_ERR_NOT_FOUND || (r == 0 && !ks.active))
		why = "key revoked";
	else if (r == 0 && strcmp(ks.account, rq->login.account) != 0)
		why = "key moved to another account";
	else if (r == 0) {
		r = api_node_get(api, rq->login.account, rq->login.node,
		    rq->key_id, &n);
		if (r == GATE_ERR_NOT_FOUND || r == GATE_ERR_DENIED)
			why = "node no longer reachable with this key";
		api_node_free(n);
	}
	if (why != NULL) {
		log_verbose("key %s on node %s: %s", rq->key_id,
		    rq->login.node, why);
		return 1;
	}
	if (r != 0) {
		/* an unreachable API does not end a live session */
		log_event(LOG_WARNING, "revocation check failed",
		    "login=%s key_id=%s error=%s api_detail=%s", rq->login_str,
		    rq->key_id, gate_errname(r), api_client_detail(api));
		return 0;
	}
	log_debug("key %s on node %s: still allowed", rq->key_id,
	    rq->login.node);
	return 0;
}
