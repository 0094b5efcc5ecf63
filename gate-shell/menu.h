/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * ACCOUNT logins: the interactive menu of environments and containers,
 * and the commands list, list --json and help.
 */
#ifndef SSHGATE_MENU_H
#define SSHGATE_MENU_H

#include "conf.h"
#include "session.h"

/* Runs one of the account commands; returns the exit code. */
int	menu_command(const struct gate_config *cfg,
	    const struct session_req *rq, const char *command);

/* The menu on the client's terminal; returns the exit code. */
int	menu_interactive(const struct gate_config *cfg,
	    const struct session_req *rq);

#endif /* SSHGATE_MENU_H */
