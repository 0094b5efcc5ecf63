/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * What an outcome means to the user: the one table of gate-shell and
 * sftp-relay (sftp-relay compiles this file in: it is gate-shell's own
 * subsystem, and lib/ decides nothing). Every way a run can end is one
 * row: the exit code, the user's one line on stderr, and the summary and
 * syslog priority of its audit line. The audit line's key=value tail is
 * the caller's, since only it has the values.
 */
#ifndef SSHGATE_OUTCOME_H
#define SSHGATE_OUTCOME_H

#include <stddef.h>

#include "conf.h"
#include "session.h"

/* Exit codes of gate-shell and sftp-relay for the gate's own errors. */
#define GATE_EXIT_CONFIG	254	/* usage or configuration */
#define GATE_EXIT_API		253	/* platform API unavailable or lying */
#define GATE_EXIT_NO_TARGET	252	/* no such container for this key */
#define GATE_EXIT_UNREACHABLE	251	/* cannot connect to the container */
#define GATE_EXIT_HOSTKEY	250	/* container host key not the pinned one */
#define GATE_EXIT_REVOKED	249	/* access revoked during the session,
					   or no longer confirmed, or the key
					   revoked before it began */
#define GATE_EXIT_REFUSED	248	/* container refused the gate's key */
#define GATE_EXIT_CHANNEL	247	/* container refused the session */
#define GATE_EXIT_IDLE		245	/* IdleTimeout: nothing moved */
#define GATE_EXIT_MAX_TIME	244	/* MaxSessionTime reached */
#define GATE_EXIT_OTHER		255	/* the client went away, or a bug */

enum outcome {
	OUTCOME_OK,
	/* before any session: arguments, environment, configuration */
	OUTCOME_USAGE,		/* bad arguments (usage() printed) */
	OUTCOME_CONFIG,		/* configuration error in a session */
	OUTCOME_CONFIG_CHECK,	/* -t or -T found it (already printed) */
	OUTCOME_ENV,		/* could not reset the environment */
	OUTCOME_COMMAND_TOO_LONG,
	OUTCOME_BAD_REQUEST,	/* login or key id from sshd invalid */
	OUTCOME_NO_SFTP_RELAY,	/* exec of sftp-relay failed */
	OUTCOME_SFTP_BAD_ARGS,	/* sftp-relay: login or key id invalid */
	OUTCOME_SFTP_ACCOUNT,	/* sftp on an ACCOUNT login */
	/* account logins */
	OUTCOME_MENU_NEEDS_TTY,
	OUTCOME_MENU_BAD_COMMAND,
	OUTCOME_LIST_SETUP_CONFIG,	/* API client: config or system */
	OUTCOME_LIST_SETUP,		/* API client: anything else */
	OUTCOME_LIST_NOTHING,		/* 403 or 404 */
	OUTCOME_LIST_REVOKED,		/* 403 or 404: the key is revoked */
	OUTCOME_LIST_API_LOCAL,		/* config or system on our side */
	OUTCOME_LIST_API,		/* the API failed otherwise */
	OUTCOME_LIST_JSON,		/* could not build the JSON */
	OUTCOME_LIST_WRITE,		/* could not write stdout */
	OUTCOME_MENU_IDLE,		/* IdleTimeout in the menu */
	OUTCOME_MENU_MAX_TIME,		/* MaxSessionTime in the menu */
	/* a session (session_run's stage and error) */
	OUTCOME_S_API_SETUP,
	OUTCOME_S_NO_NODE,
	OUTCOME_S_KEY_REVOKED,	/* no node: the key itself is revoked */
	OUTCOME_S_API,
	OUTCOME_S_NOT_RUNNING,
	OUTCOME_S_HOSTKEY,
	OUTCOME_S_KEY_REFUSED,
	OUTCOME_S_CONNECT_CONFIG,
	OUTCOME_S_UNREACHABLE,
	OUTCOME_S_CHANNEL,
	OUTCOME_S_INTERNAL,	/* relay_run could not start */
	OUTCOME_S_REMOTE,	/* the container ended it: its exit code */
	OUTCOME_S_REVOKED,
	OUTCOME_S_HANGUP,	/* our client went away, or a signal */
	OUTCOME_S_LOST,		/* the SSH leg to the container failed */
	OUTCOME_S_UNCONFIRMED,	/* the API did not answer for RevokeGrace */
	OUTCOME_S_IDLE,		/* IdleTimeout */
	OUTCOME_S_MAX_TIME,	/* MaxSessionTime */
	OUTCOME_S_UNRESPONSIVE,	/* the container stopped answering */
	OUTCOME_S_PROTOCOL,	/* the container broke the protocol */
	OUTCOME_SHELL_REFUSED,	/* as login shell: not the forced command */
	OUTCOME_COUNT
};

/*
 * The words a row's line may contain, as {account}, {node}, {status},
 * {kind} and {reason}; NULL fields read "-". {idle} and {max} are
 * IdleTimeout and MaxSessionTime of the loaded configuration.
 */
struct outcome_ctx {
	const char *account;
	const char *node;
	const char *status;
	const char *kind;
	const char *reason;
};

/* The row's exit code (OUTCOME_S_REMOTE: -1, the container's). */
int	outcome_code(enum outcome o);

/* The row's user line with its words filled in, into buf; "" if none. */
void	outcome_line(enum outcome o, const struct outcome_ctx *c, char *buf,
	    size_t len);

/* Prints "sshgate: <msg>" on stderr, with \r\n when tty is set. */
void	outcome_tell(int tty, const char *msg);

/*
 * Writes row o's audit line, if it has one: its summary and priority,
 * the key=value tail as log_event() takes it.
 */
void	outcome_log(enum outcome o, const char *kvfmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Ends a run as row o says: its audit line (summary and priority from
 * the row, key=value tail as log_event() takes it) if it has one, then
 * its user line. Returns the exit code. c may be NULL when the row's
 * line has no words; kvfmt NULL writes no audit line (the row has none,
 * or outcome_log() wrote it already).
 */
int	outcome_end(enum outcome o, const struct outcome_ctx *c,
	    const char *kvfmt, ...) __attribute__((format(printf, 3, 4)));

/* Which row a session_run() outcome is. */
enum outcome outcome_of_session(const struct session_outcome *so);

/*
 * Ends a session: the row of so, its audit line ("session refused",
 * "session ended" or none) with the session's tail, its user line (on
 * the session's terminal once the relay ran). Returns the exit code.
 */
int	outcome_session(const struct session_req *rq,
	    const struct session_outcome *so);

/* Which row a failed account listing is: setup says api_client_new(). */
enum outcome outcome_of_listing(int setup, int err);

/*
 * The config step of both programs: prog_config(), and on error the
 * misconfiguration line (in a session; -t and -T print their own).
 * Returns -1 to go on, or the exit code. The outcome lines read the
 * limits ({idle}, {max}) of cfg from then on: cfg must outlive them.
 */
int	outcome_config(const char *name, const char *path, int test, int dump,
	    struct gate_config *cfg);

#endif /* SSHGATE_OUTCOME_H */
