/*
 * port.c — what lwIP asks of its platform (NO_SYS=1, lwIP 2.1.3
 * src/include/lwip/sys.h and arch.h), on the platform seam (jit/plat.h),
 * so the same file serves the kernel and the hosted unit test:
 *
 *   sys_now()        milliseconds, from the monotonic clock (the TSC on
 *                    bare metal, drivers/tsc.h); lwIP copes with the wrap
 *   net_lwip_rand()  LWIP_RAND: plat_random (RDSEED/RDRAND/virtio-rng)
 *   net_tcp_isn()    LWIP_HOOK_TCP_ISN (net_hooks.h): RFC 6528
 *   net_lwip_diag()  LWIP_PLATFORM_DIAG: the runtime log
 *   net_lwip_start() lwIP's heap (LWIP_RAM_HEAP_POINTER), then lwip_init()
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/sys.h"
#include "net_hooks.h"
#include "plat.h"

/* MEM_SIZE plus mem.c's two struct mem headers and alignment slack. */
#define RAM_HEAP_BYTES (MEM_SIZE + 1024)

void *net_ram_heap;

int net_lwip_start(void)
{
	if (!net_ram_heap && !(net_ram_heap = malloc(RAM_HEAP_BYTES)))
		return -ENOMEM;
	lwip_init();
	return 0;
}

u32_t sys_now(void)
{
	return (u32_t)(plat_clock_ns(PLAT_CLOCK_MONOTONIC) / 1000000u);
}

/* A platform without entropy still needs numbers: the clock, mixed, and
 * one log line saying so (plat_random fails only on broken hardware). */
uint32_t net_lwip_rand(void)
{
	static int warned;
	uint32_t v;

	if (plat_random(&v, sizeof v) == 0)
		return v;
	if (!warned++)
		plat_log("net: no entropy (plat_random failed): DNS ids and ports "
			 "are predictable");
	v = (uint32_t)plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	return v * 2654435761u ^ (v >> 15);
}

void net_lwip_diag(const char *fmt, ...)
{
	char buf[256];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')         /* lwIP's lines end in \n */
		buf[--n] = 0;
	plat_log("lwip: %s", buf);
}

/* ---- RFC 6528 initial sequence numbers ------------------------------------ */

/* SipHash-2-4 (Aumasson, Bernstein 2012), 64-bit output, of len bytes. */
#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static void sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0]; v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2]; v[2] = ROTL(v[2], 32);
}

static uint64_t siphash(const uint64_t key[2], const uint8_t *p, size_t len)
{
	uint64_t v[4] = {
		key[0] ^ 0x736f6d6570736575ull, key[1] ^ 0x646f72616e646f6dull,
		key[0] ^ 0x6c7967656e657261ull, key[1] ^ 0x7465646279746573ull,
	};
	uint64_t m, last = (uint64_t)len << 56;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);           /* little-endian, as specified */
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	for (size_t k = 0; i + k < len; k++)
		last |= (uint64_t)p[i + k] << (8 * k);
	v[3] ^= last;
	sip_round(v);
	sip_round(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (int r = 0; r < 4; r++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* The address's bytes without the struct's padding: 4 or 16, and a tag. */
static size_t addr_bytes(const ip_addr_t *a, uint8_t *out)
{
	if (IP_IS_V6(a)) {
		out[0] = 6;
		memcpy(out + 1, ip_2_ip6(a)->addr, 16);
		return 17;
	}
	out[0] = 4;
	memcpy(out + 1, &ip_2_ip4(a)->addr, 4);
	return 5;
}

uint32_t net_tcp_isn(const struct ip_addr *local_ip, uint16_t local_port,
		     const struct ip_addr *remote_ip, uint16_t remote_port)
{
	static uint64_t key[2];
	static int keyed;
	uint8_t msg[2 * 17 + 4];
	size_t n;
	uint64_t m;

	if (!keyed) {
		for (int i = 0; i < 2; i++)
			key[i] = (uint64_t)net_lwip_rand() << 32 | net_lwip_rand();
		keyed = 1;
	}
	n = addr_bytes(local_ip, msg);
	n += addr_bytes(remote_ip, msg + n);
	memcpy(msg + n, &local_port, 2);
	memcpy(msg + n + 2, &remote_port, 2);
	m = plat_clock_ns(PLAT_CLOCK_MONOTONIC) / 4000u;        /* 4 us ticks */
	return (uint32_t)m + (uint32_t)siphash(key, msg, n + 4);
}
