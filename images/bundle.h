/*
 * bundle.h — the boot bundle: what the image carries for the kernel to run
 * (the module, its arguments and environment).  Written by the host tool
 * (images/bundle.c), read by the kernel (kernel/bundle.c), which must treat
 * it as hostile: check every length against the bundle's size.
 *
 * Layout (little-endian):
 *   struct bundle_header
 *   entries, each: struct bundle_entry, then `len` bytes of data, then
 *   zero padding to an 8-byte boundary.
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

_Static_assert(sizeof(struct bundle_header) == 24, "bundle ABI");
_Static_assert(sizeof(struct bundle_entry) == 16, "bundle ABI");

#endif
