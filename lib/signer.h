/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The internal key's signer: the part of the monitor (the session's
 * first process) that holds the key while the relay process logs in to
 * the container. It speaks just enough of the ssh-agent protocol
 * (draft-miller-ssh-agent) for libssh's ssh_userauth_agent(): one
 * identity and one signature, and it signs only an SSH userauth
 * "publickey" request (RFC 4252, 7) for the node's user with this very
 * key. The relay never holds the key, in memory or as a file it can open.
 */
#ifndef SSHGATE_SIGNER_H
#define SSHGATE_SIGNER_H

struct signer;

/*
 * Loads the private key at path (an unencrypted ed25519 key, the
 * internal key). On success *out is the caller's (signer_free).
 * Returns 0, GATE_ERR_CONFIG (unreadable, encrypted, or not ed25519;
 * *why says which) or GATE_ERR_ALLOC.
 */
int	signer_load(const char *path, struct signer **out, const char **why);

/* Wipes the key and frees sg (NULL is fine). */
void	signer_free(struct signer *sg);

/*
 * Answers agent requests on fd until the relay closes it, one
 * signature has been given, or deadline (clock_now_ms() time) passes.
 * Signs only a userauth request for user with the loaded key. Returns 1
 * if it signed, else 0. fd stays the caller's.
 */
int	signer_serve(struct signer *sg, int fd, const char *user,
	    long long deadline);

/*
 * Whether data (len bytes) is the userauth request libssh signs for a
 * "publickey" login as user with key blob kb (kblen bytes): string
 * session id, byte 50, string user, "ssh-connection", "publickey",
 * TRUE, "ssh-ed25519", string kb, and nothing after.
 */
int	signer_is_userauth(const unsigned char *data, size_t len,
	    const char *user, const unsigned char *kb, size_t kblen);

#endif /* SSHGATE_SIGNER_H */
