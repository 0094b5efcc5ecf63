/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * gate-shell: the forced command of every gate session.
 *
 *	command="exec /usr/libexec/sshgate/gate-shell --key-id=K"
 *
 * It is also the login shell of gate logins (nss.conf Shell), so that it
 * is the only program sshd can start for them: sshd runs a forced
 * command as "gate-shell -c 'exec GATESHELL --key-id=K'", which is
 * accepted only when it is exactly that line (shell_parse), and every
 * other command, and a login shell, is refused. It has the login in USER
 * and the client's command, if any, in SSH_ORIGINAL_COMMAND. For
 * NODE-ACCOUNT it asks the platform API for the node, connects to the
 * container's sshd with the host key pinned and relays the session; an
 * sftp subsystem request becomes sftp-relay. It never runs a program or a
 * shell on the gate other than sftp-relay.
 */
#include "config.h"

#include <sys/prctl.h>

#include <errno.h>
#include <fcntl.h>
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
#include "rlimits.h"
#include "session.h"

#define COMMAND_MAX	(64 * 1024)
#define FORCED_EXEC	"exec "		/* authkeys-cmd's forced command */
#define FORCED_KEY	" --key-id="
#define AUTH_INFO_MAX	(16 * 1024)	/* sshd's SSH_USER_AUTH file */
#define GO_ON		(-1)	/* a step's "no exit code yet" */

struct args {
	const char *conf;	/* -f, NULL: the default */
	const char *key_id;
	int	test;		/* -t */
	int	dump;		/* -T */
	int	shell;		/* run by sshd as the login shell */
	const char *shell_why;	/* non-NULL: refuse the shell run, why */
	char	shell_path[256];	/* GateShell in the forced command */
	char	auth_info[256];	/* SSH_USER_AUTH, "": none */
};

static void
usage(void)
{
	fprintf(stderr, "usage: gate-shell [-f config] --key-id=K\n"
	    "       gate-shell [-f config] -t | -T\n");
}

/*
 * The -c string of a shell run: exactly authkeys-cmd's forced command,
 * "exec PATH --key-id=K", PATH a command path and K a key id. Anything
 * else sets a->shell_why; PATH is checked against GateShell once the
 * configuration is loaded (shell_check).
 */
static void
shell_parse(const char *s, struct args *a)
{
	const char *path, *sp;
	size_t len;

	a->shell_why = "not the gate's forced command";
	if (strncmp(s, FORCED_EXEC, sizeof(FORCED_EXEC) - 1) != 0)
		return;
	path = s + sizeof(FORCED_EXEC) - 1;
	if ((sp = strchr(path, ' ')) == NULL ||
	    (len = (size_t)(sp - path)) >= sizeof(a->shell_path))
		return;
	memcpy(a->shell_path, path, len);
	a->shell_path[len] = '\0';
	if (!ident_is_command_path(a->shell_path) ||
	    strncmp(sp, FORCED_KEY, sizeof(FORCED_KEY) - 1) != 0 ||
	    !ident_is_key_id(sp + sizeof(FORCED_KEY) - 1))
		return;
	a->key_id = sp + sizeof(FORCED_KEY) - 1;
	a->shell_why = NULL;
}

/*
 * 1 if sshd ran us as the login shell, with a->shell set and the run
 * parsed into *a; else 0. sshd's session.c runs the shell as "-NAME"
 * without arguments for a session without a command, else as
 * "NAME -c COMMAND".
 */
static int
shell_args(int argc, char **argv, struct args *a)
{
	const char *v;

	if (argc >= 1 && argv[0][0] == '-') {
		a->shell = 1;
		a->shell_why = "login shell without the forced command";
		return 1;
	}
	if (argc < 2 || strcmp(argv[1], "-c") != 0)
		return 0;
	a->shell = 1;
	if ((v = getenv("SSH_USER_AUTH")) != NULL &&
	    strlcpy(a->auth_info, v, sizeof(a->auth_info)) >=
	    sizeof(a->auth_info))
		a->auth_info[0] = '\0';
	if (argc == 3)
		shell_parse(argv[2], a);
	else
		a->shell_why = "not the gate's forced command";
	return 1;
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
	if (shell_args(argc, argv, a))
		return GO_ON;
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
	/* a refused shell run still gets the login for its log line */
	if (!a->test && !a->dump &&
	    session_req_from_env(rq, a->key_id, &why) != 0 &&
	    a->shell_why == NULL) {
		memset(&c, 0, sizeof(c));
		c.reason = why;
		return outcome_end(OUTCOME_BAD_REQUEST, &c, "reason=%s", why);
	}
	if (clearenv() != 0 || setenv("PATH", "/usr/bin:/bin", 1) != 0)
		return outcome_end(OUTCOME_ENV, NULL, NULL);
	return GO_ON;
}

/*
 * Reads sshd's ExposeAuthInfo file into buf (NUL-terminated). Returns 0,
 * or -1 if it is missing, unreadable or larger than AUTH_INFO_MAX.
 */
static int
auth_info_read(const char *path, char *buf, size_t bufsz)
{
	size_t have = 0;
	ssize_t n = -1;
	int fd, r = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return -1;
	while (have < bufsz) {
		n = read(fd, buf + have, bufsz - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	if (n == 0 && have < bufsz && memchr(buf, '\0', have) == NULL) {
		buf[have] = '\0';
		r = 0;
	}
	close(fd);
	return r;
}

/*
 * NULL if sshd's ExposeAuthInfo file says that the session was
 * authenticated by plain public keys only ("publickey TYPE BLOB" lines),
 * else why not. For a gate login the only plain keys are authkeys-cmd's
 * lines, and each forces our command with its own key id; a certificate
 * (or any other way in a site's configuration may open) comes without
 * it, and its client could send "exec GATESHELL --key-id=K" itself with
 * a key id of its choosing.
 */
static const char *
shell_auth_check(const char *path)
{
	char buf[AUTH_INFO_MAX + 1], *line, *nl, *type, *blob;
	int n = 0;

	if (path[0] == '\0' || auth_info_read(path, buf, sizeof(buf)) != 0)
		return "no SSH_USER_AUTH (ExposeAuthInfo)";
	for (line = buf; *line != '\0'; line = nl, n++) {
		if ((nl = strchr(line, '\n')) == NULL)
			return "not authenticated by a plain key";
		*nl++ = '\0';
		if (strncmp(line, "publickey ", 10) != 0)
			return "not authenticated by a plain key";
		type = line + 10;
		if ((blob = strchr(type, ' ')) == NULL)
			return "not authenticated by a plain key";
		*blob++ = '\0';
		if (!ident_is_key_type(type) || !ident_is_key_blob(blob))
			return "not authenticated by a plain key";
	}
	return n == 0 ? "not authenticated by a plain key" : NULL;
}

/*
 * A shell run goes on only with the forced command of GateShell itself,
 * in a session authenticated by one of authkeys-cmd's keys; whatever
 * else sshd was made to start for a gate login (a certificate or a
 * principals file without the key line, a client's command) ends here.
 * GO_ON or the exit code.
 */
static int
shell_check(const struct gate_config *cfg, const struct args *a,
    const struct session_req *rq)
{
	const char *why = a->shell_why;

	if (!a->shell)
		return GO_ON;
	if (why == NULL && strcmp(a->shell_path, cfg->gate_shell) != 0)
		why = "not the configured GateShell";
	if (why == NULL)
		why = shell_auth_check(a->auth_info);
	if (why == NULL)
		return GO_ON;
	return outcome_end(OUTCOME_SHELL_REFUSED, NULL, "login=%s reason=%s",
	    rq->login_str[0] != '\0' ? rq->login_str : "-", why);
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
	revoke_explain(cfg, rq, &so);
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

	/* a session's relay process: a fresh image, its fds 3-5 kept */
	if (argc == 2 && strcmp(argv[1], SESSION_RELAY_ARG) == 0)
		session_relay_main();
	memset(&cfg, 0, sizeof(cfg));
	memset(&rq, 0, sizeof(rq));
	if (prog_sanitise_fds() != 0)
		return GATE_EXIT_CONFIG;
	/* every gate session runs as the same uid: no ptrace, no core */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* a bound whatever the container makes libssh do (rlimits.h) */
	(void)gate_limits_apply();
	signal(SIGPIPE, SIG_IGN);
	/* the revocation check's jitter */
	prog_seed_random();
	log_init("gate-shell", LOG_TO_SYSLOG);
	if ((code = parse_args(argc, argv, &a)) == GO_ON &&
	    (code = take_env(&a, &rq, &command)) == GO_ON &&
	    (code = outcome_config("gate-shell", a.conf, a.test, a.dump,
	    &cfg)) == GO_ON &&
	    (code = shell_check(&cfg, &a, &rq)) == GO_ON)
		code = gate_shell(&cfg, a.conf, &rq, command);
	free(command);
	conf_free(&cfg);
	return code;
}
