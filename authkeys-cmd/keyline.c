/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdio.h>

#include "gate_err.h"
#include "ident.h"
#include "keyline.h"

int
keyline_build(char *dst, size_t dstlen, const char *gate_shell,
    const char *key_id, const char *type, const char *blob, size_t *lenp)
{
	int n;

	*lenp = 0;
	if (dstlen > 0)
		dst[0] = '\0';
	if (!ident_is_command_path(gate_shell) || !ident_is_key_id(key_id) ||
	    !ident_is_key_type(type) || !ident_is_key_blob(blob))
		return GATE_ERR_INVALID;
	/*
	 * sshd runs a forced command as "$SHELL -c COMMAND". The shell of
	 * gate logins is gate-shell, which accepts exactly this string; with
	 * an older nss.conf whose shell is /bin/sh, exec makes dash become
	 * gate-shell instead of forking. GateShell is a plain path
	 * (ident_is_command_path).
	 */
	n = snprintf(dst, dstlen,
	    "restrict,pty,command=\"exec %s --key-id=%s\" %s %s\n",
	    gate_shell, key_id, type, blob);
	if (n < 0 || (size_t)n >= dstlen) {
		if (dstlen > 0)
			dst[0] = '\0';
		return GATE_ERR_TOO_LARGE;
	}
	*lenp = (size_t)n;
	return 0;
}
