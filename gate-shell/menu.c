/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The account menu. Every string from the API goes through termsafe()
 * before it is printed; JSON output is ASCII-only with escapes.
 */
#include "config.h"

#include <sys/ioctl.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "api.h"
#include "clock.h"
#include "compat.h"
#include "gate_err.h"
#include "ident.h"
#include "log.h"
#include "menu.h"
#include "outcome.h"
#include "revoke.h"
#include "session.h"
#include "termsafe.h"

#define NAME_COLS	24
#define LINE_MAX_IN	256

/*
 * What a container session may have left on the terminal, undone before
 * the menu is drawn again: the alternate screen, mouse reporting (X10,
 * normal, button, any-event; UTF-8, SGR, urxvt and SGR-pixel encodings),
 * focus events, bracketed paste, a hidden cursor, application cursor
 * keys and keypad, a scrolling region, another character set, autowrap
 * off, attributes; the title becomes the menu's (set below).
 */
#define MENU_TERM_RESET \
	"\033[?1049l\033[?1047l\033[?47l" \
	"\033[?9l\033[?1000l\033[?1002l\033[?1003l" \
	"\033[?1005l\033[?1006l\033[?1015l\033[?1016l" \
	"\033[?1004l\033[?2004l\033[?25h\033[?1l\033>" \
	"\033[r\033(B\017\033[?7h\033[0m"

static volatile sig_atomic_t menu_winch;

static void
on_winch(int sig)
{
	(void)sig;
	menu_winch = 1;
}

/* Prints s sanitized, padded with spaces to cols columns. */
static void
put_col(FILE *f, const char *s, size_t cols)
{
	char buf[NAME_COLS * 4 + 16];
	size_t used;

	used = termsafe(buf, sizeof(buf), s, cols);
	fputs(buf, f);
	for (; used < cols; used++)
		fputc(' ', f);
}

/* How many nodes a listing holds, for the audit line. */
static size_t
count_nodes(const struct api_envlist *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->nenvs; i++)
		n += l->envs[i].nnodes;
	return n;
}

/*
 * The account's environments into *out (the caller's). what says who
 * asked ("list", "list --json", "menu", "refresh") for the audit line
 * every listing gets. OUTCOME_OK or the row of the failure, logged.
 */
static enum outcome
fetch(const struct gate_config *cfg, const struct session_req *rq,
    const char *what, struct api_envlist **out)
{
	struct api_client *api = NULL;
	enum outcome o = OUTCOME_OK;
	char detail[LOG_VALUE_MAX + 1];
	int r;

	*out = NULL;
	if ((r = api_client_new(cfg, &api)) != 0) {
		o = outcome_of_listing(1, r);
		goto out;
	}
	if ((r = api_environments(api, rq->login.account, rq->key_id,
	    out)) != 0) {
		o = outcome_of_listing(0, r);
		/* the API's detail first: the key status call replaces it */
		strlcpy(detail, api_client_detail(api), sizeof(detail));
		if (o == OUTCOME_LIST_NOTHING &&
		    revoke_key_revoked(api, rq->key_id))
			o = OUTCOME_LIST_REVOKED;
		outcome_log(o, "login=%s key_id=%s client=%s client_port=%s "
		    "listing=%s error=%s api_detail=%s reason?=%s",
		    rq->login_str, rq->key_id, rq->client_addr,
		    rq->client_port, what, gate_errname(r), detail,
		    o == OUTCOME_LIST_REVOKED ? "key revoked" : "");
		goto out;
	}
	log_event(LOG_INFO, "account listed", "login=%s key_id=%s client=%s "
	    "client_port=%s listing=%s environments=%zu nodes=%zu",
	    rq->login_str, rq->key_id, rq->client_addr, rq->client_port,
	    what, (*out)->nenvs, count_nodes(*out));
 out:
	api_client_free(api);
	return o;
}

static void
print_help(FILE *f, const char *account)
{
	fprintf(f,
	    "sshgate: account %s\n"
	    "  ssh %s@gate              the menu of environments and "
	    "containers (needs a terminal)\n"
	    "  ssh %s@gate list         the containers as a table\n"
	    "  ssh %s@gate list --json  the same as JSON\n"
	    "  ssh %s@gate help         this text\n"
	    "  ssh NODE-%s@gate [cmd]   a shell or a command in container "
	    "NODE\n"
	    "  sftp NODE-%s@gate        the files of container NODE\n",
	    account, account, account, account, account, account, account);
}

static void
print_table(FILE *f, const struct api_envlist *l)
{
	const struct api_env *e;
	const struct api_node *n;
	size_t i, j, total = 0;
	char login[IDENT_LOGIN_MAX + 1];

	for (i = 0; i < l->nenvs; i++)
		total += l->envs[i].nnodes;
	fprintf(f, "account %s: %zu environment%s, %zu container%s\n",
	    l->account, l->nenvs, l->nenvs == 1 ? "" : "s", total,
	    total == 1 ? "" : "s");
	for (i = 0; i < l->nenvs; i++) {
		e = &l->envs[i];
		fprintf(f, "\n%s  ", e->name);
		put_col(f, e->display_name, NAME_COLS);
		fprintf(f, "  %s\n", e->status);
		if (e->nnodes == 0) {
			fprintf(f, "  (no containers)\n");
			continue;
		}
		fprintf(f, "  %-10s  %-*s  %-8s  %-8s  %-15s  %s\n", "NODE",
		    NAME_COLS, "NAME", "ROLE", "STATUS", "ADDRESS", "LOGIN");
		for (j = 0; j < e->nnodes; j++) {
			n = &e->nodes[j];
			snprintf(login, sizeof(login), "%s-%s", n->id,
			    l->account);
			fprintf(f, "  %-10s  ", n->id);
			put_col(f, n->name, NAME_COLS);
			fprintf(f, "  %-8s  %-8s  %-15s  %s\n", n->role,
			    n->status, n->address, login);
		}
	}
}

static int
print_json(FILE *f, const struct api_envlist *l)
{
	json_t *root = NULL, *envs, *env, *nodes, *node;
	char login[IDENT_LOGIN_MAX + 1];
	size_t i, j;
	int r = GATE_ERR_ALLOC;

	if ((root = json_object()) == NULL || (envs = json_array()) == NULL ||
	    json_object_set_new(root, "account",
	    json_string(l->account)) != 0 ||
	    json_object_set_new(root, "environments", envs) != 0)
		goto out;
	for (i = 0; i < l->nenvs; i++) {
		if ((env = json_object()) == NULL ||
		    json_array_append_new(envs, env) != 0 ||
		    (nodes = json_array()) == NULL ||
		    json_object_set_new(env, "name",
		    json_string(l->envs[i].name)) != 0 ||
		    json_object_set_new(env, "display_name",
		    json_string(l->envs[i].display_name)) != 0 ||
		    json_object_set_new(env, "status",
		    json_string(l->envs[i].status)) != 0 ||
		    json_object_set_new(env, "nodes", nodes) != 0)
			goto out;
		for (j = 0; j < l->envs[i].nnodes; j++) {
			const struct api_node *n = &l->envs[i].nodes[j];

			snprintf(login, sizeof(login), "%s-%s", n->id,
			    l->account);
			if ((node = json_object()) == NULL ||
			    json_array_append_new(nodes, node) != 0 ||
			    json_object_set_new(node, "id",
			    json_string(n->id)) != 0 ||
			    json_object_set_new(node, "name",
			    json_string(n->name)) != 0 ||
			    json_object_set_new(node, "role",
			    json_string(n->role)) != 0 ||
			    json_object_set_new(node, "status",
			    json_string(n->status)) != 0 ||
			    json_object_set_new(node, "address",
			    json_string(n->address)) != 0 ||
			    json_object_set_new(node, "login",
			    json_string(login)) != 0)
				goto out;
		}
	}
	/* ASCII only: names reach the terminal as \u escapes */
	if (json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII) != 0)
		goto out;
	fputc('\n', f);
	r = 0;
 out:
	json_decref(root);
	return r;
}

int
menu_command(const struct gate_config *cfg, const struct session_req *rq,
    const char *command)
{
	struct api_envlist *l = NULL;
	struct outcome_ctx c;
	enum outcome o;

	memset(&c, 0, sizeof(c));
	c.account = rq->login.account;
	if (strcmp(command, "help") == 0) {
		print_help(stdout, rq->login.account);
		return outcome_code(OUTCOME_OK);
	}
	if (strcmp(command, "list") != 0 && strcmp(command, "list --json") != 0)
		return outcome_end(OUTCOME_MENU_BAD_COMMAND, &c, NULL);
	/* fetch() has logged a failure: no second audit line */
	if ((o = fetch(cfg, rq, command, &l)) != OUTCOME_OK)
		return outcome_end(o, &c, NULL);
	termsafe_init();
	if (strcmp(command, "list") == 0)
		print_table(stdout, l);
	else if (print_json(stdout, l) != 0)
		o = OUTCOME_LIST_JSON;
	api_envlist_free(l);
	if (fflush(stdout) != 0)
		o = OUTCOME_LIST_WRITE;
	return outcome_end(o, &c, NULL);
}

/* ---- the interactive menu ---- */

struct item {
	const struct api_env	*env;	/* environment screen */
	const struct api_node	*node;	/* node screen */
};

struct menu {
	const struct gate_config *cfg;
	const struct session_req *rq;
	struct api_envlist *list;
	const struct api_env *env;	/* NULL: the environment screen */
	char	 filter[64];
	char	 msg[320];
	size_t	 page;
	struct item *items;
	size_t	 nitems;
	int	 listed;	/* a listing was asked for before */
	long long listed_at;	/* clock_now_ms() of the last listing */
	long long input_at;	/* of the last input read (a line) */
	int	 code;		/* the exit code once the menu ends */
};

/* How read_line() ended. */
enum menu_read {
	MENU_READ_LINE = 0,
	MENU_READ_GONE,		/* the client went away */
	MENU_READ_IDLE,		/* IdleTimeout */
	MENU_READ_MAX_TIME,	/* MaxSessionTime */
};

static void
term_size(int *rows, int *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* Case-insensitive ASCII substring: names are matched as the API sent them. */
static int
matches(const char *name, const char *filter)
{
	size_t n = strlen(filter), i;

	if (n == 0)
		return 1;
	for (i = 0; name[i] != '\0'; i++)
		if (strncasecmp(name + i, filter, n) == 0)
			return 1;
	return 0;
}

static void
build_items(struct menu *m)
{
	size_t i, n = 0;

	m->nitems = 0;
	free(m->items);
	m->items = NULL;
	if (m->list == NULL)
		return;
	if (m->env == NULL) {
		if (m->list->nenvs == 0 ||
		    (m->items = calloc(m->list->nenvs, sizeof(*m->items))) ==
		    NULL)
			return;
		for (i = 0; i < m->list->nenvs; i++)
			if (matches(m->list->envs[i].name, m->filter) ||
			    matches(m->list->envs[i].display_name, m->filter))
				m->items[n++].env = &m->list->envs[i];
	} else {
		if (m->env->nnodes == 0 ||
		    (m->items = calloc(m->env->nnodes, sizeof(*m->items))) ==
		    NULL)
			return;
		for (i = 0; i < m->env->nnodes; i++)
			if (matches(m->env->nodes[i].name, m->filter))
				m->items[n++].node = &m->env->nodes[i];
	}
	m->nitems = n;
}

static void
draw(struct menu *m)
{
	char title[128], buf[512];
	size_t per_page, pages, i, first;
	int rows, cols, namecols;

	term_size(&rows, &cols);
	per_page = rows > 8 ? (size_t)rows - 7 : 1;
	pages = m->nitems == 0 ? 1 : (m->nitems + per_page - 1) / per_page;
	if (m->page >= pages)
		m->page = pages - 1;
	namecols = cols > 60 ? cols - 50 : 10;
	if (namecols > 40)
		namecols = 40;

	/* home, clear; the pty is cooked so \n is fine */
	fputs("\033[H\033[2J", stdout);
	if (m->env == NULL)
		snprintf(title, sizeof(title), "sshgate - account %s - "
		    "environments", m->rq->login.account);
	else
		snprintf(title, sizeof(title), "sshgate - account %s - "
		    "environment %s", m->rq->login.account, m->env->name);
	termsafe(buf, sizeof(buf), title, (size_t)cols - 1);
	printf("%s\n", buf);
	if (m->filter[0] != '\0') {
		termsafe(buf, sizeof(buf), m->filter, 30);
		printf("filter: %s (Enter on an empty line clears it)\n", buf);
	} else
		printf("\n");

	first = m->page * per_page;
	for (i = first; i < m->nitems && i < first + per_page; i++) {
		printf("%4zu) ", i + 1);
		if (m->env == NULL) {
			const struct api_env *e = m->items[i].env;

			put_col(stdout, e->name, 20);
			fputs(" ", stdout);
			put_col(stdout, e->display_name, (size_t)namecols - 10);
			printf(" %-8s %zu container%s\n", e->status, e->nnodes,
			    e->nnodes == 1 ? "" : "s");
		} else {
			const struct api_node *n = m->items[i].node;

			put_col(stdout, n->name, (size_t)namecols);
			printf(" %-10s %-8s %-8s %s\n", n->id, n->role,
			    n->status, n->address);
		}
	}
	if (m->nitems == 0)
		printf("      %s\n", m->list == NULL ? "(nothing loaded)" :
		    m->filter[0] != '\0' ? "(nothing matches the filter)" :
		    m->env == NULL ? "(no environments)" : "(no containers)");
	for (; i < first + per_page; i++)
		printf("\n");
	if (pages > 1)
		printf("page %zu/%zu (n next, p previous)\n", m->page + 1, pages);
	else
		printf("\n");
	printf("%s\n", m->msg);
	printf("number: %s   text: filter   r: refresh   0 or q: %s\n",
	    m->env == NULL ? "open" : "connect", m->env == NULL ? "quit" :
	    "back");
	printf("> ");
	fflush(stdout);
}

/*
 * Whether a listing may be asked for now: at most one every
 * MenuRefreshInterval, so that a key held down (or a script) cannot
 * drive API calls without bound. Says so in the message line if not.
 */
static int
refresh_allowed(struct menu *m)
{
	long long ago = clock_now_ms() - m->listed_at;
	long every = m->cfg->menu_refresh_interval;

	if (!m->listed || every <= 0 || ago >= every)
		return 1;
	snprintf(m->msg, sizeof(m->msg), "listed %lld.%llds ago; the list "
	    "is refreshed at most every %ld.%lds", ago / 1000,
	    ago % 1000 / 100, every / 1000, every % 1000 / 100);
	log_debug("refresh refused: %lld ms since the last listing", ago);
	return 0;
}

static void
refresh(struct menu *m)
{
	char name[IDENT_ENV_MAX + 1] = "", err[256];
	struct outcome_ctx c;
	enum outcome o;
	size_t i;

	if (!refresh_allowed(m))
		return;
	if (m->env != NULL)
		strlcpy(name, m->env->name, sizeof(name));
	api_envlist_free(m->list);
	m->list = NULL;
	m->env = NULL;
	o = fetch(m->cfg, m->rq, m->listed ? "refresh" : "menu", &m->list);
	m->listed = 1;
	m->listed_at = clock_now_ms();
	if (o != OUTCOME_OK) {
		memset(&c, 0, sizeof(c));
		c.account = m->rq->login.account;
		outcome_line(o, &c, err, sizeof(err));
		snprintf(m->msg, sizeof(m->msg), "%s (r retries)", err);
		build_items(m);
		return;
	}
	/* stay in the environment the user was looking at */
	for (i = 0; name[0] != '\0' && i < m->list->nenvs; i++)
		if (strcmp(m->list->envs[i].name, name) == 0)
			m->env = &m->list->envs[i];
	build_items(m);
}

/*
 * Puts the terminal back as the menu needs it, whatever the container's
 * program left (MENU_TERM_RESET), with the menu's own title.
 */
static void
term_reset(const struct menu *m)
{
	fputs(MENU_TERM_RESET, stdout);
	/* the account is digits (ident_login_parse()) */
	printf("\033]2;sshgate - account %s\007", m->rq->login.account);
	fflush(stdout);
}

/* Connects to n; 1 if the session's end ends the menu too. */
static int
enter_node(struct menu *m, const struct api_node *n)
{
	struct session_req sub;
	struct session_outcome so;
	char name[NAME_COLS * 4 + 16], id[IDENT_ID_MAX + 1];
	enum outcome o;
	int code;

	termsafe(name, sizeof(name), n->name, NAME_COLS);
	if (strcmp(n->status, "running") != 0) {
		snprintf(m->msg, sizeof(m->msg), "container %s (%s) is %s; it "
		    "cannot be entered", n->id, name, n->status);
		return 0;
	}
	sub = *m->rq;
	strlcpy(sub.login.node, n->id, sizeof(sub.login.node));
	snprintf(sub.login_str, sizeof(sub.login_str), "%s-%s", n->id,
	    m->rq->login.account);
	sub.kind = SESSION_SHELL;
	sub.command = NULL;
	log_event(LOG_INFO, "menu connection", "login=%s key_id=%s client=%s "
	    "client_port=%s node=%s", m->rq->login_str, m->rq->key_id,
	    m->rq->client_addr, m->rq->client_port, n->id);
	printf("\nconnecting to container %s (%s)...\n", n->id, name);
	fflush(stdout);
	/* refresh() frees n */
	strlcpy(id, n->id, sizeof(id));
	session_run(m->cfg, &sub, revoke_check, &so);
	revoke_explain(m->cfg, &sub, &so);
	term_reset(m);
	/* the session's own idle time was the relay's to judge */
	m->input_at = clock_now_ms();
	code = outcome_session(&sub, &so);
	o = outcome_of_session(&so);
	/* the limits are the login's: the menu ends with the session */
	if (o == OUTCOME_S_IDLE || o == OUTCOME_S_MAX_TIME) {
		m->code = code;
		return 1;
	}
	refresh(m);
	snprintf(m->msg, sizeof(m->msg), "session with container %s ended "
	    "(exit %d)", id, code);
	return 0;
}

static int
is_number(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9' || i >= 6)
			return 0;
	return i > 0;
}

/*
 * How long to wait for input (ms; -1: no limit), and which limit comes
 * first then: IdleTimeout from the last byte typed, MaxSessionTime from
 * the login.
 */
static long long
menu_wait(const struct menu *m, enum menu_read *which)
{
	long long now = clock_now_ms(), idle_at = 0, end_at = 0, at;

	if (m->cfg->idle_timeout > 0)
		idle_at = m->input_at + m->cfg->idle_timeout;
	if (m->cfg->max_session_time > 0)
		end_at = m->rq->started_ms + m->cfg->max_session_time;
	if (idle_at == 0 && end_at == 0)
		return -1;
	if (end_at != 0 && (idle_at == 0 || end_at <= idle_at)) {
		*which = MENU_READ_MAX_TIME;
		at = end_at;
	} else {
		*which = MENU_READ_IDLE;
		at = idle_at;
	}
	return at > now ? at - now : 0;
}

/* Waits for input within the limits; MENU_READ_LINE: there is some. */
static enum menu_read
wait_input(struct menu *m)
{
	enum menu_read which = MENU_READ_LINE;
	struct pollfd p;
	long long wait;
	int r;

	for (;;) {
		menu_winch = 0;
		wait = menu_wait(m, &which);
		if (wait == 0)
			return which;
		p.fd = STDIN_FILENO;
		p.events = POLLIN;
		p.revents = 0;
		r = poll(&p, 1, wait < 0 || wait > 60000 ? 60000 : (int)wait);
		if (r == -1 && errno == EINTR) {
			if (menu_winch)
				draw(m);
			continue;
		}
		if (r == -1)
			return MENU_READ_GONE;
		if (r > 0)
			return MENU_READ_LINE;
	}
}

/*
 * Reads one line of the user's into line (len bytes), without its end;
 * redraws on a resize.
 */
static enum menu_read
read_line(struct menu *m, char *line, size_t len)
{
	enum menu_read w;
	size_t n = 0;
	ssize_t nr;

	for (;;) {
		if ((w = wait_input(m)) != MENU_READ_LINE)
			return w;
		menu_winch = 0;
		nr = read(STDIN_FILENO, line + n, len - 1 - n);
		if (nr == -1 && (errno == EINTR || errno == EAGAIN)) {
			if (menu_winch)
				draw(m);
			continue;
		}
		if (nr <= 0)
			return MENU_READ_GONE;
		m->input_at = clock_now_ms();
		n += (size_t)nr;
		if (line[n - 1] == '\n' || n >= len - 1)
			break;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	line[n] = '\0';
	return MENU_READ_LINE;
}

/* Shows the items of env (NULL: the environments), unfiltered. */
static void
show(struct menu *m, const struct api_env *env)
{
	m->env = env;
	m->filter[0] = '\0';
	m->page = 0;
	build_items(m);
}

/* Does what the user typed. 1: quit the menu. */
static int
handle(struct menu *m, const char *line)
{
	size_t sel;

	m->msg[0] = '\0';
	if (strcmp(line, "q") == 0 || strcmp(line, "0") == 0) {
		if (m->env == NULL)
			return 1;
		show(m, NULL);
	} else if (strcmp(line, "r") == 0) {
		refresh(m);
	} else if (strcmp(line, "n") == 0) {
		m->page++;
	} else if (strcmp(line, "p") == 0) {
		if (m->page > 0)
			m->page--;
	} else if (line[0] == '\0') {
		show(m, m->env);
	} else if (is_number(line)) {
		sel = (size_t)strtoul(line, NULL, 10);
		if (sel < 1 || sel > m->nitems)
			snprintf(m->msg, sizeof(m->msg), "no entry %zu", sel);
		else if (m->env == NULL)
			show(m, m->items[sel - 1].env);
		else
			return enter_node(m, m->items[sel - 1].node);
	} else {
		strlcpy(m->filter, line, sizeof(m->filter));
		m->page = 0;
		build_items(m);
	}
	return 0;
}

/* The menu's own end by a limit: its line and audit line; the code. */
static int
menu_limit(const struct menu *m, enum menu_read why)
{
	enum outcome o = why == MENU_READ_IDLE ? OUTCOME_MENU_IDLE :
	    OUTCOME_MENU_MAX_TIME;
	struct outcome_ctx c;

	memset(&c, 0, sizeof(c));
	c.account = m->rq->login.account;
	printf("\n");
	fflush(stdout);
	return outcome_end(o, &c, "login=%s key_id=%s client=%s "
	    "client_port=%s end_reason=%s idle_timeout_ms=%ld "
	    "max_session_time_ms=%ld code=%d", m->rq->login_str,
	    m->rq->key_id, m->rq->client_addr, m->rq->client_port,
	    why == MENU_READ_IDLE ? "idle" : "max_time", m->cfg->idle_timeout,
	    m->cfg->max_session_time, outcome_code(o));
}

int
menu_interactive(const struct gate_config *cfg, const struct session_req *rq)
{
	struct menu m;
	struct sigaction sa, old;
	char line[LINE_MAX_IN];
	enum menu_read r;

	memset(&m, 0, sizeof(m));
	m.cfg = cfg;
	m.rq = rq;
	m.code = outcome_code(OUTCOME_OK);
	m.input_at = clock_now_ms();
	termsafe_init();
	/* no SA_RESTART: a resize interrupts read() and redraws */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_winch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, &old);

	refresh(&m);
	for (;;) {
		draw(&m);
		if ((r = read_line(&m, line, sizeof(line))) == MENU_READ_GONE)
			break;
		if (r != MENU_READ_LINE) {
			m.code = menu_limit(&m, r);
			break;
		}
		if (handle(&m, line)) {
			printf("\n");
			break;
		}
	}
	sigaction(SIGWINCH, &old, NULL);
	free(m.items);
	api_envlist_free(m.list);
	return m.code;
}
