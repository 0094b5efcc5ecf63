/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/resource.h>

#include <errno.h>
#include <string.h>

#include "gate_err.h"
#include "log.h"
#include "rlimits.h"

#if defined(__SANITIZE_ADDRESS__)
#define GATE_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GATE_ASAN	1
#endif
#endif

#ifdef GATE_ASAN
/*
 * The ASan build cannot have RLIMIT_DATA; what bounds its memory instead
 * is its quarantine of freed blocks, 256 MiB by default: kept at 16 MiB,
 * so that a session's memory stays bounded (and is measured, t0408) in
 * that build too. ASAN_OPTIONS, if set, still wins.
 */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}
#endif

/* Lowers resource res to at most max, soft and hard. 0 or -1. */
static int
limit_lower(int res, const char *name, rlim_t max)
{
	struct rlimit rl;

	if (getrlimit(res, &rl) != 0) {
		log_debug("getrlimit %s: %s", name, strerror(errno));
		return -1;
	}
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > max)
		rl.rlim_max = max;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	if (setrlimit(res, &rl) != 0) {
		log_debug("setrlimit %s %llu: %s", name,
		    (unsigned long long)rl.rlim_max, strerror(errno));
		return -1;
	}
	return 0;
}

int
gate_limits_apply(void)
{
	int r = 0;

	r |= limit_lower(RLIMIT_CORE, "RLIMIT_CORE", 0);
	r |= limit_lower(RLIMIT_NOFILE, "RLIMIT_NOFILE", GATE_LIMIT_NOFILE);
#ifndef GATE_ASAN
	r |= limit_lower(RLIMIT_DATA, "RLIMIT_DATA", GATE_LIMIT_DATA);
#endif
	return r != 0 ? GATE_ERR_SYSTEM : 0;
}
