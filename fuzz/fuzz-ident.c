/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * lib/ident.c, every grammar: the first byte picks one, the rest (up to
 * a NUL) is the string. Each verdict is compared with a second, naive
 * reading of the grammar as ident.h writes it, and an accepted login
 * must split into parts that rebuild it and re-validate.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>

#include "fuzz.h"
#include "gate_err.h"
#include "ident.h"

/* first char from first, the others from rest, length lo..hi */
static int
ref_class(const char *s, const char *first, const char *rest, size_t lo,
    size_t hi)
{
	size_t i, n = strlen(s);

	if (n < lo || n > hi)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(i == 0 ? first : rest, s[i]) == NULL)
			return 0;
	return 1;
}

#define DIGITS	"0123456789"
#define LOWER	"abcdefghijklmnopqrstuvwxyz"
#define UPPER	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define B64	UPPER LOWER DIGITS "+/"

static int
ref_base64(const char *s, size_t max)
{
	size_t n = strlen(s), body = n, pad = 0;

	while (body > 0 && s[body - 1] == '=' && pad < 2) {
		body--;
		pad++;
	}
	return n >= 1 && n <= max && n % 4 == 0 && body >= 1 &&
	    strspn(s, B64) == body;
}

static int
ref_port(const char *s)
{
	long v = 0;
	size_t i;

	if (!ref_class(s, "123456789", DIGITS, 1, 5))
		return 0;
	/* at most 5 digits: no overflow */
	for (i = 0; s[i] != '\0'; i++)
		v = v * 10 + (s[i] - '0');
	return v <= 65535;
}

static int
ref_address(const char *s)
{
	unsigned char b[16];

	return strlen(s) <= IDENT_ADDR_MAX &&
	    (inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1);
}

static int
ref_key_type(const char *s)
{
	static const char *const types[] = { "ssh-ed25519",
	    "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	    "ecdsa-sha2-nistp521", "ssh-rsa", "sk-ssh-ed25519@openssh.com",
	    "sk-ecdsa-sha2-nistp256@openssh.com" };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(s, types[i]) == 0)
			return 1;
	return 0;
}

static void
check_login(const char *s)
{
	struct ident_login l;
	char back[IDENT_LOGIN_MAX + 2];
	const char *dash = strchr(s, '-');
	int ok, ref;

	memset(&l, 0x5a, sizeof(l));
	ok = ident_login_parse(s, &l) == 0;
	FUZZ_CHECK(ident_login_parse(s, NULL) == (ok ? 0 : GATE_ERR_INVALID));
	if (dash == NULL)
		ref = ref_class(s, DIGITS, DIGITS, 1, IDENT_ID_MAX);
	else {
		char node[IDENT_LOGIN_MAX + 2];
		size_t nl = (size_t)(dash - s);

		ref = nl < sizeof(node) && strlen(s) <= IDENT_LOGIN_MAX;
		if (ref) {
			memcpy(node, s, nl);
			node[nl] = '\0';
			ref = ref_class(node, DIGITS, DIGITS, 1, IDENT_ID_MAX) &&
			    ref_class(dash + 1, DIGITS, DIGITS, 1,
			    IDENT_ID_MAX);
		}
	}
	FUZZ_CHECK(ok == ref);
	if (!ok)
		return;
	FUZZ_CHECK(ident_is_id(l.account));
	FUZZ_CHECK(l.node[0] == '\0' || ident_is_id(l.node));
	snprintf(back, sizeof(back), "%s%s%s", l.node,
	    l.node[0] != '\0' ? "-" : "", l.account);
	FUZZ_CHECK(strcmp(back, s) == 0);
}

/* The grammars that are a character class and a length. */
static const struct {
	int		(*is)(const char *);
	const char	*first, *rest;
	size_t		 max;
} classes[] = {
	{ ident_is_id,		DIGITS, DIGITS,			IDENT_ID_MAX },
	{ ident_is_key_id,	DIGITS, DIGITS,			IDENT_KEYID_MAX },
	{ ident_is_env_name,	LOWER DIGITS, LOWER DIGITS "-",	IDENT_ENV_MAX },
	{ ident_is_user,	LOWER "_", LOWER DIGITS "_-",	IDENT_USER_MAX },
	{ ident_is_status,	LOWER "_-", LOWER "_-",		IDENT_STATUS_MAX },
	{ ident_is_role,	UPPER LOWER DIGITS "_.-",
	    UPPER LOWER DIGITS "_.-",				IDENT_ROLE_MAX },
	{ ident_is_term,	UPPER LOWER DIGITS "._+-",
	    UPPER LOWER DIGITS "._+-",				IDENT_TERM_MAX },
	{ ident_is_locale,	UPPER LOWER DIGITS "._@-",
	    UPPER LOWER DIGITS "._@-",				IDENT_LOCALE_MAX },
	{ ident_is_command_path, "/", UPPER LOWER DIGITS "/._+-", SIZE_MAX },
	{ ident_is_signal,	UPPER DIGITS, UPPER DIGITS,	IDENT_SIGNAL_MAX },
};
#define NCLASSES	(sizeof(classes) / sizeof(classes[0]))

/* The other grammars, by number. */
static void
check_other(unsigned int which, const char *s)
{
	switch (which) {
	case 0:
		check_login(s);
		break;
	case 1:
		FUZZ_CHECK(ident_is_fingerprint(s) ==
		    (strncmp(s, "SHA256:", 7) == 0 &&
		    ref_class(s + 7, B64, B64, 43, 43)));
		break;
	case 2:
		FUZZ_CHECK(ident_is_address(s) == ref_address(s));
		break;
	case 3:
		FUZZ_CHECK(ident_is_port(s) == ref_port(s));
		break;
	case 4:
		FUZZ_CHECK(ident_is_key_type(s) == ref_key_type(s));
		break;
	case 5:
		FUZZ_CHECK(ident_is_key_blob(s) ==
		    ref_base64(s, IDENT_BLOB_MAX));
		break;
	default:
		/* a cap of 0 to 249 */
		FUZZ_CHECK(ident_is_base64(s, which - 6) ==
		    ref_base64(s, which - 6));
		break;
	}
}

/* Byte 0 picks the grammar: a class of classes[], or check_other(). */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	unsigned int which;

	if (size < 1)
		return 0;
	which = data[0];
	s = fuzz_strndup(data + 1, size - 1);
	if (which < NCLASSES)
		FUZZ_CHECK(classes[which].is(s) == ref_class(s,
		    classes[which].first, classes[which].rest, 1,
		    classes[which].max));
	else
		check_other(which - NCLASSES, s);
	free(s);
	return 0;
}
