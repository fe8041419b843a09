# netlib.sh — shell code shared by the network tests that run the Wasm
# programs (tests/net/net.sh hosted, tests/net/qemu_net.sh under QEMU):
# ports, waiting, background processes, the web site, and the real-client
# checks both modes run the same way.  Sourced after tests/lib.sh; the
# script sets T (its scratch directory), TO (a client's time limit) and
# PIDS=() (background processes to kill at exit).

# free_port tcp|udp: a port of 127.0.0.1 that nothing uses now.
free_port() {
	python3 -c 'import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "$1"
}

# wait_tcp PORT: until something accepts on 127.0.0.1:PORT (10 s at most).
wait_tcp() {
	python3 -c 'import socket,sys,time
end = time.time() + 10
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close(); sys.exit(0)
    except OSError: time.sleep(0.05)
sys.exit(1)' "$1"
}

# wait_line FILE REGEX [SECONDS]: until a line of FILE matches (10 s by
# default).
wait_line() {
	local i
	for ((i = 0; i < ${3:-10} * 20; i++)); do
		grep -aEq "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# bg NAME CMD...: run CMD in the background (output in $T/NAME.out/.err).
bg() {
	local name=$1
	shift
	"$@" >"$T/$name.out" 2>"$T/$name.err" &
	PIDS+=($!)
	BG=$!
}

# make_site: $T/www, what httpd serves and fetch fetches.
make_site() {
	local d=$T/www
	mkdir -p "$d/sub" &&
		printf '<!doctype html><title>wasmetal</title><p>served by a Wasm module\n' >"$d/index.html" &&
		printf 'small file\nwith two lines\n' >"$d/small.txt" &&
		printf 'sub index\n' >"$d/sub/index.html" &&
		head -c 16777216 /dev/urandom >"$d/big.bin"
}

# cpu_ticks PID: the process's user + system time, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# httpd_checks PREFIX PORT: examples/httpd serving $T/www, reached at
# 127.0.0.1:PORT, against curl (and python for HEAD): byte-exact small
# and 16 MiB bodies, index.html, HEAD, 404, "..", keep-alive (two URLs on
# one connection), 100 parallel clients.
httpd_checks() {
	local p=$1 port=$2 url=http://127.0.0.1:$2 n ok
	timeout "$TO" curl -sS -o "$T/small" "$url/small.txt" 2>"$T/curl.err" &&
		cmp -s "$T/small" "$T/www/small.txt" && pass "$p/small_file" ||
		fail "$p/small_file" "body differs" "$T/curl.err"
	timeout "$TO" curl -sS -o "$T/big" "$url/big.bin" 2>"$T/curl.err" &&
		cmp -s "$T/big" "$T/www/big.bin" && pass "$p/large_file_16MiB" ||
		fail "$p/large_file_16MiB" "body differs" "$T/curl.err"
	timeout "$TO" curl -sS -o "$T/index" "$url/" && cmp -s "$T/index" "$T/www/index.html" &&
		timeout "$TO" curl -sS -o "$T/subidx" "$url/sub/" &&
		cmp -s "$T/subidx" "$T/www/sub/index.html" && pass "$p/index_html" ||
		fail "$p/index_html" "/ or /sub/ is not its index.html"

	# HEAD: the headers of GET, and not one byte of body after them
	timeout "$TO" python3 - "$port" >"$T/head" 2>&1 <<-'EOF'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
	s.sendall(b"HEAD /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	data = b""
	while True:
	    d = s.recv(65536)
	    if not d: break
	    data += d
	head, sep, body = data.partition(b"\r\n\r\n")
	print(head.split(b"\r\n")[0].decode(), "|", [h.decode() for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")], "| body", len(body))
	EOF
	grep -q '^HTTP/1.1 200 OK | \[.Content-Length: 16777216.\] | body 0$' "$T/head" &&
		pass "$p/head" || fail "$p/head" "want 200, Content-Length 16777216, no body" "$T/head"

	n=$(timeout "$TO" curl -s -o "$T/nf" -w '%{http_code}' "$url/no/such/file.txt")
	[ "$n" = 404 ] && grep -q 'Not Found' "$T/nf" && pass "$p/404" ||
		fail "$p/404" "status $n" "$T/nf"
	n=$(timeout "$TO" curl -s -o /dev/null -w '%{http_code}' --path-as-is "$url/../../etc/passwd")
	[ "$n" = 404 ] && pass "$p/dotdot_404" || fail "$p/dotdot_404" "status $n"

	# keep-alive: two URLs on one connection
	timeout "$TO" curl -sv -o "$T/ka1" -o "$T/ka2" "$url/small.txt" "$url/index.html" \
		>/dev/null 2>"$T/ka.err"
	if grep -q 'Re-using existing connection' "$T/ka.err" &&
		[ "$(grep -c '^\* Connected to' "$T/ka.err")" -eq 1 ] &&
		cmp -s "$T/ka1" "$T/www/small.txt" && cmp -s "$T/ka2" "$T/www/index.html"; then
		pass "$p/keep_alive"
	else
		fail "$p/keep_alive" "not one connection for both, or bodies differ" "$T/ka.err"
	fi

	# 100 clients at once, each a body byte for byte (par_curl, tests/lib.sh:
	# under QEMU the forward's host side may stall a client once)
	rm -rf "$T/par"
	par_curl 100 "$T/par" "$url/index.html"
	ok=0
	for n in $(seq 1 100); do cmp -s "$T/par/$n" "$T/www/index.html" && ok=$((ok + 1)); done
	n=$(wc -l <"$T/par/retried")
	[ "$ok" -eq 100 ] && [ "$(grep -c '^200$' "$T/par/codes")" -eq 100 ] &&
		pass "$p/parallel_100 ($n retried)" ||
		fail "$p/parallel_100" "$ok of 100 bodies right ($n retried)" "$T/par/codes" "$T/par/err"
}

# echo_tcp_client PORT: 8 connections to 127.0.0.1:PORT at once, each
# sends 7-8 KB and must get the same bytes back.
echo_tcp_client() {
	timeout "$TO" python3 - "$1" <<-'EOF'
	import socket, sys
	cs = [socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10) for i in range(8)]
	for i, c in enumerate(cs): c.sendall(b"line %d\n" % i * 1000)
	for i, c in enumerate(cs):
	    want, got = b"line %d\n" % i * 1000, b""
	    while len(got) < len(want):
	        d = c.recv(65536)
	        if not d: break
	        got += d
	    assert got == want, (i, len(got))
	print("8 connections echoed")
	EOF
}

# echo_udp_client PORT: send a small and a 5 KiB datagram to
# 127.0.0.1:PORT; each must come back whole, from PORT.
echo_udp_client() {
	timeout "$TO" python3 - "$1" <<-'EOF'
	import socket, sys
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.settimeout(5)
	port, resent = int(sys.argv[1]), 0
	# UDP promises no delivery (QEMU's user networking on a loaded host
	# can drop one): a datagram is sent again, at most twice, and counted.
	for msg in (b"ping", bytes(range(256)) * 20):
	    for attempt in range(3):
	        s.sendto(msg, ("127.0.0.1", port))
	        try:
	            d, a = s.recvfrom(65536)
	            break
	        except TimeoutError:
	            resent += 1
	    else:
	        sys.exit("no answer to 3 sends")
	    assert d == msg and a[1] == port, (len(d), a)
	print("2 datagrams echoed, %d resent" % resent)
	EOF
}

# UDP_COUNT_PY, for python3 -c CODE PORT N: count the datagrams that
# arrive on 127.0.0.1:PORT, each numbered in its first 8 bytes (others
# are not counted), until N
# distinct ones came or none came for 3 s (after the first); a 16 MiB
# receive buffer where allowed (root: rmem_max would cap it at ~400 KiB,
# and a sink slowed by load dropped datagrams); prints
# "bound" first and "got K of N" last.
UDP_COUNT_PY='import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try: s.setsockopt(socket.SOL_SOCKET, 33, 1 << 24)     # SO_RCVBUFFORCE (root)
except OSError: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.bind(("127.0.0.1", int(sys.argv[1]))); n = int(sys.argv[2]); seen = set()
print("bound", flush=True)
while len(seen) < n:
    s.settimeout(3 if seen else None)
    try: d = s.recv(65536)[:8]
    except TimeoutError: break
    if d.isdigit(): seen.add(d)
print("got %d of %d" % (len(seen), n) + ("" if len(seen) == n else ", missing " +
      " ".join(str(i) for i in range(n) if b"%08d" % i not in seen)), flush=True)'

# UDP_ANSWER_PY, for python3 -c CODE PORT: answer one datagram on
# 127.0.0.1:PORT with it in capitals and " from SENDERPORT"; prints
# "bound" first.  (Code, not a function: a function in the background is
# a subshell, and killing that would leave python running.)
UDP_ANSWER_PY='import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
print("bound", flush=True)
d, a = s.recvfrom(100); s.sendto(d.upper() + b" from %d" % a[1], a)'
