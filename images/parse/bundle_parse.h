/*
 * bundle_parse.h — the reader of the boot bundle (images/bundle.h) and of
 * the manifest inside it (docs/manifest.md): images/parse/ files, pure C
 * (string.h, stdlib.h) that the kernel and the CLI both compile and link
 * (Makefile BUNDLE_PARSE_SRCS: the kernel at boot, whichever way it came
 * in, UEFI or PVH; `wasmetal inspect` and booting existing images on the
 * host): one parser, so the host judges an image exactly as the kernel
 * will.  Unit-tested by tests/unit/test_bundle.c, which #includes
 * images/parse/bundle_read.c and images/parse/manifest.c.
 */
#ifndef IMAGES_PARSE_BUNDLE_PARSE_H
#define IMAGES_PARSE_BUNDLE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "wasi.h"

/* Limits on what a bundle may ask for; each keeps a hostile bundle from
 * making the kernel allocate or loop without bound. */
#define BUNDLE_MAX_STRINGS  4096        /* argv + envp entries */
#define BUNDLE_MAX_STRING   (1u << 20)  /* bytes in one arg or env entry */
#define BUNDLE_MAX_PREOPENS 64          /* fds 3..66 */
#define BUNDLE_MAX_NODES    (1u << 20)  /* files + dirs + symlinks, all trees */
#define BUNDLE_MAX_PATH     4096        /* a node's path, a symlink's target,
					   a guest path (PATH_MAX) */
#define BUNDLE_MAX_MANIFEST (16u << 20) /* bytes of manifest text */
#define BUNDLE_MAX_DISKS    8           /* `disk` + `disk-ro` lines */

/* A block device granted as a file (docs/manifest.md "Disks"): the Nth
 * `disk`/`disk-ro` line (from 0) is the virtio-blk device whose serial is
 * BUNDLE_DISK_SERIAL "N" (`wasmetal run --disk` gives QEMU that serial).
 * The file is `name` in the preopen whose guest path is the directory
 * part of guest_path (a preopen of its own, after the `preopen` lines,
 * when no line names that directory). */
#define BUNDLE_DISK_SERIAL  "wasmetal-disk"
struct bundle_disk {
	char *guest_path;               /* malloc'd, as the manifest says */
	const char *name;               /* its last component (in guest_path) */
	size_t preopen;                 /* index into boot_bundle.preopens */
	bool read_only;                 /* `disk-ro` */
};

/* The network settings of the manifest (docs/manifest.md, "Network"):
 * whether the kernel brings up a NIC and lwIP at all, and how the
 * interface gets its IPv4 address.  IPv6 always configures itself
 * (SLAAC) when there is a NIC. */
#define BUNDLE_MAX_DNS 2
struct bundle_net {
	bool nic;                       /* some grant needs the network and
					   the manifest does not say `net none` */
	bool dhcp;                      /* default; else the static address */
	uint8_t addr[4], prefix;        /* `net static A.B.C.D/N` */
	uint8_t gateway[4];             /* `gateway A.B.C.D` (0: none) */
	unsigned ndns;                  /* `dns ADDR` lines (else DHCP's) */
	uint8_t dns_family[BUNDLE_MAX_DNS];     /* 4 or 6 */
	uint8_t dns[BUNDLE_MAX_DNS][16];
};

/* `kernel-httpd PORT:SIZE` (docs/manifest.md): the kernel serves SIZE
 * bytes over HTTP on PORT (net/httpd_builtin.c) instead of running the
 * module; a benchmark and test aid. */
struct bundle_httpd {
	uint16_t port;                  /* 0: no such line */
	uint64_t size;
};

struct boot_bundle {
	const uint8_t *module;          /* points into the bundle; NULL when
					   there is only a spec blob */
	size_t module_len;
	const uint8_t *spec;            /* BUNDLE_SPEC (spec/spec_blob.h, not
					   yet checked) or NULL */
	size_t spec_len;
	const char *manifest;           /* BUNDLE_MANIFEST text in the bundle
					   (not NUL-terminated), or NULL */
	size_t manifest_len;
	int argc, envc;
	char **argv, **envp;            /* malloc'd, NUL-terminated copies,
					   each array NULL-terminated */
	uint32_t flags;                 /* BUNDLE_FLAG_* */
	unsigned console, log;          /* BUNDLE_PORT_*: where the guest's
					   console and the kernel log go */
	size_t npreopens;
	struct wasi_preopen *preopens;  /* malloc'd, guest_path malloc'd;
					   entries point into `nodes` */
	size_t nnodes;
	struct wasi_tree_entry *nodes;  /* malloc'd, grouped by preopen; path
					   and data point into the bundle */
	struct bundle_net net;          /* zero (no NIC) without grants */
	struct wasi_grants grants;      /* tcplisten, addr-pool, allow-resolve
					   lines: arrays and names malloc'd */
	struct bundle_httpd httpd;      /* port 0: none */
	size_t ndisks;                  /* `disk`, `disk-ro` lines */
	struct bundle_disk disks[BUNDLE_MAX_DISKS];
	unsigned bad_line;              /* on a manifest error: its line */
	bool has_module_crc;            /* a module-crc32c line: checked, the
					   module's bytes match it (crc32c.h) */
	uint32_t module_crc32c;
};

/* Validate and parse `size` bytes at buf.  0, or -EINVAL with *why set to
 * a static message (bad magic, version, a length past the end, no module
 * and no spec blob, two modules, a manifest error -- then out->bad_line
 * says where --, a node outside its tree, ...), or -ENOMEM.  On error
 * nothing stays allocated.  The bundle must outlive out. */
int bundle_parse(const uint8_t *buf, uint64_t size, struct boot_bundle *out,
		 const char **why);
void bundle_free(struct boot_bundle *b);

/* Where the console and the log go, read from the manifest without
 * allocating (the kernel asks before it has a heap, and before it logs).
 * Defaults (COM2 console, COM1 log) when the bundle has no manifest or
 * the manifest is invalid: bundle_parse then says why. */
void bundle_serial_ports(const uint8_t *buf, uint64_t size, unsigned *console,
			 unsigned *log);

/* ---- the manifest's lines (images/parse/manifest.c) ---------------------------- */

struct manifest_iter {
	const char *p, *end;
	unsigned line;                  /* of the last line returned, from 1 */
};

struct manifest_line {
	const char *key;                /* [a-z0-9-]+ */
	size_t key_len;
	const char *val;                /* raw: between the quotes if quoted */
	size_t val_len;
	bool has_val, quoted;
};

/* The next line with a key (comments and blank lines skipped): 1, 0 at
 * the end, or -EINVAL with *why (a syntax error on line it->line). */
int manifest_next(struct manifest_iter *it, struct manifest_line *l,
		  const char **why);
/* Decode l's value (escapes of a quoted string) into out (NULL: only
 * measure); *len = decoded bytes.  0 or -EINVAL (bad escape, \x00). */
int manifest_value(const struct manifest_line *l, char *out, size_t *len,
		   const char **why);
bool manifest_key_is(const struct manifest_line *l, const char *key);
bool manifest_val_is(const struct manifest_line *l, const char *word);

/* ---- the network keys (images/parse/manifest_net.c) ------------------------------ */

enum bundle_net_mode {
	BUNDLE_NET_UNSET,               /* no `net` line */
	BUNDLE_NET_DHCP,
	BUNDLE_NET_STATIC,
	BUNDLE_NET_NONE,                /* `net none`: no NIC whatever else asks */
};

/* What the network lines of one manifest said so far. */
struct manifest_net_seen {
	enum bundle_net_mode mode;
	bool address, gateway, httpd;
	unsigned ndns;
};

/* Line l if it is a network key (net, address, gateway, dns,
 * kernel-httpd): checked, and applied to b unless b is NULL.  1 = it was
 * one, 0 = another key, -EINVAL with *why. */
int manifest_net_line(const struct manifest_line *l, struct manifest_net_seen *s,
		      struct boot_bundle *b, const char **why);
/* After the last line: the keys agree with each other (net static has an
 * address, ...); b->net.nic and .dhcp set unless b is NULL.  0 or
 * -EINVAL. */
int manifest_net_check(const struct manifest_net_seen *s, struct boot_bundle *b,
		       const char **why);

#endif
