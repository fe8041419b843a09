/*
 * tree.h — `--dir HOST[::GUEST]`: read a host directory into the
 * wasi_tree_entry list of a struct wasi_preopen (wasi-baremetal/wasi.h),
 * for `run --hosted` (handed to wasi_run_module) and for images (written
 * into the bundle as BUNDLE_NODE entries, images/bundle.h).
 */
#ifndef HOST_TREE_H
#define HOST_TREE_H

#include <stddef.h>
#include "wasi.h"

struct host_tree {
	struct wasi_preopen preopen;    /* guest_path, nentries, entries */
	char *host_path;                /* as given */
	size_t files, dirs, symlinks, skipped;
	uint64_t bytes;                 /* file contents, all files */
	size_t cap;                     /* of the entries array */
};

/* Split "HOST[::GUEST]" (GUEST defaults to HOST as given, as wasmtime
 * does).  0, or -1 with err filled (empty HOST or GUEST). */
int host_dir_arg(const char *arg, char **host, char **guest,
		 char *err, size_t errlen);

/* Read the tree under host (following host itself if it is a symlink,
 * never any symlink inside: those are kept as symlinks with their target
 * text).  Regular files, directories and symlinks are kept, in name
 * order, each directory before what it holds; other file types are
 * skipped with a warning on stderr.  0, or -1 with err filled. */
int host_tree_read(const char *host, const char *guest, struct host_tree *t,
		   char *err, size_t errlen);
void host_tree_free(struct host_tree *t);

#endif
