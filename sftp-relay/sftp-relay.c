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

#include "clock.h"
#include "compat.h"
#include "conf.h"
#include "gate_err.h"
#include "ident.h"
#include "log.h"
#include "outcome.h"
#include "prog.h"
#include "revoke.h"
#include "session.h"

#define GO_ON		(-1)	/* a step's "no exit code yet" */

struct args {
	const char *conf;	/* -f, NULL: the default */
	const char *key_id;
	const char *login;
	const char *client;
	const char *port;
	int	test;		/* -t */
	int	dump;		/* -T */
};

static void
usage(void)
{
	fprintf(stderr, "usage: sftp-relay [-f config] --key-id=K "
	    "--login=LOGIN [--client=ADDR --client-port=PORT]\n"
	    "       sftp-relay [-f config] -t | -T\n");
}

/* GO_ON, or the exit code after usage(). */
static int
parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{ "key-id", required_argument, NULL, 'k' },
		{ "login", required_argument, NULL, 'l' },
		{ "client", required_argument, NULL, 'c' },
		{ "client-port", required_argument, NULL, 'p' },
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
		case 'l':
			a->login = optarg;
			break;
		case 'c':
			a->client = optarg;
			break;
		case 'p':
			a->port = optarg;
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
	if (optind == argc && (a->test || a->dump ||
	    (a->key_id != NULL && a->login != NULL)))
		return GO_ON;
 bad:
	usage();
	return outcome_end(OUTCOME_USAGE, NULL, NULL);
}

/*
 * The session gate-shell asked for, checked again: argv is only as good
 * as its caller. GO_ON or the exit code.
 */
static int
request_from_args(const struct args *a, struct session_req *rq)
{
	if (ident_login_parse(a->login, &rq->login) != 0 ||
	    !ident_is_key_id(a->key_id))
		return outcome_end(OUTCOME_SFTP_BAD_ARGS, NULL, NULL);
	strlcpy(rq->login_str, a->login, sizeof(rq->login_str));
	strlcpy(rq->key_id, a->key_id, sizeof(rq->key_id));
	strlcpy(rq->client_addr, a->client != NULL &&
	    ident_is_address(a->client) ? a->client : "-",
	    sizeof(rq->client_addr));
	strlcpy(rq->client_port, a->port != NULL &&
	    ident_is_port(a->port) ? a->port : "-",
	    sizeof(rq->client_port));
	rq->kind = SESSION_SFTP;
	return GO_ON;
}

/* Relays the sftp subsystem to the login's container; the exit code. */
static int
sftp_relay(const struct gate_config *cfg, const struct args *a)
{
	struct session_req rq;
	struct session_outcome so;
	int code;

	memset(&rq, 0, sizeof(rq));
	if ((code = request_from_args(a, &rq)) != GO_ON)
		return code;
	rq.started_ms = clock_now_ms();	/* MaxSessionTime: from the login */
	if (rq.login.node[0] == '\0')
		return outcome_end(OUTCOME_SFTP_ACCOUNT, NULL,
		    "login=%s key_id=%s client=%s kind=%s reason=%s code=%d",
		    rq.login_str, rq.key_id, rq.client_addr,
		    session_kind_name(rq.kind), "sftp on an account login",
		    outcome_code(OUTCOME_SFTP_ACCOUNT));
	session_run(cfg, &rq, revoke_check, &so);
	revoke_explain(cfg, &rq, &so);
	return outcome_session(&rq, &so);
}

int
main(int argc, char **argv)
{
	struct gate_config cfg;
	struct args a;
	int code;

	/* a session's relay process: a fresh image, its fds 3-5 kept */
	if (argc == 2 && strcmp(argv[1], SESSION_RELAY_ARG) == 0)
		session_relay_main();
	memset(&cfg, 0, sizeof(cfg));
	if (prog_sanitise_fds() != 0)
		return GATE_EXIT_CONFIG;
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	/* the revocation check's jitter */
	prog_seed_random();
	log_init("sftp-relay", LOG_TO_SYSLOG);
	if ((code = parse_args(argc, argv, &a)) != GO_ON)
		return code;
	if (clearenv() != 0 || setenv("PATH", "/usr/bin:/bin", 1) != 0)
		return outcome_end(OUTCOME_ENV, NULL, NULL);
	if ((code = outcome_config("sftp-relay", a.conf, a.test, a.dump,
	    &cfg)) == GO_ON)
		code = sftp_relay(&cfg, &a);
	conf_free(&cfg);
	return code;
}
