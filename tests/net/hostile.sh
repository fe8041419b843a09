#!/usr/bin/env bash
# hostile.sh — the hostile network (issue 7, "Tests, with real clients"):
# the WebAssembly server examples/httpd booted under QEMU on a TAP inside
# a network namespace this script creates (nothing leaves it: every frame
# is sent on tap0, whose other end is the guest), attacked from the
# namespace, and it must keep serving:
#   1. baseline: curl gets two files byte for byte, ICMP echo answers;
#   2. bad frames (tests/net/hostile_frames.py, scapy): truncated,
#      oversized (tap0's MTU raised), bad checksums and lying lengths,
#      fragments (overlapping, never completed), random and fuzzed frames,
#      IPv6 junk, ARP junk; after each category curl gets a file byte for
#      byte; and a SYN flood (5000 SYNs from neighbours that never answer),
#      after which curl must connect within seconds, not after the 20 s its
#      half-open connections used to hold the backlog;
#   3. 10,000 connections opened and dropped (half closed with FIN, half
#      reset with SO_LINGER 0) as fast as the guest takes them (8 at a
#      time, 60 s at most): the rate is reported;
#   4. slow clients: 20 that send a request a byte a second (slowloris) and
#      10 that send nothing, held ~12 s, while curl is served 5 times;
#   5. after all that, curl gets the large file byte for byte and ICMP echo
#      answers; a few half-open connections are left, and the QEMU
#      monitor's system_powerdown stops the machine: status 143, at once;
#   6. the kernel log: no KERNEL FAULT or panic; the net stats lines: no
#      pool failed but those the traffic explains (REASSDATA: fragments
#      that never complete; ARP_QUEUE/ND6_QUEUE: replies to neighbours that
#      never answer; TCP_PCB: SYNs dropped, and retried, while all pcbs were
#      taken), PBUF_POOL never ran dry, the lwIP heap's maximum below its
#      size; the kernel heap in use at power off within a bound of boot's.
# Then tests/net/never_reads.c, a guest that accepts and never reads:
#   7. one connection pushes 50 MB with a send timeout: the guest's TCP
#      takes at most its window (TCP_WND), the sender is stopped;
#   8. 16 connections push at once: all of them together may not take the
#      receive pool (they did: the NIC then dropped every frame), the guest
#      still answers on its other port, heartbeats go on, ICMP echo answers;
#      then 8 connections send one-byte segments (a receive buffer each) and
#      the guest still answers; the log shows PBUF_POOL never ran dry.
# Every run has a timeout, every client a time and traffic bound.  The
# random frames come from one seed (HOSTILE_SEED, default 7), printed.
# Needs root (network namespaces, TAP) and /dev/net/tun; without them the
# script says so in a SKIP (counted as skipped).  Debian's /usr/bin/python3
# with python3-scapy sends the frames (host/tools/deps.sh installs it).
#
# Prints "PASS name" / "FAIL name (why)" lines, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1

. tests/lib.sh

B=${BUILD:-build}
W=$(realpath "$B/wasmetal")
PY=/usr/bin/python3
TIMEOUT=${WASMETAL_QEMU_TIMEOUT:-180}
SEED=${HOSTILE_SEED:-7}
NS=wasmetal-hostile-$$
GUEST4=192.168.77.2
GMAC=52:54:00:12:34:56         # QEMU's default MAC
CHURN=10000
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-hostile.XXXXXX") || exit 1
QPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

clients() { in_ns timeout 120 "$PY" tests/net/hostile_clients.py "$@"; }


# boot NAME PORTS MODULE ARGS...: the guest on tap0 with a static address,
# a listener per port in PORTS ("80" or "9000 9001"), a QEMU monitor
# ($T/NAME.mon) and its kernel log ($T/NAME.log); QPID is the run.
boot() {
	local name=$1 ports=$2 p listen=()
	shift 2
	for p in $ports; do listen+=(--tcplisten "0.0.0.0:$p"); done
	in_ns timeout $((TIMEOUT + 30)) \
		env WASMETAL_QEMU_MONITOR="unix:$T/$name.mon,server=on,wait=off" \
		"$W" run --timeout "$TIMEOUT" --net tap:tap0 --ip "$GUEST4/24" \
		--gateway 192.168.77.1 "${listen[@]}" --log "$T/$name.log" "$@" \
		>"$T/$name.out" 2>"$T/$name.err" </dev/null &
	QPID=$!
}

# until_up TEST CMD...: CMD until it succeeds (the guest answers), at most
# TIMEOUT s or until the run ends; PASS/FAIL TEST.
until_up() {
	local name=$1 i
	shift
	for ((i = 0; i < TIMEOUT * 2; i++)); do
		"$@" >/dev/null 2>&1 && break
		kill -0 "$QPID" 2>/dev/null || break
		sleep 0.5
	done
	if kill -0 "$QPID" 2>/dev/null && [ "$i" -lt $((TIMEOUT * 2)) ]; then
		pass "$name"
		return 0
	fi
	fail "$name" "the guest never answered on $GUEST4" "$T/$NAME.err" "$T/$NAME.log"
	return 1
}

# get TEST FILE [MAX_S]: curl GET /FILE must be the file, byte for byte.
get() {
	local name=$1 file=$2 max=${3:-30} t
	t=$(in_ns curl -sS -m "$max" -o "$T/got" -w '%{time_total}' "http://$GUEST4/$file" \
		2>"$T/curl.err")
	if cmp -s "$T/got" "$T/www/$file"; then
		pass "$name ($(wc -c <"$T/got") bytes in ${t}s)"
	else
		fail "$name" "GET /$file: body differs or no answer" "$T/curl.err"
	fi
}

alive() {       # TEST: the run is still going, no fault in its log
	if kill -0 "$QPID" 2>/dev/null && ! grep -aqi 'KERNEL FAULT\|panic' "$T/$NAME.log"; then
		return 0
	fi
	fail "$1" "the guest died" "$T/$NAME.err" "$T/$NAME.log"
	return 1
}

echo_test() {   # TEST
	if clients ping "$GUEST4" 0 >"$T/ping" 2>&1; then pass "$1"; else
		fail "$1" "no ICMP echo reply" "$T/ping"; fi
}

# power_down TEST: system_powerdown on the monitor; the run must end with
# status 143 within 60 s, having said "power button pressed" once.  (15 s
# was too short under TCG with the host's 2 cores loaded to 5: the guest
# was still shutting down, and the statistics its shutdown prints, which
# the pools, syn-flood and kernel-heap checks read, never came.)
power_down() {
	local name=$1 i rc
	"$PY" - "$T/$NAME.mon" >"$T/mon.out" 2>&1 <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
time.sleep(0.2)
s.recv(4096)
s.sendall(b"system_powerdown\n")
time.sleep(0.3)
EOF
	for ((i = 0; i < 120; i++)); do
		kill -0 "$QPID" 2>/dev/null || break
		sleep 0.5
	done
	if kill -0 "$QPID" 2>/dev/null; then
		fail "$name" "still running 60 s after system_powerdown" "$T/mon.out" "$T/$NAME.log"
		return
	fi
	wait "$QPID"
	rc=$?
	QPID=
	if [ "$rc" -eq 143 ] && [ "$(grep -ac 'power button pressed' "$T/$NAME.log")" = 1 ]; then
		pass "$name (status 143)"
	else
		grep -a 'power\|shutdown' "$T/$NAME.log" | head -n 20 >"$T/power"
		fail "$name" "status $rc, expected 143 and one 'power button pressed'" \
			"$T/power" "$T/$NAME.err"
	fi
}

# log_checks PREFIX EXPLAINED: the kernel log of the run that just ended;
# EXPLAINED: the pools whose failures the traffic explains.
log_checks() {
	local p=$1 explained=$2 log=$T/$NAME.log
	if grep -aqi 'KERNEL FAULT\|panic' "$log"; then
		grep -ai -A5 'KERNEL FAULT\|panic' "$log" >"$T/fault"
		fail "$p/no-fault" "a fault or panic in the kernel log" "$T/fault"
	else
		pass "$p/no-fault"
	fi
	grep -a 'net stats\|memory: ' "$log" | sed 's/^\[[^]]*\] //' >"$T/stats"
	"$PY" - "$T/stats" "$explained" >"$T/verdict" 2>&1 <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
bad = []
explained = set(sys.argv[2].split())
pools = re.findall(r"pool (\w+) used (\d+) max (\d+) of (\d+), (\d+) failed", text)
for name, used, mx, size, failed in pools:
    print("pool %s used %s max %s of %s, %s failed" % (name, used, mx, size, failed))
    if int(failed) and name not in explained:
        bad.append("pool %s: %s failed" % (name, failed))
    if name == "PBUF_POOL" and int(mx) >= int(size):
        bad.append("PBUF_POOL ran dry (max %s of %s)" % (mx, size))
h = re.search(r"heap used (\d+) max (\d+) of (\d+), (\d+) failed", text)
if not pools or not h:
    bad.append("no net stats lines")
else:
    print("lwIP heap max %s of %s, %s failed" % h.group(2, 3, 4))
    if int(h.group(2)) >= int(h.group(3)) or int(h.group(4)):
        bad.append("lwIP heap full")
for l in re.findall(r"net stats: (?:virtio|link).*", text):
    print(l)
if bad:
    print("BAD: " + "; ".join(bad))
    sys.exit(1)
EOF
	local rc=$? sum
	sed -n "s|^net stats: |NOTE $p: net stats: |p" "$T/verdict"
	sed -n "s|^\(pool .*\)|NOTE $p: \1|p" "$T/verdict"
	sum="$(grep -o 'PBUF_POOL used [0-9]* max [0-9]* of [0-9]*' "$T/verdict"), "
	sum+="$(grep -o 'lwIP heap max [0-9]* of [0-9]*' "$T/verdict")"
	sum+="$(grep -o '[A-Z0-9_]* used [0-9]* max [0-9]* of [0-9]*, [1-9][0-9]* failed' "$T/verdict" |
		sed 's/^/; explained: /' | tr -d '\n')"
	if [ $rc -eq 0 ]; then
		pass "$p/pools ($sum)"
	else
		fail "$p/pools" "a pool failed beyond what the traffic explains" "$T/verdict"
	fi
}

# heap_check TEST ALLOWANCE_BYTES WHY: the kernel heap in use at power off
# exceeds boot's by less than ALLOWANCE_BYTES.
heap_check() {
	local name=$1 allow=$2 why=$3 b p fb fp
	b=$(sed -n 's/.*kernel heap \([0-9]*\) KiB in use.*(boot).*/\1/p' "$T/$NAME.log")
	p=$(sed -n 's/.*kernel heap \([0-9]*\) KiB in use.*(power off).*/\1/p' "$T/$NAME.log")
	fb=$(sed -n 's/.*memory: \([0-9]*\) of .*(boot).*/\1/p' "$T/$NAME.log")
	fp=$(sed -n 's/.*memory: \([0-9]*\) of .*(power off).*/\1/p' "$T/$NAME.log")
	if [ -z "$b" ] || [ -z "$p" ]; then
		grep -a 'memory' "$T/$NAME.log" >"$T/mem"
		fail "$name" "no memory lines at boot and power off" "$T/mem"
	elif [ $(((p - b) * 1024)) -lt "$allow" ]; then
		pass "$name (kernel heap $b KiB in use at boot, $p KiB at power off, under $((allow >> 10)) KiB more: $why; $fb -> $fp MiB free)"
	else
		fail "$name" "kernel heap $b KiB at boot, $p KiB at power off: $why"
	fi
}

# ---- the httpd run ---------------------------------------------------------

frames() {      # CATEGORY: one category of bad frames, then a GET
	local c=$1 n
	[ "$c" = oversized ] && in_ns ip link set tap0 mtu 9000
	in_ns env HOSTILE_SEED="$SEED" timeout 120 "$PY" tests/net/hostile_frames.py tap0 \
		"$GMAC" "$GUEST4" 192.168.77.1 80 "$c" >"$T/frames" 2>&1
	[ "$c" = oversized ] && in_ns ip link set tap0 mtu 1500
	n=$(sed -n "s/^sent $c //p" "$T/frames")
	if [ -z "$n" ]; then
		fail "net/hostile/frames-$c" "hostile_frames.py failed" "$T/frames"
		return
	fi
	alive "net/hostile/frames-$c" || return
	get "net/hostile/frames-$c ($n frames, seed $SEED): then GET" index.html 10
}

# Right after the SYN flood, curl must connect within seconds: the flood's
# half-open connections held the backlog for 20 s (until net/synflood.c
# recycled idle ones); the log must show some recycled.
syn_flood() {
	local t n
	in_ns env HOSTILE_SEED="$SEED" timeout 120 "$PY" tests/net/hostile_frames.py tap0 \
		"$GMAC" "$GUEST4" 192.168.77.1 80 synflood >"$T/flood" 2>&1
	n=$(sed -n 's/^sent synflood //p' "$T/flood")
	t=$(in_ns curl -sS -m 15 -o "$T/got" -w '%{time_connect}' "http://$GUEST4/index.html" \
		2>"$T/curl.err")
	if [ -z "$n" ]; then
		fail net/hostile/frames-synflood "hostile_frames.py failed" "$T/flood"
	elif ! alive net/hostile/frames-synflood; then
		return
	elif cmp -s "$T/got" "$T/www/index.html" && "$PY" -c "import sys; sys.exit(not $t < 8)"; then
		pass "net/hostile/syn-flood-no-lockout ($n SYNs, seed $SEED; then curl connected in ${t}s)"
	else
		fail net/hostile/syn-flood-no-lockout "curl after the flood: connect ${t:-?}s (< 8 s expected)" \
			"$T/curl.err" "$T/flood"
	fi
}

churn() {
	if clients churn "$GUEST4" 80 "$CHURN" 60 8 >"$T/churn" 2>&1; then
		pass "net/hostile/churn-$CHURN ($(sed -n 's/^churn //p' "$T/churn"))"
	else
		fail "net/hostile/churn-$CHURN" "connections failed or too slow" "$T/churn"
	fi
	alive net/hostile/after-churn && get net/hostile/after-churn index.html 10
}

slow_clients() {
	local i ok=0 worst=0 t
	clients slow "$GUEST4" 80 20 10 12 >"$T/slow" 2>&1 &
	local spid=$!
	sleep 2
	for i in 1 2 3 4 5; do
		t=$(in_ns curl -sS -m 5 -o "$T/got" -w '%{time_total}' \
			"http://$GUEST4/big.bin" 2>>"$T/curl.err")
		cmp -s "$T/got" "$T/www/big.bin" && ok=$((ok + 1))
		worst=$("$PY" -c "print(max($worst, ${t:-99}))")
		sleep 1
	done
	wait "$spid"
	i=$?
	if [ "$ok" -eq 5 ]; then
		pass "net/hostile/slowloris-curl-served (5 of 5 GETs of big.bin byte for byte, slowest ${worst}s, while 20 slow and 10 silent clients held connections)"
	else
		fail net/hostile/slowloris-curl-served "$ok of 5 GETs right" "$T/curl.err" "$T/slow"
	fi
	if [ "$i" -eq 0 ]; then
		pass "net/hostile/slowloris-answered ($(sed -n 's/^slow slow //p' "$T/slow"))"
	else
		fail net/hostile/slowloris-answered "the slow clients were not all answered" "$T/slow"
	fi
}

httpd_run() {
	local c
	NAME=httpd
	boot httpd 80 --dir "$T/www::/www" "$B/examples/httpd.wasm"
	until_up net/hostile/boot in_ns curl -sf -m 5 -o /dev/null "http://$GUEST4/index.html" ||
		return
	get net/hostile/baseline-get-small index.html
	get net/hostile/baseline-get-large big.bin
	echo_test net/hostile/baseline-icmp-echo
	for c in truncated oversized badsum fragments random ipv6junk arpjunk; do
		frames "$c"
	done
	syn_flood
	churn
	slow_clients
	alive net/hostile/after-all && get net/hostile/after-all-get big.bin
	echo_test net/hostile/after-all-icmp-echo
	# Half-open connections at power off: the stop must not wait for them
	# (it recursed once per wakeup until they timed out: 20 s).
	in_ns env HOSTILE_SEED="$SEED" timeout 60 "$PY" tests/net/hostile_frames.py tap0 \
		"$GMAC" "$GUEST4" 192.168.77.1 80 halfopen >"$T/halfopen" 2>&1
	power_down net/hostile/power-off-with-half-open-connections
	# Failures the traffic explains: REASSDATA, fragments that never
	# complete; ARP_QUEUE/ND6_QUEUE, replies to neighbours that never
	# answer; TCP_PCB, SYNs dropped while all pcbs are taken (the flood's
	# half-open ones, connections httpd has yet to accept or close): the
	# clients retry, and the churn checked that every connection was made.
	log_checks net/hostile/httpd "REASSDATA ARP_QUEUE ND6_QUEUE TCP_PCB"
	if grep -aq 'net stats: .* [1-9][0-9]* half-open recycled' "$T/httpd.log"; then
		pass "net/hostile/syn-flood-half-open-recycled ($(grep -ao '[0-9]* half-open recycled' "$T/httpd.log"))"
	else
		fail net/hostile/syn-flood-half-open-recycled "no half-open connection was recycled" \
			"$T/stats"
	fi
	# 10,000 connections: a leak of 100 bytes each would pass 1 MB; the
	# guest's files are copied into the kernel heap (--dir)
	heap_check net/hostile/httpd-kernel-heap \
		$(($(du -sb "$T/www" | cut -f1) + CHURN * 100)) \
		"the files served plus 100 bytes per connection opened"
}

# ---- the never-reading guest -----------------------------------------------

heartbeats() { grep -c '^heartbeat ' "$T/noread.out"; }

noread_run() {
	local wnd h0 h1 taken
	NAME=noread
	wnd=$("$PY" -c 'import re; print(eval(re.sub(r"(\d)u\b", r"\1", re.search(
	  r"#define TCP_WND\s+(\(.*?\)|\S+)", open("net/lwipopts.h").read()).group(1))))')
	boot noread "9000 9001" "$B/tests/net/never_reads.wasm"
	until_up net/hostile/noread-boot clients ask "$GUEST4" 9001 || return
	clients push "$GUEST4" 9000 50 8 1 >"$T/push1" 2>&1
	taken=$(sed -n 's/.* taken \([0-9]*\) .*/\1/p' "$T/push1")
	if grep -q 'ended timeout$' "$T/push1" && [ "${taken:-0}" -gt 0 ] &&
		[ "$taken" -le "$wnd" ]; then
		pass "net/hostile/never-read-window-closes (of 50 MB the guest took $taken bytes, TCP_WND $wnd; the sender timed out)"
	else
		fail net/hostile/never-read-window-closes "taken ${taken:-?} of at most $wnd, or not stopped" \
			"$T/push1"
	fi
	h0=$(heartbeats)
	clients push "$GUEST4" 9000 50 8 16 >"$T/push16" 2>&1 &
	local ppid=$!
	sleep 5
	clients ask "$GUEST4" 9001 >"$T/ask" 2>&1
	local arc=$?
	clients ping "$GUEST4" 0 >"$T/ping" 2>&1
	local prc=$?
	wait "$ppid"
	local pushrc=$?
	h1=$(heartbeats)
	taken=$(sed -n 's/.* taken \([0-9]*\) .*/\1/p' "$T/push16")
	if [ "$pushrc" -eq 0 ] && [ "$arc" -eq 0 ] && [ "$prc" -eq 0 ] &&
		[ "${taken:-0}" -lt $((16 * wnd)) ] && [ "$h1" -gt "$h0" ]; then
		taken="16 connections: $(sed -n 's/^push conns 16 //p' "$T/push16"); meanwhile"
		taken+=" '$(sed -n 's/^ask //p' "$T/ask")', ICMP echo answered, heartbeats $h0 -> $h1"
		pass "net/hostile/never-read-conns-leave-the-nic-alive ($taken)"
	else
		fail net/hostile/never-read-conns-leave-the-nic-alive \
			"push $pushrc, ask $arc, ping $prc, taken ${taken:-?} (16 windows: $((16 * wnd))), heartbeats $h0 -> $h1" \
			"$T/push16" "$T/ask" "$T/ping" "$T/noread.out"
	fi
	# one-byte segments, each in a receive buffer of the pool, when the
	# unread sockets' share is taken already
	clients tiny "$GUEST4" 9000 8 5 >"$T/tiny" 2>&1
	local trc=$?
	if [ "$trc" -eq 0 ] && clients ask "$GUEST4" 9001 >"$T/ask" 2>&1 &&
		clients ping "$GUEST4" 0 >"$T/ping" 2>&1; then
		pass "net/hostile/never-read-tiny-segments ($(sed -n 's/^tiny //p' "$T/tiny"); then '$(sed -n 's/^ask //p' "$T/ask")', ICMP echo answered)"
	else
		fail net/hostile/never-read-tiny-segments "tiny $trc; the guest did not answer after" \
			"$T/tiny" "$T/ask" "$T/ping"
	fi
	power_down net/hostile/noread-power-off
	log_checks net/hostile/noread ""        # no flood: no pool may fail
}

make_www() {
	mkdir -p "$T/www" &&
		printf '<!doctype html><title>wasmetal</title><p>hostile network test\n' \
			>"$T/www/index.html" &&
		"$PY" -c 'import random, sys; sys.stdout.buffer.write(
		    random.Random(int(sys.argv[1])).randbytes(1 << 20))' "$SEED" >"$T/www/big.bin"
}

if ! setup_ns; then
	skip net/hostile "needs root, /dev/net/tun and ip netns"
	[ -s "$T/ns.err" ] && sed 's/^/    | /' "$T/ns.err"
elif ! "$PY" -c 'import scapy.all' >"$T/scapy.err" 2>&1; then
	fail net/hostile/scapy "$PY cannot import scapy (host/tools/deps.sh: python3-scapy)" \
		"$T/scapy.err"
else
	echo "NOTE net/hostile: seed $SEED (HOSTILE_SEED)"
	make_www
	httpd_run
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
	QPID=
	noread_run
fi
summary
