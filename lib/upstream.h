/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The gate-to-container leg: a libssh client session to the container's
 * sshd, with the container's host key pinned to what the platform API
 * holds (never trust-on-first-use) and the gate's internal key.
 */
#ifndef SSHGATE_UPSTREAM_H
#define SSHGATE_UPSTREAM_H

#include <stdint.h>

#include <libssh/libssh.h>

#include "api.h"
#include "conf.h"

#define UPSTREAM_DETAIL_MAX	256

/*
 * Connects to node n and authenticates with the internal key through
 * the ssh-agent socket agent_fd (the session's signer, lib/signer.h;
 * libssh owns the fd from here on, and closes it in ssh_free). On
 * success *out is a connected, authenticated, still blocking session
 * (the caller's: ssh_disconnect + ssh_free). Returns 0,
 * GATE_ERR_CONNECT (unreachable, refused, timed out, handshake failed),
 * GATE_ERR_HOSTKEY (not a pinned key), GATE_ERR_DENIED (the container
 * refused the internal key, or the signer would not sign) or
 * GATE_ERR_SSH. detail (UPSTREAM_DETAIL_MAX bytes) gets libssh's words
 * for the log.
 */
int	upstream_connect(const struct gate_config *cfg,
	    const struct api_node *n, int agent_fd, ssh_session *out,
	    char *detail);

/*
 * For a libssh call on nonblocking session s that said SSH_AGAIN: waits
 * until the socket can move what libssh waits for, at most until deadline
 * (clock_now_ms() time). Re-arms TCP_QUICKACK first, so that what the
 * container sends next is acknowledged at once. Returns 0 (call again),
 * GATE_ERR_TIMEOUT, GATE_ERR_SSH (no socket) or GATE_ERR_SYSTEM.
 */
int	upstream_wait(ssh_session s, long long deadline);

/*
 * ssh_channel_open_session(ch), noting the maximum packet size the
 * container confirms (upstream_remote_maxpacket()). Same returns.
 */
int	upstream_open_session(ssh_channel ch);

/*
 * The maximum packet size the container gave the session channel opened
 * last by upstream_open_session(), into *max: 0, or -1 if libssh did not
 * say it.
 */
int	upstream_remote_maxpacket(uint32_t *max);

/*
 * How many unsolicited messages (channel opens of every type, unknown
 * channel requests) were refused since the login: each is answered with
 * a failure and freed at once.
 */
unsigned long long upstream_refused(void);

/* The host key algorithms to ask for, for the pinned key types. */
int	upstream_hostkey_algos(const struct api_node *n, char *buf,
	    size_t len);

#endif /* SSHGATE_UPSTREAM_H */
