/* Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC */
/*
 * The main() of a fuzz target built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on each file named, or on each regular file
 * of each directory named, so that any compiler (and the ASan build)
 * replays the committed corpora. Exit 0 when every input ran; a broken
 * contract aborts.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define REPLAY_INPUT_MAX	(1024 * 1024)

/* Runs the target on one file; 0, or -1 if it cannot be read. */
static int
replay_file(const char *path)
{
	uint8_t *buf = NULL, *in = NULL;
	size_t have = 0;
	ssize_t n;
	int fd, r = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto out;
	if ((buf = malloc(REPLAY_INPUT_MAX)) == NULL)
		goto out;
	while (have < REPLAY_INPUT_MAX) {
		n = read(fd, buf + have, REPLAY_INPUT_MAX - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	/* an exact-size copy, so that ASan sees a read past the input */
	if ((in = malloc(have > 0 ? have : 1)) == NULL)
		goto out;
	memcpy(in, buf, have);
	LLVMFuzzerTestOneInput(in, have);
	r = 0;
 out:
	if (r != 0)
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
	if (fd != -1)
		close(fd);
	free(in);
	free(buf);
	return r;
}

static int
replay_dir(const char *dir, unsigned long *count)
{
	char path[4096];
	struct dirent **names = NULL;
	struct stat st;
	int i, n, r = 0;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]->d_name) >= (int)sizeof(path) ||
		    stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path) != 0)
			r = -1;
		else
			(*count)++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int
main(int argc, char **argv)
{
	struct stat st;
	unsigned long count = 0;
	int i, r = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file-or-corpus-dir ...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) != 0)
				r = 1;
		} else if (replay_file(argv[i]) != 0)
			r = 1;
		else
			count++;
	}
	printf("replayed %lu inputs\n", count);
	return r;
}
