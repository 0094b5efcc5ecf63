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
#include "prog.h"
#include "session.h"

#define COMMAND_MAX	(64 * 1024)

static void
usage(void)
{
	fprintf(stderr, "usage: gate-shell [-f config] --key-id=K\n"
	    "       gate-shell [-f config] -t | -T\n");
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
	struct logline l;

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
	execv(cfg->sftp_relay, args);
	logline_init(&l, "cannot run sftp-relay");
	logline_str(&l, "path", cfg->sftp_relay);
	logline_str(&l, "error", strerror(errno));
	logline_emit(&l, LOG_ERR);
	session_tell(0, "the gate is misconfigured; please tell the "
	    "platform's operators");
	return GATE_EXIT_CONFIG;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key-id", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct gate_config cfg;
	struct session_req rq;
	struct logline l;
	const char *conf = NULL, *key_id = NULL, *why, *cmd;
	char *command = NULL, msg[256];
	int ch, test = 0, dump = 0, code = GATE_EXIT_CONFIG;

	memset(&cfg, 0, sizeof(cfg));
	if (prog_sanitise_fds() != 0)
		return GATE_EXIT_CONFIG;
	/* every gate session runs as the same uid: no ptrace, no core */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	/* the revocation check's jitter */
	prog_seed_random();
	log_init("gate-shell", LOG_TO_SYSLOG);
	while ((ch = getopt_long(argc, argv, "f:tT", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			conf = optarg;
			break;
		case 'k':
			key_id = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'T':
			dump = 1;
			break;
		default:
			usage();
			goto out;
		}
	}
	if (optind != argc || (!test && !dump && key_id == NULL)) {
		usage();
		goto out;
	}

	/* take what we need from sshd's environment, then drop the rest */
	cmd = getenv("SSH_ORIGINAL_COMMAND");
	if (cmd != NULL && (strlen(cmd) > COMMAND_MAX ||
	    (command = strdup(cmd)) == NULL)) {
		session_tell(0, "command too long");
		goto out;
	}
	if (!test && !dump &&
	    session_req_from_env(&rq, key_id, &why) != 0) {
		logline_init(&l, "session refused");
		logline_str(&l, "reason", why);
		logline_emit(&l, LOG_ERR);
		session_tell(0, why);
		goto out;
	}
	if (clearenv() != 0 || setenv("PATH", "/usr/bin:/bin", 1) != 0)
		goto out;

	switch (prog_config("gate-shell", conf, test, dump, test || dump,
	    &cfg)) {
	case 0:
		break;
	case 1:
		code = 0;
		goto out;
	default:
		if (!test && !dump)
			session_tell(0, "the gate is misconfigured; please "
			    "tell the platform's operators");
		goto out;
	}

	if (command != NULL && strcmp(command, cfg.sftp_subsystem) == 0) {
		code = exec_sftp_relay(&cfg, conf, &rq);
		goto out;
	}
	if (rq.login.node[0] == '\0') {
		if (command != NULL)
			code = menu_command(&cfg, &rq, command);
		else if (rq.tty)
			code = menu_interactive(&cfg, &rq);
		else {
			snprintf(msg, sizeof(msg), "the account menu needs a "
			    "terminal (ssh -t %s@gate); without one, try ssh "
			    "%s@gate list", rq.login.account, rq.login.account);
			session_tell(0, msg);
			code = GATE_EXIT_CONFIG;
		}
		goto out;
	}
	if (command == NULL)
		rq.kind = SESSION_SHELL;
	else {
		rq.kind = SESSION_EXEC;
		rq.command = command;
	}
	code = session_run(&cfg, &rq);
 out:
	free(command);
	conf_free(&cfg);
	return code;
}
