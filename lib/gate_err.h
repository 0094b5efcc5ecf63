/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * Error codes of lib/: functions return 0 or one of these (negative).
 * Only program-level code decides what an error means to the user.
 */
#ifndef SSHGATE_GATE_ERR_H
#define SSHGATE_GATE_ERR_H

#define GATE_OK			0
#define GATE_ERR_SYSTEM		-1	/* see errno */
#define GATE_ERR_ALLOC		-2	/* out of memory */
#define GATE_ERR_INVALID	-3	/* input fails its grammar */
#define GATE_ERR_CONFIG		-4	/* bad configuration */
#define GATE_ERR_TOO_LARGE	-5	/* over a size cap */
#define GATE_ERR_TIMEOUT	-6	/* deadline passed */
#define GATE_ERR_CONNECT	-7	/* could not reach the peer */
#define GATE_ERR_TLS		-8	/* TLS handshake or verification */
#define GATE_ERR_HTTP		-9	/* unexpected HTTP status or transfer error */
#define GATE_ERR_SERVER		-10	/* the API answered 5xx */
#define GATE_ERR_JSON		-11	/* the API answered malformed JSON */
#define GATE_ERR_PROTOCOL	-12	/* well-formed answer violating the contract */
#define GATE_ERR_NOT_FOUND	-13	/* the API answered 404 */
#define GATE_ERR_DENIED		-14	/* the API answered 403 */
#define GATE_ERR_AUTH		-15	/* the API refused our token (401) */
#define GATE_ERR_HOSTKEY	-16	/* host key not the pinned one */
#define GATE_ERR_SSH		-17	/* libssh failure */
#define GATE_ERR_INTERNAL	-18	/* a bug */
#define GATE_ERR_MIN		-18

/* A static, lower-case description of a GATE_ERR_* code; never NULL. */
const char	*gate_strerror(int err);

/* A short stable name ("timeout", "not_found") for key=value logs. */
const char	*gate_errname(int err);

#endif /* SSHGATE_GATE_ERR_H */
