/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "gate_err.h"
#include "wire.h"

int
wire_init(struct wire *w)
{
	memset(w, 0, sizeof(*w));
	if ((w->buf = malloc(WIRE_MAX)) == NULL)
		return GATE_ERR_ALLOC;
	w->len = 5;	/* room for the length and the type */
	return 0;
}

void
wire_free(struct wire *w)
{
	if (w->buf != NULL)
		explicit_bzero(w->buf, w->len);
	free(w->buf);
	w->buf = NULL;
}

void
wire_reset(struct wire *w)
{
	w->len = 5;
	w->off = 0;
	w->bad = 0;
}

static void
put(struct wire *w, const void *p, size_t n)
{
	if (w->bad || w->buf == NULL || WIRE_MAX - w->len < n) {
		w->bad = 1;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void
wire_put_u32(struct wire *w, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };

	put(w, b, sizeof(b));
}

void
wire_put_u64(struct wire *w, uint64_t v)
{
	wire_put_u32(w, (uint32_t)(v >> 32));
	wire_put_u32(w, (uint32_t)v);
}

void
wire_put_str(struct wire *w, const char *s)
{
	size_t n = strlen(s);

	if (n > WIRE_MAX) {
		w->bad = 1;
		return;
	}
	wire_put_u32(w, (uint32_t)n);
	put(w, s, n);
}

static const unsigned char *
get(struct wire *w, size_t n)
{
	const unsigned char *p;

	if (w->bad || w->len - w->off < n) {
		w->bad = 1;
		return NULL;
	}
	p = w->buf + w->off;
	w->off += n;
	return p;
}

uint32_t
wire_get_u32(struct wire *w)
{
	const unsigned char *p;

	if ((p = get(w, 4)) == NULL)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

uint64_t
wire_get_u64(struct wire *w)
{
	uint64_t hi = wire_get_u32(w);

	return hi << 32 | wire_get_u32(w);
}

/* A string's bytes in the frame, checked for NULs; NULL: bad. */
static const unsigned char *
get_strbytes(struct wire *w, size_t *n)
{
	const unsigned char *p;

	*n = wire_get_u32(w);
	if ((p = get(w, *n)) == NULL)
		return NULL;
	if (memchr(p, '\0', *n) != NULL) {
		w->bad = 1;
		return NULL;
	}
	return p;
}

void
wire_get_str(struct wire *w, char *dst, size_t cap)
{
	const unsigned char *p;
	size_t n;

	dst[0] = '\0';
	if ((p = get_strbytes(w, &n)) == NULL)
		return;
	if (n >= cap) {
		w->bad = 1;
		return;
	}
	memcpy(dst, p, n);
	dst[n] = '\0';
}

char *
wire_get_strdup(struct wire *w)
{
	const unsigned char *p;
	char *s;
	size_t n;

	if ((p = get_strbytes(w, &n)) == NULL)
		return NULL;
	if ((s = malloc(n + 1)) == NULL) {
		w->bad = 1;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static int
io_full(int fd, unsigned char *p, size_t n, int out)
{
	ssize_t r;

	while (n > 0) {
		r = out ? write(fd, p, n) : read(fd, p, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return GATE_ERR_SYSTEM;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
wire_send(int fd, unsigned char type, struct wire *w)
{
	uint32_t n = (uint32_t)(w->len - 4);

	if (w->bad || w->buf == NULL)
		return GATE_ERR_TOO_LARGE;
	w->buf[0] = (unsigned char)(n >> 24);
	w->buf[1] = (unsigned char)(n >> 16);
	w->buf[2] = (unsigned char)(n >> 8);
	w->buf[3] = (unsigned char)n;
	w->buf[4] = type;
	return io_full(fd, w->buf, w->len, 1);
}

int
wire_recv(int fd, unsigned char *type, struct wire *w)
{
	unsigned char h[4];
	uint32_t n;
	int r;

	w->len = w->off = 0;
	w->bad = 0;
	if ((r = io_full(fd, h, sizeof(h), 0)) != 0)
		return r;
	n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
	if (n < 1 || n > WIRE_MAX)
		return GATE_ERR_TOO_LARGE;
	if ((r = io_full(fd, w->buf, n, 0)) != 0)
		return r;
	*type = w->buf[0];
	w->len = n;
	w->off = 1;
	return 0;
}
