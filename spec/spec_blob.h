/*
 * spec_blob.h — parsed spec scripts (spec_script.h) with their modules as
 * one binary blob: written by the host (wasmetal spec --qemu, from the
 * JSON files), carried in the boot bundle as BUNDLE_SPEC, read and run by
 * the kernel (kernel/main.c).  The kernel has no JSON parser; the reader
 * treats the blob as hostile: every length and count is checked against
 * what is left before anything is read or allocated.
 *
 * Format, version 3 (all integers little-endian, no alignment, no padding):
 *
 *   header   "WMSPEC01"  u32 version=3  u32 flags  u32 nfiles  u32 zero
 *            u64 size (whole blob, header included)
 *   file     u64 len (bytes of the rest of this record)
 *            str name  str wast  str error
 *            u32 nmodules  u32 ncmds  module[nmodules]  cmd[ncmds]
 *   module   u8 flags (0 module, 1 text: no bytes, 2 error: str is the
 *            reason, 3 artifact: str is an artifact of the module,
 *            docs/artifact.md, that the kernel loads with every check of
 *            jit_artifact_load and does not compile)
 *            str bytes-or-reason (absent for text)
 *   cmd      u8 kind (enum spec_cmd_kind)  u32 line  i32 module (-1 none)
 *            str name  str as  str text
 *            u8 action kind  str action module  str field
 *            u32 nargs  value[nargs]  u32 nexpected  value[nexpected]
 *            u32 neither (version 3: 0, or assert_return's alternatives,
 *            `either`: value[] holds neither lists of nexpected/neither
 *            values, one after the other; nexpected a multiple of it)
 *   value    u8 type (enum wasm_valtype)  u8 kind (enum spec_val_kind)
 *            u64 bits  u64 hi  u8 lane_bits  u8 lane_float  u8 nan_canon
 *            u8 nan_arith (struct spec_value; version 2 added these for
 *            v128, zero for the other types)
 *   str      u32 len, then len bytes (may hold NULs); len 0xffffffff =
 *            absent (NULL), no bytes follow
 */
#ifndef SPEC_BLOB_H
#define SPEC_BLOB_H

#include <stddef.h>
#include <stdint.h>
#include "spec_script.h"

#define SPEC_BLOB_MAGIC "WMSPEC01"
#define SPEC_BLOB_VERSION 3
#define SPEC_BLOB_HEADER 32
#define SPEC_BLOB_VERBOSE 1u            /* flags: run verbosely */

/* ---- writing (host) ---------------------------------------------------- */

struct spec_blob_writer {
	uint8_t *data;                  /* malloc'd; the caller frees it */
	size_t len, cap;
	uint32_t nfiles;
	int oom;
};

void spec_blob_begin(struct spec_blob_writer *w, uint32_t flags);
void spec_blob_add(struct spec_blob_writer *w, const struct spec_file *f);
/* Patch the header.  0, or -1 when out of memory (or over 4 GiB strings). */
int spec_blob_end(struct spec_blob_writer *w);

/* ---- reading (kernel; hosted for tests) ----------------------------------- */

struct spec_blob_reader {
	const uint8_t *blob;
	size_t size, off;
	uint32_t flags, nfiles, index;
};

/* Check the header.  0, or -1 with *why (a static message). */
int spec_blob_open(struct spec_blob_reader *rd, const uint8_t *blob, size_t len,
		   const char **why);
/* Decode the next file into *f (free it with spec_file_free).  1 = got
 * one, 0 = no more, -1 = malformed or out of memory (*why; *f empty). */
int spec_blob_next(struct spec_blob_reader *rd, struct spec_file *f,
		   const char **why);

/* Decode and run every file (spec_run_file), then print the total line.
 * The blob's SPEC_BLOB_VERBOSE flag turns o's verbose on.  Returns 0 when
 * every command passed, 1 when some failed, 2 when the blob was malformed
 * (the reason printed through o; what ran before it still counts). */
int spec_blob_run(const uint8_t *blob, size_t len, const struct spec_out *o);

#endif
