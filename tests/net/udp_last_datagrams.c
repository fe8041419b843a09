/*
 * udp_last_datagrams.c — a guest for tests/net/qemu_net.sh: sends N
 * datagrams of SIZE bytes to ADDR:PORT as fast as it can, then exits at
 * once.  Each starts with its number ("%08u") so the receiver can tell
 * which arrived.  With "warm", a 4-byte datagram "warm" goes first and
 * the program sleeps 200 ms (ARP has resolved ADDR by then), so that the
 * numbered datagrams leave right before the exit.  What it shows: a
 * datagram of many fragments to a neighbour not yet resolved arrives
 * (lwIP's ARP queue held 3 packets), and the kernel's exit sends what the
 * module sent last (QEMU dropped the frames still in virtio-net's ring
 * when the machine stopped: a UDP echo's last answer was lost, now and
 * then).
 *
 *   wasmetal run --addr-pool ADDR/32:PORT udp_last_datagrams.wasm ADDR PORT N SIZE [warm]
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wasi/api.h>
#include "wasmetal_socket.h"

static char buf[65536];

static int send_to(int fd, struct wasmetal_address *a, int port, size_t len)
{
	__wasi_ciovec_t out = { (const uint8_t *)buf, len };
	uint32_t sent;
	int e = wasmetal_sock_send_to(fd, &out, 1, a, port, 0, &sent);

	if (e)
		fprintf(stderr, "udp_last_datagrams: send of %zu bytes: errno %d\n", len, e);
	return e;
}

int main(int argc, char **argv)
{
	struct timespec pause = { 0, 200 * 1000 * 1000 };
	struct wasmetal_address a;
	uint8_t ip[4];
	unsigned long n, size;
	int fd, e, port;
	bool warm = argc == 6 && !strcmp(argv[5], "warm");

	if ((argc != 5 && !warm) || inet_pton(AF_INET, argv[1], ip) != 1 ||
	    (n = strtoul(argv[3], NULL, 10)) == 0 || (size = strtoul(argv[4], NULL, 10)) < 8 ||
	    size > sizeof buf) {
		fprintf(stderr, "usage: udp_last_datagrams IPV4 PORT N SIZE (8..65536) [warm]\n");
		return 2;
	}
	port = atoi(argv[2]);
	a = (struct wasmetal_address){ ip, 4 };
	if ((e = wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_DGRAM, &fd))) {
		fprintf(stderr, "udp_last_datagrams: sock_open: errno %d\n", e);
		return 1;
	}
	if (warm) {
		memcpy(buf, "warm", 4);
		if (send_to(fd, &a, port, 4))
			return 1;
		nanosleep(&pause, NULL);
	}
	memset(buf, 'x', size);
	for (unsigned long i = 0; i < n; i++) {
		char num[9];

		snprintf(num, sizeof num, "%08lu", i);
		memcpy(buf, num, 8);
		if (send_to(fd, &a, port, size))
			return 1;
	}
	return 0;
}
