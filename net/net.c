/*
 * net.c — the kernel's network (net/net.h): lwIP 2.1.3 with NO_SYS=1 on
 * virtio-net, configured from the manifest's network settings
 * (struct bundle_net, docs/manifest.md "Network").
 *
 *   net_init: virtio_net_init -> net_lwip_start (heap, lwip_init) ->
 *     netif_add(en0, ethernet_input) -> IPv4: dhcp_start or the static
 *     address -> IPv6: link-local (fe80::/64 from the MAC) + SLAAC ->
 *     DNS servers from the manifest (else DHCP's) -> wait for the DHCP
 *     lease (at most NET_DHCP_WAIT_NS; the boot goes on without it, DHCP
 *     keeps trying) -> log the addresses
 *   net_poll: frames in (net/ethif.c), loopback queue, lwIP timers, link
 *     status, sockets closing in the background (net/sock.c)
 *
 * Addresses are logged as they change (an lwIP ext status callback): the
 * lease, SLAAC addresses once duplicate detection has passed.  Runs on one
 * CPU; no interrupt handler touches anything here but `pending`.
 */
#include <errno.h>
#include <string.h>
#include "kernel.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"         /* tcp_active_pcbs: net_flush */
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "net_hooks.h"           /* net_syn_recycled */
#include "parse/bundle_parse.h"
#include "ethif.h"
#include "irq.h"
#include "pci.h"
#include "net.h"
#include "plat.h"
#include "virtio_net.h"
#include "virtio_pci.h"          /* VIRTIO_MSI_NO_VECTOR */

#define NET_DHCP_WAIT_NS        (10ull * 1000000000)    /* boot waits this long
							   for a lease at most */
#define LINK_CHECK_NS           1000000000ull   /* link status polled (until
						   config interrupts) */

static struct netif en0;
static bool ready, polling;
static volatile bool pending;   /* set by interrupt handlers (later) */
static const struct bundle_net *conf;
static uint64_t link_check_at;
NETIF_DECLARE_EXT_CALLBACK(status_cb)

void net_lwip_assert(const char *msg, const char *file, int line)
{
	panic("lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
}

bool net_ready(void)
{
	return ready;
}

/* ---- logging ---------------------------------------------------------------- */

static unsigned prefix_len(const ip4_addr_t *mask)
{
	return (unsigned)__builtin_popcount(ip4_addr_get_u32(mask));
}

static void log_ipv4(const char *how)
{
	char a[IPADDR_STRLEN_MAX], g[IPADDR_STRLEN_MAX], d[IPADDR_STRLEN_MAX];
	const ip_addr_t *dns = dns_getserver(0);

	ipaddr_ntoa_r(&en0.ip_addr, a, sizeof a);
	ipaddr_ntoa_r(&en0.gw, g, sizeof g);
	ipaddr_ntoa_r(dns, d, sizeof d);
	klog("net: en0 IPv4 %s/%u, gateway %s, dns %s (%s)", a,
	     prefix_len(netif_ip4_netmask(&en0)), g, d, how);
}

static void log_ipv6(int i, const char *how)
{
	char a[IPADDR_STRLEN_MAX];

	ipaddr_ntoa_r(&en0.ip6_addr[i], a, sizeof a);
	for (char *p = a; *p; p++)              /* RFC 5952 §4.3: lower case */
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	klog("net: en0 IPv6 %s (%s)", a, how);
}

/* Re-apply the manifest's DNS servers: DHCP sets its own on every lease. */
static void apply_dns(void)
{
	ip_addr_t a;

	for (unsigned i = 0; conf && i < conf->ndns && i < DNS_MAX_SERVERS; i++) {
		memset(&a, 0, sizeof a);
		if (conf->dns_family[i] == 6) {
			IP_SET_TYPE_VAL(a, IPADDR_TYPE_V6);
			memcpy(ip_2_ip6(&a)->addr, conf->dns[i], 16);
		} else {
			IP_ADDR4(&a, conf->dns[i][0], conf->dns[i][1], conf->dns[i][2],
				 conf->dns[i][3]);
		}
		dns_setserver((u8_t)i, &a);
	}
}

static void status_changed(struct netif *netif, netif_nsc_reason_t reason,
			   const netif_ext_callback_args_t *args)
{
	if (netif != &en0)
		return;
	if (reason & (LWIP_NSC_IPV4_ADDRESS_CHANGED | LWIP_NSC_IPV4_SETTINGS_CHANGED))
		apply_dns();
	if ((reason & LWIP_NSC_IPV4_ADDRESS_CHANGED) && !ip4_addr_isany_val(*netif_ip4_addr(netif)))
		log_ipv4(conf && conf->dhcp ? "DHCP" : "static");
	if (reason & LWIP_NSC_IPV6_ADDR_STATE_CHANGED) {
		int i = args->ipv6_addr_state_changed.addr_index;
		u8_t old = args->ipv6_addr_state_changed.old_state;
		u8_t now = netif_ip6_addr_state(netif, i);

		if (ip6_addr_isvalid(now) && !ip6_addr_isvalid(old))
			log_ipv6(i, i == 0 ? "link-local" : "SLAAC");
		else if (!ip6_addr_isvalid(now) && ip6_addr_isvalid(old))
			log_ipv6(i, ip6_addr_isduplicated(now) ? "duplicate: not used"
								: "gone");
	}
	if (reason & LWIP_NSC_LINK_CHANGED)
		klog("net: en0 link %s", args->link_changed.state ? "up" : "down");
}

/* ---- bring-up ----------------------------------------------------------------- */

static void static_ipv4(const struct bundle_net *c, ip4_addr_t *a, ip4_addr_t *m,
			ip4_addr_t *g)
{
	uint32_t mask = c->prefix ? 0xffffffffu << (32 - c->prefix) : 0;

	IP4_ADDR(a, c->addr[0], c->addr[1], c->addr[2], c->addr[3]);
	ip4_addr_set_u32(m, lwip_htonl(mask));
	IP4_ADDR(g, c->gateway[0], c->gateway[1], c->gateway[2], c->gateway[3]);
}

static void wait_dhcp(void)
{
	uint64_t t0 = plat_clock_ns(PLAT_CLOCK_MONOTONIC), now = t0;

	while (!dhcp_supplied_address(&en0) && now - t0 < NET_DHCP_WAIT_NS) {
		plat_wait(t0 + NET_DHCP_WAIT_NS, 0, NULL, 0);   /* runs net_poll */
		now = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	}
	if (dhcp_supplied_address(&en0))
		klog("net: DHCP lease after %lu ms", (now - t0) / 1000000);
	else
		klog("net: no DHCP lease after %lu s: going on without IPv4 (DHCP keeps "
		     "trying)", (unsigned long)(NET_DHCP_WAIT_NS / 1000000000));
}

static void netif_start(const struct bundle_net *c)
{
	ip4_addr_t a = { 0 }, m = { 0 }, g = { 0 };

	if (!c->dhcp)
		static_ipv4(c, &a, &m, &g);
	netif_add_ext_callback(&status_cb, status_changed);
	netif_add(&en0, &a, &m, &g, NULL, net_ethif_init, ethernet_input);
	netif_set_hostname(&en0, "wasmetal");
	netif_set_default(&en0);
	netif_create_ip6_linklocal_address(&en0, 1);
	en0.ip6_autoconfig_enabled = 1;         /* SLAAC (the macro tests &en0) */
	netif_set_up(&en0);
	if (virtio_net_link_up())
		netif_set_link_up(&en0);
	apply_dns();
}

/* MSI-X: the device's configuration changes (link) and its receive
 * queue share table entry 0, on one vector whose handler only notes the
 * work (the idle loop runs net_poll); transmit completions raise nothing
 * (net_poll reclaims them).  Without MSI-X the network still works,
 * polled from the idle loop at lwIP's timer ticks. */
static void net_irq(void *arg)
{
	net_note_pending();
}

/* virtio-mmio has one interrupt line for everything (used buffers and
 * configuration changes): the same handler, behind the transport's
 * acknowledgement. */
static void irq_setup_mmio(void)
{
	int vec = virtio_net_mmio_irq(net_irq, NULL);

	if (vec < 0)
		klog("net: no interrupt line (%d): polling at timer ticks", vec);
	else
		klog("net: virtio-mmio interrupt line on vector %#x for rx and link changes",
		     vec);
}

static void irq_setup(void)
{
	const struct pci_dev *d = virtio_net_pci();
	unsigned nvec;
	int vec, err;

	if (!d) {
		irq_setup_mmio();
		return;
	}
	if ((err = pci_msix_enable(d, &nvec))) {
		klog("net: no MSI-X (%d): polling at timer ticks", err);
		return;
	}
	vec = irq_alloc_vector(net_irq, NULL, "virtio-net");
	if (vec < 0 || (err = pci_msix_route(d, 0, (unsigned)vec, irq_apic_id())) ||
	    (err = virtio_net_set_vectors(0, 0, VIRTIO_MSI_NO_VECTOR))) {
		klog("net: MSI-X setup failed (%d): polling at timer ticks", vec < 0 ? vec : err);
		return;
	}
	klog("net: MSI-X, %u entries; vector %#x for rx and link changes", nvec, vec);
}

int net_init(const struct bundle_net *c)
{
	int err;

	if (!c->nic)
		return 0;
	if ((err = virtio_net_init())) {
		klog("net: no usable virtio-net device (%d): no network", err);
		return err;
	}
	irq_setup();
	if ((err = net_lwip_start())) {
		klog("net: no memory for lwIP's heap: no network");
		return err;
	}
	conf = c;
	netif_start(c);
	ready = true;
	klog("net: lwIP %s up, IPv4 by %s", LWIP_VERSION_STRING,
	     c->dhcp ? "DHCP" : "static configuration");
	if (c->dhcp) {
		dhcp_start(&en0);
		wait_dhcp();
	}
	return 0;
}

/* ---- the loop's side ------------------------------------------------------------ */

static void link_check(void)
{
	uint64_t now = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	bool up;

	if (now < link_check_at)
		return;
	link_check_at = now + LINK_CHECK_NS;
	up = virtio_net_link_up();
	if (up && !netif_is_link_up(&en0))
		netif_set_link_up(&en0);
	else if (!up && netif_is_link_up(&en0))
		netif_set_link_down(&en0);
}

void net_poll(void)
{
	if (!ready || polling)
		return;         /* no network, or called from inside lwIP */
	polling = true;
	pending = false;
	net_ethif_poll(&en0);
	netif_poll_all();               /* the loopback queue */
	sys_check_timeouts();
	link_check();
	net_sock_background();
	polling = false;
}

uint64_t net_next_deadline(void)
{
	uint64_t d = net_sock_next_deadline(), t;
	u32_t ms;

	if (!ready)
		return UINT64_MAX;
	if (link_check_at < d)
		d = link_check_at;
	ms = sys_timeouts_sleeptime();
	if (ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE) {
		t = plat_clock_ns(PLAT_CLOCK_MONOTONIC) + (uint64_t)ms * 1000000u;
		if (t < d)
			d = t;
	}
	return d;
}

void net_note_pending(void)
{
	pending = true;
}

bool net_work_pending(void)
{
	return ready && (pending || virtio_net_rx_pending());
}

/* Whether every TCP connection has sent everything and had it acked. */
static bool tcp_quiet(void)
{
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		if (p->unsent || p->unacked || (p->state != TIME_WAIT &&
		    p->state != FIN_WAIT_2 && p->state != CLOSED && p->state != CLOSE_WAIT &&
		    p->state != ESTABLISHED))
			return false;
	return true;
}

/* TCP quiet and every frame taken by the device.  The device's
 * completions raise no interrupt (polled), so the wait is in steps of
 * FLUSH_STEP_NS at most. */
#define FLUSH_STEP_NS 1000000ull

void net_flush(uint64_t timeout_ns)
{
	uint64_t t0 = plat_clock_ns(PLAT_CLOCK_MONOTONIC), now;

	while (ready && (now = plat_clock_ns(PLAT_CLOCK_MONOTONIC)) - t0 < timeout_ns) {
		net_poll();
		if (tcp_quiet() && virtio_net_tx_idle())
			return;
		plat_wait(now + FLUSH_STEP_NS < t0 + timeout_ns ? now + FLUSH_STEP_NS
								 : t0 + timeout_ns, 0, NULL, 0);
	}
}

/* ---- statistics -------------------------------------------------------------------- */

static const char *const memp_names[] = {
#define LWIP_MEMPOOL(name, num, size, desc) #name,
#include "lwip/priv/memp_std.h"
};

void net_log_stats(void)
{
	struct virtio_net_stats v;

	if (!ready)
		return;
	virtio_net_get_stats(&v);
	klog("net stats: virtio rx %lu frames %lu bytes (%lu merged), %lu bad; tx %lu "
	     "frames %lu bytes (%lu notified), %lu ring full, %lu bad completions",
	     v.rx_frames, v.rx_bytes, v.rx_merged, v.rx_bad, v.tx_frames, v.tx_bytes,
	     v.tx_kicks, v.tx_full, v.tx_bad);
	klog("net stats: link recv %u xmit %u drop %u memerr %u; tcp recv %u xmit %u "
	     "drop %u memerr %u chkerr %u, %lu half-open recycled; heap used %u max %u "
	     "of %u, %u failed",
	     lwip_stats.link.recv, lwip_stats.link.xmit, lwip_stats.link.drop,
	     lwip_stats.link.memerr, lwip_stats.tcp.recv, lwip_stats.tcp.xmit,
	     lwip_stats.tcp.drop, lwip_stats.tcp.memerr, lwip_stats.tcp.chkerr,
	     net_syn_recycled,
	     (unsigned)lwip_stats.mem.used, (unsigned)lwip_stats.mem.max,
	     (unsigned)lwip_stats.mem.avail, (unsigned)lwip_stats.mem.err);
	for (unsigned i = 0; i < MEMP_MAX; i++) {
		const struct stats_mem *s = lwip_stats.memp[i];

		if (s && (s->max || s->err))
			klog("net stats: pool %s used %u max %u of %u, %u failed",
			     memp_names[i], (unsigned)s->used, (unsigned)s->max,
			     (unsigned)s->avail, (unsigned)s->err);
	}
}
