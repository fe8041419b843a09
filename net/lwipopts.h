/*
 * lwipopts.h — every lwIP 2.1.3 option wasmetal sets, each with its
 * reason (the defaults and their meaning: src/include/lwip/opt.h of
 * Debian's lwip source package, host/tools/fetch-lwip.sh).
 *
 * How lwIP runs here (DESIGN.md decision 8): NO_SYS=1, the raw API only,
 * one CPU.  Everything in lwIP runs from net_poll() (net/net.c), called
 * by the idle loop and at the start of every plat_sock_* call; interrupt
 * handlers never enter lwIP (they only note "work pending").
 *
 * Memory is bounded by construction: every pool is a fixed array and the
 * heap a fixed MEM_SIZE, so hostile traffic (floods, slow readers,
 * out-of-order or fragmented garbage) can exhaust a pool -- then lwIP
 * drops what it cannot store, and TCP retransmits -- but never grows
 * kernel memory.  net/sock.c adds per-socket bounds on top (receive data
 * is acknowledged to the window only once the application read it).
 * LWIP_STATS counts pool use and failures: net_log_stats() prints them.
 *
 * This header is also used by the hosted unit test of net/sock.c (lwIP
 * on its loopback interface): nothing here is kernel-specific.
 */
#ifndef NET_LWIPOPTS_H
#define NET_LWIPOPTS_H

/* ---- platform ------------------------------------------------------------ */

#define NO_SYS                  1       /* no threads: the kernel's loop drives lwIP */
#define LWIP_TIMERS             1       /* sys_check_timeouts() from net_poll() */
#define SYS_LIGHTWEIGHT_PROT    0       /* interrupt handlers never touch lwIP, so
					   nothing needs masking around its state */
#define LWIP_NETCONN            0       /* needs threads (NO_SYS=0) */
#define LWIP_SOCKET             0       /* ditto; net/sock.c is our socket layer,
					   on the raw API */
#define LWIP_RAW                0       /* no raw IP sockets are offered */
#define LWIP_ALTCP              0       /* no TLS layer in the kernel */
#define MEM_ALIGNMENT           8       /* x86-64: 8-byte aligned pool entries */

/* ---- memory (fixed arrays: bounded whatever arrives) ---------------------- */

#define MEM_LIBC_MALLOC         0       /* lwIP's own heap of MEM_SIZE, not malloc:
					   its size is the hard limit */
#define MEMP_MEM_MALLOC         0       /* pools are fixed arrays (with malloc, the
					   MEMP_NUM_* limits would not hold) */
#define MEM_SIZE                (2u << 20)      /* PBUF_RAM: data queued by
					   tcp_write (copied), UDP datagrams
					   sent, replies lwIP builds; 32 full
					   send buffers at once (then sends wait:
					   -EAGAIN); mapping it costs ~5 ms of
					   boot under TCG */
#define LWIP_RAM_HEAP_POINTER   net_ram_heap    /* the heap is malloc'd by
					   net_lwip_start (net/port.c): nothing
					   in .bss when there is no network */
extern void *net_ram_heap;
#define PBUF_POOL_SIZE          1024    /* received frames (net/ethif.c copies
					   each into a pool pbuf); ~1.5 MiB; when
					   empty, frames are dropped */
#define PBUF_POOL_BUFSIZE       1536    /* one pbuf holds a whole frame: 1514-byte
					   Ethernet frame, rounded up */
#define MEMP_NUM_PBUF           64      /* PBUF_REF/ROM headers: IP fragmentation
					   references the data it splits */
#define MEMP_NUM_TCP_PCB        256     /* connections, TIME_WAIT included (lwIP
					   recycles the oldest TIME_WAIT first) */
#define MEMP_NUM_TCP_PCB_LISTEN 16      /* listening sockets */
#define MEMP_NUM_TCP_SEG        2048    /* queued segments, all connections:
					   unsent + unacked + out-of-order */
#define MEMP_NUM_UDP_PCB        32      /* guest UDP sockets + DHCP + DNS (which
					   uses up to DNS_MAX_SOURCE_PORTS) */
#define MEMP_NUM_REASSDATA      8       /* IPv4 datagrams being reassembled */
#define MEMP_NUM_FRAG_PBUF      32      /* fragments being sent */
#define MEMP_NUM_ARP_QUEUE      64      /* packets waiting for an ARP answer */
#define MEMP_NUM_ND6_QUEUE      64      /* packets waiting for neighbour discovery
					   (both: a whole 64 KiB datagram's
					   fragments, ARP_QUEUE_LEN) */
#define MEMP_NUM_SYS_TIMEOUT    (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 2)
					/* lwIP's own cyclic timers (+ margin;
					   net/ uses none) */
#define MEMP_OVERFLOW_CHECK     0       /* costs time on every alloc; the pools are
					   only written by lwIP itself */
#define MEMP_SANITY_CHECK       0
#define MEM_OVERFLOW_CHECK      0
#define MEM_SANITY_CHECK        0

/* ---- link: Ethernet, ARP ---------------------------------------------------- */

#define LWIP_ETHERNET           1
#define LWIP_ARP                1
#define ARP_TABLE_SIZE          16      /* one VM talks to its gateway and a
					   few neighbours */
#define ARP_MAXAGE              300     /* s; the default */
#define ARP_QUEUEING            1       /* keep the first packets to a neighbour
					   while ARP resolves it (a connect's SYN
					   is not lost) */
#define ARP_QUEUE_LEN           48      /* per neighbour: bounded, and room for
					   the 45 fragments of a 64 KiB UDP
					   datagram (lwIP drops the oldest past
					   it: with 3, a 5 KiB datagram to a
					   neighbour not yet resolved lost its
					   first fragment, so all of it) */
#define ETH_PAD_SIZE            0       /* frames are copied, alignment is moot */
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define ETHARP_SUPPORT_VLAN     0       /* no VLAN tagging in the driver */
#define LWIP_NETIF_TX_SINGLE_PBUF 0     /* the driver copies chains itself */
#define PBUF_LINK_ENCAPSULATION_HLEN 0  /* the virtio header is the driver's */

/* ---- IPv4 ------------------------------------------------------------------------ */

#define LWIP_IPV4               1
#define IP_FORWARD              0       /* an endpoint, never a router */
#define IP_REASSEMBLY           1       /* UDP datagrams above the MTU */
#define IP_FRAG                 1
#define IP_REASS_MAXAGE         5       /* s (default 15): half-received datagrams
					   hold pool pbufs; drop them sooner */
#define IP_REASS_MAX_PBUFS      64      /* all datagrams being reassembled: hostile
					   fragments cannot hold more */
#define IP_OPTIONS_ALLOWED      0       /* drop IPv4 packets with options: nothing
					   we need uses them */
#define IP_DEFAULT_TTL          64      /* as Linux (lwIP's default 255) */
#define IP_SOF_BROADCAST        1       /* sending to broadcast needs SO_BROADCAST,
					   as POSIX says */
#define IP_SOF_BROADCAST_RECV   0       /* receiving it does not (as Linux) */
#define LWIP_ICMP               1       /* echo replies; errors to TCP/UDP */
#define LWIP_BROADCAST_PING     0       /* no replies to broadcast/multicast */
#define LWIP_MULTICAST_PING     0       /*   pings (amplification) */
#define LWIP_DHCP               1       /* the default way to an address */
#define DHCP_DOES_ARP_CHECK     0       /* the ARP probe of an offered address costs
					   0.5 s of boot; a DHCP server owns its
					   pool (clouds, QEMU's slirp) */
#define LWIP_DHCP_GET_NTP_SRV   0
#define LWIP_AUTOIP             0       /* no link-local IPv4: DHCP or static */
#define LWIP_IGMP               0       /* no IPv4 multicast for guests */
#define LWIP_NETIF_HOSTNAME     1       /* DHCP sends "wasmetal" (option 12) */

/* ---- IPv6 ------------------------------------------------------------------------ */

#define LWIP_IPV6               1
#define LWIP_IPV6_NUM_ADDRESSES 3       /* link-local + SLAAC + one more prefix */
#define LWIP_IPV6_FORWARD       0
#define LWIP_IPV6_FRAG          1
#define LWIP_IPV6_REASS         1
#define IPV6_FRAG_COPYHEADER    1       /* required with 64-bit pointers: the
					   reassembly helper (a pointer + 2 u16)
					   does not fit the 8-byte fragment
					   header it would overlay */
#define IPV6_REASS_MAXAGE       10      /* x IP6_REASS_TMR_INTERVAL (1 s); default 60 */
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1 /* ask for the router's prefix at once */
#define LWIP_IPV6_AUTOCONFIG    1       /* SLAAC (RFC 4862) */
#define LWIP_IPV6_ADDRESS_LIFETIMES 1   /* SLAAC addresses expire as advertised */
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 1 /* DAD, one probe (RFC 4862's default) */
#define LWIP_ICMP6              1       /* ND, echo replies, errors */
#define LWIP_IPV6_MLD           1       /* report the multicast groups ND listens
					   on, for snooping switches */
#define LWIP_ND6_QUEUEING       1
#define LWIP_ND6_NUM_NEIGHBORS  16
#define LWIP_ND6_NUM_DESTINATIONS 16
#define LWIP_ND6_NUM_PREFIXES   5
#define LWIP_ND6_NUM_ROUTERS    3
#define LWIP_ND6_ALLOW_RA_UPDATES 1     /* take the router's MTU/hop limit */
#define LWIP_ND6_RDNSS_MAX_DNS_SERVERS 0 /* DNS servers come from DHCP or the
					   manifest; an RA must not replace them */
#define LWIP_IPV6_DHCP6         0       /* SLAAC only */

/* ---- UDP, DNS ------------------------------------------------------------------ */

#define LWIP_UDP                1
#define LWIP_UDPLITE            0
#define LWIP_DNS                1       /* plat_resolve (net/resolve.c) */
#define DNS_TABLE_SIZE          8       /* names cached/being resolved */
#define DNS_MAX_NAME_LENGTH     256
#define DNS_MAX_SERVERS         2       /* = BUNDLE_MAX_DNS (images/parse/bundle_parse.h) */
#define DNS_DOES_NAME_CHECK     1       /* an answer must be for the name asked */
#define LWIP_DNS_SECURE         7       /* random ids, random source ports, one
					   query per name at a time (spoofing) */
#define DNS_LOCAL_HOSTLIST      0       /* "localhost" is lwIP's built-in (loopif) */
#define LWIP_DNS_SUPPORT_MDNS_QUERIES 0

/* ---- TCP --------------------------------------------------------------------------- */

#define LWIP_TCP                1
#define TCP_MSS                 1460    /* Ethernet MTU 1500 - 40 */
#define LWIP_WND_SCALE          1       /* window scaling (RFC 7323) */
#define TCP_RCV_SCALE           2       /* our window counts in 4-byte units */
#define TCP_WND                 (128u * 1024)   /* receive window: also the most
					   unread data one socket holds
					   (net/sock.c acks only what the
					   application has read) */
#define TCP_SND_BUF             (64u * 1024)    /* unacked + unsent data per
					   socket (tcp_sndbuf() reports at
					   most 65535 anyway) */
#define TCP_SND_QUEUELEN        ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
					/* segments per socket (the default) */
#define TCP_SNDLOWAT            (TCP_SND_BUF / 2)       /* the default's value,
					   spelled out: lwIP's u16 sanity check */
#define TCP_OVERSIZE            TCP_MSS /* small writes fill one MSS-sized pbuf */
#define TCP_QUEUE_OOSEQ         1       /* keep out-of-order segments, but ... */
#define TCP_OOSEQ_MAX_BYTES     (64u * 1024)    /* ... at most this much */
#define TCP_OOSEQ_MAX_PBUFS     32      /* ... in at most this many pbufs, per
					   socket */
#define TCP_LISTEN_BACKLOG      1       /* lwIP counts half-open + unaccepted
					   connections per listener and drops SYNs
					   beyond the backlog (SYN floods) */
#define TCP_DEFAULT_LISTEN_BACKLOG 16
#define TCP_MAXRTX              12      /* retransmissions (and zero-window
					   probes) before a connection is dropped */
#define TCP_SYNMAXRTX           6       /* SYN retransmissions: a connect fails
					   with ETIMEDOUT after ~1 min */
#define LWIP_TCP_KEEPALIVE      1       /* SO_KEEPALIVE (2 h idle, as Linux) */
#define LWIP_TCP_TIMESTAMPS     0
#define LWIP_TCP_SACK_OUT       0
#define LWIP_CALLBACK_API       1       /* the raw API's callbacks */
#define LWIP_EVENT_API          0
#define SO_REUSE                1       /* SO_REUSEADDR: a server restarts while
					   its old connections are in TIME_WAIT */
#define SO_REUSE_RXTOALL        0
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1    /* ephemeral ports not
					   predictable from boot to boot */

/* ---- interfaces ---------------------------------------------------------------- */

#define LWIP_SINGLE_NETIF       0       /* the NIC + loopback */
#define LWIP_NETIF_LOOPBACK     1       /* a guest may talk to itself (127.0.0.1,
					   ::1, its own address) */
#define LWIP_HAVE_LOOPIF        1
#define LWIP_LOOPBACK_MAX_PBUFS 128     /* looped packets waiting for net_poll */
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 0    /* netif_poll_all() in net_poll */
#define LWIP_NETIF_EXT_STATUS_CALLBACK 1        /* net.c logs addresses as they
					   come (DHCP lease, SLAAC) */
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_NETIF_API          0

/* ---- checksums ------------------------------------------------------------------- */

/* The driver negotiates no checksum offload (drivers/virtio_net.c): lwIP
 * computes every checksum it sends and checks every one it receives. */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 0
#define CHECKSUM_GEN_IP         1
#define CHECKSUM_GEN_UDP        1
#define CHECKSUM_GEN_TCP        1
#define CHECKSUM_GEN_ICMP       1
#define CHECKSUM_GEN_ICMP6      1
#define CHECKSUM_CHECK_IP       1
#define CHECKSUM_CHECK_UDP      1
#define CHECKSUM_CHECK_TCP      1
#define CHECKSUM_CHECK_ICMP     1
#define CHECKSUM_CHECK_ICMP6    1
#define LWIP_CHECKSUM_ON_COPY   1       /* tcp_write sums while it copies */

/* ---- randomness, hooks ------------------------------------------------------------ */

/* DNS ids and ports, initial local ports: from the platform's entropy
 * (net/port.c; RDSEED/RDRAND or virtio-rng). */
#define LWIP_RAND()             net_lwip_rand()
/* LWIP_HOOK_TCP_ISN: initial sequence numbers as RFC 6528 says (a keyed
 * hash of the connection plus a clock), not lwIP's predictable counter. */
#define LWIP_HOOK_FILENAME      "net_hooks.h"

/* ---- statistics and debugging ------------------------------------------------------ */

#define LWIP_STATS              1       /* pool use, drops, errors: tests read
					   them (net_log_stats) */
#define LWIP_STATS_DISPLAY      0       /* net/ formats its own summary */
#define LWIP_STATS_LARGE        1       /* 32-bit counters: 16-bit ones wrapped
					   in tests/net/hostile.sh (10,000
					   connections: 70,000 frames) */
#define MEM_STATS               1
#define MEMP_STATS              1
#define LINK_STATS              1
#define TCP_STATS               1
#define UDP_STATS               1
#define IP_STATS                1
#define IP6_STATS               1
#define ICMP_STATS              1
#define ICMP6_STATS             1
#define ND6_STATS               1
#define ETHARP_STATS            1
#define IPFRAG_STATS            1
#define IP6_FRAG_STATS          1
#define MLD6_STATS              1
#define SYS_STATS               0       /* no semaphores/mboxes with NO_SYS */
#define MIB2_STATS              0
#define LWIP_PERF               0
/* LWIP_DEBUG stays undefined: no debug output; LWIP_ASSERT stays on and
 * panics with file:line (net/arch/cc.h): lwIP's internal invariants are
 * not something to run past.  Input errors go through LWIP_ERROR, which
 * only drops. */

#endif
