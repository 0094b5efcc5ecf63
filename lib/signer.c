/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <openssl/evp.h>

#include "clock.h"
#include "compat.h"
#include "gate_err.h"
#include "log.h"
#include "signer.h"

/* draft-miller-ssh-agent, 5.1 and 6.1 */
#define AGENT_FAILURE		5
#define AGENTC_REQUEST_IDS	11
#define AGENT_IDS_ANSWER	12
#define AGENTC_SIGN_REQUEST	13
#define AGENT_SIGN_RESPONSE	14
#define MSG_USERAUTH_REQUEST	50	/* RFC 4250 */

#define SIGNER_MSG_MAX		4096	/* a userauth request is ~200 */
#define SIGNER_REQUESTS_MAX	8
#define ED25519_SEED		32
#define ED25519_SIG		64
#define KEYBLOB_MAX		128	/* an ed25519 blob is 51 */
#define SESSION_ID_MAX		64	/* SHA-512 */
#define OPENSSH_MAGIC		"openssh-key-v1"

struct signer {
	EVP_PKEY	*pkey;
	unsigned char	 blob[KEYBLOB_MAX];	/* the public key blob */
	size_t		 bloblen;
};

/* A reader over a received message: every get is bounded by len. */
struct rd {
	const unsigned char *p;
	size_t	 len;
};

static int
rd_u32(struct rd *r, uint32_t *v)
{
	if (r->len < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->len -= 4;
	return 0;
}

static int
rd_byte(struct rd *r, unsigned char *v)
{
	if (r->len < 1)
		return -1;
	*v = r->p[0];
	r->p++;
	r->len--;
	return 0;
}

/* An SSH string: *s points into the message, *slen its length. */
static int
rd_str(struct rd *r, const unsigned char **s, size_t *slen)
{
	uint32_t n;

	if (rd_u32(r, &n) != 0 || n > r->len)
		return -1;
	*s = r->p;
	*slen = n;
	r->p += n;
	r->len -= n;
	return 0;
}

/* An SSH string that must be exactly want. */
static int
rd_is(struct rd *r, const void *want, size_t wantlen)
{
	const unsigned char *s;
	size_t n;

	return rd_str(r, &s, &n) == 0 && n == wantlen &&
	    memcmp(s, want, n) == 0;
}

static void
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Appends an SSH string to buf (cap bytes) at *off; -1 if it is full. */
static int
put_str(unsigned char *buf, size_t cap, size_t *off, const void *s,
    size_t n)
{
	if (n > cap || cap - *off < 4 + n)
		return -1;
	put_u32(buf + *off, (uint32_t)n);
	memcpy(buf + *off + 4, s, n);
	*off += 4 + n;
	return 0;
}

/* Base64 (PEM body or not: newlines are skipped) into out; the length. */
static int
b64_decode(const char *in, size_t inlen, unsigned char *out, size_t cap,
    size_t *outlen)
{
	char *clean = NULL;
	size_t i, n = 0;
	int w, r = -1;

	if ((clean = malloc(inlen + 1)) == NULL)
		return -1;
	for (i = 0; i < inlen; i++)
		if (in[i] != '\n' && in[i] != '\r')
			clean[n++] = in[i];
	clean[n] = '\0';
	if (n == 0 || n % 4 != 0 || n / 4 * 3 > cap || n > INT_MAX)
		goto out;
	if ((w = EVP_DecodeBlock(out, (unsigned char *)clean, (int)n)) < 0)
		goto out;
	/* EVP_DecodeBlock counts the padding as zero bytes */
	if (n >= 1 && clean[n - 1] == '=')
		w--;
	if (n >= 2 && clean[n - 2] == '=')
		w--;
	*outlen = (size_t)w;
	r = 0;
 out:
	explicit_bzero(clean, inlen + 1);
	free(clean);
	return r;
}

/*
 * The 32-byte ed25519 seed from libssh's own export of the key: an
 * unencrypted openssh-key-v1 container (PROTOCOL.key in OpenSSH).
 */
static int
seed_from_openssh(const unsigned char *k, size_t klen,
    unsigned char seed[ED25519_SEED])
{
	struct rd r, priv;
	const unsigned char *s;
	size_t n;
	uint32_t nkeys, c1, c2;

	if (klen < sizeof(OPENSSH_MAGIC) ||
	    memcmp(k, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC)) != 0)
		return -1;
	r.p = k + sizeof(OPENSSH_MAGIC);
	r.len = klen - sizeof(OPENSSH_MAGIC);
	if (!rd_is(&r, "none", 4) || !rd_is(&r, "none", 4) ||
	    rd_str(&r, &s, &n) != 0 || rd_u32(&r, &nkeys) != 0 ||
	    nkeys != 1 || rd_str(&r, &s, &n) != 0 ||
	    rd_str(&r, &priv.p, &priv.len) != 0)
		return -1;
	if (rd_u32(&priv, &c1) != 0 || rd_u32(&priv, &c2) != 0 ||
	    c1 != c2 || !rd_is(&priv, "ssh-ed25519", 11) ||
	    rd_str(&priv, &s, &n) != 0 || n != 32 ||
	    rd_str(&priv, &s, &n) != 0 || n != 64)
		return -1;
	memcpy(seed, s, ED25519_SEED);
	return 0;
}

/* sg->pkey from libssh's key: export, take the seed, wipe the rest. */
static int
signer_pkey(struct signer *sg, ssh_key key)
{
	unsigned char seed[ED25519_SEED], *raw = NULL;
	const char *body, *end;
	char *b64 = NULL;
	size_t rawlen = 0, cap = 0;
	int r = -1;

	if (ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &b64) !=
	    SSH_OK)
		return -1;
	if ((body = strstr(b64, "-----\n")) == NULL ||
	    (end = strstr(body + 6, "-----END")) == NULL)
		goto out;
	body += 6;
	cap = (size_t)(end - body);
	if ((raw = malloc(cap + 1)) == NULL ||
	    b64_decode(body, cap, raw, cap, &rawlen) != 0 ||
	    seed_from_openssh(raw, rawlen, seed) != 0)
		goto out;
	sg->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    sizeof(seed));
	r = sg->pkey != NULL ? 0 : -1;
 out:
	explicit_bzero(seed, sizeof(seed));
	if (raw != NULL)
		explicit_bzero(raw, cap + 1);
	free(raw);
	if (b64 != NULL)
		explicit_bzero(b64, strlen(b64));
	ssh_string_free_char(b64);
	return r;
}

int
signer_load(const char *path, struct signer **out, const char **why)
{
	struct signer *sg = NULL;
	ssh_key key = NULL;
	char *pub = NULL;
	int r = GATE_ERR_CONFIG;

	*out = NULL;
	*why = "cannot read";
	if ((sg = calloc(1, sizeof(*sg))) == NULL)
		return GATE_ERR_ALLOC;
	if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) !=
	    SSH_OK)
		goto out;
	*why = "not an ed25519 key";
	if (ssh_key_type(key) != SSH_KEYTYPE_ED25519 ||
	    ssh_pki_export_pubkey_base64(key, &pub) != SSH_OK ||
	    b64_decode(pub, strlen(pub), sg->blob, sizeof(sg->blob),
	    &sg->bloblen) != 0)
		goto out;
	*why = "cannot use";
	if (signer_pkey(sg, key) != 0)
		goto out;
	*why = NULL;
	*out = sg;
	sg = NULL;	/* transferred */
	r = 0;
 out:
	ssh_string_free_char(pub);
	ssh_key_free(key);
	signer_free(sg);
	return r;
}

void
signer_free(struct signer *sg)
{
	if (sg == NULL)
		return;
	EVP_PKEY_free(sg->pkey);
	explicit_bzero(sg, sizeof(*sg));
	free(sg);
}

int
signer_is_userauth(const unsigned char *data, size_t len, const char *user,
    const unsigned char *kb, size_t kblen)
{
	struct rd r;
	const unsigned char *s;
	size_t n;
	unsigned char c, t;

	r.p = data;
	r.len = len;
	return rd_str(&r, &s, &n) == 0 && n > 0 && n <= SESSION_ID_MAX &&
	    rd_byte(&r, &c) == 0 && c == MSG_USERAUTH_REQUEST &&
	    rd_is(&r, user, strlen(user)) &&
	    rd_is(&r, "ssh-connection", 14) &&
	    rd_is(&r, "publickey", 9) &&
	    rd_byte(&r, &t) == 0 && t == 1 &&
	    rd_is(&r, "ssh-ed25519", 11) &&
	    rd_is(&r, kb, kblen) && r.len == 0;
}

/* The signature blob of data: string "ssh-ed25519", string sig. */
static int
signer_sign(struct signer *sg, const unsigned char *data, size_t len,
    unsigned char *out, size_t cap, size_t *outlen)
{
	unsigned char sig[ED25519_SIG];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *ctx = NULL;
	int r = -1;

	*outlen = 0;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, sg->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, data, len) != 1 ||
	    siglen != sizeof(sig) ||
	    put_str(out, cap, outlen, "ssh-ed25519", 11) != 0 ||
	    put_str(out, cap, outlen, sig, siglen) != 0)
		goto out;
	r = 0;
 out:
	EVP_MD_CTX_free(ctx);
	return r;
}

/* Reads n bytes from fd before deadline; 0, or -1 on EOF/error/time. */
static int
read_full(int fd, unsigned char *buf, size_t n, long long deadline)
{
	struct pollfd p;
	long long left;
	ssize_t got;
	size_t have = 0;

	while (have < n) {
		if ((left = deadline - clock_now_ms()) <= 0)
			return -1;
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p.revents == 0)
			continue;
		got = read(fd, buf + have, n - have);
		if (got == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			return -1;
		have += (size_t)got;
	}
	return 0;
}

static int
write_full(int fd, const unsigned char *buf, size_t n)
{
	ssize_t w;
	size_t off = 0;

	while (off < n) {
		w = write(fd, buf + off, n - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* The reply to one request into out (framed); 1 if it was a signature. */
static int
signer_answer(struct signer *sg, const unsigned char *msg, size_t len,
    const char *user, unsigned char *out, size_t cap, size_t *outlen)
{
	struct rd r;
	const unsigned char *kb, *data;
	size_t kblen, dlen, off = 5, slen;
	uint32_t flags;
	unsigned char type;

	r.p = msg;
	r.len = len;
	out[4] = AGENT_FAILURE;
	*outlen = 5;
	if (rd_byte(&r, &type) != 0)
		goto fail;
	if (type == AGENTC_REQUEST_IDS && r.len == 0) {
		out[4] = AGENT_IDS_ANSWER;
		put_u32(out + off, 1);
		off += 4;
		if (put_str(out, cap, &off, sg->blob, sg->bloblen) != 0 ||
		    put_str(out, cap, &off, "sshgate", 7) != 0)
			goto fail;
		*outlen = off;
		put_u32(out, (uint32_t)(off - 4));
		return 0;
	}
	if (type != AGENTC_SIGN_REQUEST || rd_str(&r, &kb, &kblen) != 0 ||
	    rd_str(&r, &data, &dlen) != 0 || rd_u32(&r, &flags) != 0 ||
	    r.len != 0 || kblen != sg->bloblen ||
	    memcmp(kb, sg->blob, kblen) != 0) {
		log_debug("signer: refused request type %u", type);
		goto fail;
	}
	if (!signer_is_userauth(data, dlen, user, sg->blob, sg->bloblen)) {
		log_verbose("signer: refused to sign: not a userauth request "
		    "for %s", user);
		goto fail;
	}
	out[4] = AGENT_SIGN_RESPONSE;
	if (signer_sign(sg, data, dlen, out + off + 4, cap - off - 4,
	    &slen) != 0)
		goto fail_sign;
	put_u32(out + off, (uint32_t)slen);
	off += 4 + slen;
	*outlen = off;
	put_u32(out, (uint32_t)(off - 4));
	return 1;
 fail_sign:
	log_debug("signer: signing failed");
	out[4] = AGENT_FAILURE;
 fail:
	*outlen = 5;
	put_u32(out, 1);
	return 0;
}

int
signer_serve(struct signer *sg, int fd, const char *user, long long deadline)
{
	unsigned char msg[SIGNER_MSG_MAX], out[SIGNER_MSG_MAX];
	size_t outlen;
	uint32_t len;
	int i, signed_one = 0;

	for (i = 0; i < SIGNER_REQUESTS_MAX && !signed_one; i++) {
		if (read_full(fd, msg, 4, deadline) != 0)
			break;
		len = (uint32_t)msg[0] << 24 | (uint32_t)msg[1] << 16 |
		    (uint32_t)msg[2] << 8 | msg[3];
		if (len == 0 || len > sizeof(msg) ||
		    read_full(fd, msg, len, deadline) != 0)
			break;
		signed_one = signer_answer(sg, msg, len, user, out,
		    sizeof(out), &outlen);
		if (write_full(fd, out, outlen) != 0)
			break;
	}
	explicit_bzero(out, sizeof(out));
	log_debug("signer: %s after %d requests", signed_one ? "signed" :
	    "no signature", i);
	return signed_one;
}
