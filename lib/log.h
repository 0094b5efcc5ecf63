/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * Logging: syslog, facility AUTHPRIV, one line per event: a short human
 * summary and a stable key=value tail, e.g.
 *
 *	key accepted; login=1234-5678 fp=SHA256:... decision=allow
 *
 * Values are escaped: control characters, '"', '\' and bytes >= 0x7f
 * become \xNN, values with spaces are quoted, long values truncated.
 * Optionally each line also goes to stderr (tests, -d) and to a file
 * (LogFile).
 */
#ifndef SSHGATE_LOG_H
#define SSHGATE_LOG_H

#include <stdarg.h>
#include <syslog.h>

#define LOG_LINE_MAX	2048
#define LOG_VALUE_MAX	256

/* LogLevel: each level also lets through the lines of the ones above. */
enum log_level {
	LOG_LEVEL_QUIET = 0,	/* nothing */
	LOG_LEVEL_ERROR,	/* LOG_WARNING and worse */
	LOG_LEVEL_INFO,		/* the audit events (the default) */
	LOG_LEVEL_VERBOSE,	/* plus log_verbose(): each step of a session */
	LOG_LEVEL_DEBUG,	/* plus log_debug(): each decision, with its function */
};

/* Which sinks besides syslog. */
#define LOG_TO_SYSLOG	0x01
#define LOG_TO_STDERR	0x02

struct logline {
	char	buf[LOG_LINE_MAX];
	size_t	len;
	int	nkv;
};

/* Once per process. ident must outlive the process (argv[0] basename). */
void	log_init(const char *ident, int sinks);

/* Level filter: LOG_LEVEL_*; lines above it are dropped. */
void	log_set_level(int level);

/* The ident log_init() was given (a program's name). */
const char *log_get_ident(void);

/* Nonzero when lines of this LOG_LEVEL_* would be written. */
int	log_enabled(int level);

/* Appends lines to path as well (O_APPEND, created 0600). 0 or error. */
int	log_set_file(const char *path);

/* Builds one event line. summary is ours, never user data. */
void	logline_init(struct logline *l, const char *summary);
void	logline_str(struct logline *l, const char *key, const char *value);
void	logline_int(struct logline *l, const char *key, long long value);
/* Sends it at syslog priority prio (LOG_ERR, LOG_INFO, ...). */
void	logline_emit(struct logline *l, int prio);

/*
 * One audit event in one call: summary, then a key=value tail whose
 * format is a space-separated list of "key=%s", "key=%d", "key=%u",
 * "key=%ld", "key=%lu", "key=%lld", "key=%llu" or "key=%zu" items; each
 * value is escaped as logline_str() does, a NULL %s is "-", and an item
 * whose value is an empty string or NULL and whose key is written
 * "key?=%s" is left out. E.g.
 *
 *	log_event(LOG_INFO, "session ended", "login=%s code=%d detail?=%s",
 *	    login, code, detail);
 *
 * The compiler checks the format like printf's. A malformed one logs the
 * summary with "log_format=bad" instead.
 */
void	log_event(int prio, const char *summary, const char *kvfmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The same, appending to a logline already begun (for shared fields). */
void	logline_kv(struct logline *l, const char *kvfmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	logline_vkv(struct logline *l, const char *kvfmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

/*
 * Diagnostics in the spirit of openssh's debug2/debug3: a free-form line
 * "func: message", written at LOG_DEBUG priority only when LogLevel is at
 * least the given level. The formatted text is escaped as a whole
 * (control characters and bytes >= 0x7f become \xNN), so values from
 * outside may be passed with %s. Not for audit events: those are loglines
 * with a stable key=value tail.
 */
#define log_verbose(...)	log_diag(LOG_LEVEL_VERBOSE, __func__, __VA_ARGS__)
#define log_debug(...)		log_diag(LOG_LEVEL_DEBUG, __func__, __VA_ARGS__)
void	log_diag(int level, const char *func, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Escapes value into dst (dstlen bytes) as logline_str would. */
void	log_escape(char *dst, size_t dstlen, const char *value);

#endif /* SSHGATE_LOG_H */
