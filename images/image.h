/*
 * image.h — host-side image tools used by the CLI (host/main.c):
 * build a boot bundle, pack it with BOOTX64.EFI and kernel.elf into a GPT
 * disk with a FAT ESP (mtools + sfdisk, no root needed), and boot a disk
 * under QEMU (q35 + OVMF; KVM when usable, TCG otherwise) with a timeout.
 *
 * Serial ports of a booted image:
 *   COM1 (0x3f8) = kernel log: firmware noise, boot timeline, panics, and
 *                  the final "[wasmetal] exit status N" line.
 *   COM2 (0x2f8) = the guest console: the module's stdout/stderr and trap
 *                  reports; qemu_boot streams it to the CLI's stdout.
 * The kernel ends every boot through isa-debug-exit (port 0xf4); qemu_boot
 * recovers the exact exit status from the log line.
 */
#ifndef IMAGE_H
#define IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct image_spec {
	const char *module_path;        /* .wasm file (NULL with spec_path) */
	const char *spec_path;          /* a spec blob (spec/spec_blob.h) the
					   kernel runs instead of a module:
					   `wasmetal spec --qemu`; or NULL */
	int argc;                       /* guest argv, argv[0] included */
	const char *const *argv;
	int envc;                       /* "NAME=VALUE" strings */
	const char *const *envp;
	uint32_t flags;                 /* BUNDLE_FLAG_* */
	const char *efi_path;           /* BOOTX64.EFI (default: build dir) */
	const char *kernel_path;        /* kernel.elf (default: build dir) */
};

/* Write the boot bundle for spec to out_path.  0 or -1 with err filled. */
int image_bundle_write(const struct image_spec *spec, const char *out_path,
		       char *err, size_t errlen);

/* Build a raw GPT disk image with a FAT ESP at out_path.  0 or -1. */
int image_build(const struct image_spec *spec, const char *out_path,
		char *err, size_t errlen);

struct qemu_opts {
	unsigned timeout_s;             /* whole run, firmware included */
	const char *log_path;           /* where COM1 goes (NULL: a temp file) */
	bool verbose;                   /* echo the kernel log to stderr */
	int console_fd;                 /* where COM2 goes; usually 1 */
};

/* Boot disk_path.  Returns the guest's exit status (0..255), or -1 if the
 * boot failed (timeout, crash, no exit line) with err saying what happened
 * and the last lines of the kernel log. */
int qemu_boot(const char *disk_path, const struct qemu_opts *o,
	      char *err, size_t errlen);

#endif
