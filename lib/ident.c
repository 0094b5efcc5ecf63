/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * Identifier grammars; see ident.h. Written without <ctype.h> so the
 * result never depends on the locale.
 */
#include "config.h"

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
is_b64(char c)
{
	return is_digit(c) || is_lower(c) || (c >= 'A' && c <= 'Z') ||
	    c == '+' || c == '/';
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

static int
all_digits(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = digits(s, max);
	return n >= 1 && n <= max && s[n] == '\0';
}

int
ident_is_id(const char *s)
{
	return all_digits(s, IDENT_ID_MAX);
}

int
ident_is_key_id(const char *s)
{
	return all_digits(s, IDENT_KEYID_MAX);
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
	size_t i;

	if (s == NULL || !(is_lower(s[0]) || is_digit(s[0])))
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= IDENT_ENV_MAX)
			return 0;
		if (!(is_lower(s[i]) || is_digit(s[i]) || s[i] == '-'))
			return 0;
	}
	return 1;
}

int
ident_is_user(const char *s)
{
	size_t i;

	if (s == NULL || !(is_lower(s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= IDENT_USER_MAX)
			return 0;
		if (!(is_lower(s[i]) || is_digit(s[i]) || s[i] == '_' ||
		    s[i] == '-'))
			return 0;
	}
	return 1;
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
