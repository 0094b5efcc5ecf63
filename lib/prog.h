/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * What every sshgate program does before its real work.
 */
#ifndef SSHGATE_PROG_H
#define SSHGATE_PROG_H

#include "conf.h"

/*
 * Makes sure fds 0, 1 and 2 are open (on /dev/null if they were closed),
 * so that no file we open later becomes someone's stdout. 0 or
 * GATE_ERR_SYSTEM.
 */
int	prog_sanitise_fds(void);

/*
 * Seeds random() for this process from getrandom(2) (pid and clock if
 * that fails), so that two sessions draw different jitter.
 */
void	prog_seed_random(void);

/*
 * Loads path (NULL: the built-in default), checks the combination of
 * values and applies LogLevel and LogFile. On error errbuf holds one line.
 */
int	prog_load_config(const char *path, struct gate_config *cfg,
	    char *errbuf, size_t errlen);

/*
 * The config step of every program's main(): loads path (NULL: the
 * default) and, with dump, prints the effective config. Returns 0 to go
 * on, 1 when test or dump is done (exit 0), or -1 on error: logged, and
 * printed as "name: file:line: what" on stderr when loud.
 */
int	prog_config(const char *name, const char *path, int test, int dump,
	    int loud, struct gate_config *cfg);

#endif /* SSHGATE_PROG_H */
