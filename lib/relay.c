/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>	/* ssh_send_keepalive() */

#include "clock.h"
#include "compat.h"
#include "gate_err.h"
#include "ident.h"
#include "log.h"
#include "relay.h"
#include "upstream.h"

#define RELAY_BUF	(256 * 1024)
#define RELAY_PAUSE_MS	20
#define RELAY_DEBUG_BURST	16	/* state lines a second at DEBUG */
/*
 * Container to client: more than libssh 0.10 can ever hold for a channel
 * we read the way fill() does (its grown window, 1280000 bytes, plus the
 * 640000 it may hold when it grows it), so that an empty ring always
 * takes all of it.
 */
#define RELAY_RING	(2 * 1024 * 1024)
/*
 * The smallest maximum packet size a container may give the channel.
 * libssh sends at most that less 10 bytes a packet: 10 makes
 * ssh_channel_write() loop forever on empty packets, and a few bytes
 * more a packet per byte. OpenSSH gives 32768; RFC 4253 wants 32768
 * handled by everyone.
 */
#define RELAY_MIN_PACKET	1024
/*
 * What libssh's outgoing buffer may hold before the relay stops reading
 * the container: past it the container does not read what we send (our
 * answers to its requests, the upload), and reading more of it would
 * only queue more answers. Counted from libssh's counters, with
 * RELAY_PKT_OVERHEAD a packet for what they leave out (length, padding,
 * MAC), so an overestimate.
 */
#define RELAY_OUT_MAX	(1024 * 1024)
#define RELAY_PKT_OVERHEAD	(4 + 1 + 19 + 64)

/* client to container: read only once the last read is all sent */
struct buf {
	char	*p;
	size_t	 off;	/* first byte not yet written */
	size_t	 len;	/* bytes held, from off */
};

/* container to client: bytes are never moved, they wrap at RELAY_RING */
struct ring {
	char	*p;
	size_t	 head;	/* first byte not yet written */
	size_t	 len;	/* bytes held, from head */
	int	 held;	/* what libssh held for the stream when last asked */
	int	 eof;	/* the container ended this stream */
	int	 is_stderr;	/* which stream of the channel */
	int	 fd;	/* where it goes: fd 1 or 2 */
};

/* What the poll set's slots are for. */
enum { PFD_SOCK = 0, PFD_STDIN, PFD_STDOUT, PFD_STDERR, PFD_CHECK, PFD_N };

/* fds 0-2 and a channel, from relay_setup() to relay_restore() */
struct relay {
	ssh_session	 s;
	ssh_channel	 ch;
	const struct relay_opts *o;
	struct relay_result *res;
	/*
	 * What reads the socket once the channel is at EOF: libssh's
	 * channel calls return at once then, and the close would never be
	 * seen.
	 */
	ssh_event	 ev;
	socket_t	 sfd;
	struct buf	 up;		/* client to container */
	struct ring	 out, err;	/* container to client */
	int		 stdin_eof;	/* the client's stdin ended */
	int		 eof_sent;	/* and the channel was told */
	int		 up_stalled;	/* the last write took nothing */
	int		 paused;	/* a ring is blocked */
	int		 choked;	/* libssh holds > RELAY_OUT_MAX */
	/* libssh counts what crosses the socket and its packets */
	struct ssh_counter_struct sock_ctr, raw_ctr;
	long long	 out_base;	/* the counters' gap when empty */
	/* the keepalive: a request the container must answer */
	unsigned long long alive_in;	/* packets in at the last one */
	int		 alive_sent;	/* one was sent */
	long		 alive_missed;	/* intervals without a packet since */
	long long	 now;		/* clock_now_ms() of this round */
	long long	 next_alive;	/* 0: no keepalive */
	long long	 active_at;	/* when bytes last moved */
	unsigned long long active_bytes;	/* bytes_up + bytes_down then */
	struct pollfd	 pfd[PFD_N];
	/* DEBUG lines of the loop: a burst a second, then a count */
	unsigned int	 last_poll;	/* last round's poll set */
	int		 poll_unlogged;	/* not in the log yet */
	long long	 dbg_since;
	unsigned int	 dbg_lines, dbg_dropped;
	/* saved by relay_setup(), put back by relay_restore() */
	int		 fl[3];		/* fcntl flags of fds 0-2 */
	int		 have_tio;
	struct termios	 saved_tio;
	int		 have_sigs;
	sigset_t	 orig_mask;	/* also what ppoll() waits with */
	struct sigaction old_winch, old_term, old_hup, old_int;
};

static volatile sig_atomic_t got_winch, got_stop;

static void
on_winch(int sig)
{
	(void)sig;
	got_winch = 1;
}

static void
on_stop(int sig)
{
	got_stop = sig;
}

static void
exit_status_cb(ssh_session s, ssh_channel ch, int status, void *arg)
{
	struct relay_result *res = arg;

	(void)s;
	(void)ch;
	res->exit_status = status;
	log_debug("the container sent exit status %d", status);
}

static void
exit_signal_cb(ssh_session s, ssh_channel ch, const char *sig, int core,
    const char *errmsg, const char *lang, void *arg)
{
	struct relay_result *res = arg;

	(void)s;
	(void)ch;
	(void)core;
	(void)errmsg;
	(void)lang;
	/* the peer's text reaches logs and exit codes only if it is a name */
	if (sig != NULL && ident_is_signal(sig))
		strlcpy(res->exit_signal, sig, sizeof(res->exit_signal));
	else
		res->exit_signal[0] = '\0';
}

/*
 * libssh 0.10 leaves a channel "open" when the peer closes it while data
 * still waits in its buffers (delayed close): ssh_channel_is_closed()
 * would never turn true for us.
 */
static void
close_cb(ssh_session s, ssh_channel ch, void *arg)
{
	struct relay_result *res = arg;

	(void)s;
	(void)ch;
	res->closed = 1;
	log_debug("the container closed the channel");
}

static int
chan_closed(ssh_channel ch, const struct relay_result *res)
{
	return res->closed || ssh_channel_is_closed(ch);
}

/* The container said how its command ended. */
static int
exit_known(const struct relay_result *res)
{
	return res->exit_status != -1 || res->exit_signal[0] != '\0';
}

void
relay_result_init(struct relay_result *res)
{
	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
}

void
relay_watch_exit(ssh_channel ch, struct relay_result *res)
{
	relay_result_init(res);
	res->cb.userdata = res;
	res->cb.channel_exit_status_function = exit_status_cb;
	res->cb.channel_exit_signal_function = exit_signal_cb;
	res->cb.channel_close_function = close_cb;
	ssh_callbacks_init(&res->cb);
	ssh_set_channel_callbacks(ch, &res->cb);
}

static const char *
stream_name(const struct ring *b)
{
	return b->is_stderr ? "stderr" : "stdout";
}

/*
 * Whether b takes what libssh holds for a stream (held bytes) in one go.
 * After any read that leaves the channel's window below 640000 bytes,
 * libssh 0.10 grows it back to 1280000 without counting what still waits
 * in its own buffer: reading a little at a time from a sender faster than
 * our client lets that buffer grow without bound, up to libssh's 256 MiB
 * cap, where it drops the buffer, the data with it, and the next
 * ssh_channel_poll() dereferences NULL. Taking all of it, or reading only
 * into an empty ring, keeps what libssh holds below RELAY_RING.
 */
static int
ring_takes(const struct ring *b, int held)
{
	return b->len == 0 || (size_t)held <= RELAY_RING - b->len;
}

/*
 * Whether libssh, when we last looked, held more for b's stream than b
 * takes. The relay then stops taking anything from the container until
 * the client has read enough: libssh 0.10 grows the channel's window at
 * every packet of a stream whose own buffer is small (channel_rcv_data),
 * whatever the other stream holds, so a container writing stderr while
 * the client does not read stdout would let libssh take in stdout
 * without end. Not reading the socket leaves the backpressure to TCP.
 */
static int
ring_blocked(const struct ring *b)
{
	return b->held > 0 && !ring_takes(b, b->held);
}

/*
 * Moves what libssh holds for b's stream of ch into b, in as many goes as
 * b takes whole (ring_takes()). 1 at EOF, -1 on error, else 0.
 */
static int
fill(ssh_channel ch, struct ring *b)
{
	size_t want, tail, seg;
	int held, r;

	for (;;) {
		/* handles pending packets when nothing is held */
		held = ssh_channel_poll(ch, b->is_stderr);
		b->held = held > 0 ? held : 0;
		if (held == SSH_EOF)
			return 1;
		if (held < 0)
			return -1;
		if (held == 0 || !ring_takes(b, held))
			return 0;
		want = RELAY_RING - b->len;
		if ((size_t)held < want)
			want = (size_t)held;
		while (want > 0) {
			tail = (b->head + b->len) % RELAY_RING;
			seg = RELAY_RING - tail < want ? RELAY_RING - tail : want;
			r = ssh_channel_read_nonblocking(ch, b->p + tail,
			    (uint32_t)seg, b->is_stderr);
			if (r == SSH_EOF)
				return 1;
			if (r < 0 && r != SSH_AGAIN)
				return -1;
			if (r <= 0)
				return 0;
			b->len += (size_t)r;
			b->held -= r;
			want -= (size_t)r;
		}
	}
}

/*
 * Whether the loop has to go round again for b's stream instead of
 * sleeping: libssh holds data that b takes, its EOF, or an error.
 */
static int
ring_ready(ssh_channel ch, struct ring *b)
{
	int held;

	held = ssh_channel_poll(ch, b->is_stderr);
	b->held = held > 0 ? held : 0;
	return held < 0 || (held > 0 && ring_takes(b, held));
}

/* Writes what b holds to its fd. -1 if the reader is gone, else 0. */
static int
drain(struct ring *b, unsigned long long *count)
{
	struct iovec iov[2];
	size_t first;
	ssize_t w;
	int n;

	while (b->len > 0) {
		first = RELAY_RING - b->head;
		if (first > b->len)
			first = b->len;
		iov[0].iov_base = b->p + b->head;
		iov[0].iov_len = first;
		iov[1].iov_base = b->p;
		iov[1].iov_len = b->len - first;
		n = iov[1].iov_len > 0 ? 2 : 1;
		w = writev(b->fd, iov, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (w <= 0)
			return -1;
		b->head = (b->head + (size_t)w) % RELAY_RING;
		b->len -= (size_t)w;
		*count += (unsigned long long)w;
	}
	/* empty: start at the front again, what an idle session touches */
	b->head = 0;
	return 0;
}

static void
send_window(ssh_channel ch)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
	    ws.ws_row > 0) {
		log_debug("terminal resized to %ux%u", ws.ws_col, ws.ws_row);
		(void)ssh_channel_change_pty_size(ch, ws.ws_col, ws.ws_row);
	}
}

/* Ends the relay on an error of the SSH leg, in libssh's words. */
static int
relay_ssh_failed(struct relay *r, const char *what)
{
	strlcpy(r->res->detail, ssh_get_error(r->s), sizeof(r->res->detail));
	log_debug("%s failed: %s", what, r->res->detail);
	return -1;
}

/* Ends the relay because the client went away. */
static int
relay_client_gone(struct relay *r, const char *why)
{
	log_debug("client gone: %s", why);
	r->res->end = RELAY_END_CLIENT_GONE;
	return -1;
}

/* Signals are only taken inside ppoll(): no race with the flags. */
static void
relay_take_signals(struct relay *r)
{
	struct sigaction sa;
	sigset_t block;

	got_winch = got_stop = 0;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, &r->old_winch);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, &r->old_term);
	sigaction(SIGHUP, &sa, &r->old_hup);
	sigaction(SIGINT, &sa, &r->old_int);
	sigemptyset(&block);
	sigaddset(&block, SIGWINCH);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &r->orig_mask);
	r->have_sigs = 1;
}

/*
 * A terminal goes raw: the container's pty does echo, editing and ^C.
 * fds 0-2 go nonblocking.
 */
static void
relay_take_fds(struct relay *r)
{
	struct termios raw;
	int i;

	if (r->o->tty && tcgetattr(STDIN_FILENO, &r->saved_tio) == 0) {
		raw = r->saved_tio;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0)
			r->have_tio = 1;
		log_debug("terminal in raw mode: %s", r->have_tio ? "yes" :
		    "no");
	}
	for (i = 0; i < 3; i++) {
		if ((r->fl[i] = fcntl(i, F_GETFL)) != -1)
			(void)fcntl(i, F_SETFL, r->fl[i] | O_NONBLOCK);
	}
}

/*
 * Takes over fds 0-2, the signals and the session. 0, GATE_ERR_ALLOC or
 * GATE_ERR_SYSTEM; relay_restore() undoes what was done either way.
 */
static int
relay_setup(struct relay *r, ssh_session s, ssh_channel ch,
    const struct relay_opts *o, struct relay_result *res)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->ch = ch;
	r->o = o;
	r->res = res;
	r->fl[0] = r->fl[1] = r->fl[2] = -1;
	r->out.fd = STDOUT_FILENO;
	r->err.fd = STDERR_FILENO;
	r->err.is_stderr = 1;
	if ((r->up.p = malloc(RELAY_BUF)) == NULL ||
	    (r->out.p = malloc(RELAY_RING)) == NULL ||
	    (r->err.p = malloc(RELAY_RING)) == NULL)
		return GATE_ERR_ALLOC;
	relay_take_signals(r);
	relay_take_fds(r);
	ssh_set_blocking(s, 0);
	r->sfd = ssh_get_fd(s);
	ssh_set_counters(s, &r->sock_ctr, &r->raw_ctr);
	if ((r->ev = ssh_event_new()) == NULL ||
	    ssh_event_add_session(r->ev, s) != SSH_OK) {
		log_debug("cannot make an ssh_event for the session");
		return GATE_ERR_SYSTEM;
	}
	r->now = clock_now_ms();
	if (o->keepalive_interval > 0)
		r->next_alive = r->now + o->keepalive_interval;
	r->active_at = r->now;
	res->end = RELAY_END_ERROR;
	log_debug("relaying: tty %d, check fd %d, keepalive every %ld ms "
	    "(0: none), %ld unanswered end it", o->tty, o->check != NULL ?
	    o->check_fd : -1, o->keepalive_interval, o->keepalive_count_max);
	return 0;
}

/* Puts back what relay_setup() took, frees the buffers. */
static void
relay_restore(struct relay *r)
{
	int i;

	if (r->ev != NULL) {
		ssh_event_remove_session(r->ev, r->s);
		ssh_event_free(r->ev);
	}
	/* they are ours, on our stack */
	if (r->s != NULL)
		ssh_set_counters(r->s, NULL, NULL);
	/* backwards: on a terminal fds 0-2 share one file description */
	for (i = 2; i >= 0; i--)
		if (r->fl[i] != -1)
			(void)fcntl(i, F_SETFL, r->fl[i]);
	if (r->have_tio)
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &r->saved_tio);
	if (r->have_sigs) {
		sigprocmask(SIG_SETMASK, &r->orig_mask, NULL);
		sigaction(SIGWINCH, &r->old_winch, NULL);
		sigaction(SIGTERM, &r->old_term, NULL);
		sigaction(SIGHUP, &r->old_hup, NULL);
		sigaction(SIGINT, &r->old_int, NULL);
	}
	/* the client typed it: do not keep it around */
	if (r->up.p != NULL)
		explicit_bzero(r->up.p, RELAY_BUF);
	free(r->up.p);
	free(r->out.p);
	free(r->err.p);
}

/*
 * ppoll() runs the handlers only when it returns EINTR: when an fd is
 * ready at once (a container that floods keeps the socket readable, a
 * busy transfer too) it restores the mask with the signal still pending,
 * round after round. Whatever is pending is taken here instead.
 */
static void
relay_take_pending(void)
{
	static const struct timespec zero = { 0, 0 };
	sigset_t pending, ours;
	int sig;

	if (sigpending(&pending) != 0)
		return;
	if (!sigismember(&pending, SIGTERM) &&
	    !sigismember(&pending, SIGHUP) &&
	    !sigismember(&pending, SIGINT) &&
	    !sigismember(&pending, SIGWINCH))
		return;
	sigemptyset(&ours);
	sigaddset(&ours, SIGWINCH);
	sigaddset(&ours, SIGTERM);
	sigaddset(&ours, SIGHUP);
	sigaddset(&ours, SIGINT);
	while ((sig = sigtimedwait(&ours, NULL, &zero)) > 0) {
		if (sig == SIGWINCH)
			got_winch = 1;
		else
			got_stop = sig;
	}
}

/* What the signal handlers saw since the last round. -1: stop. */
static int
relay_signals(struct relay *r)
{
	relay_take_pending();
	if (got_stop) {
		log_debug("signal %d: stopping", (int)got_stop);
		r->res->end = RELAY_END_SIGNAL;
		return -1;
	}
	if (got_winch) {
		got_winch = 0;
		if (r->o->tty)
			send_window(r->ch);
	}
	return 0;
}

/*
 * Whether a line about the loop's state may go to the log: at most
 * RELAY_DEBUG_BURST a second, the rest only counted. A download that the
 * client reads slower than the container writes blocks and unblocks the
 * relay at every read of the client's.
 */
static int
relay_dbg_quota(struct relay *r)
{
	if (!log_enabled(LOG_LEVEL_DEBUG))
		return 0;
	if (r->now - r->dbg_since >= 1000) {
		if (r->dbg_dropped > 0)
			log_debug("%u lines on the loop's state left out in "
			    "%lld ms", r->dbg_dropped, r->now - r->dbg_since);
		r->dbg_since = r->now;
		r->dbg_lines = r->dbg_dropped = 0;
	}
	if (r->dbg_lines < RELAY_DEBUG_BURST) {
		r->dbg_lines++;
		return 1;
	}
	r->dbg_dropped++;
	return 0;
}

/*
 * What libssh holds to send, at most (RELAY_PKT_OVERHEAD): the packets it
 * made less what went out through the socket, since the last time it
 * held nothing (no write pending), which resets what the overestimate
 * gathered.
 */
static long long
relay_out_pending(struct relay *r)
{
	long long gap;

	gap = (long long)(r->raw_ctr.out_bytes + RELAY_PKT_OVERHEAD *
	    r->raw_ctr.out_packets) - (long long)r->sock_ctr.out_bytes;
	if (!(ssh_get_poll_flags(r->s) & SSH_WRITE_PENDING))
		r->out_base = gap;
	return gap > r->out_base ? gap - r->out_base : 0;
}

/* Whether libssh holds too much to send; says so when that changes. */
static void
relay_check_choke(struct relay *r)
{
	long long pending = relay_out_pending(r);
	int choked = pending > RELAY_OUT_MAX;

	if (choked != r->choked && relay_dbg_quota(r))
		log_debug("%s: libssh holds about %lld bytes to send",
		    choked ? "the container does not read: not reading it "
		    "either" : "the container reads again", pending);
	r->choked = choked;
}

/* Whether a ring is blocked (ring_blocked()); says so when that changes. */
static void
relay_check_pause(struct relay *r)
{
	int paused = ring_blocked(&r->out) || ring_blocked(&r->err);

	relay_check_choke(r);

	if (paused != r->paused && relay_dbg_quota(r)) {
		if (paused)
			log_debug("blocked: libssh holds %d (stdout) and %d "
			    "(stderr) bytes, the rings hold %zu and %zu; the "
			    "socket waits", r->out.held, r->err.held,
			    r->out.len, r->err.len);
		else
			log_debug("unblocked: the rings hold %zu and %zu "
			    "bytes", r->out.len, r->err.len);
	}
	r->paused = paused;
}

/* One stream from libssh into its ring, unless it is at EOF. */
static int
relay_fill(struct relay *r, struct ring *b)
{
	int rc;

	if (b->eof)
		return 0;
	if ((rc = fill(r->ch, b)) < 0)
		return relay_ssh_failed(r, "reading the channel");
	if (rc > 0) {
		b->eof = 1;
		log_debug("the container ended its %s", stream_name(b));
	}
	return 0;
}

/*
 * Container to client: libssh's data into the rings, nothing while a
 * stream is blocked, and the rings out to fds 1 and 2. -1: stop.
 */
static int
relay_pull(struct relay *r)
{
	relay_check_pause(r);
	if (!r->paused && !r->choked && (relay_fill(r, &r->out) != 0 ||
	    relay_fill(r, &r->err) != 0))
		return -1;
	if (drain(&r->out, &r->res->bytes_down) == -1 ||
	    drain(&r->err, &r->res->bytes_down) == -1)
		return relay_client_gone(r, "writing fd 1 or 2 failed");
	/*
	 * Still blocked: the libssh calls that follow may read the socket
	 * (a write that waits for the window, a flush), so they wait as
	 * well.
	 */
	relay_check_pause(r);
	return 0;
}

/* Client to container, never more than the window. -1: stop. */
static int
relay_push(struct relay *r)
{
	uint32_t win;
	int n;

	r->up_stalled = 0;
	/* libssh takes more only once it sent most of the last */
	if (!r->paused && !r->choked && r->up.len > 0 &&
	    relay_out_pending(r) < RELAY_BUF &&
	    (win = ssh_channel_window_size(r->ch)) > 0) {
		n = ssh_channel_write(r->ch, r->up.p + r->up.off,
		    (uint32_t)(r->up.len < win ? r->up.len : win));
		if (n == SSH_ERROR)
			return relay_ssh_failed(r, "writing the channel");
		/* 0 while a key re-exchange runs: the socket wakes us */
		r->up_stalled = n == 0;
		if (n == 0)
			log_debug("the channel took nothing of %zu bytes "
			    "(window %u)", r->up.len, win);
		r->up.off += (size_t)n;
		r->up.len -= (size_t)n;
		r->res->bytes_up += (unsigned long long)n;
		if (r->up.len == 0)
			r->up.off = 0;
	}
	if (!r->paused && !r->choked && r->stdin_eof && r->up.len == 0 &&
	    !r->eof_sent &&
	    !chan_closed(r->ch, r->res)) {
		log_debug("the client's stdin ended: EOF to the container");
		ssh_channel_send_eof(r->ch);
		r->eof_sent = 1;
	}
	if (!r->paused && (ssh_get_poll_flags(r->s) & SSH_WRITE_PENDING))
		(void)ssh_blocking_flush(r->s, 0);
	return 0;
}

/*
 * Done: the container said all it had and closed the channel or ended
 * both streams and exited, and neither our rings nor libssh hold any of
 * it. A closed channel may still have data waiting in libssh (delayed
 * close): only a stream at EOF is known to hold nothing without asking.
 */
static int
relay_finished(struct relay *r)
{
	int done;

	if (r->out.len > 0 || r->err.len > 0)
		return 0;
	if (chan_closed(r->ch, r->res))
		done = (r->out.eof || ssh_channel_poll(r->ch, 0) <= 0) &&
		    (r->err.eof || ssh_channel_poll(r->ch, 1) <= 0);
	else
		done = r->out.eof && r->err.eof && exit_known(r->res);
	if (done)
		log_debug("the container is done: closed %d, EOF %d/%d, exit "
		    "status %d, exit signal '%s'", chan_closed(r->ch, r->res),
		    r->out.eof, r->err.eof, r->res->exit_status,
		    r->res->exit_signal);
	return done;
}

/* The SSH leg is gone under us. */
static int
relay_lost(struct relay *r)
{
	if (ssh_is_connected(r->s))
		return 0;
	strlcpy(r->res->detail, "connection to the container lost",
	    sizeof(r->res->detail));
	log_debug("%s", r->res->detail);
	return 1;
}

/* The next limit (idle_timeout, end_at) to look at; 0: none. */
static long long
relay_limit_at(const struct relay *r)
{
	long long at = r->o->end_at;

	if (r->o->idle_timeout > 0 &&
	    (at == 0 || r->active_at + r->o->idle_timeout < at))
		at = r->active_at + r->o->idle_timeout;
	return at;
}

/*
 * Sends keepalive@openssh.com with want-reply, which OpenSSH answers.
 * In nonblocking mode libssh's ssh_send_keepalive() sends one and leaves
 * it pending; a call while one is pending only takes its answer, if it
 * came, and sends nothing: hence two calls, so that one goes out at
 * every interval unless the last one is still unanswered.
 */
static void
relay_send_keepalive(struct relay *r)
{
	(void)ssh_send_keepalive(r->s);
	(void)ssh_send_keepalive(r->s);
}

/*
 * The keepalive, when due. Any packet from the container since the last
 * one is an answer; KeepaliveCountMax intervals in a row without one end
 * the session. While a ring is blocked the relay reads nothing of the
 * container (the client is slow, not the container): not counted. -1:
 * stop.
 */
static int
relay_keepalive(struct relay *r)
{
	unsigned long long in = r->raw_ctr.in_packets;

	if (r->next_alive == 0 || r->now < r->next_alive)
		return 0;
	r->next_alive = r->now + r->o->keepalive_interval;
	if (r->paused || in != r->alive_in || !r->alive_sent)
		r->alive_missed = 0;
	else if (++r->alive_missed >= r->o->keepalive_count_max) {
		snprintf(r->res->detail, sizeof(r->res->detail), "no answer "
		    "to %ld keepalives, %ld ms apart", r->alive_missed,
		    r->o->keepalive_interval);
		log_debug("%s", r->res->detail);
		r->res->end = RELAY_END_UNRESPONSIVE;
		return -1;
	}
	r->alive_in = in;
	log_debug("keepalive to the container (%ld unanswered)",
	    r->alive_missed);
	if (r->paused)
		return 0;
	/* the container does not read: the count goes on, nothing queued */
	if (!r->choked)
		relay_send_keepalive(r);
	r->alive_sent = 1;
	return 0;
}

/* IdleTimeout and MaxSessionTime. -1: one ends it. */
static int
relay_limits(struct relay *r)
{
	unsigned long long moved;

	moved = r->res->bytes_up + r->res->bytes_down;
	if (moved != r->active_bytes) {
		r->active_bytes = moved;
		r->active_at = r->now;
	}
	if (r->o->idle_timeout > 0 &&
	    r->now - r->active_at >= r->o->idle_timeout)
		r->res->end = RELAY_END_IDLE;
	else if (r->o->end_at > 0 && r->now >= r->o->end_at)
		r->res->end = RELAY_END_MAX_TIME;
	else
		return 0;
	log_debug("%s", relay_end_name(r->res->end));
	return -1;
}

/* The keepalive, when due; then the limits. -1: stop. */
static int
relay_timers(struct relay *r)
{
	r->now = clock_now_ms();
	if (relay_keepalive(r) != 0)
		return -1;
	return relay_limits(r);
}

/* The check's fd said something: the check decides. -1: stop. */
static int
relay_check(struct relay *r)
{
	if (r->o->check(r->o->check_arg) == 0)
		return 0;
	log_debug("the check says stop");
	r->res->end = RELAY_END_CHECK;
	return -1;
}

/*
 * libssh may already hold what the socket will not announce again: data
 * the rings take, or an EOF or close processed by one of the calls before
 * (ssh_channel_poll() itself handles packets, so it goes first), or a
 * window adjust that lets us send what waits. Then the loop goes round
 * once more instead of sleeping. Data the rings do not take yet waits for
 * POLLOUT on fd 1 or 2. Asked before the fds are chosen: the window may
 * grow here.
 */
static int
relay_busy(struct relay *r)
{
	if (r->paused || r->choked)
		return 0;
	return (!r->out.eof && ring_ready(r->ch, &r->out)) ||
	    (!r->err.eof && ring_ready(r->ch, &r->err)) ||
	    (r->up.len > 0 && !r->up_stalled &&
	    relay_out_pending(r) < RELAY_BUF &&
	    ssh_channel_window_size(r->ch) > 0) ||
	    (r->out.len == 0 && r->err.len == 0 &&
	    (chan_closed(r->ch, r->res) || (r->out.eof && r->err.eof &&
	    exit_known(r->res))));
}

/* Until the next timer, 0 when busy; -1: no timer, wait for the fds. */
static long long
relay_wait_ms(const struct relay *r, int busy)
{
	long long wait = -1, at;

	if (r->next_alive != 0)
		wait = r->next_alive - r->now;
	if ((at = relay_limit_at(r)) != 0 && (wait == -1 || at - r->now < wait))
		wait = at > r->now ? at - r->now : 0;
	if (wait < 0 && wait != -1)
		wait = 0;
	if (busy)
		wait = 0;
	/*
	 * Blocked, only fd 1 or 2 becoming writable wakes us: look again
	 * every RELAY_PAUSE_MS whatever poll says, so that no missed wakeup
	 * can stall a session.
	 */
	if (r->paused && (wait < 0 || wait > RELAY_PAUSE_MS))
		wait = RELAY_PAUSE_MS;
	return wait;
}

static const char *
poll_events(const struct pollfd *p)
{
	if (p->fd == -1)
		return "-";
	switch (p->events & (POLLIN | POLLOUT)) {
	case POLLIN:
		return "in";
	case POLLOUT:
		return "out";
	case POLLIN | POLLOUT:
		return "in+out";
	}
	return "hangup";
}

/*
 * Says what the relay waits on when that differs from the last round's,
 * within relay_dbg_quota(). A line left out is written at the first round
 * the quota allows, at the latest after the next timer: the last poll
 * line before a stall tells what the relay waits for.
 */
static void
relay_log_poll(struct relay *r, int busy, long long wait)
{
	unsigned int key = 0;
	int i;

	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	for (i = 0; i < PFD_N; i++)
		key = key << 4 | (r->pfd[i].fd != -1) << 3 |
		    (r->pfd[i].events & POLLIN ? 2 : 0) |
		    (r->pfd[i].events & POLLOUT ? 1 : 0);
	key = key << 3 | (unsigned int)busy << 2 |
	    (unsigned int)r->paused << 1 | (wait == -1);
	if (key != r->last_poll) {
		r->last_poll = key;
		r->poll_unlogged = 1;
	}
	if (!r->poll_unlogged || !relay_dbg_quota(r))
		return;
	r->poll_unlogged = 0;
	log_debug("poll: socket %s, stdin %s, stdout %s, stderr %s, check "
	    "%s, wait %lld ms%s%s; window %u, upload %zu, rings %zu/%zu",
	    poll_events(&r->pfd[PFD_SOCK]), poll_events(&r->pfd[PFD_STDIN]),
	    poll_events(&r->pfd[PFD_STDOUT]),
	    poll_events(&r->pfd[PFD_STDERR]),
	    poll_events(&r->pfd[PFD_CHECK]), wait, busy ? " (busy)" : "",
	    r->paused ? " (blocked)" : "", ssh_channel_window_size(r->ch),
	    r->up.len, r->out.len, r->err.len);
}

/* Chooses the fds to wait on and for how long (ms, -1: no limit). */
static long long
relay_prepare_poll(struct relay *r)
{
	struct pollfd *p = r->pfd;
	long long wait;
	int busy, i;

	busy = relay_busy(r);
	/* blocked: only the client's reading of fd 1 or 2 wakes us */
	p[PFD_SOCK].fd = r->paused ? -1 : r->sfd;
	/* choked: only its reading what we send wakes us */
	p[PFD_SOCK].events = r->choked ? 0 : POLLIN;
	if (ssh_get_poll_flags(r->s) & SSH_WRITE_PENDING)
		p[PFD_SOCK].events |= POLLOUT;
	/* fd 0: only while there is room and window to send it */
	p[PFD_STDIN].fd = !r->paused && !r->choked && !r->stdin_eof &&
	    r->up.len == 0 &&
	    ssh_channel_window_size(r->ch) > 0 ? STDIN_FILENO : -1;
	p[PFD_STDIN].events = POLLIN;
	/* fd 1 always: POLLERR says the client closed its end */
	p[PFD_STDOUT].fd = STDOUT_FILENO;
	p[PFD_STDOUT].events = r->out.len > 0 ? POLLOUT : 0;
	p[PFD_STDERR].fd = r->err.len > 0 ? STDERR_FILENO : -1;
	p[PFD_STDERR].events = POLLOUT;
	/* even while blocked: a verdict must not wait for the client */
	p[PFD_CHECK].fd = r->o->check != NULL ? r->o->check_fd : -1;
	p[PFD_CHECK].events = POLLIN;
	for (i = 0; i < PFD_N; i++)
		p[i].revents = 0;
	wait = relay_wait_ms(r, busy);
	relay_log_poll(r, busy, wait);
	return wait;
}

/* Waits; signals come in only here. 1: polled, 0: a signal, -1: stop. */
static int
relay_poll(struct relay *r, long long wait)
{
	struct timespec ts;

	if (wait >= 0) {
		ts.tv_sec = wait / 1000;
		ts.tv_nsec = (wait % 1000) * 1000000;
	}
	if (ppoll(r->pfd, PFD_N, wait >= 0 ? &ts : NULL, &r->orig_mask) ==
	    -1) {
		if (errno == EINTR)
			return 0;
		strlcpy(r->res->detail, strerror(errno),
		    sizeof(r->res->detail));
		log_debug("ppoll: %s", r->res->detail);
		return -1;
	}
	return 1;
}

/* One read of the client's stdin into the empty upload buffer. -1: stop. */
static int
relay_read_stdin(struct relay *r)
{
	ssize_t nr;

	nr = read(STDIN_FILENO, r->up.p, RELAY_BUF);
	if (nr > 0)
		r->up.len = (size_t)nr;
	else if (nr == 0 && r->o->tty) {
		/* raw mode has no EOF key: this is a hangup */
		return relay_client_gone(r, "the terminal hung up");
	} else if (nr == 0) {
		log_debug("the client's stdin is at EOF");
		r->stdin_eof = 1;
	} else if (errno != EAGAIN && errno != EINTR) {
		/* EIO: the terminal's other side is gone */
		return relay_client_gone(r, strerror(errno));
	}
	return 0;
}

/* Handles what poll found ready. -1: stop. */
static int
relay_after_poll(struct relay *r)
{
	const struct pollfd *p = r->pfd;

	/* a pipe's reader closed, or the terminal hung up */
	if ((p[PFD_STDOUT].revents & (POLLERR | POLLHUP)) &&
	    !(p[PFD_STDOUT].revents & POLLOUT))
		return relay_client_gone(r, "fd 1 closed");
	if ((p[PFD_STDIN].revents & (POLLIN | POLLHUP | POLLERR)) &&
	    relay_read_stdin(r) != 0)
		return -1;
	/* drive the session even when nobody reads the channel */
	if (p[PFD_SOCK].revents & (POLLIN | POLLHUP | POLLERR))
		(void)ssh_event_dopoll(r->ev, 0);
	if ((p[PFD_CHECK].revents & (POLLIN | POLLHUP | POLLERR)) &&
	    relay_check(r) != 0)
		return -1;
	return 0;
}

/*
 * The loop, in the shape of openssh's server_loop2(): what came from the
 * container, what goes to it, whether all is done, the timers, then wait
 * and handle what became ready.
 */
static void
relay_loop(struct relay *r)
{
	long long wait;
	int polled;

	for (;;) {
		if (relay_signals(r) != 0 || relay_pull(r) != 0 ||
		    relay_push(r) != 0)
			break;
		if (relay_finished(r)) {
			r->res->end = RELAY_END_REMOTE;
			break;
		}
		if (relay_lost(r))
			break;
		if (relay_timers(r) != 0)
			break;
		wait = relay_prepare_poll(r);
		if ((polled = relay_poll(r, wait)) < 0)
			break;
		if (polled > 0 && relay_after_poll(r) != 0)
			break;
	}
}

/*
 * The channel's parameters the container chose: a maximum packet size
 * below RELAY_MIN_PACKET (or one libssh did not tell) ends the session
 * before any libssh call can spin on it. 0 or -1: stop.
 */
static int
relay_check_channel(struct relay *r)
{
	uint32_t max;
	int known;

	known = upstream_remote_maxpacket(&max) == 0;
	if (known && max >= RELAY_MIN_PACKET)
		return 0;
	if (!known)
		strlcpy(r->res->detail, "the channel's maximum packet size "
		    "is unknown", sizeof(r->res->detail));
	else
		snprintf(r->res->detail, sizeof(r->res->detail), "maximum "
		    "packet size %u is below %d", (unsigned int)max,
		    RELAY_MIN_PACKET);
	log_debug("%s", r->res->detail);
	r->res->end = RELAY_END_PROTOCOL;
	return -1;
}

int
relay_run(ssh_session s, ssh_channel ch, const struct relay_opts *o,
    struct relay_result *res)
{
	struct relay r;
	int ret;

	if ((ret = relay_setup(&r, s, ch, o, res)) == 0) {
		if (relay_check_channel(&r) == 0)
			relay_loop(&r);
		if (upstream_refused() > 0)
			log_verbose("refused %llu unsolicited channel opens "
			    "and requests of the container",
			    upstream_refused());
		log_verbose("relay ended: %s, %llu bytes up, %llu down%s%s",
		    relay_end_name(res->end), res->bytes_up, res->bytes_down,
		    res->detail[0] != '\0' ? ": " : "", res->detail);
	}
	relay_restore(&r);
	return ret;
}

static const struct {
	const char	*name;
	int		 num;
} signals[] = {
	{ "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "FPE", SIGFPE },
	{ "HUP", SIGHUP }, { "ILL", SIGILL }, { "INT", SIGINT },
	{ "KILL", SIGKILL }, { "PIPE", SIGPIPE }, { "QUIT", SIGQUIT },
	{ "SEGV", SIGSEGV }, { "TERM", SIGTERM }, { "USR1", SIGUSR1 },
	{ "USR2", SIGUSR2 }, { "BUS", SIGBUS }, { "SYS", SIGSYS },
	{ "TRAP", SIGTRAP }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
};

int
relay_exit_code(const struct relay_result *res)
{
	size_t i;

	if (res->exit_status >= 0)
		return res->exit_status & 0xff;
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcmp(res->exit_signal, signals[i].name) == 0)
			return 128 + signals[i].num;
	return 255;
}

const char *
relay_end_name(enum relay_end end)
{
	switch (end) {
	case RELAY_END_REMOTE:
		return "remote";
	case RELAY_END_CLIENT_GONE:
		return "client_gone";
	case RELAY_END_CHECK:
		return "check";
	case RELAY_END_SIGNAL:
		return "signal";
	case RELAY_END_ERROR:
		return "error";
	case RELAY_END_IDLE:
		return "idle";
	case RELAY_END_MAX_TIME:
		return "max_time";
	case RELAY_END_UNRESPONSIVE:
		return "unresponsive";
	case RELAY_END_PROTOCOL:
		return "protocol";
	}
	return "unknown";
}
