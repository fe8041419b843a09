#!/usr/bin/env bash
# httpd_one_send.sh — regression: examples/httpd sent a small response as
# two send()s, headers then body, and the second one waited for the
# client's delayed ACK (Nagle's algorithm): 40 ms per request on Linux,
# 360 requests/s where one send gives thousands (found by bench/net.sh).
# Runs the Wasm httpd hosted under strace and counts the socket sends of
# each small response: exactly one.  Needs strace (else a SKIP, counted as
# skipped).  Prints PASS/FAIL lines and "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
B=${BUILD:-build}
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmetal-onesend.XXXXXX") || exit 1
SPID=
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

if ! command -v strace >/dev/null; then
	skip httpd_one_send "strace is not installed"
	summary
	exit
fi
mkdir -p "$T/www"
head -c 3000 /dev/urandom >"$T/www/small.bin"
P=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
strace -f -qq -e trace=sendto,sendmsg,write,writev -o "$T/trace" \
	timeout 60 "$B/wasmetal" run --hosted --tcplisten "127.0.0.1:$P" --dir "$T/www::/www" \
	"$B/examples/httpd.wasm" 2>"$T/err" &
SPID=$!
for i in $(seq 1 100); do
	curl -s -o /dev/null "http://127.0.0.1:$P/small.bin" 2>/dev/null && break
	sleep 0.1
done

# sends FD-less count: socket sends in the trace since mark $1
sends_since() { tail -n +"$(($1 + 1))" "$T/trace" | grep -cE '(sendto|sendmsg)\('; }

one_send() {    # NAME CURL-ARGS...
	local name=$1 mark n
	shift
	mark=$(wc -l <"$T/trace")
	curl -s -o "$T/body" "$@" >/dev/null 2>&1
	sleep 0.3
	n=$(sends_since "$mark")
	if [ "$n" = 1 ]; then
		pass "net/httpd/$name-one-send"
	else
		tail -n +"$((mark + 1))" "$T/trace" >"$T/sends"
		fail "net/httpd/$name-one-send" "$n socket sends for one small response" "$T/sends"
	fi
}
one_send get "http://127.0.0.1:$P/small.bin"
cmp -s "$T/body" "$T/www/small.bin" || fail net/httpd/get-body "the body differs"
one_send head -I "http://127.0.0.1:$P/small.bin"
one_send 404 "http://127.0.0.1:$P/missing"
summary
