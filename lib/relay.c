#include "config.h"

#include <sys/ioctl.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include "clock.h"
#include "compat.h"
#include "gate_err.h"
#include "relay.h"

#define RELAY_BUF	(256 * 1024)
#define RELAY_PAUSE_MS	20
/*
 * Container to client: more than libssh 0.10 can ever hold for a channel
 * we read the way fill() does (its grown window, 1280000 bytes, plus the
 * 640000 it may hold when it grows it), so that an empty ring always
 * takes all of it.
 */
#define RELAY_RING	(2 * 1024 * 1024)

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
}

static void
exit_signal_cb(ssh_session s, ssh_channel ch, const char *sig, int core,
    const char *errmsg, const char *lang, void *arg)
{
	struct relay_result *res = arg;
	size_t i;

	(void)s;
	(void)ch;
	(void)core;
	(void)errmsg;
	(void)lang;
	/* a signal name: letters and digits only, whatever the peer sent */
	for (i = 0; sig != NULL && sig[i] != '\0' &&
	    i < sizeof(res->exit_signal) - 1; i++) {
		if (!((sig[i] >= 'A' && sig[i] <= 'Z') ||
		    (sig[i] >= '0' && sig[i] <= '9')))
			break;
		res->exit_signal[i] = sig[i];
	}
	res->exit_signal[i] = '\0';
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
}

static int
chan_closed(ssh_channel ch, const struct relay_result *res)
{
	return res->closed || ssh_channel_is_closed(ch);
}

void
relay_watch_exit(ssh_channel ch, struct relay_result *res)
{
	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
	res->cb.userdata = res;
	res->cb.channel_exit_status_function = exit_status_cb;
	res->cb.channel_exit_signal_function = exit_signal_cb;
	res->cb.channel_close_function = close_cb;
	ssh_callbacks_init(&res->cb);
	ssh_set_channel_callbacks(ch, &res->cb);
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

/*
 * Whether b takes what libssh holds for a stream (held bytes) in one go.
 * After any read that leaves the channel's window below 640000 bytes,
 * libssh 0.10 grows it back to 1280000 without counting what still waits
 * in its own buffer: reading a little at a time from a sender faster than
 * our client lets that buffer grow without bound (128 MiB in the bench),
 * up to libssh's 256 MiB cap, where it drops the buffer, the data with
 * it, and the next ssh_channel_poll() dereferences NULL. Taking all of
 * it, or reading only into an empty ring, keeps what libssh holds below
 * RELAY_RING.
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
 * Moves what libssh holds for one stream of ch into b, in as many goes as
 * b takes whole (ring_takes()). 1 at EOF, -1 on error, else 0.
 */
static int
fill(ssh_channel ch, struct ring *b, int is_stderr)
{
	size_t want, tail, seg;
	int held, r;

	for (;;) {
		/* handles pending packets when nothing is held */
		held = ssh_channel_poll(ch, is_stderr);
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
			    (uint32_t)seg, is_stderr);
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
 * Whether the loop has to go round again for one stream instead of
 * sleeping: libssh holds data that b takes, its EOF, or an error.
 */
static int
ring_ready(ssh_channel ch, struct ring *b, int is_stderr)
{
	int held;

	held = ssh_channel_poll(ch, is_stderr);
	b->held = held > 0 ? held : 0;
	return held < 0 || (held > 0 && ring_takes(b, held));
}

/* Writes what b holds to fd. -1 if the reader is gone, else 0. */
static int
drain(int fd, struct ring *b, unsigned long long *count)
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
		w = writev(fd, iov, n);
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
	    ws.ws_row > 0)
		(void)ssh_channel_change_pty_size(ch, ws.ws_col, ws.ws_row);
}

int
relay_run(ssh_session s, ssh_channel ch, const struct relay_opts *o,
    struct relay_result *res)
{
	struct buf up = { NULL, 0, 0 };
	struct ring out = { NULL, 0, 0, 0 }, err = { NULL, 0, 0, 0 };
	struct sigaction sa, old_winch, old_term, old_hup, old_int;
	struct termios saved_tio, raw;
	struct pollfd pfd[4];
	struct timespec ts;
	sigset_t block, orig;
	long long next_check = 0, next_alive = 0, now, wait;
	int flags[3] = { -1, -1, -1 }, i, n, r, have_tio = 0;
	int stdin_eof = 0, eof_sent = 0, out_eof = 0, err_eof = 0;
	int up_stalled = 0, busy, paused;
	int ret = GATE_ERR_SYSTEM;
	ssize_t nr;
	uint32_t win;
	socket_t sfd;
	ssh_event ev = NULL;

	if ((up.p = malloc(RELAY_BUF)) == NULL ||
	    (out.p = malloc(RELAY_RING)) == NULL ||
	    (err.p = malloc(RELAY_RING)) == NULL) {
		ret = GATE_ERR_ALLOC;
		goto out;
	}

	/* signals are only taken inside ppoll(): no race with the flags */
	got_winch = got_stop = 0;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, &old_winch);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sigaction(SIGINT, &sa, &old_int);
	sigemptyset(&block);
	sigaddset(&block, SIGWINCH);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &orig);

	if (o->tty && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
		/* the container's pty does echo, editing and ^C */
		raw = saved_tio;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0)
			have_tio = 1;
	}
	for (i = 0; i < 3; i++) {
		if ((flags[i] = fcntl(i, F_GETFL)) != -1)
			(void)fcntl(i, F_SETFL, flags[i] | O_NONBLOCK);
	}
	ssh_set_blocking(s, 0);
	sfd = ssh_get_fd(s);
	/*
	 * What reads the socket once the channel is at EOF: libssh's
	 * channel calls return at once then, and the close would never be
	 * seen.
	 */
	if ((ev = ssh_event_new()) == NULL || ssh_event_add_session(ev, s) !=
	    SSH_OK)
		goto out;
	now = clock_now_ms();
	if (o->check != NULL && o->check_interval > 0)
		next_check = now + jittered(o->check_interval);
	if (o->keepalive_interval > 0)
		next_alive = now + o->keepalive_interval;
	res->end = RELAY_END_ERROR;

	for (;;) {
		if (got_stop) {
			res->end = RELAY_END_SIGNAL;
			break;
		}
		if (got_winch) {
			got_winch = 0;
			if (o->tty)
				send_window(ch);
		}

		/* container to client; nothing while a stream is blocked */
		paused = ring_blocked(&out) || ring_blocked(&err);
		if (!paused && !out_eof && (r = fill(ch, &out, 0)) != 0) {
			if (r < 0) {
				strlcpy(res->detail, ssh_get_error(s),
				    sizeof(res->detail));
				break;
			}
			out_eof = 1;
		}
		if (!paused && !err_eof && (r = fill(ch, &err, 1)) != 0) {
			if (r < 0) {
				strlcpy(res->detail, ssh_get_error(s),
				    sizeof(res->detail));
				break;
			}
			err_eof = 1;
		}
		if (drain(STDOUT_FILENO, &out, &res->bytes_down) == -1 ||
		    drain(STDERR_FILENO, &err, &res->bytes_down) == -1) {
			res->end = RELAY_END_CLIENT_GONE;
			break;
		}
		/*
		 * Still blocked: the libssh calls below may read the socket
		 * (a write that waits for the window, a flush), so they wait
		 * as well.
		 */
		paused = ring_blocked(&out) || ring_blocked(&err);

		/* client to container, never more than the window */
		up_stalled = 0;
		if (!paused && up.len > 0 &&
		    (win = ssh_channel_window_size(ch)) > 0) {
			n = ssh_channel_write(ch, up.p + up.off,
			    (uint32_t)(up.len < win ? up.len : win));
			if (n == SSH_ERROR) {
				strlcpy(res->detail, ssh_get_error(s),
				    sizeof(res->detail));
				break;
			}
			/* 0 while a key re-exchange runs: the socket wakes us */
			up_stalled = n == 0;
			up.off += (size_t)n;
			up.len -= (size_t)n;
			res->bytes_up += (unsigned long long)n;
			if (up.len == 0)
				up.off = 0;
		}
		if (!paused && stdin_eof && up.len == 0 && !eof_sent &&
		    !chan_closed(ch, res)) {
			ssh_channel_send_eof(ch);
			eof_sent = 1;
		}
		if (!paused && (ssh_get_poll_flags(s) & SSH_WRITE_PENDING))
			(void)ssh_blocking_flush(s, 0);

		/*
		 * done: the container said all it had and closed or exited,
		 * and neither our rings nor libssh hold any of it
		 */
		if (chan_closed(ch, res) && out.len == 0 && err.len == 0 &&
		    (out_eof || ssh_channel_poll(ch, 0) <= 0) &&
		    (err_eof || ssh_channel_poll(ch, 1) <= 0)) {
			res->end = RELAY_END_REMOTE;
			break;
		}
		if (out_eof && err_eof && out.len == 0 && err.len == 0 &&
		    (res->exit_status != -1 || res->exit_signal[0] != '\0' ||
		    chan_closed(ch, res))) {
			res->end = RELAY_END_REMOTE;
			break;
		}
		if (!ssh_is_connected(s)) {
			strlcpy(res->detail, "connection to the container lost",
			    sizeof(res->detail));
			break;
		}

		now = clock_now_ms();
		if (next_check != 0 && now >= next_check) {
			if (o->check(o->check_arg) != 0) {
				res->end = RELAY_END_CHECK;
				break;
			}
			now = clock_now_ms();
			next_check = now + jittered(o->check_interval);
		}
		if (next_alive != 0 && now >= next_alive) {
			(void)ssh_send_ignore(s, "");
			next_alive = now + o->keepalive_interval;
		}

		/*
		 * libssh may already hold what the socket will not announce
		 * again: data the rings take, or an EOF or close processed by
		 * one of the calls above (ssh_channel_poll() itself handles
		 * packets, so it goes first), or a window adjust that lets us
		 * send what waits. Then go round once more instead of
		 * sleeping. Data the rings do not take yet waits for POLLOUT
		 * on fd 1 or 2. This comes before the fds are chosen: the
		 * window may have grown here.
		 */
		busy = !paused && ((!out_eof && ring_ready(ch, &out, 0)) ||
		    (!err_eof && ring_ready(ch, &err, 1)) ||
		    (up.len > 0 && !up_stalled &&
		    ssh_channel_window_size(ch) > 0) ||
		    (out.len == 0 && err.len == 0 &&
		    (chan_closed(ch, res) || (out_eof && err_eof &&
		    (res->exit_status != -1 || res->exit_signal[0] != '\0')))));

		/* blocked: only the client's reading of fd 1 or 2 wakes us */
		n = 0;
		pfd[n].fd = paused ? -1 : sfd;
		pfd[n].events = POLLIN;
		if (ssh_get_poll_flags(s) & SSH_WRITE_PENDING)
			pfd[n].events |= POLLOUT;
		n++;
		/* fd 0: only while there is room and window to send it */
		pfd[n].fd = !paused && !stdin_eof && up.len == 0 &&
		    ssh_channel_window_size(ch) > 0 ? STDIN_FILENO : -1;
		pfd[n].events = POLLIN;
		n++;
		/* fd 1 always: POLLERR says the client closed its end */
		pfd[n].fd = STDOUT_FILENO;
		pfd[n].events = out.len > 0 ? POLLOUT : 0;
		n++;
		pfd[n].fd = err.len > 0 ? STDERR_FILENO : -1;
		pfd[n].events = POLLOUT;
		n++;
		for (i = 0; i < n; i++)
			pfd[i].revents = 0;

		wait = -1;
		if (next_check != 0)
			wait = next_check - now;
		if (next_alive != 0 && (wait < 0 || next_alive - now < wait))
			wait = next_alive - now;
		if (wait < 0 && wait != -1)
			wait = 0;
		if (busy)
			wait = 0;
		/*
		 * Blocked, only fd 1 or 2 becoming writable wakes us. CI saw a
		 * terminal session stall there once (t0402, ASan build) and it
		 * did not happen again in 16 runs: look again every
		 * RELAY_PAUSE_MS whatever poll says, so that no missed wakeup
		 * can stall a session.
		 */
		if (paused && (wait < 0 || wait > RELAY_PAUSE_MS))
			wait = RELAY_PAUSE_MS;
		if (wait >= 0) {
			ts.tv_sec = wait / 1000;
			ts.tv_nsec = (wait % 1000) * 1000000;
		}
		if (ppoll(pfd, (nfds_t)n, wait >= 0 ? &ts : NULL, &orig) == -1) {
			if (errno == EINTR)
				continue;
			strlcpy(res->detail, strerror(errno),
			    sizeof(res->detail));
			break;
		}
		/* a pipe's reader closed, or the terminal hung up */
		if ((pfd[2].revents & (POLLERR | POLLHUP)) &&
		    !(pfd[2].revents & POLLOUT)) {
			res->end = RELAY_END_CLIENT_GONE;
			break;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			nr = read(STDIN_FILENO, up.p, RELAY_BUF);
			if (nr > 0)
				up.len = (size_t)nr;
			else if (nr == 0 && o->tty) {
				/* raw mode has no EOF key: this is a hangup */
				res->end = RELAY_END_CLIENT_GONE;
				break;
			} else if (nr == 0)
				stdin_eof = 1;
			else if (errno != EAGAIN && errno != EINTR) {
				/* EIO: the terminal's other side is gone */
				res->end = RELAY_END_CLIENT_GONE;
				break;
			}
		}
		/* drive the session even when nobody reads the channel */
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			(void)ssh_event_dopoll(ev, 0);
	}
	ret = 0;
 out:
	if (ev != NULL) {
		ssh_event_remove_session(ev, s);
		ssh_event_free(ev);
	}
	/* backwards: on a terminal fds 0-2 share one file description */
	for (i = 2; i >= 0; i--)
		if (flags[i] != -1)
			(void)fcntl(i, F_SETFL, flags[i]);
	if (have_tio)
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
	if (up.p != NULL) {
		sigprocmask(SIG_SETMASK, &orig, NULL);
		sigaction(SIGWINCH, &old_winch, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		sigaction(SIGINT, &old_int, NULL);
	}
	/* the client typed it: do not keep it around */
	if (up.p != NULL)
		explicit_bzero(up.p, RELAY_BUF);
	free(up.p);
	free(out.p);
	free(err.p);
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
	}
	return "unknown";
}
