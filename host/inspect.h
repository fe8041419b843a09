/*
 * inspect.h — `wasmetal inspect MODULE.wasm|IMAGE` and what `wasmetal run
 * IMAGE` needs to know about an image before booting it.
 */
#ifndef HOST_INSPECT_H
#define HOST_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include "image.h"

struct image_info {
	enum image_format format;       /* by magic */
	bool console_com1;              /* its manifest: console com1, log com2 */
	bool nic;                       /* the kernel will bring up a NIC */
	size_t nlisten;                 /* its tcplisten grants' ports (the
					   first QEMU_DEFAULT_FWD_MAX) */
	uint16_t listen_ports[QEMU_DEFAULT_FWD_MAX];
};

/* Read the image's bundle back and parse it as the kernel will.  0, or -1
 * with err filled (not a wasmetal image, invalid bundle, ...). */
int image_info_read(const char *disk, struct image_info *info, char *err,
		    size_t errlen);

/* Print what path is (a module or an image) on stdout.  0, or -1 with a
 * message on stderr. */
int inspect_main(const char *path);

#endif
