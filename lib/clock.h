/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * One clock for every deadline, timeout and duration inside a process:
 * CLOCK_MONOTONIC in milliseconds, which neither NTP nor an administrator
 * can step. Its zero is arbitrary (boot): never store it in a file nor
 * compare it between hosts.
 */
#ifndef SSHGATE_CLOCK_H
#define SSHGATE_CLOCK_H

/* Milliseconds on CLOCK_MONOTONIC. */
long long	clock_now_ms(void);

#endif /* SSHGATE_CLOCK_H */
