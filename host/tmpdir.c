/*
 * tmpdir.c — private scratch directories of the CLI (see tmpdir.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpdir.h"

char *tmpdir_make(const char *prefix)
{
	const char *t = getenv("TMPDIR");
	char *dir;

	if (!t || !*t)
		t = "/tmp";
	if (asprintf(&dir, "%s/%s.XXXXXX", t, prefix) < 0)
		return NULL;
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

void tmpdir_remove(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
}
