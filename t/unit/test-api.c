/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/* Unit tests: URL building and the decoders of the platform API client. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "api-json.h"
#include "gate_err.h"
#include "log.h"
#include "tap.h"

#define BLOB	"AAAAC3NzaC1lZDI1NTE5AAAAIGx1a2V5YmxvYmx1a2V5YmxvYmx1a2V5YmxvYg=="

static int
authz(const char *text, struct api_authz *a)
{
	json_t *root = NULL;
	int r;

	if ((r = api_parse(text, strlen(text), &root)) != 0)
		return r;
	r = api_decode_authz(root, a);
	json_decref(root);
	return r;
}

static const char *node_json =
    "{\"id\":\"1234\",\"name\":\"shop \\u001b[31mapp\",\"role\":\"cp\","
    "\"status\":\"running\",\"environment\":\"env-shop\","
    "\"address\":\"127.0.0.11\",\"port\":22,\"user\":\"ct1\","
    "\"host_keys\":[{\"type\":\"ssh-ed25519\",\"blob\":\"" BLOB "\"}],"
    "\"extra\":\"ignored\"}";

static int
node(const char *text, struct api_node *n)
{
	json_t *root = NULL;
	int r;

	if ((r = api_parse(text, strlen(text), &root)) != 0)
		return r;
	r = api_decode_node(root, n);
	json_decref(root);
	return r;
}

/* node_json with one field's text replaced */
static int
node_with(const char *from, const char *to)
{
	struct api_node n;
	char buf[2048], *p;
	int r;

	p = strstr(node_json, from);
	if (p == NULL)
		return GATE_ERR_INTERNAL;
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - node_json), node_json,
	    to, p + strlen(from));
	r = node(buf, &n);
	api_node_clear(&n);
	return r;
}

/* Does the log file at path hold needle? */
static int
log_has(const char *path, const char *needle)
{
	char buf[8192];
	size_t n = 0;
	FILE *f;

	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* LogLevel DEBUG says why an answer was refused; INFO says nothing. */
static void
debug_lines(void)
{
	char path[] = "/tmp/test-api.XXXXXX";
	json_t *root = NULL;
	int fd;

	if ((fd = mkstemp(path)) == -1) {
		tap_ok(0, "temporary log file");
		return;
	}
	close(fd);
	log_init("test-api", 0);
	tap_ok(log_set_file(path) == 0, "log file opened");
	node_with("\"role\":\"cp\"", "\"role\":\"c\\u0007p\"");
	tap_ok(!log_has(path, "role"), "LogLevel INFO: no debug line");
	log_set_level(LOG_LEVEL_DEBUG);
	node_with("\"role\":\"cp\"", "\"role\":\"c\\u0007p\"");
	tap_ok(log_has(path, "get_str: \"role\" outside its grammar: "
	    "\"c\\x07p\""), "LogLevel DEBUG: the member, the reason and "
	    "the value, escaped");
	node_with("\"port\":22", "\"port\":70000");
	tap_ok(log_has(path, "get_port: \"port\" out of range"),
	    "LogLevel DEBUG: a port out of range");
	api_parse("<html>", 6, &root);
	tap_ok(log_has(path, "api_parse: not JSON: "),
	    "LogLevel DEBUG: jansson's reason for a body that is not JSON");
	log_set_level(LOG_LEVEL_INFO);
	unlink(path);
}

int
main(void)
{
	struct api_authz a;
	struct api_node n;
	struct api_envlist *l;
	struct api_key_status ks;
	json_t *root;
	const char *segs[] = { "v1", "gate", "keys", "a/b c", NULL };
	const char *segs_dot[] = { "v1", "..", NULL };
	const char *query[] = { "fingerprint",
	    "SHA256:ab+c/d=", "login", "1-2", NULL };
	char *url = NULL;
	int r;

	r = api_build_url("https://api.example.com/base", segs, query, &url);
	tap_is_str(url, "https://api.example.com/base/v1/gate/keys/a%2Fb%20c"
	    "?fingerprint=SHA256%3Aab%2Bc%2Fd%3D&login=1-2",
	    "segments and query values are escaped");
	free(url);
	tap_ok(api_build_url("https://x", segs_dot, NULL, &url) ==
	    GATE_ERR_INVALID, "a .. segment is refused");

	tap_ok(api_parse("{\"a\":1,\"a\":2}", 13, &root) == GATE_ERR_JSON,
	    "duplicate keys rejected");
	tap_ok(api_parse("{\"a\":1} x", 9, &root) == GATE_ERR_JSON,
	    "trailing garbage rejected");
	tap_ok(api_parse("[1]", 3, &root) == GATE_ERR_JSON,
	    "a non-object root rejected");
	tap_ok(api_parse("{\"a\":\"x\\u0000y\"}", 16, &root) == GATE_ERR_JSON,
	    "NUL inside a string rejected");
	tap_ok(api_parse("<html>", 6, &root) == GATE_ERR_JSON,
	    "garbage rejected");
	tap_ok(api_parse("", 0, &root) == GATE_ERR_JSON, "empty body rejected");

	r = authz("{\"key_id\":\"17\",\"account\":\"5678\",\"node\":\"1234\","
	    "\"key\":{\"type\":\"ssh-ed25519\",\"blob\":\"" BLOB "\"}}", &a);
	tap_ok(r == 0 && strcmp(a.key_id, "17") == 0 &&
	    strcmp(a.account, "5678") == 0 && strcmp(a.node, "1234") == 0 &&
	    strcmp(a.key.type, "ssh-ed25519") == 0 &&
	    strcmp(a.key.blob, BLOB) == 0, "authorize answer decoded");
	r = authz("{\"key_id\":\"17\",\"account\":\"5678\",\"node\":null,"
	    "\"key\":{\"type\":\"ssh-ed25519\",\"blob\":\"" BLOB "\"}}", &a);
	tap_ok(r == 0 && a.node[0] == '\0', "null node is an ACCOUNT login");
	tap_is_int(authz("{\"key_id\":17,\"account\":\"5678\",\"node\":null,"
	    "\"key\":{\"type\":\"ssh-ed25519\",\"blob\":\"" BLOB "\"}}", &a),
	    GATE_ERR_PROTOCOL, "numeric key_id rejected");
	tap_is_int(authz("{\"key_id\":\"17\\\"\\n\",\"account\":\"5678\","
	    "\"key\":{\"type\":\"ssh-ed25519\",\"blob\":\"" BLOB "\"}}", &a),
	    GATE_ERR_PROTOCOL, "quote and newline in key_id rejected");
	tap_is_int(authz("{\"key_id\":\"17\",\"account\":\"5678\","
	    "\"key\":{\"type\":\"ssh-ed25519 x\",\"blob\":\"" BLOB "\"}}", &a),
	    GATE_ERR_PROTOCOL, "bad key type rejected");
	tap_is_int(authz("{\"key_id\":\"17\",\"account\":\"5678\","
	    "\"key\":{\"type\":\"ssh-ed25519\",\"blob\":\"AAAA\\nssh-rsa\"}}",
	    &a), GATE_ERR_PROTOCOL, "newline in blob rejected");
	tap_is_int(authz("{\"key_id\":\"17\",\"account\":\"56789012345\","
	    "\"key\":{\"type\":\"ssh-ed25519\",\"blob\":\"" BLOB "\"}}", &a),
	    GATE_ERR_PROTOCOL, "11-digit account rejected");
	tap_is_int(authz("{\"account\":\"5678\","
	    "\"key\":{\"type\":\"ssh-ed25519\",\"blob\":\"" BLOB "\"}}", &a),
	    GATE_ERR_PROTOCOL, "missing key_id rejected");
	tap_is_int(authz("{\"key_id\":\"17\",\"account\":\"5678\","
	    "\"key\":[]}", &a), GATE_ERR_PROTOCOL, "key not an object");

	r = node(node_json, &n);
	tap_ok(r == 0 && strcmp(n.id, "1234") == 0 && n.port == 22 &&
	    strcmp(n.address, "127.0.0.11") == 0 && n.nhostkeys == 1 &&
	    strcmp(n.name, "shop \x1b[31mapp") == 0,
	    "node decoded, name kept raw for the sanitizer");
	api_node_clear(&n);
	tap_is_int(node_with("\"port\":22", "\"port\":0"), GATE_ERR_PROTOCOL,
	    "port 0 rejected");
	tap_is_int(node_with("\"port\":22", "\"port\":65536"),
	    GATE_ERR_PROTOCOL, "port 65536 rejected");
	tap_is_int(node_with("\"port\":22", "\"port\":\"22\""),
	    GATE_ERR_PROTOCOL, "port as a string rejected");
	tap_is_int(node_with("127.0.0.11", "127.0.0.11; rm"),
	    GATE_ERR_PROTOCOL, "bad address rejected");
	tap_is_int(node_with("127.0.0.11", "::1"), 0, "IPv6 address accepted");
	tap_is_int(node_with("127.0.0.11", "gate.example.com"),
	    GATE_ERR_PROTOCOL, "host name rejected (no DNS on the relay leg)");
	tap_is_int(node_with("\"user\":\"ct1\"", "\"user\":\"-oProxyCommand\""),
	    GATE_ERR_PROTOCOL, "user starting with - rejected");
	tap_is_int(node_with("\"host_keys\":[",
	    "\"host_keys\":[],\"x\":["), GATE_ERR_PROTOCOL,
	    "node without host keys rejected");
	tap_is_int(node_with("\"role\":\"cp\"", "\"role\":\"c p\""),
	    GATE_ERR_PROTOCOL, "role with a space rejected");

	{
		const char *ksj = "{\"key_id\":\"17\",\"account\":\"5678\","
		    "\"status\":\"revoked\"}";

		r = api_parse(ksj, strlen(ksj), &root);
	}
	tap_ok(r == 0 && api_decode_key_status(root, &ks) == 0 && !ks.active,
	    "revoked key is not active");
	json_decref(root);

	{
		char buf[4096];

		snprintf(buf, sizeof(buf), "{\"account\":\"5678\","
		    "\"environments\":[{\"name\":\"env-shop\","
		    "\"display_name\":\"Shop\",\"status\":\"running\","
		    "\"nodes\":[%s]},{\"name\":\"env-empty\","
		    "\"display_name\":\"\",\"status\":\"stopped\","
		    "\"nodes\":[]}]}", node_json);
		r = api_parse(buf, strlen(buf), &root);
		tap_ok(r == 0 && api_decode_envlist(root, &l) == 0 &&
		    l->nenvs == 2 && l->envs[0].nnodes == 1 &&
		    l->envs[1].nnodes == 0 &&
		    strcmp(l->envs[0].nodes[0].environment, "env-shop") == 0,
		    "environment listing decoded");
		api_envlist_free(l);
		json_decref(root);
	}
	debug_lines();
	return tap_done();
}
