/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "gate_err.h"
#include "ident.h"

#define CACHE_MAGIC	"sshgate-akc-cache-1"
#define CACHE_FILE_MAX	256

/*
 * Wall time on purpose, not clock_now_ms(): an entry's time is written
 * into a file that other authkeys-cmd processes read, maybe after a
 * reboot (a CacheDir on disk) or from another time namespace, where
 * CLOCK_MONOTONIC has another zero and an old entry could look young.
 * A wall clock stepped backwards can do the same; cache_get() at least
 * refuses an entry with a negative age.
 */
static long long
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The file name is built from validated parts only: the login grammar
 * and the fingerprint's base64, with '/' and '+' mapped to '_' and '-'.
 */
static int
entry_path(char *buf, size_t len, const char *dir, const char *login,
    const char *fp)
{
	char name[IDENT_LOGIN_MAX + IDENT_FP_LEN + 2];
	size_t i;
	int n;

	if (ident_login_parse(login, NULL) != 0 || !ident_is_fingerprint(fp))
		return GATE_ERR_INVALID;
	n = snprintf(name, sizeof(name), "%s_%s", login, fp + 7);
	if (n < 0 || (size_t)n >= sizeof(name))
		return GATE_ERR_INTERNAL;
	for (i = 0; name[i] != '\0'; i++) {
		if (name[i] == '/')
			name[i] = '_';
		else if (name[i] == '+')
			name[i] = '-';
	}
	n = snprintf(buf, len, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= len)
		return GATE_ERR_TOO_LARGE;
	return 0;
}

int
cache_open_dir(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) == -1) {
		if (errno != ENOENT || mkdir(dir, 0700) == -1 ||
		    lstat(dir, &st) == -1)
			return GATE_ERR_SYSTEM;
	}
	/* others must not plant or read answers */
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0)
		return GATE_ERR_CONFIG;
	return 0;
}

int
cache_get(const char *dir, const char *login, const char *fp,
    struct cache_entry *out)
{
	char path[PATH_MAX], buf[CACHE_FILE_MAX + 1], *p, *sp, *end;
	long long t;
	ssize_t n;
	int fd = -1, r = GATE_ERR_NOT_FOUND;

	memset(out, 0, sizeof(*out));
	if ((r = entry_path(path, sizeof(path), dir, login, fp)) != 0)
		return r;
	r = GATE_ERR_NOT_FOUND;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		goto out;
	if ((n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		goto out;
	buf[n] = '\0';
	/* "MAGIC KEY_ID WALL_MS\n" */
	if (strncmp(buf, CACHE_MAGIC " ", sizeof(CACHE_MAGIC)) != 0)
		goto out;
	p = buf + sizeof(CACHE_MAGIC);
	if ((sp = strchr(p, ' ')) == NULL)
		goto out;
	*sp = '\0';
	if (!ident_is_key_id(p))
		goto out;
	memcpy(out->key_id, p, strlen(p) + 1);
	errno = 0;
	t = strtoll(sp + 1, &end, 10);
	if (errno != 0 || *end != '\n' || end[1] != '\0')
		goto out;
	out->age_ms = wall_ms() - t;
	/* a clock that went backwards proves nothing */
	if (out->age_ms < 0)
		goto out;
	r = 0;
 out:
	if (fd != -1)
		close(fd);
	if (r != 0)
		memset(out, 0, sizeof(*out));
	return r;
}

int
cache_put(const char *dir, const char *login, const char *fp,
    const char *key_id)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16], buf[CACHE_FILE_MAX];
	int fd = -1, n, r;

	if ((r = entry_path(path, sizeof(path), dir, login, fp)) != 0)
		return r;
	if (!ident_is_key_id(key_id))
		return GATE_ERR_INVALID;
	n = snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return GATE_ERR_TOO_LARGE;
	n = snprintf(buf, sizeof(buf), "%s %s %lld\n", CACHE_MAGIC, key_id,
	    wall_ms());
	if (n < 0 || (size_t)n >= sizeof(buf))
		return GATE_ERR_INTERNAL;
	r = GATE_ERR_SYSTEM;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		goto out;
	if (write(fd, buf, (size_t)n) != n || close(fd) == -1) {
		fd = -1;
		unlink(tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		goto out;
	}
	r = 0;
 out:
	if (fd != -1)
		close(fd);
	return r;
}

void
cache_drop(const char *dir, const char *login, const char *fp)
{
	char path[PATH_MAX];

	if (entry_path(path, sizeof(path), dir, login, fp) == 0)
		unlink(path);
}
