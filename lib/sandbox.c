/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The relay's sandbox, in the order the kernel needs it: no_new_privs
 * (Landlock and an unprivileged seccomp filter require it), not
 * dumpable, Landlock, seccomp. Why each layer: doc/hacking.md,
 * "Privilege separation".
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gate_err.h"
#include "log.h"
#include "sandbox.h"

/*
 * Debian 12's kernel headers stop at Landlock ABI 3; the kernel we run
 * on may offer more. The numbers are the kernel's ABI, fixed for good.
 */
#define LL_FS_ABI1		((1ULL << 13) - 1)	/* EXECUTE..MAKE_SYM */
#define LL_FS_REFER		(1ULL << 13)		/* ABI 2 */
#define LL_FS_TRUNCATE		(1ULL << 14)		/* ABI 3 */
#define LL_FS_IOCTL_DEV		(1ULL << 15)		/* ABI 5 */
#define LL_NET_BIND_TCP		(1ULL << 0)		/* ABI 4 */
#define LL_NET_CONNECT_TCP	(1ULL << 1)
#define LL_RULE_NET_PORT	2
#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)		/* ABI 6 */
#define LL_SCOPE_SIGNAL		(1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6: the kernel reads size. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

#if defined(__x86_64__)
#define SB_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SB_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#endif

#if __BYTE_ORDER == __LITTLE_ENDIAN
#define SB_ARG0_LO	offsetof(struct seccomp_data, args[0])
#else
#define SB_ARG0_LO	(offsetof(struct seccomp_data, args[0]) + 4)
#endif

#define SB_RET(v)	BPF_STMT(BPF_RET | BPF_K, (v))
#define SB_ERRNO(e)	SB_RET(SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))
/* every filter's start: another architecture is killed; load the nr */
#define SB_PROLOGUE \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
	    offsetof(struct seccomp_data, arch)), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SB_AUDIT_ARCH, 1, 0), \
	SB_RET(SECCOMP_RET_KILL_PROCESS), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
	    offsetof(struct seccomp_data, nr))
/* syscall nr fails with e */
#define SB_DENY(nr, e) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), SB_ERRNO(e)
/* syscall nr is allowed only with the first argument (a pid) self */
#define SB_SELF(nr, self, e) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SB_ARG0_LO), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (self), 0, 1), \
	SB_RET(SECCOMP_RET_ALLOW), SB_ERRNO(e)

/*
 * Landlock: no filesystem right at all (no rule grants one), TCP
 * connect to port only and no bind, no signal or abstract socket out of
 * the domain. 0, or -1 with *why set; a kernel without Landlock is 0
 * with no bit set.
 */
static int
sandbox_landlock(int port, unsigned int *layers, const char **why)
{
	struct ll_ruleset_attr ra;
	struct ll_net_port_attr np;
	size_t size = sizeof(ra.handled_access_fs);
	long abi;
	int fd, r = -1;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		log_debug("no Landlock: %s", strerror(errno));
		return 0;
	}
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = LL_FS_ABI1;
	if (abi >= 2)
		ra.handled_access_fs |= LL_FS_REFER;
	if (abi >= 3)
		ra.handled_access_fs |= LL_FS_TRUNCATE;
	if (abi >= 4) {
		ra.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 5)
		ra.handled_access_fs |= LL_FS_IOCTL_DEV;
	if (abi >= 6) {
		ra.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		size = sizeof(ra);
	}
	*why = "landlock";
	if ((fd = (int)syscall(SYS_landlock_create_ruleset, &ra, size,
	    0)) == -1)
		return -1;
	memset(&np, 0, sizeof(np));
	np.allowed_access = LL_NET_CONNECT_TCP;
	np.port = (uint64_t)port;
	if (abi >= 4 && port > 0 && syscall(SYS_landlock_add_rule, fd,
	    LL_RULE_NET_PORT, &np, 0) == -1)
		goto out;
	if (syscall(SYS_landlock_restrict_self, fd, 0) == -1)
		goto out;
	*layers |= SANDBOX_LANDLOCK;
	if (abi >= 6)
		*layers |= SANDBOX_LANDLOCK_SCOPE;
	log_debug("Landlock ABI %ld: no filesystem, TCP connect to port %d "
	    "only%s", abi, port, abi >= 6 ? ", no signal out" : "");
	r = 0;
 out:
	close(fd);
	return r;
}

#ifdef SB_AUDIT_ARCH
/*
 * A deny list, not an allow list: libssh, OpenSSL, the libc and the
 * sanitizers keep every call they make in a relay, and what the relay
 * must never do again fails with an errno its callers handle.
 */
static int
sandbox_seccomp(unsigned int *layers)
{
	uint32_t self = (uint32_t)getpid();
	struct sock_filter f[] = {
		SB_PROLOGUE,
#ifdef __x86_64__
		/* the x32 ABI's numbers would pass every test below */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
		SB_ERRNO(EACCES),
		SB_DENY(SYS_open, EACCES),
		SB_DENY(SYS_creat, EACCES),
#endif
		SB_DENY(SYS_openat, EACCES),
		SB_DENY(SYS_openat2, EACCES),
		SB_DENY(SYS_open_by_handle_at, EACCES),
		SB_DENY(SYS_execve, EACCES),
		SB_DENY(SYS_execveat, EACCES),
		SB_DENY(SYS_ptrace, EPERM),
		SB_DENY(SYS_process_vm_readv, EPERM),
		SB_DENY(SYS_process_vm_writev, EPERM),
		SB_DENY(SYS_pidfd_open, EPERM),
		SB_DENY(SYS_pidfd_getfd, EPERM),
		SB_DENY(SYS_pidfd_send_signal, EPERM),
		SB_DENY(SYS_kcmp, EPERM),
		/* io_uring does its open and connect past this filter */
		SB_DENY(SYS_io_uring_setup, EPERM),
		SB_DENY(SYS_io_uring_enter, EPERM),
		SB_DENY(SYS_io_uring_register, EPERM),
		SB_DENY(SYS_tkill, EPERM),
		SB_SELF(SYS_kill, self, EPERM),
		SB_SELF(SYS_tgkill, self, EPERM),
		SB_SELF(SYS_rt_sigqueueinfo, self, EPERM),
		SB_SELF(SYS_rt_tgsigqueueinfo, self, EPERM),
		SB_RET(SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof(f) / sizeof(f[0])),
		.filter = f,
	};

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == -1)
		return -1;
	*layers |= SANDBOX_SECCOMP;
	return 0;
}
#else
static int
sandbox_seccomp(unsigned int *layers)
{
	log_debug("no seccomp filter for this architecture");
	return 0;
}
#endif

#ifdef SB_AUDIT_ARCH
int
sandbox_seal(void)
{
	struct sock_filter f[] = {
		SB_PROLOGUE,
		SB_DENY(SYS_socket, EACCES),
		SB_DENY(SYS_socketpair, EACCES),
		SB_DENY(SYS_connect, EACCES),
		SB_DENY(SYS_bind, EACCES),
		SB_DENY(SYS_listen, EACCES),
		SB_DENY(SYS_accept, EACCES),
		SB_DENY(SYS_accept4, EACCES),
		SB_RET(SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof(f) / sizeof(f[0])),
		.filter = f,
	};

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == -1)
		return GATE_ERR_SYSTEM;
	return 0;
}
#else
int
sandbox_seal(void)
{
	return 0;
}
#endif

int
sandbox_apply(int port, unsigned int *layers, const char **why)
{
	*layers = 0;
	*why = "no_new_privs";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return GATE_ERR_SYSTEM;
	*layers |= SANDBOX_NO_NEW_PRIVS;
	*why = "dumpable";
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return GATE_ERR_SYSTEM;
	*layers |= SANDBOX_NOT_DUMPABLE;
	if (sandbox_landlock(port, layers, why) != 0)
		return GATE_ERR_SYSTEM;
	*why = "seccomp";
	if (sandbox_seccomp(layers) != 0)
		return GATE_ERR_SYSTEM;
	*why = NULL;
	return 0;
}

const char *
sandbox_layers_str(unsigned int layers, char *buf, size_t len)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{ SANDBOX_NO_NEW_PRIVS, "no-new-privs" },
		{ SANDBOX_NOT_DUMPABLE, "not-dumpable" },
		{ SANDBOX_LANDLOCK, "landlock" },
		{ SANDBOX_LANDLOCK_SCOPE, "landlock-scope" },
		{ SANDBOX_SECCOMP, "seccomp" },
	};
	size_t i, off = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(layers & names[i].bit))
			continue;
		w = snprintf(buf + off, len - off, "%s%s", off ? "," : "",
		    names[i].name);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	return off > 0 ? buf : "none";
}
