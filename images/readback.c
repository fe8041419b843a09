/*
 * readback.c — disk images as the CLI finds them again: the format by
 * its magic (QEMU's block drivers: qcow2 "QFI\xfb", VMDK sparse extent
 * "KDMV", VHDX "vhdxfile"; anything else is raw), conversion with
 * qemu-img, and the boot bundle read back from the ESP (UEFI 2.10 §5.3
 * GPT: the partition whose type is the EFI System GUID) with mtools
 * (`mcopy -i disk@@offset`), for `wasmetal inspect` and `wasmetal run
 * IMAGE`.
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

#define GPT_MAX_ENTRIES 1024

/* C12A7328-F81F-11D2-BA4B-00A0C93EC93B as stored (mixed endian). */
static const uint8_t esp_guid[16] = {
	0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
	0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b,
};

static const char *const format_names[] = {
	[IMAGE_RAW] = "raw", [IMAGE_QCOW2] = "qcow2",
	[IMAGE_VMDK] = "vmdk", [IMAGE_VHDX] = "vhdx",
};

const char *image_format_name(enum image_format f)
{
	return (unsigned)f < 4 ? format_names[f] : "?";
}

int image_format_parse(const char *name, enum image_format *f)
{
	for (unsigned i = 0; i < 4; i++)
		if (!strcmp(name, format_names[i])) {
			*f = (enum image_format)i;
			return 0;
		}
	return -1;
}

int image_detect_format(const char *path, enum image_format *f,
			char *err, size_t errlen)
{
	uint8_t m[8] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, m, sizeof m);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!memcmp(m, "QFI\xfb", 4))
		*f = IMAGE_QCOW2;
	else if (!memcmp(m, "KDMV", 4))
		*f = IMAGE_VMDK;
	else if (!memcmp(m, "vhdxfile", 8))
		*f = IMAGE_VHDX;
	else
		*f = IMAGE_RAW;
	return 0;
}

int image_convert(const char *in, enum image_format in_fmt, const char *out,
		  enum image_format out_fmt, char *err, size_t errlen)
{
	char inb[PATH_MAX + 3], outb[PATH_MAX + 3];
	const char *argv[] = { "qemu-img", "convert", "-f", image_format_name(in_fmt),
			       "-O", image_format_name(out_fmt), inb, outb, NULL };

	/* "./" keeps names that start with '-' from being options */
	snprintf(inb, sizeof inb, "%s%s", in[0] == '/' ? "" : "./", in);
	snprintf(outb, sizeof outb, "%s%s", out[0] == '/' ? "" : "./", out);
	return image_run_tool(argv, NULL, err, errlen);
}

static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
	return pread(fd, buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

/* Byte offset of the EFI System partition of a raw GPT disk. */
int image_esp_offset(const char *disk, uint64_t *offset, char *err, size_t errlen)
{
	uint8_t h[92], e[128];
	uint64_t lba;
	uint32_t count, size;
	int fd = open(disk, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", disk, strerror(errno));
		return -1;
	}
	if (read_at(fd, h, sizeof h, 512) || memcmp(h, "EFI PART", 8))
		goto bad;
	memcpy(&lba, h + 72, 8);
	memcpy(&count, h + 80, 4);
	memcpy(&size, h + 84, 4);
	if (count > GPT_MAX_ENTRIES || size < 128 || size > 4096 || size % 8 ||
	    lba > UINT64_MAX / 512 - GPT_MAX_ENTRIES * 8)
		goto bad;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t first;

		if (read_at(fd, e, sizeof e, lba * 512 + (uint64_t)i * size))
			goto bad;
		if (memcmp(e, esp_guid, 16))
			continue;
		memcpy(&first, e + 32, 8);
		close(fd);
		if (first > UINT64_MAX / 512)
			goto bad_noclose;
		*offset = first * 512;
		return 0;
	}
	close(fd);
	snprintf(err, errlen, "%s: no EFI System partition in its GPT", disk);
	return -1;
bad:
	close(fd);
bad_noclose:
	snprintf(err, errlen, "%s: not a GPT disk (a wasmetal image has one)", disk);
	return -1;
}

static int slurp(const char *path, uint8_t **buf, size_t *len, char *err,
		 size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *b = NULL;

	if (fd < 0 || fstat(fd, &st) || !(b = malloc(st.st_size ? st.st_size : 1)) ||
	    read(fd, b, st.st_size) != st.st_size) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
		free(b);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	*buf = b;
	*len = st.st_size;
	return 0;
}

static int copy_bundle_out(const char *raw, const char *dest, char *err,
			   size_t errlen)
{
	char img[PATH_MAX + 48];
	uint64_t off;
	const char *argv[] = { "mcopy", "-n", "-i", img, "::/wasmetal/bundle", dest, NULL };

	if (image_esp_offset(raw, &off, err, errlen))
		return -1;
	snprintf(img, sizeof img, "%s@@%llu", raw, (unsigned long long)off);
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	return image_run_tool(argv, NULL, err, errlen);
}

int image_read_bundle(const char *disk, uint8_t **buf, size_t *len,
		      char *err, size_t errlen)
{
	const char *t = getenv("TMPDIR");
	char dir[PATH_MAX], raw[PATH_MAX + 16], out[PATH_MAX + 16];
	enum image_format f;
	int r = -1;

	if (image_detect_format(disk, &f, err, errlen))
		return -1;
	if (!t || t[0] != '/')
		t = "/tmp";
	snprintf(dir, sizeof dir, "%s/wasmetal-read.XXXXXX", t);
	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "cannot create a temp dir in %s: %s", t, strerror(errno));
		return -1;
	}
	snprintf(raw, sizeof raw, "%s/disk.raw", dir);
	snprintf(out, sizeof out, "%s/bundle", dir);
	if (f != IMAGE_RAW && image_convert(disk, f, raw, IMAGE_RAW, err, errlen))
		goto out;
	if (!copy_bundle_out(f == IMAGE_RAW ? disk : raw, out, err, errlen))
		r = slurp(out, buf, len, err, errlen);
	else if (strstr(err, "\"::/wasmetal/bundle\" not found"))   /* mcopy's words */
		snprintf(err, errlen, "%s: no boot bundle (no \\wasmetal\\bundle on its ESP)",
			 disk);
out:
	unlink(raw);
	unlink(out);
	rmdir(dir);
	return r;
}
