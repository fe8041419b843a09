#!/usr/bin/env bash
# kernel_httpd.sh — the network stack end to end, with real clients (issue
# 7, "Tests"): `wasmetal run -p PORT:8080 --kernel-httpd 8080:16 MiB` boots
# the kernel with a virtio-net NIC on QEMU's user networking; the kernel
# gets its address by DHCP and its IPv6 address by SLAAC, and serves HTTP
# itself (net/httpd_builtin.c) on lwIP through the same socket layer
# (net/sock.c) a Wasm server uses.  From the host, through the port
# forward, curl checks:
#   small and 16 MiB bodies byte for byte (the body's pattern is known:
#   16-byte lines "%015x\n" of their offset; GET /N serves the first N
#   bytes), HEAD, keep-alive (two URLs on one connection: curl says
#   "Re-using existing connection"), 100 parallel clients, then GET /exit
#   ends the boot with status 0; the kernel log must show the DHCP lease,
#   a SLAAC IPv6 address, no bad frame and no failed pool allocation.
# A boot without -p must not bring up a NIC or lwIP at all.  The power
# button stops a boot promptly while a client stalls a download.
# ICMP echo cannot be tested through slirp (QEMU answers pings itself);
# that waits for the TAP tests.
#
# Prints "PASS name" / "FAIL name (why)" lines (and NOTE lines with the
# throughput), then "N passed, N failed"; exit status 1 if any failed.
# Every QEMU run has a timeout.  Run from anywhere; BUILD (default build).
set -u
cd "$(dirname "$0")/../.." || exit 1

. tests/lib.sh

B=${BUILD:-build}
W=$B/wasmetal
TIMEOUT=${WASMETAL_QEMU_TIMEOUT:-180}
BIG=16777216
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-net.XXXXXX") || exit 1
QPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# The body the server sends: 16-byte lines of their own offset, cut to $1.
expected_body() {
	python3 -c '
import sys
n = int(sys.argv[1])
out = bytearray()
for off in range(0, n, 16):
    out += b"%015x\n" % off
sys.stdout.buffer.write(bytes(out[:n]))' "$1"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Boot the server in the background; wait until it answers (at most the
# timeout).  Sets PORT, QPID; status 1 if it never answered.
boot_server() {
	local i
	PORT=$(free_port)
	URL=http://127.0.0.1:$PORT
	timeout $((TIMEOUT + 30)) "$W" run --timeout "$TIMEOUT" -p "$PORT:8080" \
		--kernel-httpd "8080:$BIG" --log "$T/kernel.log" "$B/examples/hello.wasm" \
		>"$T/run.out" 2>"$T/run.err" </dev/null &
	QPID=$!
	for ((i = 0; i < TIMEOUT * 2; i++)); do
		if curl -sf -m 5 -o /dev/null "$URL/1" 2>/dev/null; then
			return 0
		fi
		kill -0 "$QPID" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

# get NAME PATH SIZE: GET PATH must answer 200 with the first SIZE bytes.
get() {
	local name=$1 path=$2 size=$3 out
	out=$(curl -sS -m 120 -o "$T/got" -w '%{http_code} %{size_download} %{speed_download}' \
		"$URL$path" 2>"$T/curl.err")
	expected_body "$size" >"$T/want"
	set -- $out
	if [ "${1:-}" != 200 ]; then
		fail "$name" "HTTP status '${1:-none}'" "$T/curl.err"
	elif ! cmp -s "$T/got" "$T/want"; then
		cmp "$T/got" "$T/want" >"$T/cmp" 2>&1
		fail "$name" "body differs from the pattern ($2 bytes received)" "$T/cmp"
	else
		pass "$name ($2 bytes)"
		SPEED=${3%.*}
	fi
}

# HEAD: the head of GET /, and no body: a GET pipelined after it on the
# same connection must come right after the HEAD's empty line.
head_check() {
	python3 - "$PORT" "$BIG" >"$T/head" 2>&1 <<'EOF'
import socket, sys
port, big = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n"
          b"GET /10 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
print(data.decode("latin-1"))
h1, rest = data.split(b"\r\n\r\n", 1)
h2, body = rest.split(b"\r\n\r\n", 1)
ok = (h1.startswith(b"HTTP/1.1 200") and b"Content-Length: " + big.encode() in h1
      and h2.startswith(b"HTTP/1.1 200") and b"Content-Length: 10" in h2
      and body == b"000000000000000\n"[:10])
sys.exit(0 if ok else 1)
EOF
	if [ $? -eq 0 ]; then
		pass net/kernel-httpd/head
	else
		fail net/kernel-httpd/head "not a bodiless 200 with Content-Length: $BIG" "$T/head"
	fi
}

# A request head of 6 KB arrives in several full-size segments (frames
# the driver may receive in merged buffers): the server must reassemble it.
big_request_check() {
	local pad
	pad=$(head -c 6000 /dev/zero | tr '\0' a)
	curl -sS -m 30 -H "X-Pad: $pad" -o "$T/bigreq" "$URL/100" 2>"$T/curl.err"
	expected_body 100 >"$T/want"
	if cmp -s "$T/bigreq" "$T/want"; then
		pass net/kernel-httpd/large-request
	else
		fail net/kernel-httpd/large-request "no right answer to a 6 KB request" \
			"$T/curl.err"
	fi
}

keepalive_check() {
	curl -sSv -m 60 -o "$T/ka1" -o "$T/ka2" "$URL/1000" "$URL/5000" >"$T/ka.log" 2>&1
	expected_body 1000 >"$T/want1"
	expected_body 5000 >"$T/want2"
	if ! grep -q 'Re-using existing connection' "$T/ka.log"; then
		fail net/kernel-httpd/keep-alive "curl opened a second connection" "$T/ka.log"
	elif ! cmp -s "$T/ka1" "$T/want1" || ! cmp -s "$T/ka2" "$T/want2"; then
		fail net/kernel-httpd/keep-alive "a body differs" "$T/ka.log"
	else
		pass net/kernel-httpd/keep-alive
	fi
}

# 100 clients at once through QEMU's port forward (par_curl, tests/lib.sh:
# a client that stalled in the forward's host-side accept queue is run
# once more and counted; the TAP test net/tap/parallel-100 allows none).
parallel_check() {
	local n=100 size=100000 bad=0 i retried
	expected_body "$size" >"$T/want"
	par_curl "$n" "$T/par" "$URL/$size"
	for ((i = 1; i <= n; i++)); do
		cmp -s "$T/par/$i" "$T/want" || bad=$((bad + 1))
	done
	retried=$(wc -l <"$T/par/retried")
	if [ "$(grep -c '^200$' "$T/par/codes")" -ne "$n" ] || [ "$bad" -ne 0 ]; then
		sort "$T/par/codes" | uniq -c >"$T/par.sum"
		fail net/kernel-httpd/parallel-100 "$bad bodies wrong ($retried retried); status counts:" \
			"$T/par.sum" "$T/par/err"
	else
		pass "net/kernel-httpd/parallel-100 ($n clients, $size bytes each, $retried retried after a stall in QEMU's forward)"
	fi
}

exit_check() {
	local body rc
	body=$(curl -sS -m 30 "$URL/exit" 2>"$T/curl.err")
	wait "$QPID"
	rc=$?
	QPID=
	if [ "$body" != bye ] || [ "$rc" -ne 0 ]; then
		fail net/kernel-httpd/exit "body '$body', wasmetal status $rc" "$T/run.err" \
			"$T/kernel.log"
	else
		pass net/kernel-httpd/exit
	fi
}

log_checks() {
	local l=$T/kernel.log
	if grep -q 'net: DHCP lease after' "$l" &&
		grep -q 'net: en0 IPv4 10\.0\.2\.15/24, gateway 10\.0\.2\.2' "$l"; then
		pass "net/kernel-httpd/dhcp-lease ($(grep -o 'DHCP lease after [0-9]* ms' "$l"))"
	else
		fail net/kernel-httpd/dhcp-lease "no DHCP lease in the kernel log" "$l"
	fi
	if grep -qi 'net: en0 IPv6 fec0::[0-9a-f:]* (SLAAC)' "$l" &&
		grep -qi 'net: en0 IPv6 fe80::[0-9a-f:]* (link-local)' "$l"; then
		pass net/kernel-httpd/ipv6-slaac
	else
		fail net/kernel-httpd/ipv6-slaac "no link-local and SLAAC address in the log" "$l"
	fi
	if grep -q 'net stats: virtio rx .*, 0 bad; tx .* 0 bad completions' "$l" &&
		! grep -q 'net stats: pool .*, [1-9][0-9]* failed' "$l" &&
		! grep -q 'PANIC' "$l"; then
		pass net/kernel-httpd/no-drops
	else
		grep 'net stats\|PANIC\|virtio-net' "$l" >"$T/stats"
		fail net/kernel-httpd/no-drops "bad frames, failed pool allocations or a panic" \
			"$T/stats"
	fi
	# A kernel built with small receive buffers (VIRTIO_NET_RX_BUF_SIZE)
	# must have gathered frames from several buffers.
	if [ -n "${EXPECT_MERGED:-}" ]; then
		if grep -q 'net stats: virtio rx .* ([1-9][0-9]* merged)' "$l"; then
			pass "net/kernel-httpd/rx-merged-buffers ($(grep -o '[0-9]* merged' "$l"))"
		else
			grep 'net stats: virtio' "$l" >"$T/stats"
			fail net/kernel-httpd/rx-merged-buffers "no frame spanned buffers" "$T/stats"
		fi
	fi
}

# Without -p/--net the kernel must not touch the network at all.
no_nic_check() {
	local rc
	timeout $((TIMEOUT + 30)) "$W" run --timeout "$TIMEOUT" --log "$T/nonet.log" \
		"$B/examples/hello.wasm" >"$T/nonet.out" 2>&1 </dev/null
	rc=$?
	if [ "$rc" -ne 0 ] || ! grep -q 'entering module' "$T/nonet.log"; then
		fail net/no-nic "status $rc" "$T/nonet.out" "$T/nonet.log"
	elif grep -q 'virtio-net\|lwIP\|net: ' "$T/nonet.log"; then
		grep 'virtio-net\|lwIP\|net: ' "$T/nonet.log" >"$T/nonet.lines"
		fail net/no-nic "the kernel brought up the network unasked" "$T/nonet.lines"
	else
		pass net/no-nic
	fi
}

# The power button (QEMU's system_powerdown) stops the machine within
# seconds, with status 143 and one log line, even while a client keeps TCP
# busy (it asked for 16 MiB and reads nothing): the flush of the last data
# is bounded and starts once, however often the machine wakes meanwhile.
powerdown_check() {
	local name=net/kernel-httpd/powerdown-stalled-client mon=$T/mon.sock
	local rc cpid t0 t1 n i
	if ! WASMETAL_QEMU_MONITOR="unix:$mon,server=on,wait=off" boot_server; then
		fail "$name" "the server never answered" "$T/run.err" "$T/kernel.log"
		return
	fi
	python3 - "$PORT" "$mon" >"$T/stall.out" 2>&1 <<'EOF' &
import socket, sys, time
port, mon = int(sys.argv[1]), sys.argv[2]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
time.sleep(3)           # the server fills our window; we never read
m = socket.socket(socket.AF_UNIX)
m.connect(mon)
m.sendall(b"system_powerdown\n")
print("pressed", flush=True)
time.sleep(120)         # the connection stays open, unread
EOF
	cpid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q pressed "$T/stall.out" && break
		sleep 0.1
	done
	t0=$(date +%s)
	wait "$QPID"
	rc=$?
	t1=$(date +%s)
	QPID=
	kill "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	n=$(grep -c 'power button pressed' "$T/kernel.log")
	if [ "$rc" -eq 143 ] && [ $((t1 - t0)) -le 20 ] && [ "$n" -eq 1 ] &&
		! grep -q 'KERNEL FAULT\|PANIC' "$T/kernel.log"; then
		pass "$name ($((t1 - t0)) s)"
	else
		grep 'power button\|KERNEL FAULT\|PANIC\|shutdown' "$T/kernel.log" | head -5 >"$T/pd"
		fail "$name" "status $rc after $((t1 - t0)) s, $n 'power button pressed' lines" \
			"$T/pd" "$T/stall.out"
	fi
}

if ! boot_server; then
	fail net/kernel-httpd/boot "the server never answered on $URL" "$T/run.err" \
		"$T/kernel.log"
else
	pass net/kernel-httpd/boot
	get net/kernel-httpd/small /1000 1000
	SPEED=
	get net/kernel-httpd/16MiB / "$BIG"
	[ -n "$SPEED" ] && echo "NOTE net/kernel-httpd: 16 MiB in one GET at" \
		"$((SPEED / 1000000)) MB/s (QEMU user networking, $(grep -q kvm /proc/cpuinfo 2>/dev/null && echo maybe KVM || echo TCG))"
	head_check
	big_request_check
	keepalive_check
	parallel_check
	# SLAAC needs the router's advertisement (~3 s after boot): give it
	# time before the boot ends (log_checks looks for it).
	for ((i = 0; i < 40; i++)); do
		grep -q '(SLAAC)' "$T/kernel.log" && break
		sleep 0.5
	done
	exit_check
	log_checks
fi
no_nic_check
powerdown_check
summary
