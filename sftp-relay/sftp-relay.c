/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * sftp-relay: relays the sftp subsystem of a gate session to the
 * container's sftp subsystem, without parsing SFTP.
 *
 * gate-shell execs it when SSH_ORIGINAL_COMMAND is sshd's sftp Subsystem
 * line, with the context it has already validated; sftp-relay checks it
 * again all the same, since argv is only as good as its caller.
 */
#include "config.h"

#include <sys/prctl.h>

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
#include "prog.h"
#include "session.h"

static void
usage(void)
{
	fprintf(stderr, "usage: sftp-relay [-f config] --key-id=K "
	    "--login=LOGIN [--client=ADDR --client-port=PORT]\n"
	    "       sftp-relay [-f config] -t | -T\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key-id", required_argument, NULL, 'k' },
		{ "login", required_argument, NULL, 'l' },
		{ "client", required_argument, NULL, 'c' },
		{ "client-port", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct gate_config cfg;
	struct session_req rq;
	struct logline l;
	const char *conf = NULL, *key_id = NULL, *login = NULL;
	const char *client = NULL, *port = NULL;
	int ch, test = 0, dump = 0, code = GATE_EXIT_CONFIG;

	memset(&cfg, 0, sizeof(cfg));
	memset(&rq, 0, sizeof(rq));
	if (prog_sanitise_fds() != 0)
		return GATE_EXIT_CONFIG;
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	/* the revocation check's jitter */
	prog_seed_random();
	log_init("sftp-relay", LOG_TO_SYSLOG);
	while ((ch = getopt_long(argc, argv, "f:tT", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			conf = optarg;
			break;
		case 'k':
			key_id = optarg;
			break;
		case 'l':
			login = optarg;
			break;
		case 'c':
			client = optarg;
			break;
		case 'p':
			port = optarg;
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
	if (optind != argc || (!test && !dump &&
	    (key_id == NULL || login == NULL))) {
		usage();
		goto out;
	}
	if (clearenv() != 0 || setenv("PATH", "/usr/bin:/bin", 1) != 0)
		goto out;
	switch (prog_config("sftp-relay", conf, test, dump, test || dump,
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

	if (ident_login_parse(login, &rq.login) != 0 ||
	    !ident_is_key_id(key_id)) {
		session_tell(0, "invalid login or key id");
		goto out;
	}
	strlcpy(rq.login_str, login, sizeof(rq.login_str));
	strlcpy(rq.key_id, key_id, sizeof(rq.key_id));
	strlcpy(rq.client_addr, client != NULL &&
	    ident_is_address(client) ? client : "-",
	    sizeof(rq.client_addr));
	strlcpy(rq.client_port, port != NULL &&
	    ident_is_port(port) ? port : "-",
	    sizeof(rq.client_port));
	rq.kind = SESSION_SFTP;
	if (rq.login.node[0] == '\0') {
		logline_init(&l, "session refused");
		logline_str(&l, "login", rq.login_str);
		logline_str(&l, "key_id", rq.key_id);
		logline_str(&l, "client", rq.client_addr);
		logline_str(&l, "kind", "sftp");
		logline_str(&l, "reason", "sftp on an account login");
		logline_int(&l, "code", GATE_EXIT_NO_TARGET);
		logline_emit(&l, LOG_WARNING);
		session_tell(0, "sftp needs a container: use NODE-ACCOUNT as "
		    "the login (for example sftp 1234-ACCOUNT@gate)");
		code = GATE_EXIT_NO_TARGET;
		goto out;
	}
	code = session_run(&cfg, &rq);
 out:
	conf_free(&cfg);
	return code;
}
