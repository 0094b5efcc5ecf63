/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * authkeys-cmd's positive cache: one small file per (login, fingerprint)
 * in CacheDir, written after the API allowed the key and removed when the
 * API refuses it. It answers sshd's second call per login and, within
 * StaleIfError, a login while the API is unreachable.
 */
#ifndef SSHGATE_AKC_CACHE_H
#define SSHGATE_AKC_CACHE_H

#include "ident.h"

struct cache_entry {
	char		key_id[IDENT_KEYID_MAX + 1];
	long long	age_ms;		/* since the API said yes */
};

/*
 * Checks that dir exists (creating it 0700 if missing), is a directory
 * owned by us and not accessible to others. 0 or GATE_ERR_*.
 */
int	cache_open_dir(const char *dir);

/* Reads the entry of (login, fp). GATE_ERR_NOT_FOUND if none or bad. */
int	cache_get(const char *dir, const char *login, const char *fp,
	    struct cache_entry *out);

/* Records that the API allowed (login, fp) as key_id, now. */
int	cache_put(const char *dir, const char *login, const char *fp,
	    const char *key_id);

/* Forgets (login, fp): the API refused it. */
void	cache_drop(const char *dir, const char *login, const char *fp);

#endif /* SSHGATE_AKC_CACHE_H */
