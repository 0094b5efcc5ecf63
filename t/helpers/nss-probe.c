/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * nss-probe: calls the entry points of a built libnss_sshgate.so.2
 * directly, with a result buffer of an exact size, for t0200-nss.sh.
 *
 *	nss-probe MODULE getpwnam NAME BUFSIZE
 *	nss-probe MODULE getpwuid UID BUFSIZE
 *	nss-probe MODULE getpwent BUFSIZE
 *	nss-probe conffile
 *
 * Prints the status and what the module put in *errnop ("-" when it left
 * it alone), then on success the passwd entry as one passwd(5) line:
 *
 *	TRYAGAIN ERANGE
 *	SUCCESS -
 *	1234-5678:*:64010:64010::/var/lib/sshgate/empty:/bin/sh
 *
 * The buffer ends right at a PROT_NONE page, so a write past its end
 * kills the probe; the bytes before it are checked for writes below its
 * start, and every returned string must lie inside it. Exit 0 when the
 * call behaved, 1 on usage or loading errors, 3 when the module wrote or
 * pointed outside its buffer, 4 when it changed the caller's errno.
 * "conffile" prints the nss.conf path the module was built with.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <nss.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ERRNO_SENTINEL	0x5eed	/* "the module did not touch it" */
#define FILL_BYTE	0xa5

typedef enum nss_status (*getpwnam_fn)(const char *, struct passwd *,
    char *, size_t, int *);
typedef enum nss_status (*getpwuid_fn)(uid_t, struct passwd *,
    char *, size_t, int *);
typedef enum nss_status (*setpwent_fn)(int);
typedef enum nss_status (*getpwent_fn)(struct passwd *, char *, size_t,
    int *);
typedef enum nss_status (*endpwent_fn)(void);

static void
usage(void)
{
	fprintf(stderr, "usage: nss-probe module getpwnam name bufsize\n"
	    "       nss-probe module getpwuid uid bufsize\n"
	    "       nss-probe module getpwent bufsize\n"
	    "       nss-probe conffile\n");
	exit(1);
}

static unsigned long long
parse_num(const char *s, const char *what)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0) {
		fprintf(stderr, "nss-probe: bad %s '%s'\n", what, s);
		exit(1);
	}
	return v;
}

static void *
sym(void *dl, const char *name)
{
	void *f;

	if ((f = dlsym(dl, name)) == NULL) {
		fprintf(stderr, "nss-probe: %s: %s\n", name, dlerror());
		exit(1);
	}
	return f;
}

static const char *
status_name(enum nss_status st)
{
	switch (st) {
	case NSS_STATUS_TRYAGAIN:
		return "TRYAGAIN";
	case NSS_STATUS_UNAVAIL:
		return "UNAVAIL";
	case NSS_STATUS_NOTFOUND:
		return "NOTFOUND";
	case NSS_STATUS_SUCCESS:
		return "SUCCESS";
	case NSS_STATUS_RETURN:
		return "RETURN";
	default:
		return "?";
	}
}

static void
print_errno(int e)
{
	switch (e) {
	case ERRNO_SENTINEL:
		printf("-\n");
		break;
	case ERANGE:
		printf("ERANGE\n");
		break;
	case ENOENT:
		printf("ENOENT\n");
		break;
	case EAGAIN:
		printf("EAGAIN\n");
		break;
	default:
		printf("%d\n", e);
		break;
	}
}

/* 1 if the string s lies entirely inside [buf, buf + size). */
static int
inside(const char *s, const char *buf, size_t size)
{
	uintptr_t p = (uintptr_t)s, lo = (uintptr_t)buf;

	if (s == NULL || p < lo || p - lo >= size)
		return 0;
	return strnlen(s, size - (p - lo)) < size - (p - lo);
}

int
main(int argc, char **argv)
{
	struct passwd pw;
	void *dl;
	char *map, *buf;
	const char *op;
	size_t size, pagesz, npages, i, pre;
	uid_t uid = 0;
	enum nss_status st;
	int err = ERRNO_SENTINEL, ret = 0;

	if (argc == 2 && strcmp(argv[1], "conffile") == 0) {
		printf("%s\n", SSHGATE_NSS_CONF_FILE);
		return 0;
	}
	if (argc < 4)
		usage();
	op = argv[2];
	if (strcmp(op, "getpwent") == 0 && argc == 4)
		size = parse_num(argv[3], "bufsize");
	else if (strcmp(op, "getpwnam") == 0 && argc == 5)
		size = parse_num(argv[4], "bufsize");
	else if (strcmp(op, "getpwuid") == 0 && argc == 5) {
		uid = (uid_t)parse_num(argv[3], "uid");
		size = parse_num(argv[4], "bufsize");
	} else
		usage();
	if (size > 16 * 1024 * 1024) {
		fprintf(stderr, "nss-probe: bufsize too large\n");
		return 1;
	}

	pagesz = (size_t)sysconf(_SC_PAGESIZE);
	npages = (size + pagesz - 1) / pagesz;
	map = mmap(NULL, (npages + 1) * pagesz, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED ||
	    mprotect(map + npages * pagesz, pagesz, PROT_NONE) == -1) {
		perror("nss-probe: mmap");
		return 1;
	}
	memset(map, FILL_BYTE, npages * pagesz);
	buf = map + npages * pagesz - size;
	pre = npages * pagesz - size;
	memset(&pw, 0, sizeof(pw));

	if ((dl = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "nss-probe: %s\n", dlerror());
		return 1;
	}
	errno = ERRNO_SENTINEL;
	if (strcmp(op, "getpwnam") == 0) {
		st = ((getpwnam_fn)sym(dl, "_nss_sshgate_getpwnam_r"))(argv[3],
		    &pw, buf, size, &err);
	} else if (strcmp(op, "getpwuid") == 0) {
		st = ((getpwuid_fn)sym(dl, "_nss_sshgate_getpwuid_r"))(uid,
		    &pw, buf, size, &err);
	} else {
		((setpwent_fn)sym(dl, "_nss_sshgate_setpwent"))(1);
		st = ((getpwent_fn)sym(dl, "_nss_sshgate_getpwent_r"))(&pw,
		    buf, size, &err);
		((endpwent_fn)sym(dl, "_nss_sshgate_endpwent"))();
	}
	if (errno != ERRNO_SENTINEL) {
		fprintf(stderr, "nss-probe: errno changed to %d\n", errno);
		ret = 4;
	}

	printf("%s ", status_name(st));
	print_errno(err);
	for (i = 0; i < pre; i++) {
		if ((unsigned char)map[i] != FILL_BYTE) {
			fprintf(stderr, "nss-probe: write before the buffer\n");
			ret = 3;
			break;
		}
	}
	if (st == NSS_STATUS_SUCCESS) {
		if (!inside(pw.pw_name, buf, size) ||
		    !inside(pw.pw_passwd, buf, size) ||
		    !inside(pw.pw_gecos, buf, size) ||
		    !inside(pw.pw_dir, buf, size) ||
		    !inside(pw.pw_shell, buf, size)) {
			fprintf(stderr, "nss-probe: field outside the buffer\n");
			ret = 3;
		} else {
			printf("%s:%s:%lu:%lu:%s:%s:%s\n", pw.pw_name,
			    pw.pw_passwd, (unsigned long)pw.pw_uid,
			    (unsigned long)pw.pw_gid, pw.pw_gecos, pw.pw_dir,
			    pw.pw_shell);
		}
	}
	dlclose(dl);
	munmap(map, (npages + 1) * pagesz);
	return ret;
}
