/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The revocation policy of gate-shell and sftp-relay: which answers of
 * the platform API end a live session. session_run() calls it every
 * RevokeInterval.
 */
#ifndef SSHGATE_REVOKE_H
#define SSHGATE_REVOKE_H

#include "api.h"
#include "session.h"

/*
 * Non-zero when the platform no longer allows rq's key on rq's node: the
 * key is unknown or inactive, belongs to another account now, or the
 * node is no longer found for it (404 or 403). An API that does not
 * answer does not end a live session: that is logged and 0 returned.
 */
int	revoke_check(struct api_client *api, const struct session_req *rq);

#endif /* SSHGATE_REVOKE_H */
