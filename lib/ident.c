/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * Identifier grammars; see ident.h. Written without <ctype.h> so the
 * result never depends on the locale.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>

#include "gate_err.h"
#include "ident.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_alnum(char c)
{
	return is_digit(c) || is_lower(c) || is_upper(c);
}

static int
is_b64(char c)
{
	return is_alnum(c) || c == '+' || c == '/';
}

/* The character classes of the grammars, one predicate each. */
static int
env_first(char c)
{
	return is_lower(c) || is_digit(c);
}

static int
env_rest(char c)
{
	return is_lower(c) || is_digit(c) || c == '-';
}

static int
user_first(char c)
{
	return is_lower(c) || c == '_';
}

static int
user_rest(char c)
{
	return is_lower(c) || is_digit(c) || c == '_' || c == '-';
}

static int
status_char(char c)
{
	return is_lower(c) || c == '_' || c == '-';
}

static int
role_char(char c)
{
	return is_alnum(c) || c == '_' || c == '.' || c == '-';
}

static int
port_first(char c)
{
	return c >= '1' && c <= '9';
}

static int
term_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '+' || c == '-';
}

static int
locale_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '@' || c == '-';
}

static int
path_first(char c)
{
	return c == '/';
}

static int
path_char(char c)
{
	return is_alnum(c) || c == '/' || c == '.' || c == '_' || c == '+' ||
	    c == '-';
}

static int
signal_char(char c)
{
	return is_upper(c) || is_digit(c);
}

/*
 * Is s 1 to max characters, the first accepted by first() and the others
 * by rest()? Stops reading at max + 1.
 */
static int
is_word(const char *s, size_t max, int (*first)(char), int (*rest)(char))
{
	size_t i;

	if (s == NULL || s[0] == '\0' || !first(s[0]))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (i >= max || !rest(s[i]))
			return 0;
	return 1;
}

/* Length of the run of digits at s, stopping after max + 1. */
static size_t
digits(const char *s, size_t max)
{
	size_t n = 0;

	while (n <= max && is_digit(s[n]))
		n++;
	return n;
}

int
ident_login_parse(const char *s, struct ident_login *out)
{
	size_t a, b;

	if (s == NULL)
		return GATE_ERR_INVALID;
	a = digits(s, IDENT_ID_MAX);
	if (a == 0 || a > IDENT_ID_MAX)
		return GATE_ERR_INVALID;
	if (s[a] == '\0') {
		if (out != NULL) {
			memcpy(out->account, s, a);
			out->account[a] = '\0';
			out->node[0] = '\0';
		}
		return 0;
	}
	if (s[a] != '-')
		return GATE_ERR_INVALID;
	b = digits(s + a + 1, IDENT_ID_MAX);
	if (b == 0 || b > IDENT_ID_MAX || s[a + 1 + b] != '\0')
		return GATE_ERR_INVALID;
	if (out != NULL) {
		memcpy(out->node, s, a);
		out->node[a] = '\0';
		memcpy(out->account, s + a + 1, b);
		out->account[b] = '\0';
	}
	return 0;
}

int
ident_is_id(const char *s)
{
	return is_word(s, IDENT_ID_MAX, is_digit, is_digit);
}

int
ident_is_key_id(const char *s)
{
	return is_word(s, IDENT_KEYID_MAX, is_digit, is_digit);
}

int
ident_is_fingerprint(const char *s)
{
	size_t i;

	if (s == NULL || strncmp(s, "SHA256:", 7) != 0)
		return 0;
	for (i = 7; i < IDENT_FP_LEN; i++)
		if (!is_b64(s[i]))
			return 0;
	return s[IDENT_FP_LEN] == '\0';
}

int
ident_is_env_name(const char *s)
{
	return is_word(s, IDENT_ENV_MAX, env_first, env_rest);
}

int
ident_is_user(const char *s)
{
	return is_word(s, IDENT_USER_MAX, user_first, user_rest);
}

int
ident_is_status(const char *s)
{
	return is_word(s, IDENT_STATUS_MAX, status_char, status_char);
}

int
ident_is_role(const char *s)
{
	return is_word(s, IDENT_ROLE_MAX, role_char, role_char);
}

int
ident_is_address(const char *s)
{
	unsigned char b[sizeof(struct in6_addr)];

	if (s == NULL || strnlen(s, IDENT_ADDR_MAX + 1) > IDENT_ADDR_MAX)
		return 0;
	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

int
ident_is_port(const char *s)
{
	long v = 0;
	size_t i;

	if (!is_word(s, IDENT_PORT_MAX, port_first, is_digit))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		v = v * 10 + (s[i] - '0');
	return v <= 65535;
}

int
ident_is_key_type(const char *s)
{
	static const char *const types[] = {
		"ssh-ed25519",
		"ecdsa-sha2-nistp256",
		"ecdsa-sha2-nistp384",
		"ecdsa-sha2-nistp521",
		"ssh-rsa",
		"sk-ssh-ed25519@openssh.com",
		"sk-ecdsa-sha2-nistp256@openssh.com",
	};
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(s, types[i]) == 0)
			return 1;
	return 0;
}

int
ident_is_key_blob(const char *s)
{
	return ident_is_base64(s, IDENT_BLOB_MAX);
}

int
ident_is_base64(const char *s, size_t max)
{
	size_t n, pad = 0;

	if (s == NULL)
		return 0;
	for (n = 0; s[n] != '\0'; n++) {
		if (n >= max)
			return 0;
		if (s[n] == '=') {
			pad++;
			continue;
		}
		/* data after padding */
		if (pad > 0 || !is_b64(s[n]))
			return 0;
	}
	return n > 0 && n % 4 == 0 && pad <= 2;
}

int
ident_is_term(const char *s)
{
	return is_word(s, IDENT_TERM_MAX, term_char, term_char);
}

int
ident_is_locale(const char *s)
{
	return is_word(s, IDENT_LOCALE_MAX, locale_char, locale_char);
}

int
ident_is_command_path(const char *s)
{
	return is_word(s, SIZE_MAX, path_first, path_char);
}

int
ident_is_signal(const char *s)
{
	return is_word(s, IDENT_SIGNAL_MAX, signal_char, signal_char);
}
