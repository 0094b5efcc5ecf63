/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The outcome table of gate-shell and sftp-relay. See outcome.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gate_err.h"
#include "log.h"
#include "outcome.h"
#include "prog.h"
#include "relay.h"
#include "session.h"

#define MISCONFIGURED	"the gate is misconfigured; please tell the " \
			"platform's operators"
#define API_DOWN	"the platform API is unavailable; try again later"

struct outcome_row {
	const char *name;	/* for debug lines */
	int	 code;		/* exit code; -1: the container's */
	int	 on_tty;	/* on the session's terminal (after relay) */
	const char *line;	/* the user's line, with {words}; NULL: none */
	const char *summary;	/* audit line; NULL: none */
	int	 prio;
};

/*
 * One row per way a run can end. The lines and summaries are what users
 * and the tests read: change none without changing both.
 */
static const struct outcome_row outcome_table[OUTCOME_COUNT] = {
	[OUTCOME_OK] = { "ok",
	    0, 0, NULL, NULL, 0 },
	[OUTCOME_USAGE] = { "usage",
	    GATE_EXIT_CONFIG, 0, NULL, NULL, 0 },
	/* prog_config() logged it */
	[OUTCOME_CONFIG] = { "config",
	    GATE_EXIT_CONFIG, 0, MISCONFIGURED, NULL, 0 },
	[OUTCOME_CONFIG_CHECK] = { "config_check",
	    GATE_EXIT_CONFIG, 0, NULL, NULL, 0 },
	[OUTCOME_ENV] = { "env",
	    GATE_EXIT_CONFIG, 0, NULL, NULL, 0 },
	[OUTCOME_COMMAND_TOO_LONG] = { "command_too_long",
	    GATE_EXIT_CONFIG, 0, "command too long", NULL, 0 },
	[OUTCOME_BAD_REQUEST] = { "bad_request",
	    GATE_EXIT_CONFIG, 0, "{reason}", "session refused", LOG_ERR },
	[OUTCOME_NO_SFTP_RELAY] = { "no_sftp_relay",
	    GATE_EXIT_CONFIG, 0, MISCONFIGURED, "cannot run sftp-relay",
	    LOG_ERR },
	[OUTCOME_SFTP_BAD_ARGS] = { "sftp_bad_args",
	    GATE_EXIT_CONFIG, 0, "invalid login or key id", NULL, 0 },
	[OUTCOME_SFTP_ACCOUNT] = { "sftp_account",
	    GATE_EXIT_NO_TARGET, 0, "sftp needs a container: use "
	    "NODE-ACCOUNT as the login (for example sftp 1234-ACCOUNT@gate)",
	    "session refused", LOG_WARNING },

	[OUTCOME_MENU_NEEDS_TTY] = { "menu_needs_tty",
	    GATE_EXIT_CONFIG, 0, "the account menu needs a terminal "
	    "(ssh -t {account}@gate); without one, try ssh {account}@gate "
	    "list", NULL, 0 },
	[OUTCOME_MENU_BAD_COMMAND] = { "menu_bad_command",
	    GATE_EXIT_CONFIG, 0, "account logins take list, list --json or "
	    "help; to run a command in a container use ssh "
	    "NODE-{account}@gate", NULL, 0 },
	/* the exit code follows the error, the line the step (as before) */
	[OUTCOME_LIST_SETUP_CONFIG] = { "list_setup_config",
	    GATE_EXIT_CONFIG, 0, MISCONFIGURED, NULL, 0 },
	[OUTCOME_LIST_SETUP] = { "list_setup",
	    GATE_EXIT_API, 0, MISCONFIGURED, NULL, 0 },
	[OUTCOME_LIST_NOTHING] = { "list_nothing",
	    GATE_EXIT_NO_TARGET, 0, "account {account} has nothing for this "
	    "key", "account listing failed", LOG_WARNING },
	/* within authkeys-cmd's CacheTime of a revocation */
	[OUTCOME_LIST_REVOKED] = { "list_revoked",
	    GATE_EXIT_REVOKED, 0, "this key was revoked by the platform; "
	    "access refused", "account listing failed", LOG_WARNING },
	[OUTCOME_LIST_API_LOCAL] = { "list_api_local",
	    GATE_EXIT_CONFIG, 0, API_DOWN, "account listing failed",
	    LOG_WARNING },
	[OUTCOME_LIST_API] = { "list_api",
	    GATE_EXIT_API, 0, API_DOWN, "account listing failed",
	    LOG_WARNING },
	[OUTCOME_LIST_JSON] = { "list_json",
	    GATE_EXIT_CONFIG, 0, NULL, NULL, 0 },
	[OUTCOME_LIST_WRITE] = { "list_write",
	    GATE_EXIT_OTHER, 0, NULL, NULL, 0 },
	[OUTCOME_MENU_IDLE] = { "menu_idle",
	    GATE_EXIT_IDLE, 0, "no input for {idle}; menu closed "
	    "(IdleTimeout)", "menu closed", LOG_INFO },
	[OUTCOME_MENU_MAX_TIME] = { "menu_max_time",
	    GATE_EXIT_MAX_TIME, 0, "this login reached the gate's limit "
	    "of {max}; menu closed (MaxSessionTime)", "menu closed",
	    LOG_INFO },

	[OUTCOME_S_API_SETUP] = { "s_api_setup",
	    GATE_EXIT_CONFIG, 0, MISCONFIGURED, "session refused",
	    LOG_WARNING },
	[OUTCOME_S_NO_NODE] = { "s_no_node",
	    GATE_EXIT_NO_TARGET, 0, "no container {node} in account "
	    "{account} for this key", "session refused", LOG_WARNING },
	/* within authkeys-cmd's CacheTime of a revocation */
	[OUTCOME_S_KEY_REVOKED] = { "s_key_revoked",
	    GATE_EXIT_REVOKED, 0, "this key was revoked by the platform; "
	    "access refused", "session refused", LOG_WARNING },
	[OUTCOME_S_API] = { "s_api",
	    GATE_EXIT_API, 0, API_DOWN, "session refused", LOG_WARNING },
	[OUTCOME_S_NOT_RUNNING] = { "s_not_running",
	    GATE_EXIT_NO_TARGET, 0, "container {node} is not running "
	    "(status {status})", "session refused", LOG_WARNING },
	/* loud: someone may sit between gate and container */
	[OUTCOME_S_HOSTKEY] = { "s_hostkey",
	    GATE_EXIT_HOSTKEY, 0, "the host key of container {node} does "
	    "not match the platform's record; refusing to connect",
	    "CONTAINER HOST KEY MISMATCH", LOG_WARNING },
	[OUTCOME_S_KEY_REFUSED] = { "s_key_refused",
	    GATE_EXIT_REFUSED, 0, "container {node} refused the gate's key",
	    "session refused", LOG_WARNING },
	[OUTCOME_S_CONNECT_CONFIG] = { "s_connect_config",
	    GATE_EXIT_CONFIG, 0, MISCONFIGURED, "session refused",
	    LOG_WARNING },
	[OUTCOME_S_UNREACHABLE] = { "s_unreachable",
	    GATE_EXIT_UNREACHABLE, 0, "cannot reach container {node}",
	    "session refused", LOG_WARNING },
	[OUTCOME_S_CHANNEL] = { "s_channel",
	    GATE_EXIT_CHANNEL, 0, "container {node} refused the {kind} "
	    "session", "session refused", LOG_WARNING },
	/* the relay failed after "session started": its end is logged */
	[OUTCOME_S_INTERNAL] = { "s_internal",
	    GATE_EXIT_OTHER, 1, "internal error", "session ended", LOG_ERR },
	[OUTCOME_S_REMOTE] = { "s_remote",
	    -1, 1, NULL, "session ended", LOG_INFO },
	[OUTCOME_S_REVOKED] = { "s_revoked",
	    GATE_EXIT_REVOKED, 1, "access revoked by the platform; session "
	    "closed", "session ended", LOG_WARNING },
	[OUTCOME_S_HANGUP] = { "s_hangup",
	    GATE_EXIT_OTHER, 1, NULL, "session ended", LOG_INFO },
	[OUTCOME_S_LOST] = { "s_lost",
	    GATE_EXIT_UNREACHABLE, 1, "connection to container {node} lost",
	    "session ended", LOG_INFO },
	[OUTCOME_S_UNCONFIRMED] = { "s_unconfirmed",
	    GATE_EXIT_REVOKED, 1, "cannot confirm access with the platform; "
	    "session closed", "session ended", LOG_WARNING },
	[OUTCOME_S_IDLE] = { "s_idle",
	    GATE_EXIT_IDLE, 1, "no input or output for {idle}; session "
	    "closed (IdleTimeout)", "session ended", LOG_INFO },
	[OUTCOME_S_MAX_TIME] = { "s_max_time",
	    GATE_EXIT_MAX_TIME, 1, "this login reached the gate's limit of "
	    "{max}; session closed (MaxSessionTime)", "session ended",
	    LOG_INFO },
	[OUTCOME_S_UNRESPONSIVE] = { "s_unresponsive",
	    GATE_EXIT_UNREACHABLE, 1, "container {node} stopped responding; "
	    "session closed", "session ended", LOG_WARNING },
	/* {reason}: the relay's own words, never the container's */
	[OUTCOME_S_PROTOCOL] = { "s_protocol",
	    GATE_EXIT_UNREACHABLE, 1, "container {node} broke the SSH "
	    "protocol ({reason}); session closed", "session ended",
	    LOG_WARNING },
	/* loud: sshd started a gate login without the key's command */
	[OUTCOME_SHELL_REFUSED] = { "shell_refused",
	    GATE_EXIT_CONFIG, 0, "gate logins run only the gate; refused",
	    "SHELL REFUSED", LOG_WARNING },
};

/* The loaded configuration, for {idle} and {max}: set once, then read. */
static const struct gate_config *outcome_cfg;

static const struct outcome_row *
outcome_row(enum outcome o)
{
	if ((unsigned int)o >= OUTCOME_COUNT)
		o = OUTCOME_S_INTERNAL;
	return &outcome_table[o];
}

int
outcome_code(enum outcome o)
{
	return outcome_row(o)->code;
}

/* A limit of the configuration as sshgate.conf(5) writes it: "15m". */
static const char *
outcome_limit(long ms, char *buf, size_t len)
{
	if (ms % 3600000 == 0)
		snprintf(buf, len, "%ldh", ms / 3600000);
	else if (ms % 60000 == 0)
		snprintf(buf, len, "%ldm", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%lds", ms / 1000);
	else
		snprintf(buf, len, "%ldms", ms);
	return buf;
}

/*
 * The value of {name} (len bytes of it) in c, or NULL if no such word;
 * buf (len bytes) holds a value made here.
 */
static const char *
outcome_word(const char *name, size_t len, const struct outcome_ctx *c,
    char *buf, size_t buflen)
{
	static const struct outcome_ctx none;
	const char *v;

#define WORD(w)	(len == sizeof(#w) - 1 && memcmp(name, #w, len) == 0)
	if (c == NULL)
		c = &none;
	if (WORD(account))
		v = c->account;
	else if (WORD(node))
		v = c->node;
	else if (WORD(status))
		v = c->status;
	else if (WORD(kind))
		v = c->kind;
	else if (WORD(reason))
		v = c->reason;
	else if (WORD(idle) && outcome_cfg != NULL)
		v = outcome_limit(outcome_cfg->idle_timeout, buf, buflen);
	else if (WORD(max) && outcome_cfg != NULL)
		v = outcome_limit(outcome_cfg->max_session_time, buf,
		    buflen);
	else
		return NULL;
#undef WORD
	return v != NULL ? v : "-";
}

void
outcome_line(enum outcome o, const struct outcome_ctx *c, char *buf,
    size_t len)
{
	const char *p = outcome_row(o)->line, *end, *v;
	char word[32];
	size_t n = 0, vlen;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (; p != NULL && *p != '\0' && n + 1 < len; p++) {
		if (*p == '{' && (end = strchr(p, '}')) != NULL &&
		    (v = outcome_word(p + 1, (size_t)(end - p - 1), c, word,
		    sizeof(word))) != NULL) {
			vlen = strlen(v);
			if (vlen > len - 1 - n)
				vlen = len - 1 - n;
			memcpy(buf + n, v, vlen);
			n += vlen;
			p = end;
		} else
			buf[n++] = *p;
	}
	buf[n] = '\0';
}

void
outcome_tell(int tty, const char *msg)
{
	char line[512];
	int n;

	/* the outer terminal may still be raw: say \r\n ourselves */
	n = snprintf(line, sizeof(line), "%ssshgate: %s%s", tty ? "\r\n" : "",
	    msg, tty ? "\r\n" : "\n");
	if (n > 0)
		(void)!write(STDERR_FILENO, line,
		    (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* The row's user line, if it has one; tty: the session's terminal. */
static void
outcome_say(enum outcome o, const struct outcome_ctx *c, int tty)
{
	char msg[320];

	if (outcome_row(o)->line == NULL)
		return;
	outcome_line(o, c, msg, sizeof(msg));
	outcome_tell(outcome_row(o)->on_tty ? tty : 0, msg);
}

static void
outcome_vlog(enum outcome o, const char *kvfmt, va_list ap)
{
	const struct outcome_row *row = outcome_row(o);
	struct logline l;

	if (row->summary == NULL || kvfmt == NULL)
		return;
	logline_init(&l, row->summary);
	logline_vkv(&l, kvfmt, ap);
	logline_emit(&l, row->prio);
}

void
outcome_log(enum outcome o, const char *kvfmt, ...)
{
	va_list ap;

	va_start(ap, kvfmt);
	outcome_vlog(o, kvfmt, ap);
	va_end(ap);
}

int
outcome_end(enum outcome o, const struct outcome_ctx *c,
    const char *kvfmt, ...)
{
	va_list ap;

	va_start(ap, kvfmt);
	outcome_vlog(o, kvfmt, ap);
	va_end(ap);
	outcome_say(o, c, 0);
	log_debug("%s: exit %d", outcome_row(o)->name, outcome_code(o));
	return outcome_code(o);
}

/* A relay that ran: how it ended. */
static enum outcome
outcome_of_end(enum relay_end end)
{
	switch (end) {
	case RELAY_END_REMOTE:
		return OUTCOME_S_REMOTE;
	case RELAY_END_CHECK:
		return OUTCOME_S_REVOKED;
	case RELAY_END_CLIENT_GONE:
	case RELAY_END_SIGNAL:
		return OUTCOME_S_HANGUP;
	case RELAY_END_ERROR:
		return OUTCOME_S_LOST;
	case RELAY_END_IDLE:
		return OUTCOME_S_IDLE;
	case RELAY_END_MAX_TIME:
		return OUTCOME_S_MAX_TIME;
	case RELAY_END_UNRESPONSIVE:
		return OUTCOME_S_UNRESPONSIVE;
	case RELAY_END_PROTOCOL:
		return OUTCOME_S_PROTOCOL;
	}
	return OUTCOME_S_INTERNAL;
}

enum outcome
outcome_of_session(const struct session_outcome *so)
{
	int e = so->err;

	switch (so->stage) {
	case SESSION_STAGE_SETUP:
		return OUTCOME_S_API_SETUP;
	case SESSION_STAGE_LOOKUP:
		if (e != GATE_ERR_NOT_FOUND && e != GATE_ERR_DENIED)
			return OUTCOME_S_API;
		return so->verdict == SESSION_DENIED ? OUTCOME_S_KEY_REVOKED :
		    OUTCOME_S_NO_NODE;
	case SESSION_STAGE_STATUS:
		return OUTCOME_S_NOT_RUNNING;
	case SESSION_STAGE_CONNECT:
		return e == GATE_ERR_HOSTKEY ? OUTCOME_S_HOSTKEY :
		    e == GATE_ERR_DENIED ? OUTCOME_S_KEY_REFUSED :
		    e == GATE_ERR_CONFIG ? OUTCOME_S_CONNECT_CONFIG :
		    OUTCOME_S_UNREACHABLE;
	case SESSION_STAGE_CHANNEL:
		return OUTCOME_S_CHANNEL;
	case SESSION_STAGE_RELAY:
		return OUTCOME_S_INTERNAL;
	case SESSION_STAGE_ENDED:
		if (so->res.end == RELAY_END_CHECK &&
		    so->verdict == SESSION_UNCONFIRMED)
			return OUTCOME_S_UNCONFIRMED;
		return outcome_of_end(so->res.end);
	}
	return OUTCOME_S_INTERNAL;
}

/* The closing audit line of a session, as row o says. */
static void
outcome_log_session(enum outcome o, int code, const struct session_req *rq,
    const struct session_outcome *so)
{
	const struct outcome_row *row = outcome_row(o);
	const struct relay_result *res = &so->res;
	struct logline l;

	if (row->summary == NULL)
		return;
	session_logline(&l, row->summary, rq, so);
	if (so->stage != SESSION_STAGE_ENDED) {
		logline_kv(&l, "error=%s detail?=%s reason?=%s code=%d",
		    gate_errname(so->err), so->detail,
		    o == OUTCOME_S_KEY_REVOKED ? "key revoked" : "", code);
		logline_emit(&l, row->prio);
		return;
	}
	logline_kv(&l, "bytes_up=%llu bytes_down=%llu duration_ms=%lld",
	    res->bytes_up, res->bytes_down, so->duration_ms);
	if (res->exit_status >= 0)
		logline_kv(&l, "exit_status=%d", res->exit_status);
	logline_kv(&l, "exit_signal?=%s end_reason=%s detail?=%s code=%d",
	    res->exit_signal, o == OUTCOME_S_REVOKED ? "revoked" :
	    o == OUTCOME_S_UNCONFIRMED ? "unconfirmed" :
	    relay_end_name(res->end), res->detail, code);
	logline_emit(&l, row->prio);
}

int
outcome_session(const struct session_req *rq,
    const struct session_outcome *so)
{
	enum outcome o = outcome_of_session(so);
	struct outcome_ctx c;
	int code;

	code = o == OUTCOME_S_REMOTE ? so->exit_code : outcome_code(o);
	log_debug("stage %s, error %s: %s, exit %d",
	    session_stage_name(so->stage), gate_errname(so->err),
	    outcome_row(o)->name, code);
	outcome_log_session(o, code, rq, so);
	memset(&c, 0, sizeof(c));
	c.account = rq->login.account;
	c.node = so->have_node ? so->node : rq->login.node;
	c.status = so->status;
	c.kind = session_kind_name(rq->kind);
	if (o == OUTCOME_S_PROTOCOL)
		c.reason = so->res.detail;
	outcome_say(o, &c, rq->tty);
	return code;
}

enum outcome
outcome_of_listing(int setup, int err)
{
	int local = err == GATE_ERR_CONFIG || err == GATE_ERR_SYSTEM;

	if (setup)
		return local ? OUTCOME_LIST_SETUP_CONFIG : OUTCOME_LIST_SETUP;
	if (err == GATE_ERR_DENIED || err == GATE_ERR_NOT_FOUND)
		return OUTCOME_LIST_NOTHING;
	return local ? OUTCOME_LIST_API_LOCAL : OUTCOME_LIST_API;
}

int
outcome_config(const char *name, const char *path, int test, int dump,
    struct gate_config *cfg)
{
	switch (prog_config(name, path, test, dump, test || dump, cfg)) {
	case 0:
		outcome_cfg = cfg;
		return -1;
	case 1:
		return outcome_code(OUTCOME_OK);
	default:
		return outcome_end(test || dump ? OUTCOME_CONFIG_CHECK :
		    OUTCOME_CONFIG, NULL, NULL);
	}
}
