/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * Messages between a session's monitor and its relay process (lib/
 * session.c): a frame is a 4-byte length, a type byte and fields, each a
 * 4- or 8-byte big-endian number or a 4-byte length and the bytes of a
 * string. The relay is the untrusted end: a reader never reads past a
 * frame, never writes past a field's cap, and a string with a NUL or
 * over its cap marks the message bad.
 */
#ifndef SSHGATE_WIRE_H
#define SSHGATE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_MAX	(256 * 1024)	/* a frame, command included */

struct wire {
	unsigned char	*buf;	/* WIRE_MAX bytes */
	size_t		 len;	/* written, or received */
	size_t		 off;	/* read so far */
	int		 bad;	/* a put overflowed or a get failed */
};

/* 0 or GATE_ERR_ALLOC; wire_free() after, whatever the result. */
int	wire_init(struct wire *w);
void	wire_free(struct wire *w);
/* Empties w for a new message. */
void	wire_reset(struct wire *w);

void	wire_put_u32(struct wire *w, uint32_t v);
void	wire_put_u64(struct wire *w, uint64_t v);
void	wire_put_str(struct wire *w, const char *s);

uint32_t wire_get_u32(struct wire *w);
uint64_t wire_get_u64(struct wire *w);
/* Into dst (cap bytes, NUL included); "" and w->bad on any fault. */
void	wire_get_str(struct wire *w, char *dst, size_t cap);
/* A string of any length up to the frame, malloc'd (NULL: bad). */
char	*wire_get_strdup(struct wire *w);

/* Sends w as one frame of type. 0 or GATE_ERR_SYSTEM. */
int	wire_send(int fd, unsigned char type, struct wire *w);
/*
 * Receives one frame into w (reset first) and its type. Waits forever
 * (EINTR is retried). 0, GATE_ERR_SYSTEM (EOF or error) or
 * GATE_ERR_TOO_LARGE.
 */
int	wire_recv(int fd, unsigned char *type, struct wire *w);

#endif /* SSHGATE_WIRE_H */
