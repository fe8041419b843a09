/*
 * fuzz_image.c — libFuzzer target: the image reader (images/readback.c),
 * what `wasmetal inspect` and `wasmetal run IMAGE` do first with a disk
 * image someone gave them: the format by its magic, then the GPT (the
 * protective MBR's LBA 1 header, the partition array it points to) for
 * the EFI System partition's offset.  The input is the disk: the first
 * bytes of a file (a memfd) that is as long as the input says, so that
 * the header's pointers can reach past the end or far beyond it.
 * (Copying the bundle out of the FAT is mtools' job, not fuzzed here; the
 * bundle itself is fuzz_bundle's.)
 * Seeds: the heads of disk images made by `wasmetal image` and GPTs made
 * here by sfdisk (tests/fuzz/seeds.sh).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum image_format f;
	uint64_t off;
	char err[512];

	if (fd < 0) {
		fd = memfd_create("fuzz_image", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	image_detect_format(path, &f, err, sizeof err);
	image_esp_offset(path, &off, err, sizeof err);
	return 0;
}
