/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * sshgate.conf(5): sshd_config syntax, "Keyword value", case-insensitive
 * keywords, '#' comments, the first value of a keyword wins.
 *
 * The loaded struct is filled once and then treated as const.
 */
#ifndef SSHGATE_CONF_H
#define SSHGATE_CONF_H

#include <stdio.h>

#include "log.h"

#define CONF_ERRLEN	512

struct gate_config {
	/* platform API */
	char	*api_url;		/* ApiUrl, no trailing '/' */
	char	*api_token_file;	/* ApiTokenFile */
	char	*api_ca_file;		/* ApiCaFile, NULL: system CAs */
	char	*api_unix_socket;	/* ApiUnixSocket, NULL: TCP */
	int	 api_allow_http;	/* ApiAllowHttp */
	long	 api_connect_timeout;	/* ApiConnectTimeout, ms */
	long	 api_timeout;		/* ApiTimeout, ms, per request */
	long	 api_max_response;	/* ApiMaxResponse, bytes */

	/* logging */
	int	 log_level;		/* LogLevel, enum log_level */
	char	*log_file;		/* LogFile, NULL: syslog only */

	/* authkeys-cmd */
	long	 auth_timeout;		/* AuthTimeout, ms, whole run */
	char	*cache_dir;		/* CacheDir */
	long	 cache_time;		/* CacheTime, ms; 0: no cache */
	long	 stale_if_error;	/* StaleIfError, ms; 0: fail closed */
	char	*gate_shell;		/* GateShell */

	/* gate-shell and sftp-relay */
	char	*internal_key;		/* InternalKey */
	long	 connect_timeout;	/* ConnectTimeout, ms */
	long	 revoke_interval;	/* RevokeInterval, ms; 0: off */
	long	 revoke_grace;		/* RevokeGrace, ms; 0: none */
	long	 keepalive_interval;	/* KeepaliveInterval, ms; 0: off */
	long	 idle_timeout;		/* IdleTimeout, ms; 0: off */
	long	 max_session_time;	/* MaxSessionTime, ms; 0: off */
	long	 menu_refresh_interval;	/* MenuRefreshInterval, ms; 0: off */
	long	 keepalive_count_max;	/* KeepaliveCountMax, unanswered */
	char	*sftp_subsystem;	/* SftpSubsystem: sshd's Subsystem line */
	char	*sftp_relay;		/* SftpRelay */

	/* bookkeeping: which keywords the file set (first value wins) */
	unsigned long long seen;
	char	*path;			/* file the config came from */
};

/*
 * Fills *cfg with the built-in defaults: the default column of the keyword
 * table in conf.c. Returns 0, GATE_ERR_ALLOC, or GATE_ERR_INTERNAL if a
 * default breaks its own keyword's rules. Free with conf_free().
 */
int	conf_defaults(struct gate_config *cfg);

/*
 * Reads path over the defaults in *cfg. On error returns GATE_ERR_CONFIG
 * (or GATE_ERR_SYSTEM if the file cannot be read) and writes one line
 * "file:line: what" into errbuf (errlen bytes, CONF_ERRLEN is plenty).
 */
int	conf_load(struct gate_config *cfg, const char *path,
	    char *errbuf, size_t errlen);

/*
 * Parses one "Keyword value" line as if it were line `lineno` of `file`.
 * Exposed for the unit tests and for conf_load.
 */
int	conf_parse_line(struct gate_config *cfg, const char *line,
	    const char *file, int lineno, char *errbuf, size_t errlen);

/* Checks the combination of values (e.g. ApiUrl set, http allowed). */
int	conf_validate(const struct gate_config *cfg, char *errbuf,
	    size_t errlen);

/* Prints the effective config, one "keyword value" a line (-T). */
void	conf_dump(const struct gate_config *cfg, FILE *f);

/* Frees what *cfg owns; cfg itself is the caller's. NULL is fine. */
void	conf_free(struct gate_config *cfg);

/*
 * Parses "250ms", "3s", "2m", "1h", "3" (seconds) into ms. -1 if invalid.
 * Both this and conf_parse_size() are conflex_number() with a unit list.
 */
long	conf_parse_time(const char *s);

/* Parses "4096", "64K", "1M". -1 if invalid. */
long	conf_parse_size(const char *s);

#endif /* SSHGATE_CONF_H */
