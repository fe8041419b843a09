#!/usr/bin/env bash
# net.sh — network benchmarks (issue 7, "Benchmark"): `make bench-net`.
#
# wrk (Debian's) from the host, each configuration in turn, same
# parameters (WRK_ARGS, default -t2 -c16 -d10s --latency), same body:
#
#   qemu-wasm     examples/httpd (Wasm) under QEMU: --tcplisten, a 1 KiB
#                 file from --dir, through QEMU's user networking (-p)
#   qemu-kernel   the in-kernel C server (--kernel-httpd PORT:1024, no Wasm)
#                 on the same lwIP + virtio-net + socket path (net/sock.c)
#   qemu-fixed    the in-kernel server's job as a Wasm program
#                 (bench/netsrv/fixed_httpd.c: one fixed body, no files):
#                 what the runtime itself costs
#   hosted        examples/httpd with `wasmetal run --hosted` (Linux sockets)
#   native        examples/httpd built with gcc -O2 on Linux, the same C,
#                 on a listening socket it inherits
#
# and QEMU's host CPU use while the Wasm server is idle (10 s after its
# boot, read from /proc/PID/stat).  The ratios are what count (TCG makes
# absolute numbers small): qemu-wasm / qemu-kernel and hosted / native.
# Writes the section between the markers at the end of bench/RESULTS.md
# (BENCH_NET_OUT overrides the file).  Run from the top of the tree.
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/section.sh             # section_write

B=${BUILD:-build}
W=$B/wasmetal
OUT=${BENCH_NET_OUT:-bench/RESULTS.md}
WRK_ARGS=${WRK_ARGS:--t2 -c16 -d10s --latency}
BODY=1024
BEGIN='<!-- bench/net.sh: begin -->'
END='<!-- bench/net.sh: end -->'

for f in "$W" "$B/examples/httpd.wasm" "$B/examples/hello.wasm" "$B/bench/fixed_httpd.wasm"; do
	[ -e "$f" ] || { echo "bench/net.sh: $f missing (make all)" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "bench/net.sh: wrk missing (apt-get install wrk)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-bench-net.XXXXXX") || exit 1
PIDS=()
. tests/net/netlib.sh           # free_port
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/www"
head -c "$BODY" /dev/urandom >"$T/www/body.bin"
gcc -O2 -Wall -o "$T/httpd.native" examples/httpd/httpd.c || exit 1


# wait_body URL: until URL answers with the body (120 s at most: a boot).
wait_body() {
	local i
	for i in $(seq 1 240); do
		curl -s --max-time 2 -o "$T/got" "$1" 2>/dev/null &&
			cmp -s "$T/got" "$2" && return 0
		sleep 0.5
	done
	return 1
}

# bench NAME URL: wrk against URL -> $T/NAME.wrk
bench() {
	# shellcheck disable=SC2086
	wrk $WRK_ARGS "$2" >"$T/$1.wrk" 2>&1
}

# field NAME: "req/s p50 p90 p99 errors" from wrk's report
field() {
	awk '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
			 if (v ~ /s$/) return v * 1000; return v }
	/Requests\/sec:/ { rps = $2 }
	/^ +50%/ { p50 = ms($2) } /^ +90%/ { p90 = ms($2) } /^ +99%/ { p99 = ms($2) }
	/Non-2xx|Socket errors/ { err = err $0 " " }
	END { printf "%s %.2f %.2f %.2f %s\n", rps, p50, p90, p99, err == "" ? "none" : err }
	' "$T/$1.wrk"
}

# qemu_cpu PID SECONDS: CPU seconds the process used over SECONDS
qemu_cpu() {
	local a b hz
	hz=$(getconf CLK_TCK)
	a=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
	sleep "$2"
	b=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
	awk -v a="$a" -v b="$b" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }'
}

# powerdown SOCKET: the QEMU monitor's system_powerdown (ACPI power button)
powerdown() {
	python3 - "$1" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(0.3)
s.send(b"system_powerdown\n"); time.sleep(0.5)
EOF
}

# ---- QEMU: the Wasm server, then the in-kernel one ----
P=$(free_port tcp)
WASMETAL_QEMU_MONITOR="unix:$T/mon,server=on,wait=off" \
	timeout 600 "$W" run --timeout 580 --log "$T/wasm.log" \
	--tcplisten 0.0.0.0:8080 -p "$P:8080" --dir "$T/www::/www" \
	"$B/examples/httpd.wasm" >"$T/wasm.out" 2>&1 &
WPID=$!
PIDS+=("$WPID")
wait_body "http://127.0.0.1:$P/body.bin" "$T/www/body.bin" ||
	{ echo "bench/net.sh: the Wasm server did not answer" >&2; cat "$T/wasm.out" >&2; exit 1; }
QPID=$(pgrep -P "$WPID" qemu-system | head -n 1)
IDLE_CPU=$(qemu_cpu "$QPID" 10)
bench qemu-wasm "http://127.0.0.1:$P/body.bin"
powerdown "$T/mon"
wait "$WPID"

P=$(free_port tcp)
timeout 600 "$W" run --timeout 580 --log "$T/kernel.log" -p "$P:80" \
	--kernel-httpd "80:$BODY" "$B/examples/hello.wasm" >"$T/kernel.out" 2>&1 &
KPID=$!
PIDS+=("$KPID")
head -c "$BODY" <(python3 -c 'import sys
n = int(sys.argv[1]); out = bytearray()
for off in range(0, n, 16): out += b"%015x\n" % off
sys.stdout.buffer.write(bytes(out[:n]))' "$BODY") >"$T/kbody"
wait_body "http://127.0.0.1:$P/" "$T/kbody" ||
	{ echo "bench/net.sh: the in-kernel server did not answer" >&2; cat "$T/kernel.out" >&2; exit 1; }
bench qemu-kernel "http://127.0.0.1:$P/"
curl -s --max-time 10 "http://127.0.0.1:$P/exit" >/dev/null
wait "$KPID"

P=$(free_port tcp)
WASMETAL_QEMU_MONITOR="unix:$T/mon2,server=on,wait=off" \
	timeout 600 "$W" run --timeout 580 --log "$T/fixed.log" \
	--tcplisten 0.0.0.0:8080 -p "$P:8080" "$B/bench/fixed_httpd.wasm" "$BODY" \
	>"$T/fixed.out" 2>&1 &
FPID=$!
PIDS+=("$FPID")
head -c "$BODY" /dev/zero | tr '\0' x >"$T/xbody"
wait_body "http://127.0.0.1:$P/" "$T/xbody" ||
	{ echo "bench/net.sh: the fixed Wasm server did not answer" >&2; cat "$T/fixed.out" >&2; exit 1; }
bench qemu-fixed "http://127.0.0.1:$P/"
powerdown "$T/mon2"
wait "$FPID"

# ---- Linux: hosted Wasm, native ----
P=$(free_port tcp)
timeout 600 "$W" run --hosted --tcplisten "127.0.0.1:$P" --dir "$T/www::/www" \
	"$B/examples/httpd.wasm" >"$T/hosted.out" 2>&1 &
HPID=$!
PIDS+=("$HPID")
wait_body "http://127.0.0.1:$P/body.bin" "$T/www/body.bin" || exit 1
bench hosted "http://127.0.0.1:$P/body.bin"
kill "$HPID"

P=$(free_port tcp)
python3 - "$P" "$T/httpd.native" "$T/www" <<'EOF' >"$T/native.out" 2>&1 &
import os, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1024)
os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
os.execv(sys.argv[2], [sys.argv[2], sys.argv[3]])
EOF
NPID=$!
PIDS+=("$NPID")
wait_body "http://127.0.0.1:$P/body.bin" "$T/www/body.bin" || exit 1
bench native "http://127.0.0.1:$P/body.bin"
kill "$NPID"

# ---- the report ----
read -r qw_rps qw_50 qw_90 qw_99 qw_err < <(field qemu-wasm)
read -r qk_rps qk_50 qk_90 qk_99 qk_err < <(field qemu-kernel)
read -r qf_rps qf_50 qf_90 qf_99 qf_err < <(field qemu-fixed)
read -r h_rps h_50 h_90 h_99 h_err < <(field hosted)
read -r n_rps n_50 n_90 n_99 n_err < <(field native)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
cpu_model=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
{
	echo "$BEGIN"
	echo "## Network (bench/net.sh)"
	echo
	echo "$(date -u +%Y-%m-%d), $(git rev-parse --short HEAD 2>/dev/null), $cpu_model, $(nproc) cores,"
	echo "QEMU under TCG (no KVM). wrk $WRK_ARGS; every response a $BODY-byte body."
	echo
	echo "| server | requests/s | p50 ms | p90 ms | p99 ms | errors |"
	echo "|---|---:|---:|---:|---:|---|"
	echo "| QEMU: examples/httpd (Wasm) | $qw_rps | $qw_50 | $qw_90 | $qw_99 | $qw_err |"
	echo "| QEMU: in-kernel C server (same lwIP path, no Wasm) | $qk_rps | $qk_50 | $qk_90 | $qk_99 | $qk_err |"
	echo "| QEMU: the in-kernel server's job in Wasm (fixed_httpd.c) | $qf_rps | $qf_50 | $qf_90 | $qf_99 | $qf_err |"
	echo "| Linux: examples/httpd, wasmetal --hosted | $h_rps | $h_50 | $h_90 | $h_99 | $h_err |"
	echo "| Linux: examples/httpd, gcc -O2 native | $n_rps | $n_50 | $n_90 | $n_99 | $n_err |"
	echo
	echo "- Wasm server / in-kernel server under QEMU: **$(ratio "$qw_rps" "$qk_rps")x** requests/s (goal: >= 0.9x)."
	echo "- the same job, Wasm / in-kernel (fixed_httpd.c vs the in-kernel server): **$(ratio "$qf_rps" "$qk_rps")x**: the runtime's own cost."
	echo "- hosted / native on Linux: **$(ratio "$h_rps" "$n_rps")x** requests/s."
	echo "- QEMU's host CPU while the Wasm server waits in accept(), 10 s: **${IDLE_CPU} s** of CPU ($(awk -v c="$IDLE_CPU" 'BEGIN { printf "%.1f", c * 10 }')%)."
	echo "$END"
} >"$T/section.md"
section_write "$OUT" "$BEGIN" "$END" "$T/section.md"
cat "$T/section.md"
