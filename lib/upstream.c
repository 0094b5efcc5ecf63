/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>	/* ssh_set_message_callback() */

#include "api.h"
#include "clock.h"
#include "gate_err.h"
#include "log.h"
#include "upstream.h"

/*
 * AES-GCM first: 1.5x chacha20 on AES-NI, and the client's order wins.
 * libssh 0.10 has no sntrup761; curve25519 is its fastest safe KEX.
 */
#define UPSTREAM_CIPHERS \
	"aes128-gcm@openssh.com,aes256-gcm@openssh.com," \
	"chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr"
#define UPSTREAM_KEX \
	"curve25519-sha256,curve25519-sha256@libssh.org," \
	"ecdh-sha2-nistp256,diffie-hellman-group14-sha256"

/*
 * What libssh 0.10 and 0.11 say of the channel's open confirmation, in
 * ssh_packet_channel_open_conf(): the only place their public API shows
 * the peer's maximum packet size. 0.10 says it at SSH_LOG_PROTOCOL and
 * 0.11 at a higher level (not seen at SSH_LOG_PROTOCOL on Debian 13's
 * 0.11.5), so upstream_open_session() listens at the highest.
 */
#define OPEN_CONF_LINE	"Remote window : "

/* The session channel's parameters, as the container confirmed them. */
static struct {
	int		 seen;
	uint32_t	 window;
	uint32_t	 maxpacket;
} open_conf;

/* The unsolicited messages refused since the login. */
static unsigned long long refused;

int
upstream_hostkey_algos(const struct api_node *n, char *buf, size_t len)
{
	size_t i, off = 0;
	const char *a;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n->nhostkeys; i++) {
		/* an RSA host key signs with SHA-2 only */
		if (strcmp(n->hostkeys[i].type, "ssh-rsa") == 0)
			a = "rsa-sha2-512,rsa-sha2-256";
		else
			a = n->hostkeys[i].type;
		if (strstr(buf, a) != NULL)
			continue;
		w = snprintf(buf + off, len - off, "%s%s", off ? "," : "", a);
		if (w < 0 || (size_t)w >= len - off)
			return GATE_ERR_TOO_LARGE;
		off += (size_t)w;
	}
	return off > 0 ? 0 : GATE_ERR_PROTOCOL;
}

int
upstream_wait(ssh_session s, long long deadline)
{
	struct pollfd pfd;
	long long left;
	socket_t fd;
	int on = 1, r;

	if ((fd = ssh_get_fd(s)) == SSH_INVALID_SOCKET) {
		log_debug("the session has no socket");
		return GATE_ERR_SSH;
	}
	/*
	 * After the login the container's sshd sends a hostkeys-00 global
	 * request and then holds its next small packet (Nagle) until that
	 * one is acknowledged; our kernel, having just sent a request,
	 * would delay the ACK by 40 ms. TCP_QUICKACK is not sticky (each
	 * send we make re-enters delayed-ACK mode), hence before every wait.
	 */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof(on));
	if ((left = deadline - clock_now_ms()) <= 0) {
		log_debug("deadline passed");
		return GATE_ERR_TIMEOUT;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (ssh_get_poll_flags(s) & SSH_WRITE_PENDING)
		pfd.events |= POLLOUT;
	pfd.revents = 0;
	log_debug("waiting for the socket (%s), %lld ms left",
	    pfd.events & POLLOUT ? "in+out" : "in", left);
	r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
	if (r == -1)
		return errno == EINTR ? 0 : GATE_ERR_SYSTEM;
	if (r == 0)
		log_debug("timed out after %lld ms", left);
	return r == 0 ? GATE_ERR_TIMEOUT : 0;
}

/* Logs the server's host key (DEBUG only: it costs a hash). */
static void
log_server_key(const ssh_key srv)
{
	unsigned char *hash = NULL;
	char *fp = NULL;
	size_t hlen = 0;

	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	if (ssh_get_publickey_hash(srv, SSH_PUBLICKEY_HASH_SHA256, &hash,
	    &hlen) == 0)
		fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash,
		    hlen);
	log_debug("server host key %s %s", ssh_key_type_to_char(
	    ssh_key_type(srv)), fp != NULL ? fp : "(no fingerprint)");
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
}

/* Is the server's host key one of the keys the platform pinned? */
static int
hostkey_pinned(ssh_session s, const struct api_node *n)
{
	ssh_key srv = NULL, want;
	size_t i;
	int ok = 0;

	if (ssh_get_server_publickey(s, &srv) != SSH_OK) {
		log_debug("no server host key: %s", ssh_get_error(s));
		return 0;
	}
	log_server_key(srv);
	for (i = 0; i < n->nhostkeys && !ok; i++) {
		want = NULL;
		if (ssh_pki_import_pubkey_base64(n->hostkeys[i].blob,
		    ssh_key_type_from_name(n->hostkeys[i].type), &want) ==
		    SSH_OK && ssh_key_cmp(srv, want, SSH_KEY_CMP_PUBLIC) == 0)
			ok = 1;
		ssh_key_free(want);
	}
	if (ok)
		log_debug("it is pinned key %zu of %zu", i, n->nhostkeys);
	else
		log_debug("it is none of the %zu pinned keys", n->nhostkeys);
	ssh_key_free(srv);
	return ok;
}

/* No ssh_config, no ProxyCommand, no known_hosts of the gate's. */
static int
set_options(ssh_session s, const struct gate_config *cfg,
    const struct api_node *n, const char *algos)
{
	long timeout_usec = cfg->connect_timeout * 1000;
	int off = 0, on = 1, port = n->port;

	if (ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &off) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_HOST, n->address) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_PORT, &port) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_USER, n->user) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &timeout_usec) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_CIPHERS_C_S, UPSTREAM_CIPHERS) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_CIPHERS_S_C, UPSTREAM_CIPHERS) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_KEY_EXCHANGE, UPSTREAM_KEX) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, algos) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_NODELAY, &on) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_SSH_DIR, "/nonexistent") < 0)
		return -1;
	return 0;
}

/*
 * A dead container is noticed by TCP when the SSH leg is idle (keepalive
 * probes), and when what we sent stays unacknowledged for KeepaliveInterval
 * x (KeepaliveCountMax + 2) (TCP_USER_TIMEOUT): the relay's own keepalive
 * (relay.c) notices both sooner, and a stopped sshd, which TCP does not.
 */
static void
set_tcp_keepalive(ssh_session s, long interval, long count)
{
	int idle = (int)(interval / 1000), cnt = (int)count, on = 1;
	unsigned int user_timeout;
	socket_t fd;

	if ((fd = ssh_get_fd(s)) == SSH_INVALID_SOCKET || interval <= 0)
		return;
	if (idle < 1)
		idle = 1;
	user_timeout = (unsigned int)(interval * (count + 2));
	log_debug("TCP keepalive after %d s idle, %d probes; unacknowledged "
	    "data gives up after %u ms", idle, cnt, user_timeout);
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout,
	    sizeof(user_timeout));
}

/*
 * Every message libssh would queue for us (a channel open of any type, a
 * request we do not know on our channel): refused and freed at once (1:
 * libssh sends its default reply, a failure, and frees it). Without a
 * callback libssh 0.10 keeps each on a list nobody empties. Global
 * requests never get here: libssh answers those itself.
 */
static int
refuse_message(ssh_session s, ssh_message msg, void *arg)
{
	(void)s;
	(void)arg;
	if (refused++ < 8)
		log_debug("refused an unsolicited message of type %d/%d",
		    ssh_message_type(msg), ssh_message_subtype(msg));
	return 1;
}

unsigned long long
upstream_refused(void)
{
	return refused;
}

/*
 * libssh's log, while upstream_open_session() listens: only the line of
 * the open confirmation is kept (libssh's lines carry the peer's text:
 * none of it goes anywhere).
 */
/* A decimal number of at most 32 bits at *pp, which moves past it. */
static int
dec_u32(const char **pp, uint32_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (uint64_t)(*p - '0')) > UINT32_MAX)
			return -1;
	*out = (uint32_t)v;
	*pp = p;
	return 0;
}

/* "Remote window : W, maxpacket : M" from OPEN_CONF_LINE on. */
static int
open_conf_parse(const char *p, uint32_t *win, uint32_t *max)
{
	static const char mid[] = ", maxpacket : ";

	p += sizeof(OPEN_CONF_LINE) - 1;
	if (dec_u32(&p, win) != 0 || strncmp(p, mid, sizeof(mid) - 1) != 0)
		return -1;
	p += sizeof(mid) - 1;
	return dec_u32(&p, max);
}

static void
open_log_cb(int prio, const char *function, const char *buf, void *arg)
{
	const char *p;
	uint32_t win, max;

	(void)prio;
	(void)function;
	(void)arg;
	if ((p = strstr(buf, OPEN_CONF_LINE)) != NULL &&
	    open_conf_parse(p, &win, &max) == 0) {
		open_conf.window = win;
		open_conf.maxpacket = max;
		open_conf.seen = 1;
	}
}

int
upstream_open_session(ssh_channel ch)
{
	int level, rc;

	level = ssh_get_log_level();
	(void)ssh_set_log_callback(open_log_cb);
	if (level < SSH_LOG_FUNCTIONS)
		(void)ssh_set_log_level(SSH_LOG_FUNCTIONS);
	rc = ssh_channel_open_session(ch);
	(void)ssh_set_log_level(level);
	if (rc == SSH_OK)
		log_debug("the container confirmed the channel: %s window "
		    "%" PRIu32 ", maximum packet %" PRIu32, open_conf.seen ?
		    "" : "(not seen) ", open_conf.window, open_conf.maxpacket);
	return rc;
}

int
upstream_remote_maxpacket(uint32_t *max)
{
	*max = open_conf.maxpacket;
	return open_conf.seen ? 0 : -1;
}

int
upstream_connect(const struct gate_config *cfg, const struct api_node *n,
    int agent_fd, ssh_session *out, char *detail)
{
	ssh_session s = NULL;
	char algos[256];
	int r;

	*out = NULL;
	detail[0] = '\0';
	if ((r = upstream_hostkey_algos(n, algos, sizeof(algos))) != 0) {
		log_debug("node %s: no usable pinned host key", n->id);
		return r;
	}
	r = GATE_ERR_SSH;
	if ((s = ssh_new()) == NULL)
		return GATE_ERR_ALLOC;
	if (set_options(s, cfg, n, algos) != 0) {
		snprintf(detail, UPSTREAM_DETAIL_MAX, "%s", ssh_get_error(s));
		goto out;
	}
	/* the internal key stays with the signer: we get signatures */
	if (ssh_set_agent_socket(s, agent_fd) != SSH_OK) {
		snprintf(detail, UPSTREAM_DETAIL_MAX, "%s", ssh_get_error(s));
		goto out;
	}
	log_verbose("connecting to node %s at %s port %d as %s, host key "
	    "algorithms %s, timeout %ld ms", n->id, n->address, n->port,
	    n->user, algos, cfg->connect_timeout);
	if (ssh_connect(s) != SSH_OK) {
		snprintf(detail, UPSTREAM_DETAIL_MAX, "%s", ssh_get_error(s));
		r = GATE_ERR_CONNECT;
		goto out;
	}
	log_debug("connected: cipher %s, kex %s", ssh_get_cipher_in(s),
	    ssh_get_kex_algo(s));
	if (!hostkey_pinned(s, n)) {
		snprintf(detail, UPSTREAM_DETAIL_MAX, "server host key is "
		    "not one the platform pinned for node %s", n->id);
		r = GATE_ERR_HOSTKEY;
		goto out;
	}
	if (ssh_userauth_agent(s, NULL) != SSH_AUTH_SUCCESS) {
		snprintf(detail, UPSTREAM_DETAIL_MAX, "%s", ssh_get_error(s));
		r = GATE_ERR_DENIED;
		goto out;
	}
	log_verbose("logged in as %s with the internal key", n->user);
	set_tcp_keepalive(s, cfg->keepalive_interval,
	    cfg->keepalive_count_max);
	ssh_set_message_callback(s, refuse_message, NULL);
	*out = s;
	s = NULL;	/* transferred */
	r = 0;
 out:
	if (r != 0)
		log_debug("failed (%s): %s", gate_errname(r), detail);
	if (s != NULL) {
		ssh_disconnect(s);
		ssh_free(s);
	}
	return r;
}
