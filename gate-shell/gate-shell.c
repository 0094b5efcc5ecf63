/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * gate-shell: the forced command of every gate session.
 *
 *	command="exec /usr/libexec/sshgate/gate-shell --key-id=K"
 *
 * sshd runs it (through the login shell, which execs it) with the login
 * in USER and the client's command, if any, in SSH_ORIGINAL_COMMAND. For
 * NODE-ACCOUNT it asks the platform API for the node, connects to the
 * container's sshd with the host key pinned and relays the session; an
 * sftp subsystem request becomes sftp-relay. It never runs a program or a
 * shell on the gate other than sftp-relay.
 */
#include "config.h"

#include <sys/prctl.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "conf.h"
#include "gate_err.h"
#include "ident.h"
#include "log.h"
#include "menu.h"
#include "outcome.h"
#include "prog.h"
#include "revoke.h"
#include "session.h"

#define COMMAND_MAX	(64 * 1024)
#define GO_ON		(-1)	/* a step's "no exit code yet" */

struct args {
	const char *conf;	/* -f, NULL: the default */
	const char *key_id;
	int	test;		/* -t */
	int	dump;		/* -T */
};

static void
usage(void)
{
	fprintf(stderr, "usage: gate-shell [-f config] --key-id=K\n"
	    "       gate-shell [-f config] -t | -T\n");
}

/* GO_ON, or the exit code after usage(). */
static int
parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{ "key-id", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, "f:tT", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			a->conf = optarg;
			break;
		case 'k':
			a->key_id = optarg;
			break;
		case 't':
			a->test = 1;
			break;
		case 'T':
			a->dump = 1;
			break;
		default:
			goto bad;
		}
	}
	if (optind == argc && (a->test || a->dump || a->key_id != NULL))
		return GO_ON;
 bad:
	usage();
	return outcome_end(OUTCOME_USAGE, NULL, NULL);
}

/*
 * Takes what we need from sshd's environment (the command into
 * *command, the caller's to free; the session into *rq), then drops the
 * rest. GO_ON or the exit code.
 */
static int
take_env(const struct args *a, struct session_req *rq, char **command)
{
	struct outcome_ctx c;
	const char *why, *cmd;

	cmd = getenv("SSH_ORIGINAL_COMMAND");
	if (cmd != NULL && (strlen(cmd) > COMMAND_MAX ||
	    (*command = strdup(cmd)) == NULL))
		return outcome_end(OUTCOME_COMMAND_TOO_LONG, NULL, NULL);
	if (!a->test && !a->dump &&
	    session_req_from_env(rq, a->key_id, &why) != 0) {
		memset(&c, 0, sizeof(c));
		c.reason = why;
		return outcome_end(OUTCOME_BAD_REQUEST, &c, "reason=%s", why);
	}
	if (clearenv() != 0 || setenv("PATH", "/usr/bin:/bin", 1) != 0)
		return outcome_end(OUTCOME_ENV, NULL, NULL);
	return GO_ON;
}

/*
 * The sftp subsystem goes to sftp-relay, with the context validated here
 * on its command line. Returns only on failure.
 */
static int
exec_sftp_relay(const struct gate_config *cfg, const char *conf,
    const struct session_req *rq)
{
	char key[32], login[64], client[80], port[32];
	char *args[8];
	int n = 0;

	snprintf(key, sizeof(key), "--key-id=%s", rq->key_id);
	snprintf(login, sizeof(login), "--login=%s", rq->login_str);
	snprintf(client, sizeof(client), "--client=%s", rq->client_addr);
	snprintf(port, sizeof(port), "--client-port=%s", rq->client_port);
	args[n++] = (char *)"sftp-relay";
	if (conf != NULL) {
		args[n++] = (char *)"-f";
		args[n++] = (char *)conf;
	}
	args[n++] = key;
	args[n++] = login;
	args[n++] = client;
	args[n++] = port;
	args[n] = NULL;
	log_verbose("login %s: sftp subsystem, exec %s", rq->login_str,
	    cfg->sftp_relay);
	execv(cfg->sftp_relay, args);
	return outcome_end(OUTCOME_NO_SFTP_RELAY, NULL, "path=%s error=%s",
	    cfg->sftp_relay, strerror(errno));
}

/* An ACCOUNT login: the menu, or one of its commands. */
static int
account_login(const struct gate_config *cfg, const struct session_req *rq,
    const char *command)
{
	struct outcome_ctx c;

	if (command != NULL) {
		log_verbose("login %s: account command", rq->login_str);
		return menu_command(cfg, rq, command);
	}
	if (rq->tty) {
		log_verbose("login %s: account menu", rq->login_str);
		return menu_interactive(cfg, rq);
	}
	memset(&c, 0, sizeof(c));
	c.account = rq->login.account;
	return outcome_end(OUTCOME_MENU_NEEDS_TTY, &c, NULL);
}

/* Chooses the target of the login and goes there; the exit code. */
static int
gate_shell(const struct gate_config *cfg, const char *conf,
    struct session_req *rq, const char *command)
{
	struct session_outcome so;

	if (command != NULL && strcmp(command, cfg->sftp_subsystem) == 0)
		return exec_sftp_relay(cfg, conf, rq);
	if (rq->login.node[0] == '\0')
		return account_login(cfg, rq, command);
	if (command == NULL)
		rq->kind = SESSION_SHELL;
	else {
		rq->kind = SESSION_EXEC;
		rq->command = command;
	}
	session_run(cfg, rq, revoke_check, &so);
	return outcome_session(rq, &so);
}

int
main(int argc, char **argv)
{
	struct gate_config cfg;
	struct session_req rq;
	struct args a;
	char *command = NULL;
	int code;

	memset(&cfg, 0, sizeof(cfg));
	memset(&rq, 0, sizeof(rq));
	if (prog_sanitise_fds() != 0)
		return GATE_EXIT_CONFIG;
	/* every gate session runs as the same uid: no ptrace, no core */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	/* the revocation check's jitter */
	prog_seed_random();
	log_init("gate-shell", LOG_TO_SYSLOG);
	if ((code = parse_args(argc, argv, &a)) == GO_ON &&
	    (code = take_env(&a, &rq, &command)) == GO_ON &&
	    (code = outcome_config("gate-shell", a.conf, a.test, a.dump,
	    &cfg)) == GO_ON)
		code = gate_shell(&cfg, a.conf, &rq, command);
	free(command);
	conf_free(&cfg);
	return code;
}
