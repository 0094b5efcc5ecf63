/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * One relayed session, shared by gate-shell (shell and exec) and
 * sftp-relay (the sftp subsystem): find the node through the platform
 * API, connect with the host key pinned, open the channel, relay, with a
 * periodic check while it runs, and write the "session started" line.
 *
 * Mechanism only: session_run() says how far the session got and why it
 * stopped (struct session_outcome); what that means to the user (exit
 * code, the line on stderr, the closing audit line) is the programs'
 * policy (gate-shell/outcome.h), and so is what the periodic check asks
 * (gate-shell/revoke.h).
 */
#ifndef SSHGATE_SESSION_H
#define SSHGATE_SESSION_H

#include <netinet/in.h>

#include "api.h"
#include "conf.h"
#include "ident.h"
#include "log.h"
#include "relay.h"

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
	/* clock_now_ms() at login, for MaxSessionTime; 0: the session's */
	long long started_ms;
};

/*
 * What the periodic check says of a live session, the return values of
 * session_run()'s check.
 */
enum session_verdict {
	SESSION_ALLOWED = 0,	/* the platform still allows it */
	SESSION_DENIED,		/* a definite no: the session ends now */
	SESSION_UNCONFIRMED,	/* no usable answer: ends after RevokeGrace */
};

/* How far session_run() got: the stage that failed, or ENDED. */
enum session_stage {
	SESSION_STAGE_SETUP,	/* the API client could not be set up */
	SESSION_STAGE_LOOKUP,	/* the API did not give us the node */
	SESSION_STAGE_STATUS,	/* the node is not running (detail: status) */
	SESSION_STAGE_CONNECT,	/* upstream_connect() failed */
	SESSION_STAGE_CHANNEL,	/* the container refused channel or request */
	SESSION_STAGE_RELAY,	/* relay_run() could not start */
	SESSION_STAGE_ENDED,	/* the relay ran; res says how it ended */
};

/* Big enough for libssh's whole error text (its buffer is 1024). */
#define SESSION_DETAIL_MAX	1024

struct session_outcome {
	enum session_stage stage;
	int	err;			/* GATE_ERR_* of that stage; 0: ENDED */
	char	detail[SESSION_DETAIL_MAX];	/* for the log; "" none */
	/* the node, once the API gave it (from STAGE_STATUS on) */
	int	have_node;
	char	node[IDENT_ID_MAX + 1];
	char	status[API_STATUS_MAX + 1];
	char	address[INET6_ADDRSTRLEN];
	int	port;
	char	user[IDENT_USER_MAX + 1];
	/* STAGE_ENDED only */
	struct relay_result res;
	int	exit_code;		/* relay_exit_code(&res) */
	/*
	 * res.end RELAY_END_CHECK: DENIED or UNCONFIRMED (grace expired);
	 * STAGE_LOOKUP: DENIED if the program found the key revoked
	 */
	enum session_verdict verdict;
	long long duration_ms;
};

/*
 * Fills the validated parts of *rq from the environment sshd set up
 * (USER, SSH_TTY, TERM, LANG, SSH_CONNECTION) and key_id. Returns 0 or
 * GATE_ERR_INVALID with *why set.
 */
int	session_req_from_env(struct session_req *rq, const char *key_id,
	    const char **why);

/*
 * Runs the session. check, if not NULL and RevokeInterval is set, runs
 * in a watcher process forked before anything else (it never holds the
 * container's connection; the relay never waits for the API): about
 * every RevokeInterval, with an API client of its own, it returns a
 * SESSION_* verdict. DENIED ends the session at once, UNCONFIRMED once
 * it has lasted RevokeGrace (0: at once); the watcher logs each change
 * of that state. The session then ends with res.end RELAY_END_CHECK and
 * out->verdict says which; a watcher that dies ends it as UNCONFIRMED.
 * Prints nothing. Fills *out (the caller's; it must outlive the call)
 * and returns out->err: 0 when the relay ran, whatever its end, or the
 * GATE_ERR_* of the stage that failed. Logs "session started" once the
 * channel is open; the closing line is the caller's.
 */
int	session_run(const struct gate_config *cfg, const struct session_req *rq,
	    int (*check)(struct api_client *, const struct session_req *),
	    struct session_outcome *out);

/*
 * The relay process of a session (doc/hacking.md, "Privilege
 * separation"): session_run() starts it as /proc/self/exe with this one
 * argument, and the program's main() must then call session_relay_main()
 * before anything else, fds 3 to 5 untouched. It reads what to relay
 * from its monitor, confines itself, logs in through the monitor's
 * signer, relays and reports the outcome; it never returns.
 */
#define SESSION_RELAY_ARG	"--relay-process"

void	session_relay_main(void) __attribute__((noreturn));

/*
 * Begins an audit line with summary and the tail every session line
 * shares: login, key_id, client, client_port, kind and the node (with
 * address, port and user once o has them). o may be NULL.
 */
void	session_logline(struct logline *l, const char *summary,
	    const struct session_req *rq, const struct session_outcome *o);

/* "shell", "exec" or "sftp". */
const char *session_kind_name(enum session_kind k);

/* "setup", "lookup", ... "ended", for debug lines. */
const char *session_stage_name(enum session_stage stage);

#endif /* SSHGATE_SESSION_H */
