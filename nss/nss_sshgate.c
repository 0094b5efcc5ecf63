/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * libnss_sshgate.so.2: the glibc NSS module that makes gate logins
 * ("5678", "1234-5678") known users, so that sshd runs the
 * AuthorizedKeysCommand for them instead of refusing them as invalid.
 *
 * The mapping is purely syntactic: a name of the login grammar
 * (lib/ident.c) becomes the sshgate service account under the name asked
 * for. Whether that login may actually log in is the platform's decision,
 * taken later by authkeys-cmd; nothing here talks to the network.
 *
 * An ACCOUNT login is all digits, and every program that takes "a user
 * name or a uid" (chown, id, find -user, install -o, runuser) tries the
 * name first: answered everywhere, "0" would mean the service account.
 * So ACCOUNT logins are answered only inside sshd's own programs
 * (caller_is_sshd()); NODE-ACCOUNT logins, which no program reads as a
 * number, are answered for every process.
 *
 * This code runs inside every process on the host that looks up a user
 * (sshd's monitor, PAM, cron, sudo, ls -l), so it never allocates, never
 * prints, logs or exits, keeps no mutable static state and builds its
 * answer only inside the buffer the caller passes in. The service
 * account's uid and gid come from a small root-owned file rather than
 * from getpwnam("sshgate"), which would recurse into NSS.
 */
#include "config.h"

#ifndef _GNU_SOURCE
# define _GNU_SOURCE	1	/* O_PATH */
#endif

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <nss.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "conflex.h"
#include "gate_err.h"
#include "ident.h"

#ifndef SSHGATE_NSS_CONF_FILE
# error "SSHGATE_NSS_CONF_FILE is not defined (see Makefile.am)"
#endif
#ifndef SSHGATE_LIBEXECDIR
# error "SSHGATE_LIBEXECDIR is not defined (see Makefile.am)"
#endif

#define NSS_CONF_MAX		4096	/* bytes; a larger file is refused */
#define NSS_PATH_MAX		256	/* Home and Shell, and our own path */
#define NSS_ID_MAX		4294967294UL	/* (uid_t)-1 means "no id" */
#define NSS_DEFAULT_HOME	"/var/lib/sshgate/empty"
/* gate-shell, so that sshd can start nothing else for a gate login */
#define NSS_DEFAULT_SHELL	SSHGATE_LIBEXECDIR "/gate-shell"
#define NSS_DELETED		" (deleted)"	/* /proc/self/exe, replaced */

_Static_assert(sizeof(SSHGATE_NSS_CONF_FILE) <= NSS_PATH_MAX,
    "SSHGATE_NSS_CONF_FILE is too long");
_Static_assert(sizeof(NSS_DEFAULT_SHELL) <= NSS_PATH_MAX,
    "SSHGATE_LIBEXECDIR is too long");
_Static_assert(sizeof(uid_t) == 4 && sizeof(gid_t) == 4,
    "uid_t and gid_t are expected to be 32 bits");

/*
 * Exported entry points. The version script (nss_sshgate.map) keeps
 * everything else, including the ident_* functions linked in, private.
 */
enum nss_status _nss_sshgate_getpwnam_r(const char *, struct passwd *,
    char *, size_t, int *);
enum nss_status _nss_sshgate_getpwuid_r(uid_t, struct passwd *,
    char *, size_t, int *);
enum nss_status _nss_sshgate_setpwent(int);
enum nss_status _nss_sshgate_getpwent_r(struct passwd *, char *, size_t,
    int *);
enum nss_status _nss_sshgate_endpwent(void);

/* The parsed nss.conf; the strings point into the file's text. */
struct nss_conf {
	uid_t		 uid;
	gid_t		 gid;
	const char	*home;
	const char	*shell;
	int		 seen;	/* bit per keyword, to refuse duplicates */
};

enum nss_opcode {
	oUid,
	oGid,
	oHome,
	oShell,
};

/* Keyword and default in one list; no default means required. */
static const struct {
	const char	*name;
	enum nss_opcode	 opcode;
	const char	*dflt;
} nss_keywords[] = {
	{ "uid",	oUid,	NULL },
	{ "gid",	oGid,	NULL },
	{ "home",	oHome,	NSS_DEFAULT_HOME },
	{ "shell",	oShell,	NSS_DEFAULT_SHELL },
};
#define NSS_NKEYWORDS	(sizeof(nss_keywords) / sizeof(nss_keywords[0]))

/* Ids are bare numbers. */
static const struct conflex_unit id_units[] = { { "", 1 }, { NULL, 0 } };

/*
 * Where sshd's programs live: sshd itself, and since OpenSSH 9.8 and 10.0
 * sshd-session and sshd-auth, which it executes for every connection.
 * Debian and Ubuntu, Fedora and RHEL, upstream's --prefix=/usr and its
 * default /usr/local. Each directory is root's, so no other user can
 * place a program there.
 */
static const char *const sshd_programs[] = {
	"/usr/sbin/sshd",
	"/usr/lib/openssh/sshd-session",
	"/usr/lib/openssh/sshd-auth",
	"/usr/libexec/openssh/sshd-session",
	"/usr/libexec/openssh/sshd-auth",
	"/usr/libexec/sshd-session",
	"/usr/libexec/sshd-auth",
	"/usr/local/sbin/sshd",
	"/usr/local/libexec/sshd-session",
	"/usr/local/libexec/sshd-auth",
};
#define NSS_NSSHD	(sizeof(sshd_programs) / sizeof(sshd_programs[0]))

/* Space left in the caller's buffer, handed out front to back. */
struct nss_buf {
	char	*next;
	size_t	 left;
};

/* 1 to 10 decimal digits, 1 to NSS_ID_MAX: never root, never -1. */
static int
parse_id(const char *s, uint32_t *out)
{
	uint64_t v;

	if (strlen(s) > 10 ||
	    conflex_number(s, id_units, NSS_ID_MAX, &v) != 0 || v == 0)
		return GATE_ERR_CONFIG;
	*out = (uint32_t)v;
	return 0;
}

/*
 * An absolute path that is safe inside a passwd line: printable ASCII
 * without ':' (getent and every passwd(5) reader split on it).
 */
static int
check_path(const char *s)
{
	unsigned char c;
	size_t i;

	if (s[0] != '/')
		return GATE_ERR_CONFIG;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= NSS_PATH_MAX - 1)
			return GATE_ERR_CONFIG;
		c = (unsigned char)s[i];
		if (c <= ' ' || c >= 0x7f || c == ':')
			return GATE_ERR_CONFIG;
	}
	return 0;
}

/* The value arg (NUL-terminated) of keyword i. */
static int
conf_set(struct nss_conf *conf, size_t i, const char *arg)
{
	uint32_t id;
	int r;

	switch (nss_keywords[i].opcode) {
	case oUid:
		if ((r = parse_id(arg, &id)) != 0)
			return r;
		conf->uid = (uid_t)id;
		return 0;
	case oGid:
		if ((r = parse_id(arg, &id)) != 0)
			return r;
		conf->gid = (gid_t)id;
		return 0;
	case oHome:
		if ((r = check_path(arg)) != 0)
			return r;
		conf->home = arg;
		return 0;
	case oShell:
		if ((r = check_path(arg)) != 0)
			return r;
		conf->shell = arg;
		return 0;
	}
	return GATE_ERR_INTERNAL;
}

/*
 * One line of nss.conf, NUL-terminated, split by the lexer sshgate.conf
 * uses (lib/conflex.c); the value is terminated in place.
 */
static int
conf_line(struct nss_conf *conf, char *line)
{
	struct conflex_pair pair;
	size_t i;
	int r;

	if ((r = conflex_line(line, &pair)) == CONFLEX_EMPTY)
		return 0;
	if (r != CONFLEX_PAIR)
		return GATE_ERR_CONFIG;
	for (i = 0; i < NSS_NKEYWORDS; i++)
		if (conflex_keyword_eq(pair.key, pair.keylen,
		    nss_keywords[i].name))
			break;
	if (i == NSS_NKEYWORDS)
		return GATE_ERR_CONFIG;
	/*
	 * A keyword given twice is refused rather than resolved by "first
	 * value wins" as in sshgate.conf: this module has no way to warn
	 * about it, and a silently ignored Uid line is worse than a refusal.
	 */
	if ((conf->seen & (1 << i)) != 0)
		return GATE_ERR_CONFIG;
	conf->seen |= 1 << i;
	/* The byte after the value is a space, a quote or the NUL: ours. */
	line[pair.value + pair.valuelen - line] = '\0';
	return conf_set(conf, i, pair.value);
}

/*
 * Parses the NUL-terminated text of nss.conf in place; the strings in
 * *conf then point into text. A keyword without a default is required.
 * Returns 0 or GATE_ERR_CONFIG.
 */
static int
conf_parse(char *text, struct nss_conf *conf)
{
	char *line, *nl;
	size_t i;
	int r;

	memset(conf, 0, sizeof(*conf));
	for (line = text; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if ((r = conf_line(conf, line)) != 0)
			return r;
	}
	for (i = 0; i < NSS_NKEYWORDS; i++) {
		if ((conf->seen & (1 << i)) != 0)
			continue;
		if (nss_keywords[i].dflt == NULL)
			return GATE_ERR_CONFIG;
		if ((r = conf_set(conf, i, nss_keywords[i].dflt)) != 0)
			return r;
	}
	return 0;
}

/* Only root may be able to change what this module answers. */
static int
check_owner(const struct stat *st)
{
	if (st->st_uid != 0 || (st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return GATE_ERR_CONFIG;
	return 0;
}

/*
 * Reads SSHGATE_NSS_CONF_FILE into buf (bufsz bytes, one of them for the
 * terminating NUL) after checking that the file and its directory are
 * owned by root and writable by nobody else. Never follows a symlink at
 * the file itself. Returns 0 or a negative GATE_ERR_*.
 */
static int
conf_read(char *buf, size_t bufsz)
{
	char dir[NSS_PATH_MAX];
	const char *path = SSHGATE_NSS_CONF_FILE, *base;
	struct stat st;
	size_t have = 0;
	ssize_t n;
	int dfd = -1, fd = -1, r = GATE_ERR_CONFIG;

	if ((base = strrchr(path, '/')) == NULL || base == path ||
	    base[1] == '\0')
		goto out;
	memcpy(dir, path, (size_t)(base - path));
	dir[base - path] = '\0';
	base++;

	/*
	 * O_PATH: unprivileged callers need to search the directory, not
	 * to list it.
	 */
	if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fstat(dfd, &st) == -1 || check_owner(&st) != 0)
		goto out;
	/* O_NONBLOCK: a FIFO planted here must not hang every lookup. */
	if ((fd = openat(dfd, base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NOCTTY | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    check_owner(&st) != 0)
		goto out;
	/* Read one byte beyond the cap to tell "full" from "too large". */
	while (have < bufsz) {
		n = read(fd, buf + have, bufsz - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	if (have >= bufsz) {
		r = GATE_ERR_TOO_LARGE;
		goto out;
	}
	if (memchr(buf, '\0', have) != NULL)
		goto out;
	buf[have] = '\0';
	r = 0;
 out:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	return r;
}

/*
 * 1 if this process runs one of sshd_programs, else 0. The program is
 * read from /proc/self/exe, not from argv[0]: sshd's setproctitle()
 * rewrites the memory that program_invocation_short_name points into
 * ("sshd: 5678 [priv]"), and argv[0] is whatever the parent chose. A
 * user who runs a copy of sshd, or sshd itself, only changes what their
 * own process sees. Once the package is upgraded under a running sshd
 * the link reads "/usr/sbin/sshd (deleted)": the program that was there.
 */
static int
caller_is_sshd(void)
{
	char exe[NSS_PATH_MAX];
	size_t dl = sizeof(NSS_DELETED) - 1, i;
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe));
	if (n <= 0 || (size_t)n >= sizeof(exe))
		return 0;	/* no /proc, or not one of ours: too long */
	exe[n] = '\0';
	if ((size_t)n > dl && strcmp(exe + n - dl, NSS_DELETED) == 0)
		exe[n - dl] = '\0';
	for (i = 0; i < NSS_NSSHD; i++)
		if (strcmp(exe, sshd_programs[i]) == 0)
			return 1;
	return 0;
}

/*
 * Copies len bytes of s and a NUL into the caller's buffer. Returns the
 * copy, or NULL when the buffer is too small (the caller answers ERANGE).
 */
static char *
buf_strdup(struct nss_buf *b, const char *s, size_t len)
{
	char *p;

	if (len >= b->left)
		return NULL;
	p = b->next;
	memcpy(p, s, len);
	p[len] = '\0';
	b->next += len + 1;
	b->left -= len + 1;
	return p;
}

enum nss_status
_nss_sshgate_getpwnam_r(const char *name, struct passwd *pw, char *buffer,
    size_t buflen, int *errnop)
{
	char text[NSS_CONF_MAX + 1];
	struct ident_login login;
	struct nss_conf conf;
	struct nss_buf b;
	char *pname, *ppasswd, *pgecos, *pdir, *pshell;
	enum nss_status status;
	int saved_errno = errno, err;

	/*
	 * Most lookups are not ours: answer them without touching a file.
	 * An ACCOUNT login is a number to every program but sshd.
	 */
	if (name == NULL || ident_login_parse(name, &login) != 0 ||
	    (login.node[0] == '\0' && !caller_is_sshd())) {
		status = NSS_STATUS_NOTFOUND;
		err = ENOENT;
		goto out;
	}
	/*
	 * A missing, unsafe or malformed config makes the service
	 * unavailable; the login is then refused as an invalid user.
	 */
	if (conf_read(text, sizeof(text)) != 0 ||
	    conf_parse(text, &conf) != 0) {
		status = NSS_STATUS_UNAVAIL;
		err = ENOENT;
		goto out;
	}
	b.next = buffer;
	b.left = buffer == NULL ? 0 : buflen;
	if ((pname = buf_strdup(&b, name, strlen(name))) == NULL ||
	    (ppasswd = buf_strdup(&b, "*", 1)) == NULL ||
	    (pgecos = buf_strdup(&b, "", 0)) == NULL ||
	    (pdir = buf_strdup(&b, conf.home, strlen(conf.home))) == NULL ||
	    (pshell = buf_strdup(&b, conf.shell, strlen(conf.shell))) == NULL) {
		/* glibc retries with a larger buffer */
		status = NSS_STATUS_TRYAGAIN;
		err = ERANGE;
		goto out;
	}
	/*
	 * "*", not "x": with "x" pam_unix looks for a shadow entry that does
	 * not exist and denies the account after the key was accepted.
	 */
	pw->pw_name = pname;
	pw->pw_passwd = ppasswd;
	pw->pw_uid = conf.uid;
	pw->pw_gid = conf.gid;
	pw->pw_gecos = pgecos;
	pw->pw_dir = pdir;
	pw->pw_shell = pshell;
	status = NSS_STATUS_SUCCESS;
	err = 0;
 out:
	/* Our own system calls must not leak into the caller's errno. */
	errno = saved_errno;
	if (status != NSS_STATUS_SUCCESS)
		*errnop = err;
	return status;
}

/*
 * The uid is the service account's, which belongs to "files"; a gate
 * login has no uid of its own to look up.
 */
enum nss_status
_nss_sshgate_getpwuid_r(uid_t uid, struct passwd *pw, char *buffer,
    size_t buflen, int *errnop)
{
	*errnop = ENOENT;
	return NSS_STATUS_NOTFOUND;
}

/* Enumeration is off: the set of gate logins is not a list of users. */
enum nss_status
_nss_sshgate_setpwent(int stayopen)
{
	return NSS_STATUS_SUCCESS;
}

enum nss_status
_nss_sshgate_getpwent_r(struct passwd *pw, char *buffer, size_t buflen,
    int *errnop)
{
	*errnop = ENOENT;
	return NSS_STATUS_NOTFOUND;
}

enum nss_status
_nss_sshgate_endpwent(void)
{
	return NSS_STATUS_SUCCESS;
}
