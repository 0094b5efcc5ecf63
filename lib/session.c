/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/ioctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "api.h"
#include "compat.h"
#include "gate_err.h"
#include "ident.h"
#include "log.h"
#include "relay.h"
#include "session.h"
#include "upstream.h"

struct revoke_check {
	const struct gate_config *cfg;
	const struct session_req *rq;
	struct api_client *api;
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

void
session_tell(int tty, const char *msg)
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

static const char *
kind_name(enum session_kind k)
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

static void
log_common(struct logline *l, const struct session_req *rq,
    const struct api_node *n)
{
	logline_str(l, "login", rq->login_str);
	logline_str(l, "key_id", rq->key_id);
	logline_str(l, "client", rq->client_addr);
	logline_str(l, "client_port", rq->client_port);
	logline_str(l, "kind", kind_name(rq->kind));
	if (n != NULL) {
		logline_str(l, "node", n->id);
		logline_str(l, "address", n->address);
		logline_int(l, "port", n->port);
		logline_str(l, "user", n->user);
	} else if (rq->login.node[0] != '\0')
		logline_str(l, "node", rq->login.node);
}

static void
log_refusal(const struct session_req *rq, const struct api_node *n,
    const char *what, int err, const char *detail, int code)
{
	struct logline l;

	logline_init(&l, what);
	log_common(&l, rq, n);
	logline_str(&l, "error", gate_errname(err));
	if (detail != NULL && *detail != '\0')
		logline_str(&l, "detail", detail);
	logline_int(&l, "code", code);
	logline_emit(&l, LOG_WARNING);
}

/* The platform still allows this key on this node? 0: yes. */
static int
revoke_check(void *arg)
{
	struct revoke_check *c = arg;
	struct api_key_status ks;
	struct api_node *n = NULL;
	struct logline l;
	const char *why = NULL;
	int r;

	r = api_key_status(c->api, c->rq->key_id, &ks);
	if (r == GATE_ERR_NOT_FOUND || (r == 0 && !ks.active))
		why = "key revoked";
	else if (r == 0 && strcmp(ks.account, c->rq->login.account) != 0)
		why = "key moved to another account";
	else if (r == 0) {
		r = api_node_get(c->api, c->rq->login.account,
		    c->rq->login.node, c->rq->key_id, &n);
		if (r == GATE_ERR_NOT_FOUND || r == GATE_ERR_DENIED)
			why = "node no longer reachable with this key";
		api_node_free(n);
	}
	if (why != NULL)
		return 1;
	if (r != 0) {
		/* an unreachable API does not end a live session */
		logline_init(&l, "revocation check failed");
		logline_str(&l, "login", c->rq->login_str);
		logline_str(&l, "key_id", c->rq->key_id);
		logline_str(&l, "error", gate_errname(r));
		logline_str(&l, "api_detail", api_client_detail(c->api));
		logline_emit(&l, LOG_WARNING);
	}
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
		deadline = api_now_ms() + timeout;
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
session_run(const struct gate_config *cfg, const struct session_req *rq)
{
	struct api_client *api = NULL;
	struct api_node *n = NULL;
	struct relay_result res;
	struct relay_opts ro;
	struct revoke_check rc;
	struct logline l;
	ssh_session s = NULL;
	ssh_channel ch = NULL;
	char detail[UPSTREAM_DETAIL_MAX], msg[320];
	long long start = api_now_ms();
	int r, code = GATE_EXIT_API;

	memset(&res, 0, sizeof(res));
	res.exit_status = -1;
	if ((r = api_client_new(cfg, &api)) != 0) {
		code = GATE_EXIT_CONFIG;
		log_refusal(rq, NULL, "session refused", r,
		    "cannot set up the API client", code);
		session_tell(0, "the gate is misconfigured; please tell the "
		    "platform's operators");
		goto out;
	}
	r = api_node_get(api, rq->login.account, rq->login.node, rq->key_id,
	    &n);
	if (r == GATE_ERR_NOT_FOUND || r == GATE_ERR_DENIED) {
		code = GATE_EXIT_NO_TARGET;
		log_refusal(rq, NULL, "session refused", r,
		    api_client_detail(api), code);
		snprintf(msg, sizeof(msg), "no container %s in account %s "
		    "for this key", rq->login.node, rq->login.account);
		session_tell(0, msg);
		goto out;
	}
	if (r != 0) {
		code = GATE_EXIT_API;
		log_refusal(rq, NULL, "session refused", r,
		    api_client_detail(api), code);
		session_tell(0, "the platform API is unavailable; try again "
		    "later");
		goto out;
	}
	if (strcmp(n->status, "running") != 0) {
		code = GATE_EXIT_NO_TARGET;
		log_refusal(rq, n, "session refused", GATE_ERR_NOT_FOUND,
		    n->status, code);
		snprintf(msg, sizeof(msg), "container %s is not running "
		    "(status %s)", n->id, n->status);
		session_tell(0, msg);
		goto out;
	}

	if ((r = upstream_connect(cfg, n, &s, detail)) != 0) {
		switch (r) {
		case GATE_ERR_HOSTKEY:
			/* loud: someone may sit between gate and container */
			code = GATE_EXIT_HOSTKEY;
			log_refusal(rq, n, "CONTAINER HOST KEY MISMATCH", r,
			    detail, code);
			snprintf(msg, sizeof(msg), "the host key of container "
			    "%s does not match the platform's record; "
			    "refusing to connect", n->id);
			break;
		case GATE_ERR_DENIED:
			code = GATE_EXIT_REFUSED;
			log_refusal(rq, n, "session refused", r, detail, code);
			snprintf(msg, sizeof(msg), "container %s refused the "
			    "gate's key", n->id);
			break;
		case GATE_ERR_CONFIG:
			code = GATE_EXIT_CONFIG;
			log_refusal(rq, n, "session refused", r, detail, code);
			snprintf(msg, sizeof(msg), "the gate is misconfigured; "
			    "please tell the platform's operators");
			break;
		default:
			code = GATE_EXIT_UNREACHABLE;
			log_refusal(rq, n, "session refused", r, detail, code);
			snprintf(msg, sizeof(msg), "cannot reach container %s",
			    n->id);
			break;
		}
		session_tell(0, msg);
		goto out;
	}
	if ((r = open_channel(s, rq, cfg->connect_timeout, &res, &ch)) != 0) {
		code = GATE_EXIT_CHANNEL;
		log_refusal(rq, n, "session refused", r, ssh_get_error(s),
		    code);
		snprintf(msg, sizeof(msg), "container %s refused the %s "
		    "session", n->id, kind_name(rq->kind));
		session_tell(0, msg);
		goto out;
	}

	logline_init(&l, "session started");
	log_common(&l, rq, n);
	if (rq->kind == SESSION_EXEC)
		logline_str(&l, "command", rq->command);
	if (rq->tty)
		logline_str(&l, "term", rq->term);
	logline_emit(&l, LOG_INFO);

	memset(&ro, 0, sizeof(ro));
	ro.tty = rq->tty;
	ro.keepalive_interval = cfg->keepalive_interval;
	if (cfg->revoke_interval > 0) {
		rc.cfg = cfg;
		rc.rq = rq;
		rc.api = api;
		ro.check_interval = cfg->revoke_interval;
		ro.check = revoke_check;
		ro.check_arg = &rc;
	}
	if (relay_run(s, ch, &ro, &res) != 0) {
		session_tell(rq->tty, "internal error");
		code = 255;
		goto out;
	}
	switch (res.end) {
	case RELAY_END_REMOTE:
		code = relay_exit_code(&res);
		break;
	case RELAY_END_CHECK:
		session_tell(rq->tty, "access revoked by the platform; "
		    "session closed");
		code = GATE_EXIT_REVOKED;
		break;
	case RELAY_END_CLIENT_GONE:
	case RELAY_END_SIGNAL:
		/* no orphan in the container: hang the command up */
		(void)ssh_channel_request_send_signal(ch, "HUP");
		code = 255;
		break;
	case RELAY_END_ERROR:
		snprintf(msg, sizeof(msg), "connection to container %s lost",
		    n->id);
		session_tell(rq->tty, msg);
		code = GATE_EXIT_UNREACHABLE;
		break;
	}

	logline_init(&l, "session ended");
	log_common(&l, rq, n);
	logline_int(&l, "bytes_up", (long long)res.bytes_up);
	logline_int(&l, "bytes_down", (long long)res.bytes_down);
	logline_int(&l, "duration_ms", api_now_ms() - start);
	if (res.exit_status >= 0)
		logline_int(&l, "exit_status", res.exit_status);
	if (res.exit_signal[0] != '\0')
		logline_str(&l, "exit_signal", res.exit_signal);
	logline_str(&l, "end_reason", res.end == RELAY_END_CHECK ? "revoked" :
	    relay_end_name(res.end));
	if (res.detail[0] != '\0')
		logline_str(&l, "detail", res.detail);
	logline_int(&l, "code", code);
	logline_emit(&l, res.end == RELAY_END_CHECK ? LOG_WARNING : LOG_INFO);
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
	return code;
}
