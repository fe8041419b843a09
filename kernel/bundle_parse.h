/*
 * bundle_parse.h — the kernel's reader of the boot bundle
 * (images/bundle.h).  Pure C (string.h, stdlib.h): unit-tested on the host
 * by tests/unit/test_bundle.c, which #includes kernel/bundle.c.
 */
#ifndef KERNEL_BUNDLE_PARSE_H
#define KERNEL_BUNDLE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define BUNDLE_MAX_STRINGS 4096         /* argv + envp entries */
#define BUNDLE_MAX_STRING  (1u << 20)   /* bytes in one arg or env entry */

struct boot_bundle {
	const uint8_t *module;          /* points into the bundle; NULL when
					   there is only a spec blob */
	size_t module_len;
	const uint8_t *spec;            /* BUNDLE_SPEC (spec/spec_blob.h, not
					   yet checked) or NULL */
	size_t spec_len;
	int argc, envc;
	char **argv, **envp;            /* malloc'd, NUL-terminated copies,
					   each array NULL-terminated */
	uint32_t flags;                 /* BUNDLE_FLAG_* */
};

/* Validate and parse `size` bytes at buf.  0, or -EINVAL with *why set to
 * a static message (bad magic, version, a length past the end, no module
 * and no spec blob, two modules, ...), or -ENOMEM.  On error nothing stays allocated. */
int bundle_parse(const uint8_t *buf, uint64_t size, struct boot_bundle *out,
		 const char **why);
void bundle_free(struct boot_bundle *b);

#endif
