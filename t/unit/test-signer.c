/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * lib/signer.c: what the internal key's signer signs and what it
 * refuses. A fresh ed25519 key is made with libssh, loaded the way
 * session_run() loads InternalKey, and spoken to over a socketpair the
 * way libssh's ssh_userauth_agent() speaks; every signature is checked
 * with OpenSSL against the public key.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <openssl/evp.h>

#include "clock.h"
#include "signer.h"
#include "tap.h"

#define USER	"ct1"

static unsigned char blob[128];
static size_t bloblen;

struct buf {
	unsigned char b[4096];
	size_t len;
};

static void
put_u32(struct buf *m, uint32_t v)
{
	m->b[m->len++] = (unsigned char)(v >> 24);
	m->b[m->len++] = (unsigned char)(v >> 16);
	m->b[m->len++] = (unsigned char)(v >> 8);
	m->b[m->len++] = (unsigned char)v;
}

static void
put_str(struct buf *m, const void *s, size_t n)
{
	put_u32(m, (uint32_t)n);
	memcpy(m->b + m->len, s, n);
	m->len += n;
}

static void
put_cstr(struct buf *m, const char *s)
{
	put_str(m, s, strlen(s));
}

/* The data libssh signs for a publickey login; knobs break one field. */
static void
userauth(struct buf *m, size_t sidlen, int type, const char *user,
    const char *service, const char *method, int flag, const char *algo,
    int trailing)
{
	unsigned char sid[80];

	memset(m, 0, sizeof(*m));
	memset(sid, 0xab, sizeof(sid));
	put_str(m, sid, sidlen);
	m->b[m->len++] = (unsigned char)type;
	put_cstr(m, user);
	put_cstr(m, service);
	put_cstr(m, method);
	m->b[m->len++] = (unsigned char)flag;
	put_cstr(m, algo);
	put_str(m, blob, bloblen);
	if (trailing)
		m->b[m->len++] = 0;
}

static int
is_userauth(const struct buf *m)
{
	return signer_is_userauth(m->b, m->len, USER, blob, bloblen);
}

static void
test_grammar(void)
{
	struct buf m;

	userauth(&m, 32, 50, USER, "ssh-connection", "publickey", 1,
	    "ssh-ed25519", 0);
	tap_ok(is_userauth(&m), "a publickey userauth request is signed");
	userauth(&m, 64, 50, USER, "ssh-connection", "publickey", 1,
	    "ssh-ed25519", 0);
	tap_ok(is_userauth(&m), "a 64-byte session id is fine");
	userauth(&m, 65, 50, USER, "ssh-connection", "publickey", 1,
	    "ssh-ed25519", 0);
	tap_ok(!is_userauth(&m), "a 65-byte session id is refused");
	userauth(&m, 0, 50, USER, "ssh-connection", "publickey", 1,
	    "ssh-ed25519", 0);
	tap_ok(!is_userauth(&m), "an empty session id is refused");
	userauth(&m, 32, 51, USER, "ssh-connection", "publickey", 1,
	    "ssh-ed25519", 0);
	tap_ok(!is_userauth(&m), "another message type is refused");
	userauth(&m, 32, 50, "root", "ssh-connection", "publickey", 1,
	    "ssh-ed25519", 0);
	tap_ok(!is_userauth(&m), "another user is refused");
	userauth(&m, 32, 50, USER "x", "ssh-connection", "publickey", 1,
	    "ssh-ed25519", 0);
	tap_ok(!is_userauth(&m), "a user the node's is a prefix of is refused");
	userauth(&m, 32, 50, USER, "ssh-userauth", "publickey", 1,
	    "ssh-ed25519", 0);
	tap_ok(!is_userauth(&m), "another service is refused");
	userauth(&m, 32, 50, USER, "ssh-connection", "hostbased", 1,
	    "ssh-ed25519", 0);
	tap_ok(!is_userauth(&m), "another method is refused");
	userauth(&m, 32, 50, USER, "ssh-connection", "publickey", 0,
	    "ssh-ed25519", 0);
	tap_ok(!is_userauth(&m), "a query without signature is refused");
	userauth(&m, 32, 50, USER, "ssh-connection", "publickey", 1,
	    "rsa-sha2-256", 0);
	tap_ok(!is_userauth(&m), "another algorithm is refused");
	userauth(&m, 32, 50, USER, "ssh-connection", "publickey", 1,
	    "ssh-ed25519", 1);
	tap_ok(!is_userauth(&m), "a trailing byte is refused");
	userauth(&m, 32, 50, USER, "ssh-connection", "publickey", 1,
	    "ssh-ed25519", 0);
	tap_ok(!signer_is_userauth(m.b, m.len - 1, USER, blob, bloblen),
	    "a truncated request is refused");
	tap_ok(!signer_is_userauth(m.b, m.len, USER, blob, bloblen - 1),
	    "another key blob is refused");
}

/* A framed agent message of type with body. */
static void
frame(struct buf *out, int type, const struct buf *body)
{
	memset(out, 0, sizeof(*out));
	put_u32(out, (uint32_t)(1 + (body != NULL ? body->len : 0)));
	out->b[out->len++] = (unsigned char)type;
	if (body != NULL) {
		memcpy(out->b + out->len, body->b, body->len);
		out->len += body->len;
	}
}

static void
sign_request(struct buf *out, const struct buf *data)
{
	struct buf body;

	memset(&body, 0, sizeof(body));
	put_str(&body, blob, bloblen);
	put_str(&body, data->b, data->len);
	put_u32(&body, 0);
	frame(out, 13, &body);
}

/* Sends msgs, lets the signer answer, reads all it wrote into *in. */
static int
converse(struct signer *sg, const struct buf *msgs, size_t n,
    struct buf *in)
{
	int sv[2], r;
	size_t i;
	ssize_t got;

	memset(in, 0, sizeof(*in));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (write(sv[0], msgs[i].b, msgs[i].len) !=
		    (ssize_t)msgs[i].len)
			return -1;
	shutdown(sv[0], SHUT_WR);
	r = signer_serve(sg, sv[1], USER, clock_now_ms() + 5000);
	close(sv[1]);
	while ((got = read(sv[0], in->b + in->len, sizeof(in->b) -
	    in->len)) > 0)
		in->len += (size_t)got;
	close(sv[0]);
	return r;
}

static uint32_t
get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Whether sig (an ssh-ed25519 signature blob) signs data with blob. */
static int
verifies(const unsigned char *sig, size_t siglen, const struct buf *data)
{
	EVP_PKEY *pk;
	EVP_MD_CTX *ctx;
	int ok = 0;

	if (siglen != 4 + 11 + 4 + 64 || get_u32(sig) != 11 ||
	    memcmp(sig + 4, "ssh-ed25519", 11) != 0 || get_u32(sig + 15) != 64)
		return 0;
	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
	    blob + bloblen - 32, 32);
	ctx = EVP_MD_CTX_new();
	if (pk != NULL && ctx != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1 &&
	    EVP_DigestVerify(ctx, sig + 19, 64, data->b, data->len) == 1)
		ok = 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ok;
}

static void
test_agent(const char *keyfile)
{
	struct signer *sg = NULL;
	struct buf msgs[3], in, data, bad;
	const unsigned char *p;
	const char *why;
	int r;

	tap_ok(signer_load(keyfile, &sg, &why) == 0, "the key loads");
	if (sg == NULL)
		return;
	userauth(&data, 32, 50, USER, "ssh-connection", "publickey", 1,
	    "ssh-ed25519", 0);
	frame(&msgs[0], 11, NULL);
	sign_request(&msgs[1], &data);
	sign_request(&msgs[2], &data);
	r = converse(sg, msgs, 3, &in);
	tap_ok(r == 1, "it signs a login");
	p = in.b;
	tap_ok(in.len > 9 && p[4] == 12 && get_u32(p + 5) == 1 &&
	    get_u32(p + 9) == bloblen && memcmp(p + 13, blob, bloblen) == 0,
	    "it lists the one identity");
	p += 4 + get_u32(in.b);
	tap_ok(p + 9 <= in.b + in.len && p[4] == 14 &&
	    verifies(p + 9, get_u32(p + 5), &data),
	    "the signature verifies with the public key");
	p += 4 + get_u32(p);
	tap_ok(p == in.b + in.len, "a second request gets no answer: one "
	    "signature a session");

	userauth(&bad, 32, 50, "root", "ssh-connection", "publickey", 1,
	    "ssh-ed25519", 0);
	sign_request(&msgs[0], &bad);
	r = converse(sg, msgs, 1, &in);
	tap_ok(r == 0 && in.len == 5 && in.b[4] == 5,
	    "a login as another user gets SSH_AGENT_FAILURE");
	memset(&bad, 0, sizeof(bad));
	memcpy(bad.b, "a challenge of someone else's protocol", 38);
	bad.len = 38;
	sign_request(&msgs[0], &bad);
	r = converse(sg, msgs, 1, &in);
	tap_ok(r == 0 && in.len == 5 && in.b[4] == 5,
	    "arbitrary data gets SSH_AGENT_FAILURE");
	frame(&msgs[0], 17, NULL);	/* ADD_IDENTITY */
	r = converse(sg, msgs, 1, &in);
	tap_ok(r == 0 && in.len == 5 && in.b[4] == 5,
	    "another request gets SSH_AGENT_FAILURE");
	signer_free(sg);
}

int
main(void)
{
	char dir[] = "/tmp/test-signer.XXXXXX", path[64], *pub = NULL;
	ssh_key key = NULL;
	struct signer *sg = NULL;
	const char *why;
	int n;

	if (mkdtemp(dir) == NULL ||
	    ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK ||
	    ssh_pki_export_pubkey_base64(key, &pub) != SSH_OK ||
	    (n = EVP_DecodeBlock(blob, (unsigned char *)pub,
	    (int)strlen(pub))) < 0) {
		printf("Bail out! cannot make a key\n");
		return 1;
	}
	bloblen = (size_t)n - (pub[strlen(pub) - 1] == '=') -
	    (pub[strlen(pub) - 2] == '=');
	snprintf(path, sizeof(path), "%s/key", dir);
	test_grammar();
	if (ssh_pki_export_privkey_file(key, NULL, NULL, NULL, path) !=
	    SSH_OK)
		tap_ok(0, "export the key");
	else
		test_agent(path);
	tap_ok(signer_load("/nonexistent/key", &sg, &why) != 0 &&
	    sg == NULL, "a missing key is an error");
	unlink(path);
	rmdir(dir);
	ssh_string_free_char(pub);
	ssh_key_free(key);
	return tap_done();
}
