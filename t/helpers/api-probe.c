/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * api-probe: drives lib/api.c against a live platform API for the shell
 * tests. Prints one result line and exits 0 on success, 1 on an API
 * error, 2 on a usage or config error.
 *
 *	api-probe [-d deadline_ms] -f conf authorize LOGIN FINGERPRINT
 *	api-probe [-d deadline_ms] -f conf key KEY_ID
 *	api-probe [-d deadline_ms] -f conf node ACCOUNT NODE KEY_ID
 *	api-probe [-d deadline_ms] -f conf envs ACCOUNT KEY_ID
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "clock.h"
#include "conf.h"
#include "gate_err.h"

static void
print_node(const struct api_node *n)
{
	size_t i;

	printf("node id=%s role=%s status=%s env=%s address=%s port=%d "
	    "user=%s hostkeys=%zu", n->id, n->role, n->status,
	    n->environment, n->address, n->port, n->user, n->nhostkeys);
	for (i = 0; i < n->nhostkeys; i++)
		printf(" %s", n->hostkeys[i].type);
	printf("\n");
}

int
main(int argc, char **argv)
{
	struct gate_config cfg;
	struct api_client *c = NULL;
	struct api_authz a;
	struct api_key_status ks;
	struct api_node *n = NULL;
	struct api_envlist *l = NULL;
	const char *conf = NULL;
	char err[CONF_ERRLEN];
	long long start, deadline = 0;
	size_t i, j;
	int ch, r, ret = 2;

	conf_defaults(&cfg);
	while ((ch = getopt(argc, argv, "d:f:")) != -1) {
		switch (ch) {
		case 'd':
			deadline = strtoll(optarg, NULL, 10);
			break;
		case 'f':
			conf = optarg;
			break;
		default:
			goto out;
		}
	}
	argc -= optind;
	argv += optind;
	if (conf == NULL || argc < 1) {
		fprintf(stderr, "usage: api-probe [-d ms] -f conf call args\n");
		goto out;
	}
	if (conf_load(&cfg, conf, err, sizeof(err)) != 0 ||
	    conf_validate(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "api-probe: %s\n", err);
		goto out;
	}
	if ((r = api_client_new(&cfg, &c)) != 0) {
		printf("error %s client\n", gate_errname(r));
		goto out;
	}
	start = clock_now_ms();
	if (deadline > 0)
		api_client_set_deadline(c, start + deadline);

	if (strcmp(argv[0], "authorize") == 0 && argc == 3) {
		if ((r = api_authorize(c, argv[1], argv[2], &a)) == 0)
			printf("authz key_id=%s account=%s node=%s type=%s "
			    "blob=%s\n", a.key_id, a.account,
			    a.node[0] != '\0' ? a.node : "-", a.key.type,
			    a.key.blob);
	} else if (strcmp(argv[0], "key") == 0 && argc == 2) {
		if ((r = api_key_status(c, argv[1], &ks)) == 0)
			printf("key key_id=%s account=%s active=%d\n",
			    ks.key_id, ks.account, ks.active);
	} else if (strcmp(argv[0], "node") == 0 && argc == 4) {
		if ((r = api_node_get(c, argv[1], argv[2], argv[3], &n)) == 0)
			print_node(n);
	} else if (strcmp(argv[0], "envs") == 0 && argc == 3) {
		if ((r = api_environments(c, argv[1], argv[2], &l)) == 0) {
			printf("envs account=%s count=%zu\n", l->account,
			    l->nenvs);
			for (i = 0; i < l->nenvs; i++) {
				printf("env name=%s status=%s nodes=%zu\n",
				    l->envs[i].name, l->envs[i].status,
				    l->envs[i].nnodes);
				for (j = 0; j < l->envs[i].nnodes; j++)
					print_node(&l->envs[i].nodes[j]);
			}
		}
	} else {
		fprintf(stderr, "api-probe: bad call\n");
		goto out;
	}
	if (r != 0)
		printf("error %s status=%ld detail=\"%s\"\n", gate_errname(r),
		    api_client_last_status(c), api_client_detail(c));
	fprintf(stderr, "elapsed_ms=%lld\n", clock_now_ms() - start);
	ret = r == 0 ? 0 : 1;
 out:
	api_node_free(n);
	api_envlist_free(l);
	api_client_free(c);
	conf_free(&cfg);
	return ret;
}
