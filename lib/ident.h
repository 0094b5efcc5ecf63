/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * Identifier grammars: the one home of every whitelist the gate checks
 * input against. Every identifier that crosses a trust boundary (login
 * from sshd, key id from a forced command, ids and names from the
 * platform API, client text from the environment, a signal name from the
 * container) is checked here before it is used.
 *
 * t/data/ident-vectors lists valid and invalid examples of each grammar;
 * t/unit/test-ident.c runs them against these functions and
 * dev/platform-api --self-test-grammars against the reference server, so
 * the C, the Python and doc/platform-api.md say the same thing. A new
 * grammar gets its vectors there.
 *
 * Pure functions: no allocation, no I/O, no locale, safe in the NSS
 * module. Each takes a NUL-terminated string; a NULL s is invalid. The
 * ident_is_* functions return 1 if s is valid, else 0.
 */
#ifndef SSHGATE_IDENT_H
#define SSHGATE_IDENT_H

#include <stddef.h>

#define IDENT_ID_MAX		10	/* digits in an account or node id */
#define IDENT_LOGIN_MAX		(2 * IDENT_ID_MAX + 1)
#define IDENT_KEYID_MAX		18
#define IDENT_FP_LEN		(7 + 43)	/* "SHA256:" + unpadded base64 */
#define IDENT_ENV_MAX		63
#define IDENT_USER_MAX		32
#define IDENT_STATUS_MAX	16
#define IDENT_ROLE_MAX		32
#define IDENT_BLOB_MAX		4096	/* base64 chars of one public key */
#define IDENT_ADDR_MAX		45	/* INET6_ADDRSTRLEN - 1 */
#define IDENT_PORT_MAX		5	/* digits of a port */
#define IDENT_TERM_MAX		63
#define IDENT_LOCALE_MAX	63
#define IDENT_SIGNAL_MAX	31

/* A parsed login: ACCOUNT or NODE-ACCOUNT. node is "" for ACCOUNT. */
struct ident_login {
	char	account[IDENT_ID_MAX + 1];
	char	node[IDENT_ID_MAX + 1];
};

/*
 * login: ^[0-9]{1,10}(-[0-9]{1,10})?$ , NODE-ACCOUNT or ACCOUNT. When out
 * is not NULL, splits it into *out. Returns 0 or GATE_ERR_INVALID.
 */
int	ident_login_parse(const char *s, struct ident_login *out);

/* account, node: ^[0-9]{1,10}$ (compared as strings: "017" is not "17"). */
int	ident_is_id(const char *s);

/* key_id: ^[0-9]{1,18}$ */
int	ident_is_key_id(const char *s);

/* fingerprint: "SHA256:" followed by exactly 43 of [A-Za-z0-9+/]. */
int	ident_is_fingerprint(const char *s);

/* environment: ^[a-z0-9][a-z0-9-]{0,62}$ */
int	ident_is_env_name(const char *s);

/* user, the login user inside a container: ^[a-z_][a-z0-9_-]{0,31}$ */
int	ident_is_user(const char *s);

/* status, of a node, an environment or a key: ^[a-z_-]{1,16}$ */
int	ident_is_status(const char *s);

/* role, of a node: ^[A-Za-z0-9_.-]{1,32}$ */
int	ident_is_role(const char *s);

/*
 * address: an IPv4 or IPv6 literal as inet_pton(3) reads it (dotted quad,
 * no zone index), at most IDENT_ADDR_MAX characters. The one rule for a
 * node's address from the API and for the client's address from
 * SSH_CONNECTION or sftp-relay --client.
 */
int	ident_is_address(const char *s);

/* client_port: a decimal port, 1 to 65535, no sign or leading zero. */
int	ident_is_port(const char *s);

/* key_type: one of the SSH public key types sshgate accepts (no certs). */
int	ident_is_key_type(const char *s);

/* key_blob: ident_is_base64(s, IDENT_BLOB_MAX). */
int	ident_is_key_blob(const char *s);

/*
 * Standard base64 with '=' padding: 1 to max characters of [A-Za-z0-9+/],
 * then at most two '=', the length a multiple of 4.
 */
int	ident_is_base64(const char *s, size_t max);

/* term, the client's TERM: ^[A-Za-z0-9._+-]{1,63}$ */
int	ident_is_term(const char *s);

/* locale, the client's LANG: ^[A-Za-z0-9._@-]{1,63}$ */
int	ident_is_locale(const char *s);

/*
 * command_path, GateShell as written into the forced command between
 * double quotes: ^/[A-Za-z0-9/._+-]*$ (no quoting or shell characters).
 */
int	ident_is_command_path(const char *s);

/*
 * signal, the name in a container's exit-signal (RFC 4254 6.10, without
 * "SIG"): ^[A-Z0-9]{1,31}$
 */
int	ident_is_signal(const char *s);

#endif /* SSHGATE_IDENT_H */
