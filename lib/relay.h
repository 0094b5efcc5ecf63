/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The relay loop shared by gate-shell and sftp-relay: our own poll loop
 * over fds 0, 1, 2 and a libssh channel (libssh 0.10's ssh_connector
 * truncates uploads at the first full window). Backpressure both ways:
 * stdin is read only as far as the remote window allows, the channel only
 * when our ring takes all libssh holds for it (libssh 0.10 grows the
 * window after every read); no buffer, ours or libssh's, grows without
 * bound.
 */
#ifndef SSHGATE_RELAY_H
#define SSHGATE_RELAY_H

#include <libssh/libssh.h>
#include <libssh/callbacks.h>

enum relay_end {
	RELAY_END_REMOTE = 0,	/* the container closed the channel */
	RELAY_END_CLIENT_GONE,	/* our client went away */
	RELAY_END_CHECK,	/* the check said stop */
	RELAY_END_SIGNAL,	/* SIGTERM, SIGHUP or SIGINT */
	RELAY_END_ERROR,	/* the SSH leg failed */
	RELAY_END_IDLE,		/* idle_timeout passed without a byte */
	RELAY_END_MAX_TIME,	/* end_at came */
	RELAY_END_UNRESPONSIVE,	/* KeepaliveCountMax keepalives unanswered */
	RELAY_END_PROTOCOL,	/* the container broke the protocol (detail) */
};
/* the last of enum relay_end (the relay process's outcome is checked) */
#define RELAY_END_LAST	RELAY_END_PROTOCOL


struct relay_opts {
	int	 tty;			/* fd 0 is a terminal: raw mode, resize */
	long	 keepalive_interval;	/* ms; 0: none */
	/* idle: no byte relayed either way (keepalives do not count) */
	long	 idle_timeout;		/* ms; 0: none */
	long long end_at;		/* clock_now_ms() to stop at; 0: none */
	long	 keepalive_count_max;	/* unanswered ones that end it */
	/*
	 * The check: an fd the relay polls with the others, and what it
	 * calls when the fd is readable (or hung up); non-zero from it ends
	 * the relay. Whatever decides comes in through the fd, so the
	 * relay never waits for it. check_fd -1: none.
	 */
	int	 check_fd;
	int	(*check)(void *arg);
	void	*check_arg;
};

struct relay_result {
	enum relay_end	end;
	int		exit_status;	/* -1: none received */
	char		exit_signal[32];	/* "": none received */
	int		closed;		/* the container closed the channel */
	unsigned long long bytes_up;	/* client to container */
	unsigned long long bytes_down;	/* container to client */
	char		detail[160];
	/* libssh keeps a pointer to this for the channel's life */
	struct ssh_channel_callbacks_struct cb;
};

/*
 * The one initialiser of a relay_result: nothing received yet, exit
 * status -1, no callbacks.
 */
void	relay_result_init(struct relay_result *res);

/*
 * Initialises res (relay_result_init()) and registers the exit-status,
 * exit-signal and close callbacks on ch; call it right after opening the
 * channel, before any request. res must live as long as the channel.
 */
void	relay_watch_exit(ssh_channel ch, struct relay_result *res);

/*
 * Relays until one side is done. s must be connected and ch open with
 * its shell, exec or subsystem request made, and res set up by
 * relay_watch_exit(). Switches s to nonblocking. Restores the terminal,
 * the fd flags, the signal mask and handlers before it returns.
 *
 * Returns 0: the outcome is in res->end (with res->detail for
 * RELAY_END_ERROR: libssh's or the system's words), the counters, and
 * the exit status or signal if the container sent one. Or it returns,
 * with nothing relayed and res->end unchanged:
 *	GATE_ERR_ALLOC	no memory for the buffers
 *	GATE_ERR_SYSTEM	libssh could not make the session's event loop
 */
int	relay_run(ssh_session s, ssh_channel ch, const struct relay_opts *o,
	    struct relay_result *res);

/*
 * What the client should see as our exit code: the container's exit
 * status, 128 + the signal number for an exit-signal, 255 otherwise.
 */
int	relay_exit_code(const struct relay_result *res);

/* Name of an end reason for logs ("remote", "client_gone", ...). */
const char *relay_end_name(enum relay_end end);

#endif /* SSHGATE_RELAY_H */
