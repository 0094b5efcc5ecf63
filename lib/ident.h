/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * Identifier grammars. Every identifier that crosses a trust boundary
 * (login from sshd, key id from a forced command, ids and names from the
 * platform API) is checked here against a whitelist before it is used.
 *
 * Pure functions: no allocation, no I/O, safe in the NSS module.
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

/* A parsed login: ACCOUNT or NODE-ACCOUNT. node is "" for ACCOUNT. */
struct ident_login {
	char	account[IDENT_ID_MAX + 1];
	char	node[IDENT_ID_MAX + 1];
};

/*
 * Checks s against ^[0-9]{1,10}(-[0-9]{1,10})?$ and, when out is not
 * NULL, splits it. Returns 0 or GATE_ERR_INVALID.
 */
int	ident_login_parse(const char *s, struct ident_login *out);

/* ^[0-9]{1,10}$ : account and node ids. Returns 1 if valid. */
int	ident_is_id(const char *s);

/* ^[0-9]{1,18}$ : key ids. Returns 1 if valid. */
int	ident_is_key_id(const char *s);

/* "SHA256:" followed by exactly 43 characters of [A-Za-z0-9+/]. */
int	ident_is_fingerprint(const char *s);

/* ^[a-z0-9][a-z0-9-]{0,62}$ : environment names. */
int	ident_is_env_name(const char *s);

/* ^[a-z_][a-z0-9_-]{0,31}$ : the login user inside a container. */
int	ident_is_user(const char *s);

/* One of the SSH public key types sshgate accepts (plain keys only). */
int	ident_is_key_type(const char *s);

/* Standard base64 with padding, 1 to max characters, length % 4 == 0. */
int	ident_is_base64(const char *s, size_t max);

#endif /* SSHGATE_IDENT_H */
