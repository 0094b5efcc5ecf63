/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/* Unit tests: the identifier grammars of lib/ident.c. */
#include "config.h"

#include <string.h>

#include "gate_err.h"
#include "ident.h"
#include "tap.h"

static void
login_ok(const char *s, const char *node, const char *account)
{
	struct ident_login l;
	int r = ident_login_parse(s, &l);

	tap_ok(r == 0 && strcmp(l.node, node) == 0 &&
	    strcmp(l.account, account) == 0, "login \"%s\" parses", s);
}

static void
login_bad(const char *s, const char *why)
{
	tap_ok(ident_login_parse(s, NULL) == GATE_ERR_INVALID,
	    "login refused: %s", why);
}

int
main(void)
{
	char big[10001];

	login_ok("5678", "", "5678");
	login_ok("1234-5678", "1234", "5678");
	login_ok("0", "", "0");
	login_ok("1234567890-1234567890", "1234567890", "1234567890");
	login_bad("", "empty");
	login_bad("12345678901", "11 digits");
	login_bad("1-12345678901", "11-digit account");
	login_bad("12345678901-1", "11-digit node");
	login_bad("-5678", "leading dash");
	login_bad("5678-", "trailing dash");
	login_bad("12--5678", "double dash");
	login_bad("1-2-3", "two dashes");
	login_bad("12a4", "letter");
	login_bad("ABC", "uppercase");
	login_bad("1234/5678", "slash");
	login_bad("1234:5678", "colon");
	login_bad("..", "dot dot");
	login_bad("12 34", "space");
	login_bad("1234\n", "newline");
	login_bad("12\t34", "tab");
	login_bad("\xd9\xa1\xd9\xa2", "arabic-indic digits");
	login_bad("\xef\xbc\x91", "fullwidth digit");
	login_bad(NULL, "NULL");
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	login_bad(big, "10000 characters");

	tap_ok(ident_is_key_id("1"), "key id 1");
	tap_ok(ident_is_key_id("123456789012345678"), "key id of 18 digits");
	tap_ok(!ident_is_key_id("1234567890123456789"), "key id of 19 digits");
	tap_ok(!ident_is_key_id(""), "empty key id");
	tap_ok(!ident_is_key_id("1\"2"), "key id with a quote");
	tap_ok(!ident_is_key_id("12 "), "key id with a space");

	tap_ok(ident_is_fingerprint(
	    "SHA256:UAhgU2Hk3dXoYBIHtP3a0ZvLz6J2KLW+7b4Xq1tQ3/s"),
	    "fingerprint");
	tap_ok(!ident_is_fingerprint(
	    "SHA256:UAhgU2Hk3dXoYBIHtP3a0ZvLz6J2KLW+7b4Xq1tQ3/"),
	    "short fingerprint");
	tap_ok(!ident_is_fingerprint(
	    "SHA256:UAhgU2Hk3dXoYBIHtP3a0ZvLz6J2KLW+7b4Xq1tQ3/ss"),
	    "long fingerprint");
	tap_ok(!ident_is_fingerprint(
	    "MD5:UAhgU2Hk3dXoYBIHtP3a0ZvLz6J2KLW+7b4Xq1tQ3/s"),
	    "MD5 fingerprint");
	tap_ok(!ident_is_fingerprint(
	    "SHA256:UAhgU2Hk3dXoYBIHtP3a0ZvLz6J2KLW+7b4Xq1tQ3&s"),
	    "fingerprint with &");

	tap_ok(ident_is_env_name("env-shop"), "env name");
	tap_ok(!ident_is_env_name("-env"), "env name with leading dash");
	tap_ok(!ident_is_env_name("Env"), "env name with uppercase");
	tap_ok(!ident_is_env_name(""), "empty env name");

	tap_ok(ident_is_user("ct1"), "user ct1");
	tap_ok(ident_is_user("_apt"), "user _apt");
	tap_ok(!ident_is_user("root;id"), "user with ;");
	tap_ok(!ident_is_user("1abc"), "user starting with a digit");
	tap_ok(!ident_is_user("-oProxyCommand"), "user starting with -");

	tap_ok(ident_is_key_type("ssh-ed25519"), "key type ed25519");
	tap_ok(ident_is_key_type("ecdsa-sha2-nistp256"), "key type ecdsa");
	tap_ok(!ident_is_key_type("ssh-ed25519 "), "key type with space");
	tap_ok(!ident_is_key_type("ssh-dss"), "key type dsa");
	tap_ok(!ident_is_key_type("ssh-ed25519-cert-v01@openssh.com"),
	    "certificate type");

	tap_ok(ident_is_base64("AAAA", 100), "base64");
	tap_ok(ident_is_base64("AAA=", 100), "base64 with padding");
	tap_ok(!ident_is_base64("AA=A", 100), "data after padding");
	tap_ok(!ident_is_base64("AAA", 100), "base64 length not a multiple of 4");
	tap_ok(!ident_is_base64("AAAA\"", 100), "base64 with a quote");
	tap_ok(!ident_is_base64("AAAAAAAA", 4), "base64 over the cap");
	tap_ok(!ident_is_base64("", 4), "empty base64");
	return tap_done();
}
