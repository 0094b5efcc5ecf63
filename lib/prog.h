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
 * Loads path (NULL: the built-in default), checks the combination of
 * values and applies LogLevel and LogFile. On error errbuf holds one line.
 */
int	prog_load_config(const char *path, struct gate_config *cfg,
	    char *errbuf, size_t errlen);

#endif /* SSHGATE_PROG_H */
