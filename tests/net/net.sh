#!/usr/bin/env bash
# net.sh — networking with real clients, hosted (`wasmetal run --hosted`:
# the WASI socket layer and the grants on Linux sockets, host/plat_sock.c).
# Every server listens on 127.0.0.1 on a port that was free a moment
# before (free_port), so parallel runs do not collide; every run is under
# `timeout`; nothing is sent anywhere but loopback.
#
#   sock_api, sock_grants   the self-checking WASI programs (tests/wasi/);
#                           sock_grants also with 0.0.0.0/:: in the pool
#   httpd                   examples/httpd against curl: byte-exact small and
#                           16 MiB bodies, HEAD, 404, keep-alive, 100
#                           parallel clients, no CPU used while idle
#   echo                    TCP echo (preopened listener); UDP echo both ways
#   fetch                   outbound GET to a server this script starts:
#                           granted by address or by name, and refused;
#                           `fetch --sha256` against coreutils' sha256sum
#   cli                     grant flags: bad values, a port in use, inspect
#
# The clients and their checks are shared with tests/net/qemu_net.sh, which
# runs the same programs under QEMU (tests/net/netlib.sh).
#
# Prints PASS/FAIL lines and ends with "N passed, N failed" (tests/lib.sh);
# tests/run.sh counts them.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/net/netlib.sh

B=${BUILD:-build}
W=$B/wasmetal
E=$B/examples
TO=60
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-net.XXXXXX") || exit 1
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# ---- the self-checking programs ------------------------------------------------
selfcheck() {   # NAME ARGS...: exit 0, no FAIL, a final "N ok" (lib.sh)
	local name=$1 rc
	shift
	timeout "$TO" "$W" run --hosted --verbose "$@" >"$T/sc.out" 2>"$T/sc.err"
	rc=$?
	grep -v '^ok ' "$T/sc.out" >"$T/sc.failed"
	if [ $rc -ne 0 ] || ! selfcheck_ok "$T/sc.out"; then
		fail "$name" "exit status $rc${WHY:+, $WHY}" "$T/sc.failed" "$T/sc.err"
		return 1
	fi
	pass "$name ($(tail -n 1 "$T/sc.out"))"
}

# refusals NAME N: the last run logged exactly N refusals (--verbose).
refusals() {
	local n
	n=$(grep -c '^wasi: refused ' "$T/sc.err")
	if [ "$n" -eq "$2" ]; then
		pass "$1 ($n refusals logged)"
	else
		fail "$1" "$n refusal lines logged, expected $2" "$T/sc.err"
	fi
}

selfcheck_tests() {
	local port
	mkdir -p "$T/data" && printf 'hello\n' >"$T/data/hello.txt"
	port=$(free_port tcp)
	selfcheck net/sock_api --dir "$T/data::/" --tcplisten "127.0.0.1:$port" \
		--addr-pool 127.0.0.1/32 "$B/tests/wasi/sock_api.wasm" "$port"
	selfcheck net/sock_grants_none "$B/tests/wasi/sock_grants.wasm" none &&
		refusals net/sock_grants_none_logged 4
	selfcheck net/sock_grants_pool --addr-pool 127.0.0.2/32:1000-2000 --addr-pool '[::1]:7' \
		--allow-resolve localhost --allow-resolve '*.invalid' \
		"$B/tests/wasi/sock_grants.wasm" pool &&
		refusals net/sock_grants_pool_logged 8
	port=$(free_port tcp)
	selfcheck net/sock_grants_unspecified_no_destination --addr-pool "0.0.0.0:$port" \
		--addr-pool "[::]:$port" "$B/tests/wasi/sock_grants.wasm" unspecified "$port" &&
		refusals net/sock_grants_unspecified_logged 7
}

# ---- httpd against curl ------------------------------------------------------------
httpd_tests() {
	local port pid t0 t1
	make_site || { fail httpd/setup "cannot make the site"; return; }
	port=$(free_port tcp)
	bg httpd timeout 300 "$W" run --hosted --tcplisten "127.0.0.1:$port" \
		--dir "$T/www::/www" "$E/httpd.wasm"
	if ! wait_tcp "$port"; then
		fail httpd/start "httpd did not listen on $port" "$T/httpd.err"
		return
	fi
	pid=$(pgrep -P "$BG" | head -n 1)

	httpd_checks httpd "$port"

	# idle: the server waits in poll_oneoff -> plat_wait -> poll(2), no spinning
	if [ -n "$pid" ] && [ -r "/proc/$pid/stat" ]; then
		t0=$(cpu_ticks "$pid")
		sleep 2
		t1=$(cpu_ticks "$pid")
		[ $((t1 - t0)) -le 5 ] && pass "httpd/idle_cpu ($((t1 - t0)) ticks in 2 s)" ||
			fail httpd/idle_cpu "$((t1 - t0)) clock ticks of CPU in 2 s idle"
	else
		fail httpd/idle_cpu "no wasmetal process under $BG"
	fi
	kill "$BG" 2>/dev/null
}

# ---- echo ------------------------------------------------------------------------------
echo_tests() {
	local port uport rc
	port=$(free_port tcp)
	bg echo_tcp timeout "$TO" "$W" run --hosted --tcplisten "127.0.0.1:$port" "$E/echo.wasm" tcp
	if wait_tcp "$port" && echo_tcp_client "$port" >"$T/echo.res" 2>&1; then
		pass net/echo_tcp
	else
		fail net/echo_tcp "echo differs" "$T/echo.res" "$T/echo_tcp.err"
	fi
	kill "$BG" 2>/dev/null

	# the guest serves UDP: the host sends, the guest answers
	uport=$(free_port udp)
	bg echo_udp timeout "$TO" "$W" run --hosted --addr-pool 127.0.0.1/32 \
		"$E/echo.wasm" udp 127.0.0.1 "$uport" 2
	if wait_line "$T/echo_udp.err" '^echo: udp on' &&
		echo_udp_client "$uport" >"$T/udp.res" 2>&1; then
		pass "net/echo_udp_guest_serves ($(tail -n 1 "$T/udp.res"))"
	else
		fail net/echo_udp_guest_serves "no echo" "$T/udp.res" "$T/echo_udp.err"
	fi
	wait "$BG" 2>/dev/null

	# a pool of its own port only: it may receive, but not answer
	uport=$(free_port udp)
	bg echo_udp2 timeout "$TO" "$W" run --hosted --verbose --addr-pool "127.0.0.1/32:$uport" \
		"$E/echo.wasm" udp 127.0.0.1 "$uport" 1
	wait_line "$T/echo_udp2.err" '^echo: udp on' &&
		python3 -c 'import socket,sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", int(sys.argv[1])))' "$uport"
	wait "$BG"
	rc=$?
	[ $rc -eq 1 ] && grep -q 'sock_send_to: errno 76' "$T/echo_udp2.err" &&
		grep -q '^wasi: refused send to 127.0.0.1:' "$T/echo_udp2.err" &&
		pass net/echo_udp_reply_refused ||
		fail net/echo_udp_reply_refused "status $rc, want 1 and errno 76" "$T/echo_udp2.err"

	# the guest is the client: the host answers
	uport=$(free_port udp)
	bg udp_server timeout "$TO" python3 -c "$UDP_ANSWER_PY" "$uport"
	wait_line "$T/udp_server.out" '^bound' &&
		timeout "$TO" "$W" run --hosted --addr-pool "127.0.0.1/32:$uport" "$E/echo.wasm" \
			udp-send 127.0.0.1 "$uport" hello >"$T/udpc.out" 2>"$T/udpc.err"
	grep -Eq '^HELLO from [0-9]+$' "$T/udpc.out" && pass net/echo_udp_guest_sends ||
		fail net/echo_udp_guest_sends "no answer" "$T/udpc.out" "$T/udpc.err"
}

# ---- fetch: outbound -------------------------------------------------------------
fetch_run() {   # ARGS...: -> $T/f.out, $T/f.err, $FRC
	timeout "$TO" "$W" run --hosted --verbose "$@" >"$T/f.out" 2>"$T/f.err"
	FRC=$?
}

# fetch_digests PORT: `fetch --sha256` of big.bin and of its first N bytes
# for N around SHA-256's block and padding edges (55/56, 63/64/65,
# 119/120) must print sha256sum's digest and N.
fetch_digests() {
	local n bad=
	for n in 0 1 55 56 63 64 65 119 120 1000 16777216; do
		head -c "$n" "$T/www/big.bin" >"$T/www/part$n"
		fetch_run --addr-pool 127.0.0.1/32 "$E/fetch.wasm" --sha256 \
			"http://127.0.0.1:$1/part$n"
		[ $FRC -eq 0 ] && [ "$(cat "$T/f.out")" = \
			"sha256 $(sha256sum <"$T/www/part$n" | cut -c1-64), $n bytes" ] || bad="$bad $n"
		rm -f "$T/www/part$n"
	done
	[ -z "$bad" ] && pass fetch/sha256_digests || fail fetch/sha256_digests \
		"the digest of the first N bytes of big.bin is not sha256sum's for N =$bad" "$T/f.out"
}

fetch_tests() {
	local port
	port=$(free_port tcp)
	bg webserver timeout 300 python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$port"
	wait_tcp "$port" || { fail fetch/start "python3 http.server did not start" "$T/webserver.err"; return; }

	fetch_run --addr-pool "127.0.0.1/32:$port" "$E/fetch.wasm" "http://127.0.0.1:$port/small.txt"
	[ $FRC -eq 0 ] && cmp -s "$T/f.out" "$T/www/small.txt" && pass fetch/granted_address ||
		fail fetch/granted_address "status $FRC" "$T/f.err"
	fetch_run --addr-pool "127.0.0.1/32" "$E/fetch.wasm" "http://127.0.0.1:$port/big.bin"
	[ $FRC -eq 0 ] && cmp -s "$T/f.out" "$T/www/big.bin" && pass fetch/granted_16MiB ||
		fail fetch/granted_16MiB "status $FRC" "$T/f.err"
	# --sha256 (what tests/net/qemu_net.sh checks a 16 MiB body with):
	# the digest of coreutils' sha256sum, for bodies of every padding case
	fetch_digests "$port"
	fetch_run "$E/fetch.wasm" "http://127.0.0.1:$port/small.txt"
	[ $FRC -eq 3 ] && grep -q 'sock_open 127.0.0.1: errno 76 ' "$T/f.err" &&
		grep -q '^wasi: refused sock_open' "$T/f.err" && pass fetch/no_pool_refused ||
		fail fetch/no_pool_refused "status $FRC, want 3 and errno 76" "$T/f.err"
	fetch_run --addr-pool "127.0.0.1/32:1-1023" "$E/fetch.wasm" "http://127.0.0.1:$port/small.txt"
	[ $FRC -eq 3 ] && grep -q 'sock_connect 127.0.0.1: errno 76 ' "$T/f.err" &&
		grep -q "^wasi: refused connect to 127.0.0.1:$port: " "$T/f.err" &&
		pass fetch/port_outside_pool_refused ||
		fail fetch/port_outside_pool_refused "status $FRC" "$T/f.err"
	fetch_run --addr-pool "127.0.0.1/32" --allow-resolve localhost "$E/fetch.wasm" \
		"http://localhost:$port/small.txt"
	[ $FRC -eq 0 ] && cmp -s "$T/f.out" "$T/www/small.txt" && pass fetch/name_granted ||
		fail fetch/name_granted "status $FRC" "$T/f.err"
	fetch_run --addr-pool "127.0.0.1/32" --allow-resolve '*.localhost' "$E/fetch.wasm" \
		"http://localhost:$port/small.txt"
	[ $FRC -eq 3 ] && grep -q 'sock_getaddrinfo localhost: errno 76 ' "$T/f.err" &&
		grep -q '^wasi: refused resolve "localhost"' "$T/f.err" && pass fetch/name_refused ||
		fail fetch/name_refused "status $FRC" "$T/f.err"
	fetch_run --addr-pool "127.0.0.1/32" "$E/fetch.wasm" "http://127.0.0.1:$port/none"
	[ $FRC -eq 1 ] && grep -q ' 404 ' "$T/f.err" && pass fetch/404_status ||
		fail fetch/404_status "status $FRC, want 1" "$T/f.err"
	kill "$BG" 2>/dev/null
}

# ---- the command line --------------------------------------------------------------
cli_tests() {
	local rc port
	"$W" run --hosted --addr-pool 10.0.0.1/8 "$E/fetch.wasm" >"$T/c.out" 2>&1
	rc=$?
	[ $rc -eq 2 ] && grep -q "addr-pool '10.0.0.1/8': .*past the prefix" "$T/c.out" &&
		pass cli/bad_addr_pool || fail cli/bad_addr_pool "status $rc" "$T/c.out"
	"$W" run --hosted --tcplisten localhost:80 "$E/fetch.wasm" >"$T/c.out" 2>&1
	rc=$?
	[ $rc -eq 2 ] && grep -q "names are not allowed" "$T/c.out" &&
		pass cli/bad_tcplisten || fail cli/bad_tcplisten "status $rc" "$T/c.out"
	"$W" run --hosted --allow-resolve 'a.*.b' "$E/fetch.wasm" >"$T/c.out" 2>&1
	rc=$?
	[ $rc -eq 2 ] && grep -q "wildcard" "$T/c.out" &&
		pass cli/bad_allow_resolve || fail cli/bad_allow_resolve "status $rc" "$T/c.out"

	port=$(free_port tcp)
	bg holder timeout "$TO" python3 -c 'import socket,sys,time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(30)' "$port"
	wait_tcp "$port"
	timeout "$TO" "$W" run --hosted --tcplisten "127.0.0.1:$port" "$E/echo.wasm" tcp \
		>"$T/c.out" 2>&1
	rc=$?
	[ $rc -eq 125 ] && grep -q "tcplisten 127.0.0.1:$port: cannot listen: EADDRINUSE" "$T/c.out" &&
		pass cli/tcplisten_port_in_use || fail cli/tcplisten_port_in_use "status $rc" "$T/c.out"
	kill "$BG" 2>/dev/null

	if timeout "$TO" "$W" image "$E/fetch.wasm" -o "$T/app.img" --tcplisten 0.0.0.0:8080 \
		--addr-pool '10.0.2.2/32:80,[2001:db8::]/32' --allow-resolve '*.example.com' \
		>"$T/img.out" 2>&1 &&
		timeout "$TO" "$W" inspect "$T/app.img" >"$T/insp.out" 2>&1 &&
		grep -qx 'tcplisten 0.0.0.0:8080' "$T/insp.out" &&
		grep -qx 'addr-pool 10.0.2.2/32:80' "$T/insp.out" &&
		grep -qx 'addr-pool 2001:db8::/32' "$T/insp.out" &&
		grep -qx 'allow-resolve "\*.example.com"' "$T/insp.out" &&
		grep -qx 'network: a NIC' "$T/insp.out" &&
		grep -qx '  listen fd 3: tcp 0.0.0.0:8080' "$T/insp.out" &&
		grep -qx '  may resolve: \*.example.com' "$T/insp.out"; then
		pass cli/image_records_grants
	else
		fail cli/image_records_grants "manifest or inspect output" "$T/img.out" "$T/insp.out"
	fi
	timeout "$TO" "$W" image "$E/fetch.wasm" -o "$T/plain.img" >"$T/img.out" 2>&1 &&
		timeout "$TO" "$W" inspect "$T/plain.img" >"$T/insp.out" 2>&1 &&
		grep -q '^network: none' "$T/insp.out" && ! grep -q '^addr-pool' "$T/insp.out" &&
		pass cli/image_without_grants || fail cli/image_without_grants "" "$T/insp.out"
}

for f in "$W" "$E/httpd.wasm" "$E/echo.wasm" "$E/fetch.wasm" "$B/tests/wasi/sock_api.wasm"; do
	[ -f "$f" ] || { fail net "not built: $f"; summary; exit 1; }
done
selfcheck_tests
httpd_tests
echo_tests
fetch_tests
cli_tests
summary
