/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <openssl/evp.h>

#include "api.h"
#include "clock.h"
#include "compat.h"
#include "gate_err.h"
#include "ident.h"
#include "log.h"
#include "relay.h"
#include "session.h"
#include "upstream.h"

/* The program's check: its verdict on rq, with an API client. */
typedef int (*session_check_fn)(struct api_client *,
    const struct session_req *);

/*
 * The watcher: a process forked before the session does anything else.
 * It runs the check every RevokeInterval and keeps the grace; it writes
 * one verdict byte to the relay and exits when the session must end.
 * The relay process never waits for the API, and the watcher never holds
 * the container's connection.
 */
struct session_watch {
	pid_t	 pid;		/* -1: none */
	int	 fd;		/* the relay's end; -1: none */
	enum session_verdict verdict;	/* what the relay read */
};

/* The watcher's state between checks. */
struct watch_state {
	const struct gate_config *cfg;
	const struct session_req *rq;
	long long unconfirmed_since;	/* 0: the last check confirmed */
	char	 detail[160];		/* the API's last failure, for logs */
};

#define WATCH_DENIED		'D'
#define WATCH_UNCONFIRMED	'U'

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

/* The interval, give or take 10%, so that many gates do not ask at once. */
static long long
jittered(long ms)
{
	long spread = ms / 10;

	if (spread <= 0)
		return ms;
	return ms - spread + random() % (2 * spread + 1);
}

/* The watcher's tail of a log line: whose session it is. */
static void
watch_logline(struct logline *l, const char *summary,
    const struct watch_state *w)
{
	logline_init(l, summary);
	logline_kv(l, "login=%s key_id=%s client=%s client_port=%s kind=%s",
	    w->rq->login_str, w->rq->key_id, w->rq->client_addr,
	    w->rq->client_port, session_kind_name(w->rq->kind));
}

/*
 * One check's verdict, into the state: logs when the platform stops or
 * starts confirming (one line per change, not one per check). Returns
 * the verdict byte to send, or 0 to go on.
 */
static int
watch_judge(struct watch_state *w, int verdict, long long now)
{
	struct logline l;

	if (verdict == SESSION_DENIED)
		return WATCH_DENIED;
	if (verdict == SESSION_ALLOWED) {
		if (w->unconfirmed_since != 0) {
			watch_logline(&l, "access confirmed again by the "
			    "platform", w);
			logline_kv(&l, "unconfirmed_ms=%lld",
			    now - w->unconfirmed_since);
			logline_emit(&l, LOG_INFO);
		}
		w->unconfirmed_since = 0;
		return 0;
	}
	if (w->unconfirmed_since == 0) {
		w->unconfirmed_since = now;
		watch_logline(&l, "cannot confirm access with the platform", w);
		logline_kv(&l, "api_detail=%s grace_ms=%ld", w->detail,
		    w->cfg->revoke_grace);
		logline_emit(&l, LOG_WARNING);
	}
	return 0;
}

/* Whether the grace has run out at now; logs it once. */
static int
watch_expired(const struct watch_state *w, long long now)
{
	struct logline l;

	if (w->unconfirmed_since == 0 ||
	    now - w->unconfirmed_since < w->cfg->revoke_grace)
		return 0;
	watch_logline(&l, "revocation grace expired", w);
	logline_kv(&l, "api_detail=%s unconfirmed_ms=%lld grace_ms=%ld",
	    w->detail, now - w->unconfirmed_since, w->cfg->revoke_grace);
	logline_emit(&l, LOG_WARNING);
	return 1;
}

/*
 * Sleeps until when (CLOCK_MONOTONIC ms) unless the relay goes away
 * first: the relay's end of fd closed. 1: the relay is gone.
 */
static int
watch_sleep(int fd, long long when)
{
	struct pollfd p;
	long long wait;
	char c;

	for (;;) {
		wait = when - clock_now_ms();
		if (wait <= 0)
			return 0;
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, wait > 60000 ? 60000 : (int)wait) == -1 &&
		    errno != EINTR)
			return 1;
		if (p.revents != 0 && read(fd, &c, 1) <= 0)
			return 1;
	}
}

/* The watcher's loop: returns the verdict byte to send, 0: relay gone. */
static int
watch_loop(struct watch_state *w, session_check_fn check,
    struct api_client *api, int fd)
{
	long long next, now;
	int v, sent;

	next = clock_now_ms() + jittered(w->cfg->revoke_interval);
	for (;;) {
		if (w->unconfirmed_since != 0 && w->unconfirmed_since +
		    w->cfg->revoke_grace < next)
			next = w->unconfirmed_since + w->cfg->revoke_grace;
		if (watch_sleep(fd, next))
			return 0;
		now = clock_now_ms();
		if (watch_expired(w, now))
			return WATCH_UNCONFIRMED;
		if (now >= next) {
			api_client_set_deadline(api, 0);
			v = check(api, w->rq);
			if (v == SESSION_UNCONFIRMED)
				strlcpy(w->detail, api_client_detail(api),
				    sizeof(w->detail));
			now = clock_now_ms();
			if ((sent = watch_judge(w, v, now)) != 0)
				return sent;
			if (watch_expired(w, now))
				return WATCH_UNCONFIRMED;
			next = now + jittered(w->cfg->revoke_interval);
		}
	}
}
/*
 * The watcher leaves the session's terminal, signals and fds: ^C or a
 * hangup are the relay's to handle, SIGTERM ends it, and sshd waits for
 * EOF on the session's pipes, so it holds none of them.
 */
static void
watch_detach(void)
{
	struct sigaction sa;
	sigset_t none;
	int null;

	(void)setsid();
	/* ps and pgrep tell it from the session's process */
	(void)prctl(PR_SET_NAME, "sshgate-watch", 0, 0, 0);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((null = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(null, STDIN_FILENO);
		(void)dup2(null, STDOUT_FILENO);
		(void)dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
}

/*
 * The watcher process: detached (watch_detach()), with an API client of
 * its own. Sends its verdict, if any, and exits.
 */
static void __attribute__((noreturn))
watch_child(const struct gate_config *cfg, const struct session_req *rq,
    session_check_fn check, int fd)
{
	struct watch_state w;
	struct api_client *api = NULL;
	char c = 0;

	watch_detach();
	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.rq = rq;
	if (api_client_new(cfg, &api) != 0) {
		strlcpy(w.detail, "cannot set up the API client",
		    sizeof(w.detail));
		(void)watch_judge(&w, SESSION_UNCONFIRMED, clock_now_ms());
		c = WATCH_UNCONFIRMED;
	} else
		c = (char)watch_loop(&w, check, api, fd);
	if (c != 0)
		(void)!write(fd, &c, 1);
	api_client_free(api);
	_exit(0);
}

/* Forks the watcher if there is a check to run. 0 or GATE_ERR_SYSTEM. */
static int
watch_start(const struct gate_config *cfg, const struct session_req *rq,
    session_check_fn check, struct session_watch *sw)
{
	int sv[2];

	sw->pid = -1;
	sw->fd = -1;
	sw->verdict = SESSION_ALLOWED;
	if (check == NULL || cfg->revoke_interval <= 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return GATE_ERR_SYSTEM;
	if ((sw->pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		return GATE_ERR_SYSTEM;
	}
	if (sw->pid == 0) {
		close(sv[0]);
		watch_child(cfg, rq, check, sv[1]);
	}
	close(sv[1]);
	sw->fd = sv[0];
	log_debug("watcher %ld: check every %ld ms, grace %ld ms",
	    (long)sw->pid, cfg->revoke_interval, cfg->revoke_grace);
	return 0;
}

/* The relay's check: the watcher's verdict, or its end. Non-zero: stop. */
static int
watch_verdict(void *arg)
{
	struct session_watch *sw = arg;
	ssize_t n;
	char c = 0;

	if ((n = read(sw->fd, &c, 1)) == -1 &&
	    (errno == EINTR || errno == EAGAIN))
		return 0;
	/* a watcher that died unasked confirms nothing: fail closed */
	sw->verdict = n == 1 && c == WATCH_DENIED ? SESSION_DENIED :
	    SESSION_UNCONFIRMED;
	log_debug("watcher: %s", n != 1 ? "gone" : c == WATCH_DENIED ?
	    "denied" : "unconfirmed");
	return 1;
}

/* Ends the watcher, in the middle of a request if need be. */
static void
watch_stop(struct session_watch *sw)
{
	if (sw->fd != -1)
		close(sw->fd);
	sw->fd = -1;
	if (sw->pid <= 0)
		return;
	(void)kill(sw->pid, SIGTERM);
	while (waitpid(sw->pid, NULL, 0) == -1 && errno == EINTR)
		continue;
	sw->pid = -1;
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

/*
 * The command, so that the log identifies it exactly: whole when the
 * logger keeps it whole (LOG_VALUE_MAX bytes), else the first part the
 * logger keeps, its length and the SHA-256 of its exact bytes (padding
 * must not hide what runs).
 */
static void
session_log_command(struct logline *l, const char *cmd)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	char sum[2 * EVP_MAX_MD_SIZE + 1];
	unsigned int mdlen = 0, i;
	size_t len = strlen(cmd);

	logline_str(l, "command", cmd);
	if (len <= LOG_VALUE_MAX)
		return;
	logline_int(l, "command_len", (long long)len);
	if (EVP_Digest(cmd, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		mdlen = 0;
	for (i = 0; i < mdlen; i++) {
		sum[2 * i] = hex[md[i] >> 4];
		sum[2 * i + 1] = hex[md[i] & 0xf];
	}
	sum[2 * mdlen] = '\0';
	logline_str(l, "command_sha256", mdlen > 0 ? sum : "-");
}

static void
session_log_started(const struct session_req *rq,
    const struct session_outcome *o)
{
	struct logline l;

	session_logline(&l, "session started", rq, o);
	if (rq->kind == SESSION_EXEC)
		session_log_command(&l, rq->command);
	if (rq->tty)
		logline_kv(&l, "term=%s", rq->term);
	logline_emit(&l, LOG_INFO);
}

/* Relays until one side is done; the end and the numbers go to *o. */
static int
session_relay(const struct gate_config *cfg, const struct session_req *rq,
    struct session_watch *sw, ssh_session s, ssh_channel ch,
    struct session_outcome *o)
{
	struct relay_opts ro;
	int r;

	memset(&ro, 0, sizeof(ro));
	ro.tty = rq->tty;
	ro.keepalive_interval = cfg->keepalive_interval;
	ro.keepalive_count_max = cfg->keepalive_count_max;
	ro.check_fd = sw->fd;
	if (sw->fd != -1) {
		ro.check = watch_verdict;
		ro.check_arg = sw;
	}
	log_verbose("relaying; keepalive %ld ms, check every %ld ms, grace "
	    "%ld ms", ro.keepalive_interval, sw->fd != -1 ?
	    cfg->revoke_interval : 0L, cfg->revoke_grace);
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
	if (o->res.end == RELAY_END_CHECK)
		o->verdict = sw->verdict;
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

static const char *
open_step_name(enum open_step step)
{
	switch (step) {
	case STEP_OPEN:
		return "open";
	case STEP_PTY:
		return "pty";
	case STEP_ENV:
		return "env";
	case STEP_REQUEST:
		return "request";
	case STEP_DONE:
		break;
	}
	return "done";
}

/* A step of open_channel begins (rc SSH_AGAIN) or ended with rc. */
static void
log_step(const struct session_req *rq, enum open_step step, int rc)
{
	if (rc == SSH_AGAIN)
		log_debug("channel step %s: %s", open_step_name(step),
		    step == STEP_PTY ? rq->term : step == STEP_ENV ?
		    rq->lang : step == STEP_REQUEST ?
		    session_kind_name(rq->kind) : "session");
	else
		log_debug("channel step %s: %s", open_step_name(step),
		    rc == SSH_OK ? "done" : step == STEP_ENV ? "refused, "
		    "going on" : "refused");
}

/* One step of open_channel: a libssh call, SSH_AGAIN until it is done. */
static int
open_step(ssh_channel ch, const struct session_req *rq, enum open_step step,
    int cols, int rows)
{
	switch (step) {
	case STEP_OPEN:
		return upstream_open_session(ch);
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
		log_step(rq, step, SSH_AGAIN);
		while ((rc = open_step(ch, rq, step, cols, rows)) ==
		    SSH_AGAIN) {
			if ((r = upstream_wait(s, deadline)) != 0)
				goto out;
		}
		log_step(rq, step, rc);
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
	struct session_watch sw;
	ssh_session s = NULL;
	ssh_channel ch = NULL;
	char detail[UPSTREAM_DETAIL_MAX];
	long long start = clock_now_ms();
	int r;

	memset(o, 0, sizeof(*o));
	relay_result_init(&o->res);
	log_verbose("login %s: %s session to node %s", rq->login_str,
	    session_kind_name(rq->kind), rq->login.node);
	/* first: the watcher must hold neither our API connection nor SSH */
	if ((r = watch_start(cfg, rq, check, &sw)) != 0) {
		session_fail(o, SESSION_STAGE_SETUP, r,
		    "cannot start the revocation watcher");
		goto out;
	}
	if ((r = session_lookup(cfg, rq, &api, &n, o)) != 0)
		goto out;
	/* the relay asks the API nothing more: the watcher does */
	api_client_free(api);
	api = NULL;
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
	r = session_relay(cfg, rq, &sw, s, ch, o);
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
	watch_stop(&sw);
	api_node_free(n);
	api_client_free(api);
	return r;
}
