#!/usr/bin/env bash
# tap_netns.sh — the TAP path (issue 7: `--net tap:IFNAME`, static
# addresses, ICMP echo replies, IPv6): inside a network namespace the test
# creates (nothing leaves it), a TAP interface 192.168.77.1/24 on the host
# side; `wasmetal run --net tap:tap0 --ip 192.168.77.2/24 --gateway
# 192.168.77.1 --kernel-httpd 80:SIZE` boots the kernel on it (no DHCP:
# the static address), and from the namespace:
#   ICMP echo to 192.168.77.2 and to the guest's IPv6 link-local address
#   (fe80::5054:ff:fe12:3456, from QEMU's default MAC) come back with the
#   same id, sequence and payload; curl gets bodies byte for byte over
#   IPv4 and over IPv6 link-local; the log shows the static address; the
#   guest resolves names (GET /resolve/NAME) through a DNS server this
#   script runs on 192.168.77.1 (`--dns`): an A record, an AAAA record, a
#   name that does not exist, and a numeric name (no query); 100 curl
#   clients at once, each body byte for byte, no retries: here nothing
#   stands between curl and the guest's lwIP (QEMU's user networking
#   forward, which kernel_httpd.sh goes through, has a listen backlog of
#   one on the host: see there).
# Needs root (network namespaces, TAP); without it the script says so in a
# SKIP (counted as skipped).  Every run has a timeout.
#
# Prints "PASS name" / "FAIL name (why)" lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1

. tests/lib.sh

B=${BUILD:-build}
W=$(realpath "$B/wasmetal")
TIMEOUT=${WASMETAL_QEMU_TIMEOUT:-180}
NS=wasmetal-test-$$
GUEST4=192.168.77.2
GUEST6=fe80::5054:ff:fe12:3456
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-tap.XXXXXX") || exit 1
QPID=
DPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT


# echo_test FAMILY ADDR: one ICMP (v4) or ICMPv6 echo from the namespace,
# the reply checked (raw socket: the namespace's root).
echo_test() {
	in_ns timeout 30 python3 - "$1" "$2" >"$T/ping" 2>&1 <<'EOF'
import os, socket, struct, sys, time
fam, addr = sys.argv[1], sys.argv[2]
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
ident, payload = os.getpid() & 0xffff, b"wasmetal-echo-" + os.urandom(8).hex().encode()
if fam == "4":
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    dest, typ, reply = (addr, 0), 8, 0
else:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    dest, typ, reply = (addr, 0, 0, socket.if_nametoindex("tap0")), 128, 129
s.settimeout(2)
for seq in range(1, 6):
    hdr = struct.pack("!BBHHH", typ, 0, 0, ident, seq)
    pkt = hdr + payload
    if fam == "4":              # the kernel sums ICMPv6 itself
        pkt = struct.pack("!BBHHH", typ, 0, csum(pkt), ident, seq) + payload
    s.sendto(pkt, dest)
    end = time.time() + 2
    while time.time() < end:
        try:
            data, src = s.recvfrom(2048)
        except socket.timeout:
            break
        if fam == "4":
            data = data[(data[0] & 15) * 4:]
        t, _, _, i, q = struct.unpack("!BBHHH", data[:8])
        if t == reply and i == ident and q == seq and data[8:] == payload:
            print("reply from", src[0], "seq", seq)
            sys.exit(0)
print("no echo reply from", addr)
sys.exit(1)
EOF
}

# A DNS server on 192.168.77.1:53 (tests/net/dns_server.py): A and AAAA
# records of two names, NXDOMAIN for the rest; it logs each query.
dns_server() {
	# not in_ns: a function in the background is a subshell, and killing
	# it would leave the server running
	ip netns exec "$NS" timeout $((TIMEOUT + 60)) python3 tests/net/dns_server.py 192.168.77.1 \
		svc.wasmetal.test=192.0.2.55 six.wasmetal.test=2001:db8::55 >"$T/dns.log" 2>&1 &
	DPID=$!
}

# resolve_test NAME EXPECTED-BODY-PREFIX: GET /resolve/NAME.
resolve_test() {
	in_ns curl -sS -m 60 "http://$GUEST4/resolve/$1" >"$T/res" 2>&1
	if grep -q "^$2" "$T/res"; then
		pass "net/tap/resolve-$1"
	else
		fail "net/tap/resolve-$1" "expected '$2'" "$T/res" "$T/dns.log"
	fi
}

# Hostile traffic at the guest, from the namespace (AF_PACKET on tap0,
# bounded, seeded): random frames, IPv4/IPv6/TCP/UDP/ICMP headers with
# random fields, lengths and checksums, fragments, jumbo frames (tap0's
# MTU raised: the device hands them over in 5+ merged buffers), and a SYN
# flood from random addresses.  The guest must stay up and keep serving.
hostile() {
	in_ns ip link set tap0 mtu 9000
	in_ns timeout 120 python3 - "$GUEST4" >"$T/hostile" 2>&1 <<'EOF'
import random, socket, struct, sys, time
seed = int(time.time()); random.seed(seed); print("seed", seed)
guest4 = socket.inet_aton(sys.argv[1])
gmac, hmac = bytes.fromhex("525400123456"), bytes.fromhex("02aabbccddee")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("tap0", 0))
def rnd(n): return random.randbytes(n)
def csum(b):
    if len(b) % 2: b += b"\0"
    x = sum(struct.unpack("!%dH" % (len(b) // 2), b)); x = (x >> 16) + (x & 0xffff)
    return ~(x + (x >> 16)) & 0xffff
def send(f):
    try: s.send(f)
    except OSError: pass      # the TAP's queue is full: the guest is busy
def eth(t, payload, dst=gmac): return dst + hmac + struct.pack("!H", t) + payload
def ip4(proto, payload, src=None, frag=0, tot=None, ihl=5, sum_ok=True):
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot if tot is not None else 20 + len(payload),
                    random.getrandbits(16), frag, 64, proto, 0, src or rnd(4), guest4)
    if sum_ok: h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload
n = 0
for i in range(200):                        # jumbo frames: 2-5 device buffers each
    send(eth(0x0800, ip4(17, rnd(random.randint(1600, 8900))))); n += 1
    time.sleep(0.002)
for i in range(3000):                       # random frames
    send(eth(random.getrandbits(16), rnd(random.randint(0, 1500)), random.choice([gmac, b"\xff" * 6])))
    n += 1
for i in range(3000):                       # garbled IPv4: TCP, UDP, ICMP, options, lengths
    proto = random.choice([1, 6, 17, random.getrandbits(8)])
    body = rnd(random.randint(0, 200))
    pkt = ip4(proto, body, frag=random.choice([0, 0x2000, random.getrandbits(16)]),
              tot=random.choice([None, random.getrandbits(16)]),
              ihl=random.choice([5, 5, random.randint(0, 15)]), sum_ok=random.random() < 0.8)
    send(eth(0x0800, pkt[:random.randint(0, len(pkt))] if random.random() < 0.3 else pkt)); n += 1
for i in range(1000):                       # garbled IPv6 to the guest's link-local
    dst = socket.inet_pton(socket.AF_INET6, "fe80::5054:ff:fe12:3456")
    nh = random.choice([6, 17, 58, 0, 43, 44, 60, random.getrandbits(8)])
    body = rnd(random.randint(0, 300))
    h = struct.pack("!IHBB16s16s", 0x60000000, random.choice([len(body), random.getrandbits(16)]), nh, 255,
                    socket.inet_pton(socket.AF_INET6, "fe80::1"), dst)
    send(eth(0x86dd, h + body)); n += 1
for i in range(5000):                       # SYN flood to :80 from random neighbours
    src = bytes([192, 168, 77, random.randint(3, 254)])
    tcp = struct.pack("!HHIIBBHHH", random.getrandbits(16), 80, random.getrandbits(32), 0, 0x50, 0x02, 65535, 0, 0)
    ph = src + guest4 + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
    send(eth(0x0800, ip4(6, tcp, src=src))); n += 1
print("sent", n, "frames")
EOF
	in_ns ip link set tap0 mtu 1500
	sleep 2                 # let the guest work through its queue
	if ! kill -0 "$QPID" 2>/dev/null || grep -q PANIC "$T/kernel.log"; then
		fail net/tap/hostile-frames "the guest died" "$T/hostile" "$T/kernel.log"
	else
		pass "net/tap/hostile-frames ($(grep -o 'sent [0-9]* frames' "$T/hostile"))"
	fi
}

get() {     # NAME URL SIZE
	local name=$1 url=$2 size=$3
	in_ns curl -sS -g -m 60 -o "$T/got" "$url" 2>"$T/curl.err"
	get_want "$size"
	if cmp -s "$T/got" "$T/want"; then
		pass "$name"
	else
		fail "$name" "body differs or no answer" "$T/curl.err"
	fi
}

# get_want SIZE: $T/want, the first SIZE bytes of the server's body.
get_want() {
	python3 -c '
import sys
n = int(sys.argv[1])
out = bytearray()
for off in range(0, n, 16):
    out += b"%015x\n" % off
sys.stdout.buffer.write(bytes(out[:n]))' "$1" >"$T/want"
}

# 100 curl clients at once against the guest, straight over the TAP:
# every one must answer 200 with its body byte for byte, without a retry.
parallel_test() {
	local n=100 size=100000 bad=0 i
	mkdir -p "$T/par"
	get_want "$size"
	seq 1 "$n" | in_ns xargs -P "$n" -I{} curl -sS -m 60 -o "$T/par/{}" \
		-w '%{http_code}\n' "http://$GUEST4/$size" >"$T/par.codes" 2>"$T/par.err"
	for ((i = 1; i <= n; i++)); do
		cmp -s "$T/par/$i" "$T/want" || bad=$((bad + 1))
	done
	if [ "$(grep -c '^200$' "$T/par.codes")" -ne "$n" ] || [ "$bad" -ne 0 ]; then
		sort "$T/par.codes" | uniq -c >"$T/par.sum"
		fail net/tap/parallel-100 "$bad bodies wrong; status counts:" \
			"$T/par.sum" "$T/par.err"
	else
		pass "net/tap/parallel-100 ($n clients, $size bytes each)"
	fi
}

run_tests() {
	local i
	dns_server
	ip netns exec "$NS" timeout $((TIMEOUT + 30)) "$W" run --timeout "$TIMEOUT" --net tap:tap0 \
		--ip "$GUEST4/24" --gateway 192.168.77.1 --dns 192.168.77.1 \
		--kernel-httpd 80:200000 \
		--log "$T/kernel.log" "$B/examples/hello.wasm" \
		>"$T/run.out" 2>"$T/run.err" </dev/null &
	QPID=$!
	for ((i = 0; i < TIMEOUT * 2; i++)); do
		in_ns curl -sf -m 5 -o /dev/null "http://$GUEST4/1" 2>/dev/null && break
		kill -0 "$QPID" 2>/dev/null || break
		sleep 0.5
	done
	if ! kill -0 "$QPID" 2>/dev/null || [ "$i" -ge $((TIMEOUT * 2)) ]; then
		fail net/tap/boot "the guest never answered on $GUEST4" "$T/run.err" "$T/kernel.log"
		return
	fi
	pass net/tap/boot
	if echo_test 4 "$GUEST4"; then pass net/tap/icmp-echo; else
		fail net/tap/icmp-echo "no echo reply" "$T/ping"; fi
	get net/tap/http-ipv4 "http://$GUEST4/200000" 200000
	parallel_test
	# link-local IPv6 is valid once duplicate detection is over (~2 s)
	for ((i = 0; i < 40; i++)); do
		grep -qi "IPv6 $GUEST6 (link-local)" "$T/kernel.log" && break
		sleep 0.5
	done
	if echo_test 6 "$GUEST6"; then pass net/tap/icmpv6-echo; else
		fail net/tap/icmpv6-echo "no echo reply" "$T/ping" "$T/kernel.log"; fi
	get net/tap/http-ipv6-link-local "http://[$GUEST6%tap0]/5000" 5000
	resolve_test svc.wasmetal.test 192.0.2.55
	resolve_test six.wasmetal.test 2001:db8:0:0:0:0:0:55
	resolve_test nope.wasmetal.test "error -2"             # -ENOENT
	resolve_test 10.9.8.7 10.9.8.7
	hostile
	get net/tap/http-after-hostile "http://$GUEST4/200000" 200000
	if echo_test 4 "$GUEST4"; then pass net/tap/icmp-echo-after-hostile; else
		fail net/tap/icmp-echo-after-hostile "no echo reply" "$T/ping"; fi
	if grep -q 'query 10.9.8.7' "$T/dns.log"; then
		fail net/tap/resolve-numeric-no-query "a numeric name went to DNS" "$T/dns.log"
	else
		pass net/tap/resolve-numeric-no-query
	fi
	in_ns curl -sS -m 30 "http://$GUEST4/exit" >"$T/exit" 2>&1
	wait "$QPID"
	i=$?
	QPID=
	if [ "$i" -ne 0 ] || ! grep -q bye "$T/exit"; then
		fail net/tap/exit "status $i" "$T/exit" "$T/run.err"
	else
		pass net/tap/exit
	fi
	# 200 jumbo frames: each dropped by the driver, whole (up to 4 buffers:
	# gathered, too long; 5 or more: num_buffers refused, the rest skipped)
	# (a full TAP queue may lose some of them before the device: 1..200)
	i=$(sed -n 's/.*net stats: virtio rx .*, \([0-9]*\) bad;.*/\1/p' "$T/kernel.log")
	if [ "${i:-0}" -ge 1 ] && [ "${i:-0}" -le 200 ] &&
		grep -q 'virtio-net: \(frame length\|num_buffers\) out of range' "$T/kernel.log"; then
		pass "net/tap/jumbo-frames-dropped ($i of 200 counted bad)"
	else
		grep 'virtio-net\|net stats' "$T/kernel.log" >"$T/stats"
		fail net/tap/jumbo-frames-dropped "the driver did not count the jumbo frames as bad" \
			"$T/stats"
	fi
	if grep -q "net: en0 IPv4 $GUEST4/24, gateway 192.168.77.1, .*(static)" "$T/kernel.log" &&
		! grep -q 'DHCP' "$T/kernel.log"; then
		pass net/tap/static-address
	else
		fail net/tap/static-address "no static address in the log (or DHCP ran)" \
			"$T/kernel.log"
	fi
}

if setup_ns; then
	run_tests
else
	skip net/tap "needs root, /dev/net/tun and ip netns"
	[ -s "$T/ns.err" ] && sed 's/^/    | /' "$T/ns.err"
fi
summary
