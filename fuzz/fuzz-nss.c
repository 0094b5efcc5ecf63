/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The NSS module's own parsers (nss/nss_sshgate.c, included here whole:
 * the module exports only _nss_*, and its statics are what we fuzz).
 * Byte 0 of the input sizes the caller's buffer, the bytes up to the
 * first NUL are the login asked for, the rest is nss.conf. Contracts: an
 * accepted nss.conf has ids that are neither root nor -1 and safe
 * absolute paths; the passwd entry is packed inside the caller's buffer
 * exactly when it fits, with the strings intact; a login the grammar
 * refuses never reaches the parser.
 */
#include "../nss/nss_sshgate.c"

#include <stdlib.h>

#include "fuzz.h"

/* A path conf_parse may accept: absolute, visible ASCII, no ':'. */
static int
ref_path(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= NSS_PATH_MAX || s[0] != '/')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == ':')
			return 0;
	return 1;
}

/* The packing of _nss_sshgate_getpwnam_r, step by step. */
static void
check_pack(const char *name, const struct nss_conf *conf, size_t buflen)
{
	const char *want[5] = { name, "*", "", conf->home, conf->shell };
	char *buffer, *got[5];
	struct nss_buf b;
	size_t i, need = 0, n;

	/* exact size, so that ASan sees a byte written past it */
	if ((buffer = malloc(buflen > 0 ? buflen : 1)) == NULL)
		abort();
	b.next = buffer;
	b.left = buflen;
	for (i = 0; i < 5; i++) {
		n = strlen(want[i]);
		need += n + 1;
		got[i] = buf_strdup(&b, want[i], n);
		if (got[i] == NULL) {
			FUZZ_CHECK(need > buflen);
			break;
		}
		FUZZ_CHECK(need <= buflen);
		FUZZ_CHECK(got[i] >= buffer && got[i] + n < buffer + buflen);
		FUZZ_CHECK(strcmp(got[i], want[i]) == 0);
		FUZZ_CHECK(b.next == buffer + need && b.left == buflen - need);
	}
	/* earlier strings are not overwritten by later ones */
	while (i-- > 0)
		if (got[i] != NULL)
			FUZZ_CHECK(strcmp(got[i], want[i]) == 0);
	free(buffer);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nss_conf conf;
	char *name, *text;
	const char *rest;
	size_t namelen;

	if (size < 1 || size > NSS_CONF_MAX + 64)
		return 0;
	name = fuzz_strndup(data + 1, size - 1);
	namelen = strlen(name);
	rest = name + namelen + (namelen < size - 1 ? 1 : 0);
	text = fuzz_strndup((const uint8_t *)rest,
	    (size - 1) - (size_t)(rest - name));
	if (conf_parse(text, &conf) == 0) {
		FUZZ_CHECK(conf.uid != 0 && conf.uid != (uid_t)-1);
		FUZZ_CHECK(conf.gid != 0 && conf.gid != (gid_t)-1);
		FUZZ_CHECK(conf.home != NULL && ref_path(conf.home));
		FUZZ_CHECK(conf.shell != NULL && ref_path(conf.shell));
		if (ident_login_parse(name, NULL) == 0)
			check_pack(name, &conf, data[0]);
	}
	free(text);
	free(name);
	return 0;
}
