/*
 * crc32c.h — CRC-32C (Castagnoli, reflected polynomial 0x82f63b78, as
 * iSCSI, ext4 and SSE4.2's crc32 instruction), for the bundle's
 * `module-crc32c` manifest line (docs/manifest.md): the host writes the
 * CRC of a precompiled artifact it has checked, and the kernel checks the
 * CRC at boot instead of the artifact's SHA-256 checksums, which cost
 * ~10 ms per 170 KB under QEMU's TCG (docs/artifact.md, "Under QEMU and
 * in images").  Portable (the kernel and the CLI link it alike).
 */
#ifndef IMAGES_CRC32C_H
#define IMAGES_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32C of len bytes (initial value and final xor ~0: "123456789"
 * gives 0xe3069283). */
uint32_t crc32c(const void *buf, size_t len);

#endif
