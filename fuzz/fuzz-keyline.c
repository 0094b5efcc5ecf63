/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The authorized_keys line authkeys-cmd prints (authkeys-cmd/keyline.c).
 * The input is four NUL-separated fields: GateShell, key id, key type,
 * key blob. Contracts: a line is built exactly when every field is in
 * its grammar, and a built line has the one whitelisted shape, read back
 * field by field; nothing else reaches it.
 */
#include "config.h"

#include "fuzz.h"
#include "gate_err.h"
#include "ident.h"
#include "keyline.h"

#define PREFIX	"restrict,pty,command=\"exec "

/* Reads "PREFIX path --key-id=ID\" TYPE BLOB\n" back and compares. */
static void
check_shape(const char *line, size_t len, const char *const *f)
{
	const char *p = line, *end;

	FUZZ_CHECK(strlen(line) == len);
	FUZZ_CHECK(len > 0 && line[len - 1] == '\n');
	FUZZ_CHECK(memchr(line, '\n', len - 1) == NULL);
	FUZZ_CHECK(strncmp(p, PREFIX, strlen(PREFIX)) == 0);
	p += strlen(PREFIX);
	/* the command: exactly one '"' closes it */
	FUZZ_CHECK((end = strchr(p, '"')) != NULL);
	FUZZ_CHECK(strchr(end + 1, '"') == NULL);
	FUZZ_CHECK((size_t)(end - p) == strlen(f[0]) + strlen(" --key-id=") +
	    strlen(f[1]));
	FUZZ_CHECK(strncmp(p, f[0], strlen(f[0])) == 0);
	p += strlen(f[0]);
	FUZZ_CHECK(strncmp(p, " --key-id=", 10) == 0);
	p += 10;
	FUZZ_CHECK(strncmp(p, f[1], strlen(f[1])) == 0 && ident_is_key_id(f[1]));
	p = end + 1;
	FUZZ_CHECK(*p++ == ' ');
	FUZZ_CHECK(strncmp(p, f[2], strlen(f[2])) == 0 &&
	    p[strlen(f[2])] == ' ');
	p += strlen(f[2]) + 1;
	FUZZ_CHECK(strncmp(p, f[3], strlen(f[3])) == 0 &&
	    p[strlen(f[3])] == '\n');
	/* only the separators we wrote: four spaces in all */
	for (p = line, len = 0; *p != '\0'; p++)
		len += *p == ' ';
	FUZZ_CHECK(len == 4);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[IDENT_BLOB_MAX + 512];
	const char *f[4];
	char *copy;
	size_t len = 1;
	int r, valid;

	if (size > 2 * sizeof(line))
		return 0;
	copy = fuzz_fields(data, size, f, 4);
	valid = ident_is_command_path(f[0]) && ident_is_key_id(f[1]) &&
	    ident_is_key_type(f[2]) && ident_is_key_blob(f[3]);
	r = keyline_build(line, sizeof(line), f[0], f[1], f[2], f[3], &len);
	if (!valid)
		FUZZ_CHECK(r == GATE_ERR_INVALID && len == 0 && line[0] == '\0');
	else if (r == GATE_ERR_TOO_LARGE)
		FUZZ_CHECK(strlen(f[0]) > 400 && len == 0);
	else {
		FUZZ_CHECK(r == 0);
		check_shape(line, len, f);
	}
	free(copy);
	return 0;
}
