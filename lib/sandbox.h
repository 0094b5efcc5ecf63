/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The relay process's sandbox (doc/hacking.md, "Privilege separation"):
 * what the code that parses a container's bytes can still do. Applied
 * before the relay connects to the container, sealed once it has logged
 * in, and never undone.
 */
#ifndef SSHGATE_SANDBOX_H
#define SSHGATE_SANDBOX_H

/* Which layers sandbox_apply() put in place (a bit each). */
#define SANDBOX_NO_NEW_PRIVS	0x01
#define SANDBOX_NOT_DUMPABLE	0x02
#define SANDBOX_LANDLOCK	0x04	/* no filesystem, one TCP port */
#define SANDBOX_LANDLOCK_SCOPE	0x08	/* no signals out (ABI 6) */
#define SANDBOX_SECCOMP		0x10

/*
 * Confines the calling process for good: no new privileges, not
 * dumpable (no ptrace, no /proc/PID/mem for the same uid), Landlock with
 * no filesystem access at all and TCP connect to port only (ABI 4; 0:
 * no TCP rule), signals and abstract sockets kept inside (ABI 6), and a
 * seccomp filter: open/openat/openat2/creat/execve fail with EACCES,
 * ptrace, process_vm_readv/writev, io_uring and signals to other
 * processes with EPERM. Fds already open keep working. Every layer the
 * kernel offers is required: returns 0 with *layers set, or
 * GATE_ERR_SYSTEM if one the kernel has could not be applied (*why: the
 * layer). A kernel without Landlock gets the rest (its bit stays clear).
 */
int	sandbox_apply(int port, unsigned int *layers, const char **why);

/*
 * Once logged in: a second seccomp filter, stacked on the first, so
 * that socket, socketpair, connect, bind, listen and accept fail with
 * EACCES; the relay keeps the connections it has and makes no other
 * (not even UDP or a UNIX socket, which Landlock does not cover). 0 or
 * GATE_ERR_SYSTEM.
 */
int	sandbox_seal(void);

/* "no-new-privs,not-dumpable,...": layers for the log, in buf. */
const char *sandbox_layers_str(unsigned int layers, char *buf, size_t len);

#endif /* SSHGATE_SANDBOX_H */
