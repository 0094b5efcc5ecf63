/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * Resource limits of a gate session's processes, the last line of
 * defence behind the relay's own bounds (lib/relay.c): whatever a hostile
 * container makes libssh do, one session cannot take the gate's memory,
 * its file descriptors, or leave a core with the internal key in it.
 */
#ifndef SSHGATE_RLIMITS_H
#define SSHGATE_RLIMITS_H

/* Soft and hard: a session cannot raise them again. */
#define GATE_LIMIT_DATA		(128L * 1024 * 1024)	/* RLIMIT_DATA */
#define GATE_LIMIT_NOFILE	64			/* RLIMIT_NOFILE */

/*
 * Sets RLIMIT_CORE 0, RLIMIT_NOFILE GATE_LIMIT_NOFILE and RLIMIT_DATA
 * GATE_LIMIT_DATA (not in a build with AddressSanitizer, whose shadow
 * memory counts as data), never above a lower limit already set. The
 * process and what it execs keep them. 0, or GATE_ERR_SYSTEM if one
 * could not be set (the others are set all the same).
 */
int	gate_limits_apply(void);

#endif /* SSHGATE_RLIMITS_H */
