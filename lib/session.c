/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/ioctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "api.h"
#include "clock.h"
#include "compat.h"
#include "gate_err.h"
#include "ident.h"
#include "log.h"
#include "relay.h"
#include "session.h"
#include "upstream.h"

/* What the relay's periodic check needs: the program's check, its args. */
struct session_check {
	int	(*fn)(struct api_client *, const struct session_req *);
	struct api_client *api;
	const struct session_req *rq;
};

int
session_req_from_env(struct session_req *rq, const char *key_id,
    const char **why)
{
	const char *user = getenv("USER"), *v;
	char conn[256], *sp;

	memset(rq, 0, sizeof(*rq));
	*why = "invalid login";
	if (user == NULL || ident_login_parse(user, &rq->login) != 0)
		return GATE_ERR_INVALID;
	strlcpy(rq->login_str, user, sizeof(rq->login_str));
	*why = "invalid key id";
	if (key_id == NULL || !ident_is_key_id(key_id))
		return GATE_ERR_INVALID;
	strlcpy(rq->key_id, key_id, sizeof(rq->key_id));
	*why = NULL;

	rq->tty = getenv("SSH_TTY") != NULL && isatty(STDIN_FILENO);
	/* client text: kept only if it is a plain terminal or locale name */
	if ((v = getenv("TERM")) != NULL &&
	    ident_is_term(v))
		strlcpy(rq->term, v, sizeof(rq->term));
	else if (rq->tty)
		strlcpy(rq->term, "xterm", sizeof(rq->term));
	if ((v = getenv("LANG")) != NULL &&
	    ident_is_locale(v))
		strlcpy(rq->lang, v, sizeof(rq->lang));
	/* SSH_CONNECTION: "client_ip client_port server_ip server_port" */
	strlcpy(rq->client_addr, "-", sizeof(rq->client_addr));
	strlcpy(rq->client_port, "-", sizeof(rq->client_port));
	if ((v = getenv("SSH_CONNECTION")) != NULL &&
	    strlcpy(conn, v, sizeof(conn)) < sizeof(conn) &&
	    (sp = strchr(conn, ' ')) != NULL) {
		*sp++ = '\0';
		if (ident_is_address(conn)) {
			strlcpy(rq->client_addr, conn, sizeof(rq->client_addr));
			if ((v = strchr(sp, ' ')) != NULL)
				sp[v - sp] = '\0';
			if (ident_is_port(sp))
				strlcpy(rq->client_port, sp,
				    sizeof(rq->client_port));
		}
	}
	return 0;
}

const char *
session_kind_name(enum session_kind k)
{
	switch (k) {
	case SESSION_SHELL:
		return "shell";
	case SESSION_EXEC:
		return "exec";
	case SESSION_SFTP:
		return "sftp";
	}
	return "unknown";
}

const char *
session_stage_name(enum session_stage stage)
{
	switch (stage) {
	case SESSION_STAGE_SETUP:
		return "setup";
	case SESSION_STAGE_LOOKUP:
		return "lookup";
	case SESSION_STAGE_STATUS:
		return "status";
	case SESSION_STAGE_CONNECT:
		return "connect";
	case SESSION_STAGE_CHANNEL:
		return "channel";
	case SESSION_STAGE_RELAY:
		return "relay";
	case SESSION_STAGE_ENDED:
		return "ended";
	}
	return "unknown";
}

void
session_logline(struct logline *l, const char *summary,
    const struct session_req *rq, const struct session_outcome *o)
{
	logline_init(l, summary);
	logline_kv(l, "login=%s key_id=%s client=%s client_port=%s kind=%s",
	    rq->login_str, rq->key_id, rq->client_addr, rq->client_port,
	    session_kind_name(rq->kind));
	if (o != NULL && o->have_node)
		logline_kv(l, "node=%s address=%s port=%d user=%s", o->node,
		    o->address, o->port, o->user);
	else
		logline_kv(l, "node?=%s", rq->login.node);
}

/* Sets the stage that failed, its error and its detail; returns err. */
static int
session_fail(struct session_outcome *o, enum session_stage stage, int err,
    const char *detail)
{
	o->stage = stage;
	o->err = err;
	strlcpy(o->detail, detail != NULL ? detail : "", sizeof(o->detail));
	log_debug("%s failed: %s \"%s\"", session_stage_name(stage),
	    gate_errname(err), o->detail);
	return err;
}

/* The relay's check: the program's, with the session's API client. */
static int
session_check_run(void *arg)
{
	struct session_check *c = arg;

	return c->fn(c->api, c->rq);
}

/*
 * Asks the API for the node and keeps what the log needs of it in *o.
 * *api and *n are the caller's to free, whatever the result.
 */
static int
session_lookup(const struct gate_config *cfg, const struct session_req *rq,
    struct api_client **api, struct api_node **n, struct session_outcome *o)
{
	int r;

	if ((r = api_client_new(cfg, api)) != 0)
		return session_fail(o, SESSION_STAGE_SETUP, r,
		    "cannot set up the API client");
	if ((r = api_node_get(*api, rq->login.account, rq->login.node,
	    rq->key_id, n)) != 0)
		return session_fail(o, SESSION_STAGE_LOOKUP, r,
		    api_client_detail(*api));
	o->have_node = 1;
	strlcpy(o->node, (*n)->id, sizeof(o->node));
	strlcpy(o->status, (*n)->status, sizeof(o->status));
	strlcpy(o->address, (*n)->address, sizeof(o->address));
	o->port = (*n)->port;
	strlcpy(o->user, (*n)->user, sizeof(o->user));
	log_verbose("node %s of account %s: status %s, %s port %d user %s",
	    o->node, rq->login.account, o->status, o->address, o->port,
	    o->user);
	if (strcmp((*n)->status, "running") != 0)
		return session_fail(o, SESSION_STAGE_STATUS,
		    GATE_ERR_NOT_FOUND, (*n)->status);
	return 0;
}

static void
session_log_started(const struct session_req *rq,
    const struct session_outcome *o)
{
	struct logline l;

	session_logline(&l, "session started", rq, o);
	if (rq->kind == SESSION_EXEC)
		logline_kv(&l, "command=%s", rq->command);
	if (rq->tty)
		logline_kv(&l, "term=%s", rq->term);
	logline_emit(&l, LOG_INFO);
}

/* Relays until one side is done; the end and the numbers go to *o. */
static int
session_relay(const struct gate_config *cfg, const struct session_req *rq,
    struct session_check *check, ssh_session s, ssh_channel ch,
    struct session_outcome *o)
{
	struct relay_opts ro;
	int r;

	memset(&ro, 0, sizeof(ro));
	ro.tty = rq->tty;
	ro.keepalive_interval = cfg->keepalive_interval;
	if (cfg->revoke_interval > 0 && check->fn != NULL) {
		ro.check_interval = cfg->revoke_interval;
		ro.check = session_check_run;
		ro.check_arg = check;
	}
	log_verbose("relaying; keepalive %ld ms, check every %ld ms",
	    ro.keepalive_interval, ro.check_interval);
	if ((r = relay_run(s, ch, &ro, &o->res)) != 0)
		return session_fail(o, SESSION_STAGE_RELAY, r, NULL);
	if (o->res.end == RELAY_END_CLIENT_GONE ||
	    o->res.end == RELAY_END_SIGNAL) {
		/* no orphan in the container: hang the command up */
		(void)ssh_channel_request_send_signal(ch, "HUP");
	}
	o->stage = SESSION_STAGE_ENDED;
	o->err = 0;
	o->exit_code = relay_exit_code(&o->res);
	log_verbose("relay ended: %s, exit status %d, signal \"%s\"",
	    relay_end_name(o->res.end), o->res.exit_status,
	    o->res.exit_signal);
	return 0;
}

enum open_step {
	STEP_OPEN,
	STEP_PTY,
	STEP_ENV,
	STEP_REQUEST,
	STEP_DONE,
};

/* One step of open_channel: a libssh call, SSH_AGAIN until it is done. */
static int
open_step(ssh_channel ch, const struct session_req *rq, enum open_step step,
    int cols, int rows)
{
	switch (step) {
	case STEP_OPEN:
		return ssh_channel_open_session(ch);
	case STEP_PTY:
		return ssh_channel_request_pty_size(ch, rq->term, cols, rows);
	case STEP_ENV:
		return ssh_channel_request_env(ch, "LANG", rq->lang);
	case STEP_REQUEST:
		switch (rq->kind) {
		case SESSION_SHELL:
			return ssh_channel_request_shell(ch);
		case SESSION_EXEC:
			return ssh_channel_request_exec(ch, rq->command);
		case SESSION_SFTP:
			return ssh_channel_request_subsystem(ch, "sftp");
		}
		break;
	case STEP_DONE:
		break;
	}
	return SSH_ERROR;
}

/*
 * Opens the channel and makes the request the client made of us. s is
 * switched to nonblocking: libssh 0.10's blocking calls wait inside
 * libssh, where nothing keeps our ACKs prompt (upstream_wait). Each step
 * may take timeout ms.
 */
static int
open_channel(ssh_session s, const struct session_req *rq, long timeout,
    struct relay_result *res, ssh_channel *out)
{
	ssh_channel ch = NULL;
	struct winsize w;
	enum open_step step;
	long long deadline;
	int r = GATE_ERR_SSH, rc, cols = 80, rows = 24;

	*out = NULL;
	if ((ch = ssh_channel_new(s)) == NULL)
		return GATE_ERR_ALLOC;
	if (rq->tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &w) == 0 &&
	    w.ws_col > 0 && w.ws_row > 0) {
		cols = w.ws_col;
		rows = w.ws_row;
	}
	ssh_set_blocking(s, 0);
	for (step = STEP_OPEN; step != STEP_DONE; step++) {
		if ((step == STEP_PTY && !rq->tty) ||
		    (step == STEP_ENV && rq->lang[0] == '\0'))
			continue;
		deadline = clock_now_ms() + timeout;
		while ((rc = open_step(ch, rq, step, cols, rows)) ==
		    SSH_AGAIN) {
			if ((r = upstream_wait(s, deadline)) != 0)
				goto out;
		}
		r = GATE_ERR_SSH;
		/* the container's AcceptEnv decides; a refusal is no error */
		if (rc != SSH_OK && step != STEP_ENV)
			goto out;
		if (step == STEP_OPEN)
			relay_watch_exit(ch, res);
	}
	*out = ch;
	ch = NULL;	/* transferred */
	r = 0;
 out:
	if (ch != NULL) {
		ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	return r;
}

int
session_run(const struct gate_config *cfg, const struct session_req *rq,
    int (*check)(struct api_client *, const struct session_req *),
    struct session_outcome *o)
{
	struct api_client *api = NULL;
	struct api_node *n = NULL;
	struct session_check sc;
	ssh_session s = NULL;
	ssh_channel ch = NULL;
	char detail[UPSTREAM_DETAIL_MAX];
	long long start = clock_now_ms();
	int r;

	memset(o, 0, sizeof(*o));
	relay_result_init(&o->res);
	log_verbose("login %s: %s session to node %s", rq->login_str,
	    session_kind_name(rq->kind), rq->login.node);
	if ((r = session_lookup(cfg, rq, &api, &n, o)) != 0)
		goto out;
	if ((r = upstream_connect(cfg, n, &s, detail)) != 0) {
		session_fail(o, SESSION_STAGE_CONNECT, r, detail);
		goto out;
	}
	log_verbose("connected to node %s at %s port %d", n->id, n->address,
	    n->port);
	if ((r = open_channel(s, rq, cfg->connect_timeout, &o->res,
	    &ch)) != 0) {
		session_fail(o, SESSION_STAGE_CHANNEL, r, ssh_get_error(s));
		goto out;
	}
	session_log_started(rq, o);
	sc.fn = check;
	sc.api = api;
	sc.rq = rq;
	r = session_relay(cfg, rq, &sc, s, ch, o);
	o->duration_ms = clock_now_ms() - start;
 out:
	if (ch != NULL) {
		ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	if (s != NULL) {
		/* say goodbye, but do not wait long for a dead container */
		ssh_set_blocking(s, 1);
		ssh_disconnect(s);
		ssh_free(s);
	}
	api_node_free(n);
	api_client_free(api);
	return r;
}
