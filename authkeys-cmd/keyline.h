/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The authorized_keys line authkeys-cmd prints: a pure function, apart
 * from main's I/O, so that fuzz/fuzz-keyline.c can reach it.
 */
#ifndef SSHGATE_KEYLINE_H
#define SSHGATE_KEYLINE_H

#include <stddef.h>

/*
 * Builds, NUL-terminated in dst (dstlen bytes),
 *
 *	restrict,pty,command="exec GATE_SHELL --key-id=KEY_ID" TYPE BLOB\n
 *
 * after checking each token against its grammar again (gate_shell
 * ident_is_command_path, key_id ident_is_key_id, type ident_is_key_type,
 * blob ident_is_key_blob), so that nothing else can reach the line.
 * Stores the length (without the NUL) in *lenp. Returns 0,
 * GATE_ERR_INVALID, or GATE_ERR_TOO_LARGE if dst is too small.
 */
int	keyline_build(char *dst, size_t dstlen, const char *gate_shell,
	    const char *key_id, const char *type, const char *blob,
	    size_t *lenp);

#endif /* SSHGATE_KEYLINE_H */
