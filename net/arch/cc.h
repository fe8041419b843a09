/*
 * arch/cc.h — lwIP's compiler/platform port (lwIP 2.1.3, src/include/
 * lwip/arch.h says what a port may define) for wasmetal: the C library's
 * types (newlib in the kernel, glibc in the hosted unit test), diagnostics
 * to the runtime's log, assertions that stop the kernel with file:line,
 * byte swaps as compiler builtins.  Included by every lwIP file, through
 * -Inet (net/lwipopts.h is the options).
 *
 * The functions named here are defined by net/port.c (net_lwip_rand,
 * net_lwip_diag) and by net/net.c in the kernel (net_lwip_assert: panic);
 * the hosted unit test defines its own assertion.
 */
#ifndef NET_ARCH_CC_H
#define NET_ARCH_CC_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>          /* ssize_t (lwIP would typedef it as int) */

#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif
#define LWIP_NO_UNISTD_H 1

/* x86-64 is little-endian (the C library says so in BYTE_ORDER); byte
 * swaps inline instead of lwIP's functions. */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

/* LWIP_PLATFORM_DIAG((fmt, args...)): only with LWIP_DEBUG, which is off. */
void net_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define LWIP_PLATFORM_DIAG(x) do { net_lwip_diag x; } while (0)

/* An lwIP invariant broke: a bug, never input (input errors go through
 * LWIP_ERROR, which drops).  The kernel panics with the place. */
__attribute__((noreturn))
void net_lwip_assert(const char *msg, const char *file, int line);
#define LWIP_PLATFORM_ASSERT(x) net_lwip_assert((x), __FILE__, __LINE__)

/* LWIP_RAND (net/lwipopts.h): 32 bits from the platform's entropy. */
uint32_t net_lwip_rand(void);
/* Allocate lwIP's heap and run lwip_init() (net/port.c): 0 or -ENOMEM. */
int net_lwip_start(void);

#endif
