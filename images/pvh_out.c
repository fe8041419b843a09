/*
 * pvh_out.c — `wasmetal image --format pvh`: what a microVM monitor
 * (QEMU -M microvm, Firecracker, Cloud Hypervisor) boots instead of a
 * disk: a directory holding kernel.elf (entered through its PVH note,
 * kernel/pvh_entry.S) and initrd (the boot bundle, images/bundle.c, which
 * the monitor hands over as the start info's first module).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "image.h"

#ifndef WASMETAL_BUILD_DIR
#define WASMETAL_BUILD_DIR "build"
#endif

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, r = -1;
	ssize_t n;

	if (in < 0) {
		snprintf(err, errlen, "kernel %s: %s", from, strerror(errno));
		return -1;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		snprintf(err, errlen, "%s: %s", to, strerror(errno));
		goto done;
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			snprintf(err, errlen, "%s: %s", to, strerror(errno));
			goto done;
		}
	if (n < 0) {
		snprintf(err, errlen, "kernel %s: %s", from, strerror(errno));
		goto done;
	}
	r = 0;
done:
	if (out >= 0 && close(out) && !r) {
		snprintf(err, errlen, "%s: %s", to, strerror(errno));
		r = -1;
	}
	close(in);
	return r;
}

int image_pvh_build(const struct image_spec *spec, const char *out_dir,
		    char *err, size_t errlen)
{
	const char *kernel = spec->kernel_path ? spec->kernel_path
					       : WASMETAL_BUILD_DIR "/kernel.elf";
	char path[PATH_MAX];
	struct stat st;

	if (mkdir(out_dir, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", out_dir, strerror(errno));
		return -1;
	}
	if (stat(out_dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a directory", out_dir);
		return -1;
	}
	if (snprintf(path, sizeof path, "%s/initrd", out_dir) >= (int)sizeof path) {
		snprintf(err, errlen, "%s: path too long", out_dir);
		return -1;
	}
	if (image_bundle_write(spec, path, err, errlen))
		return -1;
	snprintf(path, sizeof path, "%s/kernel.elf", out_dir);
	return copy_file(kernel, path, err, errlen);
}
