/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The revocation policy of gate-shell and sftp-relay: which answers of
 * the platform API end a live session. session_run() calls it every
 * RevokeInterval.
 */
#ifndef SSHGATE_REVOKE_H
#define SSHGATE_REVOKE_H

#include "api.h"
#include "conf.h"
#include "session.h"

/*
 * A session_verdict (session.h) on rq's key and node. SESSION_DENIED:
 * the key is unknown or inactive, belongs to another account now, or the
 * node is no longer found for it; or the API answered 401, 403, 404 or
 * an answer that breaks the contract (malformed, too large). Those are
 * answers: a gate whose token no longer works cannot vouch for a
 * session. SESSION_UNCONFIRMED: the API did not answer (unreachable,
 * timeout, TLS, 5xx, another status): the session may go on for
 * RevokeGrace. SESSION_ALLOWED otherwise.
 */
int	revoke_check(struct api_client *api, const struct session_req *rq);

/*
 * Whether the platform says key_id is revoked (known, not active): 1,
 * else 0 (active, unknown, or no usable answer). One API call.
 */
int	revoke_key_revoked(struct api_client *api, const char *key_id);

/*
 * A session refused at the node lookup with 403 or 404 may be a key
 * revoked within authkeys-cmd's CacheTime: the API then refuses the node
 * for an inactive key as it would a node the key may not reach. Asks the
 * key's status once and sets so->verdict to SESSION_DENIED if the
 * platform says the key is revoked, so that the user and the log are
 * told so. Leaves so as it is otherwise (another stage, another error,
 * no answer).
 */
void	revoke_explain(const struct gate_config *cfg,
	    const struct session_req *rq, struct session_outcome *so);

#endif /* SSHGATE_REVOKE_H */
