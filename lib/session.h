/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * One relayed session, shared by gate-shell (shell and exec) and
 * sftp-relay (the sftp subsystem): find the node through the platform
 * API, connect with the host key pinned, open the channel, relay, check
 * for revocation while it runs, and write the two audit lines.
 */
#ifndef SSHGATE_SESSION_H
#define SSHGATE_SESSION_H

#include "conf.h"
#include "ident.h"

/* Exit codes of gate-shell and sftp-relay for the gate's own errors. */
#define GATE_EXIT_CONFIG	254	/* usage or configuration */
#define GATE_EXIT_API		253	/* platform API unavailable or lying */
#define GATE_EXIT_NO_TARGET	252	/* no such container for this key */
#define GATE_EXIT_UNREACHABLE	251	/* cannot connect to the container */
#define GATE_EXIT_HOSTKEY	250	/* container host key not the pinned one */
#define GATE_EXIT_REVOKED	249	/* access revoked during the session */
#define GATE_EXIT_REFUSED	248	/* container refused the gate's key */
#define GATE_EXIT_CHANNEL	247	/* container refused the session */

enum session_kind {
	SESSION_SHELL,
	SESSION_EXEC,
	SESSION_SFTP,
};

struct session_req {
	struct ident_login login;		/* validated */
	char	login_str[IDENT_LOGIN_MAX + 1];
	char	key_id[IDENT_KEYID_MAX + 1];	/* validated */
	enum session_kind kind;
	const char *command;			/* SESSION_EXEC only */
	int	tty;				/* a pty was allocated */
	char	term[64];			/* validated, "" if none */
	char	lang[64];			/* validated, "" if none */
	char	client_addr[64];		/* validated, "-" if unknown */
	char	client_port[8];
};

/*
 * Fills the validated parts of *rq from the environment sshd set up
 * (USER, SSH_TTY, TERM, LANG, SSH_CONNECTION) and key_id. Returns 0 or
 * GATE_ERR_INVALID with *why set.
 */
int	session_req_from_env(struct session_req *rq, const char *key_id,
	    const char **why);

/*
 * Runs the session and returns the exit code for our client. Prints one
 * "sshgate: ..." line on stderr for the gate's own errors.
 */
int	session_run(const struct gate_config *cfg, const struct session_req *rq);

/* Prints "sshgate: <msg>" on stderr, with \r\n when tty is set. */
void	session_tell(int tty, const char *msg);

#endif /* SSHGATE_SESSION_H */
