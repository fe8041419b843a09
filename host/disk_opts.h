/*
 * disk_opts.h — the command line's `--disk HOST::GUEST[:ro]`
 * (host/disk_opts.c) into struct image_disk (images/image.h).
 */
#ifndef DISK_OPTS_H
#define DISK_OPTS_H

#include <stddef.h>
#include "image.h"

/* Check value and append it to disks[*n] (at most BUNDLE_MAX_DISKS
 * slots); host_path becomes an absolute path (malloc'd).  0, or -1 with
 * err saying what is wrong. */
int disk_opt_add(struct image_disk *disks, size_t *n, const char *value,
		 char *err, size_t errlen);
void disk_opts_free(struct image_disk *disks, size_t n);

#endif
