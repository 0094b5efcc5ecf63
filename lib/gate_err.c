/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
#include "config.h"

#include "gate_err.h"

static const struct {
	const char	*name;
	const char	*text;
} errs[] = {
	{ "ok",		"success" },
	{ "system",	"system error" },
	{ "alloc",	"out of memory" },
	{ "invalid",	"invalid input" },
	{ "config",	"configuration error" },
	{ "too_large",	"size limit exceeded" },
	{ "timeout",	"deadline exceeded" },
	{ "connect",	"cannot connect" },
	{ "tls",	"TLS verification failed" },
	{ "http",	"unexpected HTTP response" },
	{ "server",	"platform API server error" },
	{ "json",	"malformed JSON from platform API" },
	{ "protocol",	"platform API answer violates the contract" },
	{ "not_found",	"not found" },
	{ "denied",	"access denied" },
	{ "auth",	"platform API refused the gate's token" },
	{ "hostkey",	"host key does not match the pinned key" },
	{ "ssh",	"SSH error" },
	{ "internal",	"internal error" },
};

const char *
gate_strerror(int err)
{
	if (err > 0 || err < GATE_ERR_MIN)
		return "unknown error";
	return errs[-err].text;
}

const char *
gate_errname(int err)
{
	if (err > 0 || err < GATE_ERR_MIN)
		return "unknown";
	return errs[-err].name;
}
