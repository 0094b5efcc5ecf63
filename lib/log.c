/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* The logger is the one piece of process-wide state besides the config. */
static const char *log_ident = "sshgate";
static int log_sinks = LOG_TO_SYSLOG;
static int log_level = LOG_LEVEL_INFO;
static int log_fd = -1;

void
log_init(const char *ident, int sinks)
{
	log_ident = ident;
	log_sinks = sinks;
	if (sinks & LOG_TO_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

const char *
log_get_ident(void)
{
	return log_ident;
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_set_file(const char *path)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		return -1;
	if (log_fd != -1)
		close(log_fd);
	log_fd = fd;
	return 0;
}

/* Writes c, or \\xNN when escape is set, at dst; how many bytes. */
static size_t
put_byte(char *dst, unsigned char c, int escape)
{
	static const char hex[] = "0123456789abcdef";

	if (!escape) {
		dst[0] = (char)c;
		return 1;
	}
	dst[0] = '\\';
	dst[1] = 'x';
	dst[2] = hex[c >> 4];
	dst[3] = hex[c & 0xf];
	return 4;
}

void
log_escape(char *dst, size_t dstlen, const char *v)
{
	size_t o = 0, i, need;
	int quote = 0;
	unsigned char c;

	if (dstlen == 0)
		return;
	if (v == NULL)
		v = "-";
	if (*v == '\0')
		quote = 1;
	for (i = 0; v[i] != '\0'; i++)
		if (v[i] == ' ')
			quote = 1;
	if (quote && o + 1 < dstlen)
		dst[o++] = '"';
	for (i = 0; v[i] != '\0'; i++) {
		c = (unsigned char)v[i];
		need = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ||
		    c == '=') ? 4 : 1;
		/* room for the char, "...", a closing quote and NUL */
		if (i >= LOG_VALUE_MAX || o + need + 5 >= dstlen) {
			/* a tiny dst has no room for "..." (fuzz-log) */
			if (o + 3 < dstlen) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		o += put_byte(dst + o, c, need == 4);
	}
	if (quote && o + 1 < dstlen)
		dst[o++] = '"';
	dst[o] = '\0';
}

static void
append(struct logline *l, const char *s)
{
	size_t n = strlen(s);

	if (l->len + n >= sizeof(l->buf))
		n = sizeof(l->buf) - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

void
logline_init(struct logline *l, const char *summary)
{
	l->len = 0;
	l->nkv = 0;
	l->buf[0] = '\0';
	append(l, summary);
}

void
logline_str(struct logline *l, const char *key, const char *value)
{
	char esc[LOG_VALUE_MAX * 4 + 8];

	log_escape(esc, sizeof(esc), value);
	append(l, l->nkv++ == 0 ? "; " : " ");
	append(l, key);
	append(l, "=");
	append(l, esc);
}

void
logline_int(struct logline *l, const char *key, long long value)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", value);
	logline_str(l, key, num);
}

/* Takes one item's conversion ("s", "d", "lld", ...) off ap as text. */
static int
kv_value(const char *conv, size_t clen, va_list *ap, char *num, size_t numlen,
    const char **out)
{
#define CONV(s)	(clen == sizeof(s) - 1 && memcmp(conv, s, clen) == 0)
	*out = num;
	if (CONV("s"))
		*out = va_arg(*ap, const char *);
	else if (CONV("d"))
		snprintf(num, numlen, "%d", va_arg(*ap, int));
	else if (CONV("u"))
		snprintf(num, numlen, "%u", va_arg(*ap, unsigned int));
	else if (CONV("ld"))
		snprintf(num, numlen, "%ld", va_arg(*ap, long));
	else if (CONV("lu"))
		snprintf(num, numlen, "%lu", va_arg(*ap, unsigned long));
	else if (CONV("lld"))
		snprintf(num, numlen, "%lld", va_arg(*ap, long long));
	else if (CONV("llu"))
		snprintf(num, numlen, "%llu", va_arg(*ap, unsigned long long));
	else if (CONV("zu"))
		snprintf(num, numlen, "%zu", va_arg(*ap, size_t));
	else
		return -1;
	return 0;
#undef CONV
}

void
logline_vkv(struct logline *l, const char *kvfmt, va_list ap)
{
	char key[64], num[32];
	const char *p = kvfmt, *eq, *end, *v;
	size_t klen;
	int optional;
	va_list aq;

	va_copy(aq, ap);
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, ' ');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL || eq == p || eq[1] != '%')
			goto bad;
		klen = (size_t)(eq - p);
		optional = eq[-1] == '?';
		if (optional)
			klen--;
		if (klen == 0 || klen >= sizeof(key))
			goto bad;
		memcpy(key, p, klen);
		key[klen] = '\0';
		if (kv_value(eq + 2, (size_t)(end - eq - 2), &aq, num,
		    sizeof(num), &v) != 0)
			goto bad;
		if (!optional || (v != NULL && *v != '\0'))
			logline_str(l, key, v);
		p = end;
	}
	va_end(aq);
	return;
 bad:
	va_end(aq);
	logline_str(l, "log_format", "bad");
}

void
logline_kv(struct logline *l, const char *kvfmt, ...)
{
	va_list ap;

	va_start(ap, kvfmt);
	logline_vkv(l, kvfmt, ap);
	va_end(ap);
}

static int
prio_level(int prio)
{
	if (prio <= LOG_WARNING)
		return LOG_LEVEL_ERROR;
	if (prio <= LOG_INFO)
		return LOG_LEVEL_INFO;
	return LOG_LEVEL_DEBUG;
}

int
log_enabled(int level)
{
	return level <= log_level;
}

/* Sends one finished line to every sink; never fails the caller. */
static void
log_write(int prio, const char *text)
{
	char line[LOG_LINE_MAX + 128];
	int n;

	if (log_sinks & LOG_TO_SYSLOG)
		syslog(LOG_AUTHPRIV | prio, "%s", text);
	if ((log_sinks & LOG_TO_STDERR) || log_fd != -1) {
		n = snprintf(line, sizeof(line), "%s[%ld]: %s\n", log_ident,
		    (long)getpid(), text);
		if (n < 0)
			return;
		if ((size_t)n >= sizeof(line))
			n = sizeof(line) - 1;
		/* best effort: a log sink must never stop the gate */
		if (log_sinks & LOG_TO_STDERR)
			(void)!write(STDERR_FILENO, line, (size_t)n);
		if (log_fd != -1)
			(void)!write(log_fd, line, (size_t)n);
	}
}

void
logline_emit(struct logline *l, int prio)
{
	int saved = errno;

	if (log_enabled(prio_level(prio)))
		log_write(prio, l->buf);
	errno = saved;
}

void
log_event(int prio, const char *summary, const char *kvfmt, ...)
{
	struct logline l;
	va_list ap;

	logline_init(&l, summary);
	va_start(ap, kvfmt);
	logline_vkv(&l, kvfmt, ap);
	va_end(ap);
	logline_emit(&l, prio);
}

void
log_diag(int level, const char *func, const char *fmt, ...)
{
	char raw[LOG_LINE_MAX], esc[LOG_LINE_MAX];
	size_t i, o;
	unsigned char c;
	va_list ap;
	int n, saved = errno;

	if (!log_enabled(level))
		goto out;
	n = snprintf(esc, sizeof(esc), "%s: ", func);
	if (n < 0 || (size_t)n >= sizeof(esc))
		goto out;
	va_start(ap, fmt);
	if (vsnprintf(raw, sizeof(raw), fmt, ap) < 0)
		raw[0] = '\0';
	va_end(ap);
	o = (size_t)n;
	for (i = 0; raw[i] != '\0' && o + 5 < sizeof(esc); i++) {
		c = (unsigned char)raw[i];
		o += put_byte(esc + o, c, c < 0x20 || c >= 0x7f || c == '\\');
	}
	esc[o] = '\0';
	log_write(LOG_DEBUG, esc);
 out:
	errno = saved;
}
