/*
 * wasmetal_socket.h — WasmEdge's socket extension of wasi_snapshot_preview1
 * for C programs (clang --target=wasm32-wasi): outbound TCP, UDP, bind,
 * listen and name resolution, which preview1 itself lacks.  The imports
 * and memory layouts are those of WasmEdge's implementation (WasmEdge
 * lib/host/wasi/wasifunc.cpp and thirdparty/wasi/api.hpp, d516c5d), so a
 * program built with this header runs on WasmEdge and on wasmetal alike.
 * wasmetal serves it in wasi-baremetal/wasi_sock_ext.c.
 *
 * What preview1 already has, use from wasi-libc: accept(), recv(),
 * send(), shutdown(), read(), write(), close(), poll(), fcntl(O_NONBLOCK).
 * They work on the sockets these functions return.
 *
 * Every function returns 0 or a WASI errno (<wasi/api.h> __WASI_ERRNO_*;
 * sock_getaddrinfo also WASMETAL_EAI_*).  Under wasmetal the instance must
 * be granted what it does (docs/manifest.md, `wasmetal run --help`):
 *   sock_open                 needs an --addr-pool entry at all
 *   sock_bind, sock_connect,  need the address (and port) in the pool
 *   sock_send_to
 *   sock_getaddrinfo          needs the name in --allow-resolve (numeric
 *                             addresses need nothing)
 * and otherwise fail with __WASI_ERRNO_NOTCAPABLE (76).
 *
 * Addresses: a struct wasmetal_address points at 4 (IPv4) or 16 (IPv6)
 * raw address bytes in network order, 127.0.0.1 = { 127, 0, 0, 1 }; the
 * port is a separate number in host order (8080 means 8080).  The *_v2
 * functions also take 128 bytes: struct wasmetal_addr_storage.
 */
#ifndef WASMETAL_SOCKET_H
#define WASMETAL_SOCKET_H

#include <stdint.h>
#include <wasi/api.h>

#define WASMETAL_SOCK_IMPORT(name) \
	__attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

/* ---- constants ----------------------------------------------------------- */

/* __wasi_address_family_t */
#define WASMETAL_AF_UNSPEC      0
#define WASMETAL_AF_INET4       1
#define WASMETAL_AF_INET6       2

/* __wasi_sock_type_t */
#define WASMETAL_SOCK_ANY       0
#define WASMETAL_SOCK_DGRAM     1
#define WASMETAL_SOCK_STREAM    2

/* __wasi_protocol_t (addrinfo only) */
#define WASMETAL_IPPROTO_IP     0
#define WASMETAL_IPPROTO_TCP    1
#define WASMETAL_IPPROTO_UDP    2

/* sock_recv / sock_recv_from flags (riflags) and out-flags (roflags) */
#define WASMETAL_RECV_PEEK      1
#define WASMETAL_RECV_WAITALL   2
#define WASMETAL_RECV_DATA_TRUNCATED 1

/* sock_shutdown */
#define WASMETAL_SHUT_RD        1
#define WASMETAL_SHUT_WR        2
#define WASMETAL_SHUT_RDWR      3

/* sock_getsockopt / sock_setsockopt: level, then the option names.
 * Values are int32_t, except SO_LINGER { int32_t onoff, linger; } and
 * SO_RCVTIMEO / SO_SNDTIMEO, a struct timeval { int64_t tv_sec; int64_t
 * tv_usec; } (wasi-libc's).  SO_ERROR reads a WASI errno; SO_TYPE reads
 * WASMETAL_SOCK_DGRAM or WASMETAL_SOCK_STREAM. */
#define WASMETAL_SOL_SOCKET     0
#define WASMETAL_SO_REUSEADDR   0
#define WASMETAL_SO_TYPE        1
#define WASMETAL_SO_ERROR       2
#define WASMETAL_SO_DONTROUTE   3
#define WASMETAL_SO_BROADCAST   4
#define WASMETAL_SO_SNDBUF      5
#define WASMETAL_SO_RCVBUF      6
#define WASMETAL_SO_KEEPALIVE   7
#define WASMETAL_SO_OOBINLINE   8
#define WASMETAL_SO_LINGER      9
#define WASMETAL_SO_RCVLOWAT    10
#define WASMETAL_SO_RCVTIMEO    11
#define WASMETAL_SO_SNDTIMEO    12
#define WASMETAL_SO_ACCEPTCONN  13
#define WASMETAL_SO_BINDTODEVICE 14

/* __wasi_aiflags_t: bit flags */
#define WASMETAL_AI_PASSIVE     0x01
#define WASMETAL_AI_CANONNAME   0x02
#define WASMETAL_AI_NUMERICHOST 0x04
#define WASMETAL_AI_NUMERICSERV 0x08
#define WASMETAL_AI_V4MAPPED    0x10
#define WASMETAL_AI_ALL         0x20
#define WASMETAL_AI_ADDRCONFIG  0x40

/* sock_getaddrinfo's own errnos (WasmEdge's, past preview1's 0..76) */
#define WASMETAL_EAI_ADDRFAMILY 77
#define WASMETAL_EAI_AGAIN      78
#define WASMETAL_EAI_BADFLAG    79
#define WASMETAL_EAI_FAIL       80
#define WASMETAL_EAI_FAMILY     81
#define WASMETAL_EAI_MEMORY     82
#define WASMETAL_EAI_NODATA     83
#define WASMETAL_EAI_NONAME     84
#define WASMETAL_EAI_SERVICE    85
#define WASMETAL_EAI_SOCKTYPE   86
#define WASMETAL_EAI_SYSTEM     87

/* ---- structures in linear memory (wasm32: pointers are 4 bytes) ---------- */

/* __wasi_address_t: buf_len 4 (IPv4) or 16 (IPv6); 128 for the _v2
 * functions (then buf holds a struct wasmetal_addr_storage). */
struct wasmetal_address {
	uint8_t *buf;
	uint32_t buf_len;
};

/* WasiAddrStorage: the family (WASMETAL_AF_INET4/6) and the address
 * bytes at offset 2; never the port. */
struct wasmetal_addr_storage {
	uint16_t family;
	uint8_t addr[126];
};

/* __wasi_sockaddr_t: sa_data gets the sockaddr from the port on: the port
 * big-endian in [0..2], then the IPv4 address in [2..6] (14 bytes in all),
 * or flowinfo [2..6], the IPv6 address [6..22], scope [22..26] (26 bytes).
 * sa_data_len: in, the buffer's size; out, the size of the data. */
struct wasmetal_sockaddr {
	uint8_t sa_family;
	uint32_t sa_data_len;
	uint8_t *sa_data;
};

/* __wasi_addrinfo_t: the caller links max_res_len of them through
 * ai_next (each with its ai_addr, sa_data and, if it wants one, an
 * ai_canonname buffer of ai_canonname_len bytes); the host fills the first
 * *res_len and never writes a pointer. */
struct wasmetal_addrinfo {
	uint16_t ai_flags;
	uint8_t ai_family;
	uint8_t ai_socktype;
	uint8_t ai_protocol;
	uint32_t ai_addrlen;                    /* out: 16 or 28 */
	struct wasmetal_sockaddr *ai_addr;
	char *ai_canonname;
	uint32_t ai_canonname_len;              /* out: the name's length, 0 */
	struct wasmetal_addrinfo *ai_next;
};

#if defined(__wasm32__)
_Static_assert(sizeof(struct wasmetal_address) == 8, "WasmEdge ABI");
_Static_assert(sizeof(struct wasmetal_addr_storage) == 128, "WasmEdge ABI");
_Static_assert(sizeof(struct wasmetal_sockaddr) == 12, "WasmEdge ABI");
_Static_assert(sizeof(struct wasmetal_addrinfo) == 28, "WasmEdge ABI");
_Static_assert(__builtin_offsetof(struct wasmetal_addrinfo, ai_addrlen) == 8, "WasmEdge ABI");
_Static_assert(__builtin_offsetof(struct wasmetal_addrinfo, ai_next) == 24, "WasmEdge ABI");
#endif

/* ---- functions -------------------------------------------------------------- */

/* A new socket; *fd gets it. */
int32_t wasmetal_sock_open(int32_t af, int32_t socktype, int32_t *fd)
	WASMETAL_SOCK_IMPORT("sock_open");
int32_t wasmetal_sock_bind(int32_t fd, struct wasmetal_address *addr, int32_t port)
	WASMETAL_SOCK_IMPORT("sock_bind");
int32_t wasmetal_sock_listen(int32_t fd, int32_t backlog)
	WASMETAL_SOCK_IMPORT("sock_listen");
/* WasmEdge's 2-parameter accept: the new socket is blocking (use
 * fcntl(O_NONBLOCK) after, or wasi-libc's accept4(SOCK_NONBLOCK)). */
int32_t wasmetal_sock_accept(int32_t fd, int32_t *new_fd)
	WASMETAL_SOCK_IMPORT("sock_accept");
/* Blocking: waits for the connection's outcome.  Non-blocking (fcntl):
 * __WASI_ERRNO_INPROGRESS, then poll() for writing and read SO_ERROR. */
int32_t wasmetal_sock_connect(int32_t fd, struct wasmetal_address *addr, int32_t port)
	WASMETAL_SOCK_IMPORT("sock_connect");
/* The sender's address into addr (the raw IP if the buffer is 4 or 16
 * bytes, or a struct wasmetal_addr_storage if 128) and its port. */
int32_t wasmetal_sock_recv_from(int32_t fd, const __wasi_iovec_t *iovs, uint32_t iovs_len,
				struct wasmetal_address *addr, int32_t riflags,
				uint16_t *port, uint32_t *nread, uint16_t *roflags)
	WASMETAL_SOCK_IMPORT("sock_recv_from");
int32_t wasmetal_sock_send_to(int32_t fd, const __wasi_ciovec_t *iovs, uint32_t iovs_len,
			      struct wasmetal_address *addr, int32_t port,
			      int32_t siflags, uint32_t *nwritten)
	WASMETAL_SOCK_IMPORT("sock_send_to");
/* *addr_type gets 4 (IPv4) or 6 (IPv6): WasmEdge's choice, not 1/2. */
int32_t wasmetal_sock_getlocaladdr(int32_t fd, struct wasmetal_address *addr,
				   uint32_t *addr_type, uint32_t *port)
	WASMETAL_SOCK_IMPORT("sock_getlocaladdr");
int32_t wasmetal_sock_getpeeraddr(int32_t fd, struct wasmetal_address *addr,
				  uint32_t *addr_type, uint32_t *port)
	WASMETAL_SOCK_IMPORT("sock_getpeeraddr");
/* *optlen: in, the buffer's size; out, the value's. */
int32_t wasmetal_sock_getsockopt(int32_t fd, int32_t level, int32_t name,
				 void *optval, uint32_t *optlen)
	WASMETAL_SOCK_IMPORT("sock_getsockopt");
/* optlen by value. */
int32_t wasmetal_sock_setsockopt(int32_t fd, int32_t level, int32_t name,
				 const void *optval, uint32_t optlen)
	WASMETAL_SOCK_IMPORT("sock_setsockopt");
/* node and service as (pointer, length), cut at a NUL; service a port
 * number.  *res points at the first of max_res_len linked nodes. */
int32_t wasmetal_sock_getaddrinfo(const char *node, uint32_t node_len,
				  const char *service, uint32_t service_len,
				  const struct wasmetal_addrinfo *hints,
				  struct wasmetal_addrinfo **res, uint32_t max_res_len,
				  uint32_t *res_len)
	WASMETAL_SOCK_IMPORT("sock_getaddrinfo");

#endif
