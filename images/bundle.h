/*
 * bundle.h — the boot bundle: what the image carries for the kernel to run
 * (the module, its manifest, the files of its preopened directories).
 * Written by the host tool (images/bundle.c), read by the kernel
 * (images/parse/bundle_read.c), which must treat it as hostile: check every length
 * against the bundle's size.
 *
 * Layout (little-endian):
 *   struct bundle_header
 *   entries, each: struct bundle_entry, then `len` bytes of data, then
 *   zero padding to an 8-byte boundary.
 *
 * What `wasmetal run` and `wasmetal image` write:
 *   header | MANIFEST | MODULE | NODE ... | SPEC (spec mode only)
 * The MANIFEST (text, docs/manifest.md) says everything a person would
 * want to read or change: argv, environment, preopened directories (guest
 * path), which serial port is the console, flags.  NODE entries carry the
 * files of the preopens, one file, directory or symlink each.  Bundles
 * from before the manifest (ARG/ENV/FLAGS entries) still parse; a bundle
 * may not have both kinds.
 */
#ifndef BUNDLE_H
#define BUNDLE_H

#include <stdint.h>

#define BUNDLE_MAGIC "WMBUNDL1"     /* 8 bytes, no NUL */
#define BUNDLE_VERSION 1
#define BUNDLE_FILE "\\wasmetal\\bundle"        /* path on the ESP */
#define BUNDLE_KERNEL_FILE "\\wasmetal\\kernel.elf"

enum bundle_kind {
	BUNDLE_MODULE = 1,      /* the .wasm binary (exactly one, or none
				   when there is a BUNDLE_SPEC) */
	BUNDLE_ARG = 2,         /* one argv string, argv[0] first, no NUL */
	BUNDLE_ENV = 3,         /* one "NAME=VALUE", no NUL */
	BUNDLE_FLAGS = 4,       /* uint32: BUNDLE_FLAG_* */
	BUNDLE_SPEC = 5,        /* spec testsuite scripts to run instead of a
				   module (spec/spec_blob.h; at most one) */
	BUNDLE_MANIFEST = 6,    /* the manifest, UTF-8 text (docs/manifest.md;
				   at most one) */
	BUNDLE_NODE = 7,        /* one node of a preopened tree: struct
				   bundle_node, path (NUL-terminated), data */
};

#define BUNDLE_FLAG_VERBOSE 1u  /* kernel prints PCI devices, memory map */

struct bundle_header {
	char magic[8];
	uint32_t version;
	uint32_t count;         /* number of entries */
	uint64_t size;          /* total bytes including this header */
};

struct bundle_entry {
	uint32_t kind;
	uint32_t reserved;
	uint64_t len;
};

/* A BUNDLE_NODE entry: this struct, then path_len bytes of path (its last
 * byte is the only NUL), then the node's data up to the entry's end: a
 * file's contents, a symlink's target (no NUL), nothing for a directory.
 * The path is relative to the preopen's root, '/'-separated, without
 * empty, "." or ".." components; a directory comes before what it holds;
 * no path twice in one preopen. */
struct bundle_node {
	uint32_t preopen;       /* index of the manifest's `preopen` line */
	uint32_t kind;          /* enum wasi_node_kind: 1 dir, 2 file, 3 symlink */
	uint32_t path_len;      /* bytes, the NUL included */
	uint32_t reserved;      /* 0 */
};

/* Serial ports (images/image.h), as the manifest's `console` and `log`
 * name them. */
#define BUNDLE_PORT_NONE 0
#define BUNDLE_PORT_COM1 1
#define BUNDLE_PORT_COM2 2

_Static_assert(sizeof(struct bundle_header) == 24, "bundle ABI");
_Static_assert(sizeof(struct bundle_node) == 16, "bundle ABI");
_Static_assert(sizeof(struct bundle_entry) == 16, "bundle ABI");

#endif
