/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <openssl/evp.h>

#include "api.h"
#include "clock.h"
#include "compat.h"
#include "gate_err.h"
#include "ident.h"
#include "log.h"
#include "prog.h"
#include "relay.h"
#include "sandbox.h"
#include "session.h"
#include "signer.h"
#include "upstream.h"
#include "wire.h"

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
	/* the log: at most one warning per WATCH_QUIET_CHECKS checks */
	long long warned_at;	/* the last "cannot confirm" line; 0: none */
	int	 warned;	/* it is out, "confirmed again" not yet */
	unsigned int unlogged;	/* changes of state left out since */
};

/*
 * A platform that fails every other check (a degraded API, a flapping
 * load balancer) must not write two lines per session per check: after
 * a "cannot confirm" line, the next comes no sooner than this many
 * RevokeIntervals later (10 minutes at the default 30s); the changes in
 * between are counted in it. "Confirmed again" follows every warning
 * that was written, once.
 */
#define WATCH_QUIET_CHECKS	20

#define WATCH_DENIED		'D'
#define WATCH_UNCONFIRMED	'U'
/* the watcher's exit status with a verdict (0: none) */
#define WATCH_EXIT_DENIED	2
#define WATCH_EXIT_UNCONFIRMED	3

int
session_req_from_env(struct session_req *rq, const char *key_id,
    const char **why)
{
	const char *user = getenv("USER"), *v;
	char conn[256], *sp;

	memset(rq, 0, sizeof(*rq));
	rq->started_ms = clock_now_ms();
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
 * The platform does not confirm (since w->unconfirmed_since): the
 * warning, unless one was written less than WATCH_QUIET_CHECKS checks
 * ago; then it waits for a later check that still fails. 1: written.
 */
static int
watch_warn(struct watch_state *w, long long now)
{
	struct logline l;

	if (w->warned || (w->warned_at != 0 && now - w->warned_at <
	    WATCH_QUIET_CHECKS * (long long)w->cfg->revoke_interval))
		return 0;
	watch_logline(&l, "cannot confirm access with the platform", w);
	logline_kv(&l, "api_detail=%s grace_ms=%ld", w->detail,
	    w->cfg->revoke_grace);
	if (now > w->unconfirmed_since)
		logline_kv(&l, "unconfirmed_ms=%lld",
		    now - w->unconfirmed_since);
	if (w->unlogged > 0)
		logline_kv(&l, "unlogged_changes=%u", w->unlogged);
	logline_emit(&l, LOG_WARNING);
	w->warned_at = now;
	w->warned = 1;
	w->unlogged = 0;
	return 1;
}

/* The platform confirms again: said once for each warning written. */
static void
watch_confirmed(struct watch_state *w, long long now)
{
	struct logline l;

	if (!w->warned) {
		w->unlogged++;
		return;
	}
	watch_logline(&l, "access confirmed again by the platform", w);
	logline_kv(&l, "unconfirmed_ms=%lld", now - w->unconfirmed_since);
	logline_emit(&l, LOG_INFO);
	w->warned = 0;
}

/*
 * One check's verdict, into the state: logs when the platform stops or
 * starts confirming (one line per change, not one per check, and no
 * more than watch_warn() lets through). Returns the verdict byte to
 * send, or 0 to go on.
 */
static int
watch_judge(struct watch_state *w, int verdict, long long now)
{
	int changed = 0;

	if (verdict == SESSION_DENIED)
		return WATCH_DENIED;
	if (verdict == SESSION_ALLOWED) {
		if (w->unconfirmed_since != 0)
			watch_confirmed(w, now);
		w->unconfirmed_since = 0;
		return 0;
	}
	if (w->unconfirmed_since == 0) {
		w->unconfirmed_since = now;
		changed = 1;
	}
	if (!watch_warn(w, now) && changed)
		w->unlogged++;
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
	/* the monitor learns the verdict too, from the exit status */
	_exit(c == WATCH_DENIED ? WATCH_EXIT_DENIED : c != 0 ?
	    WATCH_EXIT_UNCONFIRMED : 0);
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
	ro.idle_timeout = cfg->idle_timeout;
	if (cfg->max_session_time > 0)
		ro.end_at = (rq->started_ms > 0 ? rq->started_ms :
		    clock_now_ms()) + cfg->max_session_time;
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
	    o->res.end == RELAY_END_SIGNAL || o->res.end == RELAY_END_IDLE ||
	    o->res.end == RELAY_END_MAX_TIME) {
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

/*
 * Privilege separation (doc/hacking.md): the process that called
 * session_run() is the monitor. It asks the API for the node, holds the
 * internal key as the signer, and starts the relay: a fresh image of
 * this very program (/proc/self/exe in its hidden relay mode), which
 * gets the node over a socket, never argv or the environment, confines
 * itself (sandbox.h), logs in through the signer and relays. The relay
 * holds these fds and no other past 2.
 */
#define RELAY_CTL_FD	3	/* the record in, the outcome out */
#define RELAY_AGENT_FD	4	/* ssh-agent protocol, to the signer */
#define RELAY_WATCH_FD	5	/* the watcher's verdict, if any */

#define MSG_RECORD	'R'	/* monitor: what to relay */
#define MSG_STARTED	'S'	/* relay: the channel is open */
#define MSG_OUTCOME	'E'	/* relay: how it ended; its last word */

/* The relay as the monitor sees it. */
struct relay_proc {
	pid_t	 pid;		/* -1: none */
	int	 ctl;		/* -1: none */
	int	 agent;		/* -1: none */
	/* what the monitor enforces itself (relay_kill_at()) */
	long long sig_at;	/* a signal was passed on; 0: none */
	long long watch_at;	/* the watcher ended; 0: not yet */
	enum session_verdict verdict;	/* the watcher's exit said so */
	/* fds 0-2 as the relay found them, for a relay that dies */
	int	 fl[3];
	int	 have_tio;
	struct termios tio;
};

/*
 * The limits the relay keeps, as the monitor read them: the relay reads
 * the file again (for what it needs of the rest), which may have changed
 * since, and the monitor enforces some of them itself.
 */
#define RELAY_NLIMITS	5
#define RELAY_LIMITS(c) { &(c)->connect_timeout, &(c)->keepalive_interval, \
	&(c)->keepalive_count_max, &(c)->idle_timeout, &(c)->max_session_time }

/* What the relay gets from the monitor. */
struct relay_job {
	char	 prog[32];		/* the log's ident */
	char	 conf[4096];		/* "": the default */
	struct session_req rq;
	char	*command;
	int	 watch;			/* RELAY_WATCH_FD is the watcher */
	struct api_node n;
	/* the monitor's limits, whatever the file says by now */
	long	 limits[RELAY_NLIMITS];
};

/* The relay's pid for on_forward(); 0: none. The last signal sent. */
static volatile sig_atomic_t forward_pid, forward_sig;

/* What a relay has, once told to end, before the monitor kills it. */
#define RELAY_KILL_GRACE_MS	1000

/*
 * SIGTERM, SIGHUP and SIGINT mean the session must end: the relay ends
 * it (and reports how), the monitor waits for its word. kill() is
 * async-signal-safe; this is the one handler that does more than set a
 * flag, since the monitor waits in calls that know nothing of signals.
 */
static void
on_forward(int sig)
{
	int saved = errno;

	if (forward_pid > 0) {
		forward_sig = sig;
		(void)kill((pid_t)forward_pid, sig);
	}
	errno = saved;
}

static const int forward_sigs[] = { SIGTERM, SIGHUP, SIGINT };
#define NFORWARD	(sizeof(forward_sigs) / sizeof(forward_sigs[0]))

static void
forward_start(pid_t pid, struct sigaction *old)
{
	struct sigaction sa;
	size_t i;

	forward_pid = pid;
	forward_sig = 0;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_forward;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < NFORWARD; i++)
		sigaction(forward_sigs[i], &sa, &old[i]);
}

static void
forward_stop(const struct sigaction *old)
{
	size_t i;

	for (i = 0; i < NFORWARD; i++)
		sigaction(forward_sigs[i], &old[i], NULL);
	forward_pid = 0;
}

/* The relay's side of fork(): its fds in place, then the fresh image. */
static void __attribute__((noreturn))
relay_exec(int ctl, int agent, int watch, pid_t monitor)
{
	char *argv[] = { (char *)"sshgate-relay", (char *)SESSION_RELAY_ARG,
	    NULL };
	int fds[3] = { ctl, agent, watch }, hi[3], i;
	sigset_t none;

	/* out of the way first: a source may sit on a target's number */
	for (i = 0; i < 3; i++)
		if ((hi[i] = fds[i]) != -1 &&
		    (hi[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10)) == -1)
			_exit(127);
	for (i = 0; i < 3; i++)
		if (hi[i] != -1 && dup2(hi[i], RELAY_CTL_FD + i) == -1)
			_exit(127);
	(void)close_range(watch != -1 ? RELAY_WATCH_FD + 1 : RELAY_WATCH_FD,
	    ~0U, 0);
	/* no relay outlives its monitor (kept across execve) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1 ||
	    getppid() != monitor)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve("/proc/self/exe", argv, environ);
	_exit(127);
}

/*
 * Starts the relay process. The watcher's end of sw goes to the relay,
 * which alone reads the verdict from now on. 0 or GATE_ERR_SYSTEM.
 */
static int
relay_spawn(struct session_watch *sw, struct relay_proc *rp)
{
	int ctl[2] = { -1, -1 }, ag[2] = { -1, -1 };
	pid_t monitor = getpid();

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ag) == -1 ||
	    (rp->pid = fork()) == -1) {
		if (ctl[0] != -1) {
			close(ctl[0]);
			close(ctl[1]);
		}
		if (ag[0] != -1) {
			close(ag[0]);
			close(ag[1]);
		}
		return GATE_ERR_SYSTEM;
	}
	if (rp->pid == 0)
		relay_exec(ctl[1], ag[1], sw->fd, monitor);
	close(ctl[1]);
	close(ag[1]);
	/* relay_wait() reads a frame it saw begin: one that stalls is dead */
	{
		struct timeval tv = { RELAY_KILL_GRACE_MS / 1000, 0 };

		(void)setsockopt(ctl[0], SOL_SOCKET, SO_RCVTIMEO, &tv,
		    sizeof(tv));
	}
	rp->ctl = ctl[0];
	rp->agent = ag[0];
	if (sw->fd != -1)
		close(sw->fd);
	sw->fd = -1;
	log_debug("relay process %ld", (long)rp->pid);
	return 0;
}

/*
 * fds 0-2 are open file descriptions the relay shares: it makes them
 * nonblocking and the terminal raw, and puts them back when it ends. A
 * relay that dies cannot; the monitor can.
 */
static void
relay_save_fds(struct relay_proc *rp)
{
	int i;

	for (i = 0; i < 3; i++)
		rp->fl[i] = fcntl(i, F_GETFL);
	rp->have_tio = isatty(STDIN_FILENO) &&
	    tcgetattr(STDIN_FILENO, &rp->tio) == 0;
}

static void
relay_restore_fds(const struct relay_proc *rp)
{
	int i;

	for (i = 0; i < 3; i++)
		if (rp->fl[i] != -1)
			(void)fcntl(i, F_SETFL, rp->fl[i]);
	if (rp->have_tio)
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &rp->tio);
}

/* How the relay ended, for the log, once it is reaped. */
static void
relay_status_str(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "the relay process was killed by signal "
		    "%d", WTERMSIG(status));
	else if (WIFEXITED(status))
		snprintf(buf, len, "the relay process exited with %d without "
		    "an outcome", WEXITSTATUS(status));
	else
		snprintf(buf, len, "the relay process ended without an "
		    "outcome");
}

/*
 * A relay that ended without its outcome, sent one that does not parse,
 * or outlived a limit the monitor keeps (end: how the session ends
 * then; RELAY_END_ERROR otherwise): it is killed, since it is not the
 * relay we started any more. The session ends as such if it had started,
 * else as a failed connection, so that the audit line is written either
 * way.
 */
static int
relay_died(struct relay_proc *rp, int started, enum relay_end end,
    struct session_outcome *o)
{
	char why[128];
	int status = 0;

	(void)kill(rp->pid, SIGKILL);
	while (waitpid(rp->pid, &status, 0) == -1 && errno == EINTR)
		continue;
	rp->pid = -1;
	relay_restore_fds(rp);
	if (end != RELAY_END_ERROR)
		snprintf(why, sizeof(why), "the relay process did not end "
		    "within %d ms (%s); killed", RELAY_KILL_GRACE_MS,
		    relay_end_name(end));
	else
		relay_status_str(status, why, sizeof(why));
	log_verbose("%s", why);
	if (!started && end != RELAY_END_SIGNAL)
		return session_fail(o, SESSION_STAGE_CONNECT,
		    GATE_ERR_CONNECT, why);
	relay_result_init(&o->res);
	/* a signal passed on: the session ends as the signal says */
	if (end == RELAY_END_ERROR && forward_sig != 0)
		end = RELAY_END_SIGNAL;
	o->res.end = end;
	if (end == RELAY_END_CHECK)
		o->verdict = rp->verdict;
	strlcpy(o->res.detail, why, sizeof(o->res.detail));
	o->stage = SESSION_STAGE_ENDED;
	o->err = 0;
	o->exit_code = relay_exit_code(&o->res);
	return 0;
}

/* Closes the monitor's ends and waits for the relay to be gone. */
static void
relay_reap(struct relay_proc *rp)
{
	if (rp->agent != -1)
		close(rp->agent);
	if (rp->ctl != -1)
		close(rp->ctl);
	rp->agent = rp->ctl = -1;
	if (rp->pid <= 0)
		return;
	while (waitpid(rp->pid, NULL, 0) == -1 && errno == EINTR)
		continue;
	rp->pid = -1;
}

static void
record_put(struct wire *w, const struct gate_config *cfg,
    const struct session_req *rq, const struct api_node *n, int watch)
{
	size_t i;

	wire_put_str(w, log_get_ident());
	wire_put_str(w, cfg->path != NULL ? cfg->path : "");
	wire_put_str(w, rq->login_str);
	wire_put_str(w, rq->key_id);
	wire_put_u32(w, (uint32_t)rq->kind);
	wire_put_str(w, rq->command != NULL ? rq->command : "");
	wire_put_u32(w, (uint32_t)rq->tty);
	wire_put_str(w, rq->term);
	wire_put_str(w, rq->lang);
	wire_put_str(w, rq->client_addr);
	wire_put_str(w, rq->client_port);
	wire_put_u64(w, (uint64_t)rq->started_ms);
	wire_put_u32(w, (uint32_t)watch);
	wire_put_str(w, n->id);
	wire_put_str(w, n->address);
	wire_put_u32(w, (uint32_t)n->port);
	wire_put_str(w, n->user);
	{
		const long *lim[RELAY_NLIMITS] = RELAY_LIMITS(cfg);

		for (i = 0; i < RELAY_NLIMITS; i++)
			wire_put_u64(w, (uint64_t)*lim[i]);
	}
	wire_put_u32(w, (uint32_t)n->nhostkeys);
	for (i = 0; i < n->nhostkeys; i++) {
		wire_put_str(w, n->hostkeys[i].type);
		wire_put_str(w, n->hostkeys[i].blob);
	}
}

/* The monitor is the trusted end; still, nothing unchecked is used. */
static int
record_get(struct wire *w, struct relay_job *j)
{
	struct session_req *rq = &j->rq;
	uint32_t kind, nk, i;
	uint64_t started;

	wire_get_str(w, j->prog, sizeof(j->prog));
	wire_get_str(w, j->conf, sizeof(j->conf));
	wire_get_str(w, rq->login_str, sizeof(rq->login_str));
	wire_get_str(w, rq->key_id, sizeof(rq->key_id));
	kind = wire_get_u32(w);
	j->command = wire_get_strdup(w);
	rq->tty = wire_get_u32(w) != 0;
	wire_get_str(w, rq->term, sizeof(rq->term));
	wire_get_str(w, rq->lang, sizeof(rq->lang));
	wire_get_str(w, rq->client_addr, sizeof(rq->client_addr));
	wire_get_str(w, rq->client_port, sizeof(rq->client_port));
	/* the login's time (MaxSessionTime): CLOCK_MONOTONIC is the host's */
	started = wire_get_u64(w);
	j->watch = wire_get_u32(w) != 0;
	wire_get_str(w, j->n.id, sizeof(j->n.id));
	wire_get_str(w, j->n.address, sizeof(j->n.address));
	j->n.port = (int)wire_get_u32(w);
	wire_get_str(w, j->n.user, sizeof(j->n.user));
	for (i = 0; i < RELAY_NLIMITS; i++)
		if ((j->limits[i] = (long)wire_get_u64(w)) < 0)
			w->bad = 1;
	nk = wire_get_u32(w);
	if (w->bad || nk > API_HOSTKEYS_MAX || kind > SESSION_SFTP ||
	    j->prog[0] == '\0' || j->n.port < 1 || j->n.port > 65535 ||
	    ident_login_parse(rq->login_str, &rq->login) != 0 ||
	    (j->n.hostkeys = calloc(nk + 1, sizeof(*j->n.hostkeys))) == NULL)
		return GATE_ERR_INVALID;
	for (i = 0; i < nk; i++) {
		wire_get_str(w, j->n.hostkeys[i].type,
		    sizeof(j->n.hostkeys[i].type));
		wire_get_str(w, j->n.hostkeys[i].blob,
		    sizeof(j->n.hostkeys[i].blob));
	}
	j->n.nhostkeys = nk;
	rq->started_ms = started <= (uint64_t)clock_now_ms() ?
	    (long long)started : 0;
	rq->kind = (enum session_kind)kind;
	if (rq->kind == SESSION_EXEC)
		rq->command = j->command;
	return w->bad || w->off != w->len ? GATE_ERR_INVALID : 0;
}

static void
outcome_put(struct wire *w, const struct session_outcome *o)
{
	wire_put_u32(w, (uint32_t)o->stage);
	wire_put_u32(w, (uint32_t)o->err);
	wire_put_str(w, o->detail);
	wire_put_u32(w, (uint32_t)o->res.end);
	wire_put_u32(w, (uint32_t)o->res.exit_status);
	wire_put_str(w, o->res.exit_signal);
	wire_put_u32(w, (uint32_t)o->res.closed);
	wire_put_u64(w, o->res.bytes_up);
	wire_put_u64(w, o->res.bytes_down);
	wire_put_str(w, o->res.detail);
	wire_put_u32(w, (uint32_t)o->verdict);
}

/*
 * The relay's word on how it ended, into *o: it is the end that parsed
 * the container's bytes, so every field is checked before it counts.
 */
static int
outcome_get(struct wire *w, struct session_outcome *o)
{
	uint32_t stage, end, verdict;
	int err, status;

	stage = wire_get_u32(w);
	err = (int)wire_get_u32(w);
	wire_get_str(w, o->detail, sizeof(o->detail));
	end = wire_get_u32(w);
	status = (int)wire_get_u32(w);
	wire_get_str(w, o->res.exit_signal, sizeof(o->res.exit_signal));
	o->res.closed = wire_get_u32(w) != 0;
	o->res.bytes_up = wire_get_u64(w);
	o->res.bytes_down = wire_get_u64(w);
	wire_get_str(w, o->res.detail, sizeof(o->res.detail));
	verdict = wire_get_u32(w);
	if (w->bad || w->off != w->len || stage > SESSION_STAGE_ENDED ||
	    end > RELAY_END_LAST || verdict > SESSION_UNCONFIRMED ||
	    err > 0 || err < GATE_ERR_MIN || status < -1 || status > 255 ||
	    (o->res.exit_signal[0] != '\0' &&
	    !ident_is_signal(o->res.exit_signal)))
		return GATE_ERR_PROTOCOL;
	o->stage = (enum session_stage)stage;
	o->err = o->stage == SESSION_STAGE_ENDED ? 0 : err;
	o->res.end = (enum relay_end)end;
	o->res.exit_status = status;
	o->verdict = (enum session_verdict)verdict;
	if (o->stage == SESSION_STAGE_ENDED)
		o->exit_code = relay_exit_code(&o->res);
	return 0;
}

/*
 * The monitor's own limits on the relay, which a container may have
 * taken over: a signal passed on, the watcher's end (its verdict) and
 * MaxSessionTime each give the relay RELAY_KILL_GRACE_MS to end by
 * itself. The earliest such time (0: none) and how the session ends.
 */
static long long
relay_kill_at(const struct gate_config *cfg, const struct session_req *rq,
    const struct relay_proc *rp, enum relay_end *end)
{
	long long at = 0, t;

	if (rp->sig_at != 0) {
		at = rp->sig_at + RELAY_KILL_GRACE_MS;
		*end = RELAY_END_SIGNAL;
	}
	if (rp->watch_at != 0 &&
	    ((t = rp->watch_at + RELAY_KILL_GRACE_MS) < at || at == 0)) {
		at = t;
		*end = RELAY_END_CHECK;
	}
	if (cfg->max_session_time > 0 && rq->started_ms > 0 &&
	    ((t = rq->started_ms + cfg->max_session_time +
	    RELAY_KILL_GRACE_MS) < at || at == 0)) {
		at = t;
		*end = RELAY_END_MAX_TIME;
	}
	return at;
}

/* The watcher ended: its exit status (not reaped here) is its verdict. */
static void
relay_watch_ended(const struct session_watch *sw, struct relay_proc *rp)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)sw->pid, &si, WEXITED | WNOWAIT |
	    WNOHANG) != 0 || si.si_pid == 0)
		return;
	rp->watch_at = clock_now_ms();
	/* a watcher that died unasked confirms nothing: fail closed */
	rp->verdict = si.si_code == CLD_EXITED &&
	    si.si_status == WATCH_EXIT_DENIED ? SESSION_DENIED :
	    SESSION_UNCONFIRMED;
}

/*
 * Waits for the relay's messages: "session started" is logged here,
 * and the outcome fills *o, within the monitor's limits
 * (relay_kill_at()). A relay that ends without its outcome, or outlives
 * a limit, ends the session through relay_died().
 */
static int
relay_wait(const struct gate_config *cfg, const struct session_req *rq,
    const struct session_watch *sw, struct relay_proc *rp, struct wire *w,
    struct session_outcome *o, long long start)
{
	struct pollfd pfd[2];
	enum relay_end end = RELAY_END_ERROR;
	unsigned char type;
	long long now, at;
	int started = 0, r;

	pfd[0].fd = rp->ctl;
	pfd[0].events = POLLIN;
	pfd[1].fd = sw->pid > 0 ? (int)syscall(SYS_pidfd_open, sw->pid, 0) :
	    -1;
	pfd[1].events = POLLIN;
	for (;;) {
		now = clock_now_ms();
		if (forward_sig != 0 && rp->sig_at == 0)
			rp->sig_at = now;
		if ((at = relay_kill_at(cfg, rq, rp, &end)) != 0 && now >= at) {
			r = GATE_ERR_TIMEOUT;
			break;
		}
		end = RELAY_END_ERROR;
		if (poll(pfd, 2, at == 0 ? -1 : (int)(at - now)) == -1) {
			if (errno == EINTR)
				continue;
			r = GATE_ERR_SYSTEM;
			break;
		}
		if (pfd[1].fd != -1 && pfd[1].revents != 0) {
			relay_watch_ended(sw, rp);
			close(pfd[1].fd);
			pfd[1].fd = -1;
		}
		if (pfd[0].revents == 0)
			continue;
		/* a frame the relay began: it has the grace to finish it */
		if ((r = wire_recv(rp->ctl, &type, w)) != 0)
			break;
		if (type == MSG_STARTED && !started && w->len == 1) {
			started = 1;
			session_log_started(rq, o);
			continue;
		}
		if (type == MSG_OUTCOME)
			r = outcome_get(w, o);
		else
			r = GATE_ERR_PROTOCOL;
		break;
	}
	if (pfd[1].fd != -1)
		close(pfd[1].fd);
	if (r != 0)
		r = relay_died(rp, started, end, o);
	else
		r = o->err;
	if (started)
		o->duration_ms = clock_now_ms() - start;
	return r;
}

/*
 * The monitor, once the node is known: the signer, the relay, its
 * outcome. The key is read before the relay starts (a gate that cannot
 * log in has no business connecting) and wiped once it has signed.
 */
static int
session_monitor(const struct gate_config *cfg, const struct session_req *rq,
    const struct api_node *n, struct session_watch *sw,
    struct session_outcome *o, long long start)
{
	struct relay_proc rp = { -1, -1, -1, 0, 0, SESSION_ALLOWED,
	    { -1, -1, -1 }, 0, { 0 } };
	struct sigaction old[NFORWARD];
	struct signer *sg = NULL;
	struct wire w;
	char algos[256], detail[UPSTREAM_DETAIL_MAX];
	const char *why;
	int r, watch = sw->fd != -1;

	memset(&w, 0, sizeof(w));
	if ((r = upstream_hostkey_algos(n, algos, sizeof(algos))) != 0)
		return session_fail(o, SESSION_STAGE_CONNECT, r, NULL);
	if ((r = signer_load(cfg->internal_key, &sg, &why)) != 0) {
		if (strcmp(why, "cannot read") == 0)
			snprintf(detail, sizeof(detail), "cannot read the "
			    "internal key %s", cfg->internal_key);
		else
			snprintf(detail, sizeof(detail), "the internal key "
			    "%s: %s", cfg->internal_key, why);
		return session_fail(o, SESSION_STAGE_CONNECT, r, detail);
	}
	relay_save_fds(&rp);
	if ((r = wire_init(&w)) != 0 || (r = relay_spawn(sw, &rp)) != 0) {
		session_fail(o, SESSION_STAGE_SETUP, r,
		    "cannot start the relay process");
		goto out;
	}
	forward_start(rp.pid, old);
	record_put(&w, cfg, rq, n, watch);
	if ((r = wire_send(rp.ctl, MSG_RECORD, &w)) != 0) {
		session_fail(o, SESSION_STAGE_SETUP, r,
		    "cannot reach the relay process");
		goto stop;
	}
	/* kex, host key and userauth: each may take ConnectTimeout */
	(void)signer_serve(sg, rp.agent, n->user, clock_now_ms() +
	    4 * cfg->connect_timeout + 1000);
	signer_free(sg);
	sg = NULL;
	close(rp.agent);
	rp.agent = -1;
	r = relay_wait(cfg, rq, sw, &rp, &w, o, start);
 stop:
	relay_reap(&rp);
	forward_stop(old);
 out:
	relay_reap(&rp);
	signer_free(sg);
	wire_free(&w);
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
	r = session_monitor(cfg, rq, n, &sw, o, start);
 out:
	watch_stop(&sw);
	api_node_free(n);
	api_client_free(api);
	return r;
}

/* Tells the monitor the channel is open (it logs "session started"). */
static void
relay_tell_started(void)
{
	static const unsigned char msg[5] = { 0, 0, 0, 1, MSG_STARTED };

	(void)!write(RELAY_CTL_FD, msg, sizeof(msg));
}

/*
 * The relay's session: confined before it connects, so that not even
 * the key exchange runs with the filesystem in reach; logs in through
 * the signer, opens the channel and relays. The end goes to *o.
 */
static void
relay_session(const struct gate_config *cfg, const struct relay_job *j,
    struct session_outcome *o)
{
	struct session_watch sw;
	ssh_session s = NULL;
	ssh_channel ch = NULL;
	char detail[UPSTREAM_DETAIL_MAX], layers[96];
	const char *why;
	unsigned int got;
	int r;

	sw.pid = -1;
	sw.fd = j->watch ? RELAY_WATCH_FD : -1;
	sw.verdict = SESSION_ALLOWED;
	if ((r = sandbox_apply(j->n.port, &got, &why)) != 0) {
		snprintf(detail, sizeof(detail), "cannot confine the relay "
		    "process: %s: %s", why, strerror(errno));
		session_fail(o, SESSION_STAGE_SETUP, r, detail);
		goto out;
	}
	log_verbose("relay process confined: %s",
	    sandbox_layers_str(got, layers, sizeof(layers)));
	if ((r = upstream_connect(cfg, &j->n, RELAY_AGENT_FD, &s,
	    detail)) != 0) {
		session_fail(o, SESSION_STAGE_CONNECT, r, detail);
		goto out;
	}
	log_verbose("connected to node %s at %s port %d", j->n.id,
	    j->n.address, j->n.port);
	if ((r = sandbox_seal()) != 0) {
		snprintf(detail, sizeof(detail), "cannot confine the relay "
		    "process: seccomp: %s", strerror(errno));
		session_fail(o, SESSION_STAGE_SETUP, r, detail);
		goto out;
	}
	if ((r = open_channel(s, &j->rq, cfg->connect_timeout, &o->res,
	    &ch)) != 0) {
		session_fail(o, SESSION_STAGE_CHANNEL, r, ssh_get_error(s));
		goto out;
	}
	relay_tell_started();
	(void)session_relay(cfg, &j->rq, &sw, s, ch, o);
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
	if (sw.fd != -1)
		close(sw.fd);
}

/* Whether fd is one of the monitor's sockets. */
static int
is_socket(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

void
session_relay_main(void)
{
	static struct relay_job j;	/* j.prog is the log's ident */
	struct gate_config cfg;
	struct session_outcome o;
	struct wire w;
	unsigned char type;

	/* first: nothing of this process for another of the same uid */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)prctl(PR_SET_NAME, "sshgate-relay", 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	memset(&cfg, 0, sizeof(cfg));
	memset(&o, 0, sizeof(o));
	relay_result_init(&o.res);
	if (!is_socket(RELAY_CTL_FD) || !is_socket(RELAY_AGENT_FD) ||
	    wire_init(&w) != 0)
		_exit(1);
	if (wire_recv(RELAY_CTL_FD, &type, &w) != 0 || type != MSG_RECORD ||
	    record_get(&w, &j) != 0)
		_exit(1);
	log_init(j.prog, LOG_TO_SYSLOG);
	if (prog_config(j.prog, j.conf[0] != '\0' ? j.conf : NULL, 0, 0, 0,
	    &cfg) != 0)
		session_fail(&o, SESSION_STAGE_SETUP, GATE_ERR_CONFIG,
		    "the relay process cannot load the configuration");
	else {
		long *lim[RELAY_NLIMITS] = RELAY_LIMITS(&cfg);
		size_t i;

		for (i = 0; i < RELAY_NLIMITS; i++)
			*lim[i] = j.limits[i];
		relay_session(&cfg, &j, &o);
	}
	wire_reset(&w);
	outcome_put(&w, &o);
	(void)wire_send(RELAY_CTL_FD, MSG_OUTCOME, &w);
	/*
	 * _exit: no atexit handler runs in the sandbox (LeakSanitizer's
	 * would need ptrace and /proc; doc/hacking.md).
	 */
	_exit(0);
}
