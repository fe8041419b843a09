/*
 * disk_opts.c — `wasmetal run --disk HOST::GUEST[:ro]` (issue 11): the
 * host file HOST becomes a virtio-blk drive (images/qemu.c) and the
 * guest's file GUEST (docs/manifest.md "Disks"), read-only with `:ro`.
 * "::" separates HOST and GUEST as in --dir.  HOST must be a regular
 * file of whole 512-byte sectors (QEMU would round the size up and show
 * the guest bytes the file does not have); an empty file is a disk of 0
 * bytes.  GUEST must end in a file name; its directory is a preopen
 * (one of --dir's, or one of its own).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "disk_opts.h"
#include "parse/bundle_parse.h"

static const char *guest_problem(const char *g)
{
	const char *name = strrchr(g, '/');

	name = name ? name + 1 : g;
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return "GUEST must end in a file name (e.g. /dev/vda)";
	if (strlen(name) > 255 || strlen(g) > BUNDLE_MAX_PATH)
		return "GUEST is too long";
	return NULL;
}

int disk_opt_add(struct image_disk *disks, size_t *n, const char *value,
		 char *err, size_t errlen)
{
	const char *sep = strstr(value, "::"), *guest, *why;
	size_t glen;
	char *host, *abs, *g;
	bool ro = false;
	struct stat st;

	if (*n >= BUNDLE_MAX_DISKS)
		return snprintf(err, errlen, "--disk: at most %d disks", BUNDLE_MAX_DISKS), -1;
	if (!sep || sep == value || !sep[2])
		return snprintf(err, errlen, "--disk wants HOST::GUEST[:ro], got '%s'",
				value), -1;
	guest = sep + 2;
	glen = strlen(guest);
	if (glen > 3 && !strcmp(guest + glen - 3, ":ro")) {
		ro = true;
		glen -= 3;
	}
	host = strndup(value, (size_t)(sep - value));
	g = strndup(guest, glen);
	abs = host ? realpath(host, NULL) : NULL;
	if (!host || !g || (why = guest_problem(g)) ||
	    !abs || stat(abs, &st) || !S_ISREG(st.st_mode) || st.st_size % 512) {
		if (!host || !g)
			snprintf(err, errlen, "out of memory");
		else if (guest_problem(g))
			snprintf(err, errlen, "--disk %s: %s", value, guest_problem(g));
		else if (!abs || stat(abs, &st))
			snprintf(err, errlen, "--disk %s: cannot open %s", value, host);
		else if (!S_ISREG(st.st_mode))
			snprintf(err, errlen, "--disk %s: %s is not a regular file", value, host);
		else
			snprintf(err, errlen, "--disk %s: %s is %lld bytes, not whole "
				 "512-byte sectors", value, host, (long long)st.st_size);
		free(host), free(g), free(abs);
		return -1;
	}
	free(host);
	disks[(*n)++] = (struct image_disk){ .host_path = abs, .guest_path = g,
					     .read_only = ro };
	return 0;
}

void disk_opts_free(struct image_disk *disks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)disks[i].host_path);
		free((char *)disks[i].guest_path);
	}
}
