/*
 * udp_last_datagrams.c — a guest for tests/net/qemu_net.sh: sends N
 * datagrams of SIZE bytes to ADDR:PORT as fast as it can, then exits at
 * once.  Each starts with its number ("%08u") so the receiver can tell
 * which arrived.  What it shows: the kernel's exit sends what the module
 * sent last (QEMU used to drop the frames still in virtio-net's ring when
 * the machine stopped: a UDP echo's last answer was lost, now and then).
 *
 *   wasmetal run --addr-pool ADDR/32:PORT udp_last_datagrams.wasm ADDR PORT N SIZE
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>
#include "wasmetal_socket.h"

static char buf[65536];

int main(int argc, char **argv)
{
	struct wasmetal_address a;
	uint8_t ip[4];
	unsigned long n, size;
	uint32_t sent;
	int fd, e;

	if (argc != 5 || inet_pton(AF_INET, argv[1], ip) != 1 ||
	    (n = strtoul(argv[3], NULL, 10)) == 0 || (size = strtoul(argv[4], NULL, 10)) < 8 ||
	    size > sizeof buf) {
		fprintf(stderr, "usage: udp_last_datagrams IPV4 PORT N SIZE (8..65536)\n");
		return 2;
	}
	a = (struct wasmetal_address){ ip, 4 };
	if ((e = wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_DGRAM, &fd))) {
		fprintf(stderr, "udp_last_datagrams: sock_open: errno %d\n", e);
		return 1;
	}
	memset(buf, 'x', size);
	for (unsigned long i = 0; i < n; i++) {
		__wasi_ciovec_t out = { (const uint8_t *)buf, size };
		char num[9];

		snprintf(num, sizeof num, "%08lu", i);
		memcpy(buf, num, 8);
		if ((e = wasmetal_sock_send_to(fd, &out, 1, &a, atoi(argv[2]), 0, &sent))) {
			fprintf(stderr, "udp_last_datagrams: send %lu: errno %d\n", i, e);
			return 1;
		}
	}
	fprintf(stderr, "udp_last_datagrams: %lu sent\n", n);
	return 0;
}
