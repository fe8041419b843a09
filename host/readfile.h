/*
 * readfile.h — read a whole file into memory (the CLI's modules,
 * artifacts and spec files; the host-side tests).  Works on pipes and
 * other streams too (no size taken from seeking).
 */
#ifndef HOST_READFILE_H
#define HOST_READFILE_H

#include <stddef.h>
#include <stdint.h>

/* The bytes of PATH (malloc'd, the caller frees them; a non-NULL buffer
 * even for an empty file) and their number in *len; NULL with errno set
 * (from fopen, ENOMEM, or EIO on a read error) on failure. */
uint8_t *host_read_file(const char *path, size_t *len);

#endif
