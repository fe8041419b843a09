/*
 * mkimage.c — a bootable raw disk from BOOTX64.EFI + kernel.elf + bundle,
 * without root: the ESP is formatted and filled by mtools in a plain file,
 * the GPT is written by sfdisk on the output file, and the FAT is copied in
 * at the partition's offset here.
 *
 *   LBA 0        protective MBR          (sfdisk)
 *   LBA 1..33    primary GPT
 *   1 MiB        partition 1: EFI System (C12A7328-F81F-11D2-BA4B-00A0C93EC93B)
 *                FAT32, \EFI\BOOT\BOOTX64.EFI, \wasmetal\kernel.elf,
 *                \wasmetal\bundle
 *   end - 1 MiB  backup GPT (in the last 33 sectors)
 *
 * The ESP is always FAT32 (UEFI 2.10 §13.3.1.1: FAT32 for system
 * partitions on fixed media; FAT12/16 is only promised for removable
 * media), so it is at least 34 MiB; the output is sparse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "image.h"
#include "proc.h"

#ifndef WASMETAL_BUILD_DIR
#define WASMETAL_BUILD_DIR "build"
#endif

#define MIB             (1024ull * 1024)
#define ESP_MIN         (34 * MIB)      /* FAT32 needs >= 65525 clusters */
#define ESP_OFFSET      MIB
#define ESP_TYPE_GUID   "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"

struct build {
	char dir[PATH_MAX];             /* private temp dir */
	char fat[PATH_MAX + 16];
	char bundle[PATH_MAX + 16];
	char script[PATH_MAX + 16];
	char efi[PATH_MAX];             /* absolute: never an mtools "x:" */
	char kernel[PATH_MAX];
};

static int file_size(const char *path, const char *what, uint64_t *size,
		     char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st)) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s %s: not a regular file", what, path);
		return -1;
	}
	*size = st.st_size;
	return 0;
}

static int absolute(const char *path, const char *what, char *out,
		    char *err, size_t errlen)
{
	if (!realpath(path, out)) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	return 0;
}

static int make_tmpdir(struct build *b, char *err, size_t errlen)
{
	const char *t = getenv("TMPDIR");

	if (!t || t[0] != '/')
		t = "/tmp";
	snprintf(b->dir, sizeof(b->dir), "%s/wasmetal-image.XXXXXX", t);
	if (!mkdtemp(b->dir)) {
		snprintf(err, errlen, "cannot create a temp dir in %s: %s", t,
			 strerror(errno));
		return -1;
	}
	snprintf(b->fat, sizeof(b->fat), "%s/esp.fat", b->dir);
	snprintf(b->bundle, sizeof(b->bundle), "%s/bundle", b->dir);
	snprintf(b->script, sizeof(b->script), "%s/sfdisk.txt", b->dir);
	return 0;
}

static void cleanup(struct build *b)
{
	unlink(b->fat);
	unlink(b->bundle);
	unlink(b->script);
	rmdir(b->dir);
}

static int make_file(const char *path, uint64_t size, int *fdp,
		     char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || ftruncate(fd, size)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fdp)
		*fdp = fd;
	else
		close(fd);
	return 0;
}

static int fill_esp(struct build *b, uint64_t fat_size, char *err, size_t errlen)
{
	const char *fmt[] = { "mformat", "-i", b->fat, "-F", "-v", "WASMETAL", "::", NULL };
	const char *mkd[] = { "mmd", "-i", b->fat, "::/EFI", "::/EFI/BOOT",
			      "::/wasmetal", NULL };
	const char *cp_efi[] = { "mcopy", "-i", b->fat, b->efi,
				 "::/EFI/BOOT/BOOTX64.EFI", NULL };
	const char *cp_k[] = { "mcopy", "-i", b->fat, b->kernel,
			       "::/wasmetal/kernel.elf", NULL };
	const char *cp_b[] = { "mcopy", "-i", b->fat, b->bundle,
			       "::/wasmetal/bundle", NULL };

	if (make_file(b->fat, fat_size, NULL, err, errlen))
		return -1;
	if (image_run_tool(fmt, NULL, err, errlen) ||
	    image_run_tool(mkd, NULL, err, errlen) ||
	    image_run_tool(cp_efi, NULL, err, errlen) ||
	    image_run_tool(cp_k, NULL, err, errlen) ||
	    image_run_tool(cp_b, NULL, err, errlen))
		return -1;
	return 0;
}

static int write_gpt(struct build *b, const char *out, uint64_t fat_size,
		     char *err, size_t errlen)
{
	char dev[PATH_MAX + 3];
	const char *argv[] = { "sfdisk", "--quiet", "--no-reread", "--no-tell-kernel",
			       "--wipe", "always", dev, NULL };
	FILE *f = fopen(b->script, "w");

	/* "./" keeps a relative name that starts with '-' from being an option */
	snprintf(dev, sizeof(dev), "%s%s", out[0] == '/' ? "" : "./", out);
	if (!f) {
		snprintf(err, errlen, "%s: %s", b->script, strerror(errno));
		return -1;
	}
	fprintf(f, "label: gpt\nunit: sectors\n"
		"start=%llu, size=%llu, type=%s, name=\"EFI System\"\n",
		(unsigned long long)(ESP_OFFSET / 512),
		(unsigned long long)(fat_size / 512), ESP_TYPE_GUID);
	if (fclose(f)) {
		snprintf(err, errlen, "%s: %s", b->script, strerror(errno));
		return -1;
	}
	return image_run_tool(argv, b->script, err, errlen);
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Copy the FAT into the disk at ESP_OFFSET, leaving zero blocks as holes. */
static int copy_fat(const char *fat, int out_fd, const char *out,
		    char *err, size_t errlen)
{
	static uint8_t buf[1 << 16];
	int in = open(fat, O_RDONLY | O_CLOEXEC);
	uint64_t off = 0;
	ssize_t n;

	if (in < 0) {
		snprintf(err, errlen, "%s: %s", fat, strerror(errno));
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (!all_zero(buf, n) &&
		    pwrite(out_fd, buf, n, ESP_OFFSET + off) != n) {
			snprintf(err, errlen, "%s: write error: %s", out, strerror(errno));
			close(in);
			return -1;
		}
		off += n;
	}
	if (n < 0)
		snprintf(err, errlen, "%s: read error: %s", fat, strerror(errno));
	close(in);
	return n < 0 ? -1 : 0;
}

static int check_output(const char *out, char *err, size_t errlen)
{
	struct stat st;

	if (!stat(out, &st) && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a regular file", out);
		return -1;
	}
	return 0;
}

static int build_disk(struct build *b, const struct image_spec *spec,
		      const char *out, char *err, size_t errlen)
{
	uint64_t efi_sz, k_sz, b_sz, content, fat_size;
	int fd, r;

	if (file_size(b->efi, "loader", &efi_sz, err, errlen) ||
	    file_size(b->kernel, "kernel", &k_sz, err, errlen) ||
	    image_bundle_write(spec, b->bundle, err, errlen) ||
	    file_size(b->bundle, "bundle", &b_sz, err, errlen))
		return -1;
	/* 512-byte clusters; FATs take ~1%; keep 10% + 2 MiB spare */
	content = efi_sz + k_sz + b_sz;
	fat_size = (content + content / 10 + 2 * MIB + MIB - 1) / MIB * MIB;
	if (fat_size < ESP_MIN)
		fat_size = ESP_MIN;
	if (fill_esp(b, fat_size, err, errlen))
		return -1;
	if (check_output(out, err, errlen) ||
	    make_file(out, ESP_OFFSET + fat_size + MIB, &fd, err, errlen))
		return -1;
	r = write_gpt(b, out, fat_size, err, errlen);
	if (!r)
		r = copy_fat(b->fat, fd, out, err, errlen);
	if (close(fd) && !r) {
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		r = -1;
	}
	if (r)
		unlink(out);
	return r;
}

int image_build(const struct image_spec *spec, const char *out_path,
		char *err, size_t errlen)
{
	struct build b;
	const char *efi = spec->efi_path ? spec->efi_path
					 : WASMETAL_BUILD_DIR "/BOOTX64.EFI";
	const char *kernel = spec->kernel_path ? spec->kernel_path
					       : WASMETAL_BUILD_DIR "/kernel.elf";
	int r;

	memset(&b, 0, sizeof(b));
	if (absolute(efi, "loader", b.efi, err, errlen) ||
	    absolute(kernel, "kernel", b.kernel, err, errlen) ||
	    make_tmpdir(&b, err, errlen))
		return -1;
	r = build_disk(&b, spec, out_path, err, errlen);
	cleanup(&b);
	return r;
}
