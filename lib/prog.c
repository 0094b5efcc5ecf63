/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "gate_err.h"
#include "log.h"
#include "prog.h"

int
prog_sanitise_fds(void)
{
	int fd;

	for (;;) {
		if ((fd = open("/dev/null", O_RDWR)) == -1)
			return GATE_ERR_SYSTEM;
		if (fd > 2) {
			close(fd);
			return 0;
		}
	}
}

void
prog_seed_random(void)
{
	struct timespec ts;
	unsigned int seed;

	/*
	 * random() without a seed draws the same sequence in every process:
	 * every session would ask the API for its revocation check at the
	 * same moments. The kernel's pool is ready long before sshd runs;
	 * pid and clock are only the fallback for a kernel without it.
	 */
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(seed)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (unsigned int)getpid() * 2654435761U ^
		    (unsigned int)ts.tv_sec ^ (unsigned int)ts.tv_nsec;
	}
	srandom(seed);
}

int
prog_load_config(const char *path, struct gate_config *cfg, char *errbuf,
    size_t errlen)
{
	int r;

	if ((r = conf_defaults(cfg)) != 0) {
		snprintf(errbuf, errlen, "%s", gate_strerror(r));
		return r;
	}
	if ((r = conf_load(cfg, path != NULL ? path : SSHGATE_CONF_FILE,
	    errbuf, errlen)) != 0)
		return r;
	if ((r = conf_validate(cfg, errbuf, errlen)) != 0)
		return r;
	log_set_level(cfg->log_level);
	if (cfg->log_file != NULL && log_set_file(cfg->log_file) == -1) {
		snprintf(errbuf, errlen, "%s: %s", cfg->log_file,
		    strerror(errno));
		return GATE_ERR_CONFIG;
	}
	return 0;
}

int
prog_config(const char *name, const char *path, int test, int dump,
    int loud, struct gate_config *cfg)
{
	char err[CONF_ERRLEN];

	if (prog_load_config(path, cfg, err, sizeof(err)) != 0) {
		log_event(LOG_ERR, "configuration error", "error=%s", err);
		if (loud)
			fprintf(stderr, "%s: %s\n", name, err);
		return -1;
	}
	if (dump)
		conf_dump(cfg, stdout);
	return test || dump ? 1 : 0;
}
