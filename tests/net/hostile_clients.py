#!/usr/bin/python3
# hostile_clients.py — misbehaving TCP clients for tests/net/hostile.sh,
# run inside the test's network namespace against the guest only.  Every
# mode is bounded in time and traffic and prints one result line that
# the test reads ("key value" pairs); the exit status is 0 when the mode
# did what it says, 1 if not (the line says why).
#
#   hostile_clients.py churn HOST PORT COUNT SECONDS WORKERS
#       COUNT connections opened and dropped at once, WORKERS at a time:
#       even-numbered ones closed (FIN), odd-numbered ones reset (SO_LINGER
#       0: RST); stops at SECONDS.  Prints the count done and the rate.
#   hostile_clients.py slow HOST PORT SLOW SILENT SECONDS
#       SLOW connections that send a GET one byte a second (slowloris) and
#       SILENT that send nothing, all held open for SECONDS while the test
#       checks that curl is still served; then each is read for what the
#       server said (slow ones that completed their request get an answer).
#   hostile_clients.py push HOST PORT MBYTES SECONDS [CONNS]
#       CONNS connections (default 1) that together send MBYTES to a guest
#       that never reads, each giving up after SECONDS (its send timeout):
#       prints how much the guest's TCP took (acknowledged) in all and at
#       most on one connection; then resets them.  Success: every one was
#       stopped (timed out), none got an error.
#   hostile_clients.py tiny HOST PORT CONNS SECONDS
#       CONNS connections that write one byte at a time (TCP_NODELAY, 2000
#       writes a second at most) for SECONDS to a guest that never reads:
#       many tiny segments, each in a receive buffer of its own on the
#       guest.  Prints what the guest's TCP took in all and per connection.
#   hostile_clients.py ask HOST PORT
#       one connection to the never-reading guest's second port: it answers
#       "alive N" (N: heartbeats so far) -- proof that it still runs.
#   hostile_clients.py ping HOST 0
#       ICMP echo (raw socket: root in the namespace), up to 5 tries of 2 s:
#       the reply must carry our id, sequence and payload.
import fcntl
import os
import socket
import struct
import sys
import threading
import time


def churn(host, port, count, seconds, workers):
    lock = threading.Lock()
    state = {"next": 0, "fin": 0, "rst": 0, "err": 0, "errs": {}}
    end = time.monotonic() + seconds

    def one(i):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect((host, port))
            if i % 2:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return "rst" if i % 2 else "fin"
        finally:
            s.close()

    def worker():
        while time.monotonic() < end:
            with lock:
                i = state["next"]
                if i >= count:
                    return
                state["next"] += 1
            try:
                k = one(i)
            except OSError as e:
                k = "err"
                with lock:
                    state["errs"][type(e).__name__] = state["errs"].get(type(e).__name__, 0) + 1
            with lock:
                state[k] += 1

    t0 = time.monotonic()
    ts = [threading.Thread(target=worker) for _ in range(workers)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    dt = time.monotonic() - t0
    done = state["fin"] + state["rst"]
    print("churn done %d of %d fin %d rst %d errors %d %s seconds %.1f rate %.0f/s" %
          (done, count, state["fin"], state["rst"], state["err"],
           ",".join("%s:%d" % kv for kv in state["errs"].items()) or "-", dt, done / dt),
          flush=True)
    return done == count and state["err"] == 0


def slow(host, port, nslow, nsilent, seconds):
    req = b"GET /index.html HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n"
    slows, silents = [], []
    for _ in range(nslow):
        s = socket.create_connection((host, port), timeout=10)
        slows.append(s)
    for _ in range(nsilent):
        silents.append(socket.create_connection((host, port), timeout=10))
    print("slow opened %d slow %d silent" % (len(slows), len(silents)), flush=True)
    sent, t0 = 0, time.monotonic()
    # One byte a second on every slow connection, the request's first
    # bytes only until the last second, so they stay incomplete until then.
    while time.monotonic() - t0 < seconds - 1 and sent < len(req) - 1:
        for s in slows:
            s.send(req[sent:sent + 1])
        sent += 1
        time.sleep(1)
    for s in slows:
        s.send(req[sent:])
    answered = 0
    for s in slows:
        s.settimeout(20)
        data = b""
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
        except OSError:
            pass
        answered += data.startswith(b"HTTP/1.1 200 ")
        s.close()
    alive = 0
    for s in silents:                   # still open: a read times out (no EOF)
        s.settimeout(0.2)
        try:
            s.recv(1)
        except socket.timeout:
            alive += 1
        except OSError:
            pass
        s.close()
    print("slow slow %d bytes-each %d answered %d silent-still-open %d of %d" %
          (len(slows), len(req), answered, alive, len(silents)), flush=True)
    return answered == len(slows)


def push_one(host, port, nbytes, seconds, out):
    s = socket.create_connection((host, port), timeout=10)
    chunk = bytes(range(256)) * 256     # 64 KiB
    total, end, why = 0, time.monotonic() + seconds, "sent all"
    s.setblocking(False)
    while total < nbytes:
        if time.monotonic() > end:
            why = "timeout"
            break
        try:
            total += s.send(chunk[:nbytes - total])
        except BlockingIOError:
            time.sleep(0.05)
        except OSError as e:
            why = "error:%s" % type(e).__name__
            break
    # What the guest's TCP took (acknowledged): written minus what is
    # still in our send queue (SIOCOUTQ: unsent + unacknowledged).
    queued = struct.unpack("i", fcntl.ioctl(s.fileno(), 0x5411, b"\0\0\0\0"))[0]
    out.append((total, total - queued, why, s))


def push(host, port, mbytes, seconds, conns=1):
    out = []
    ts = [threading.Thread(target=push_one, args=(host, port, (mbytes << 20) // conns,
                                                  seconds, out)) for _ in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    taken = [o[1] for o in out]
    whys = sorted(set(o[2] for o in out))
    print("push conns %d wrote %d taken %d max-taken-per-conn %d ended %s" %
          (len(out), sum(o[0] for o in out), sum(taken), max(taken) if taken else 0,
           ",".join(whys)), flush=True)
    for o in out:                       # reset: the guest never reads them
        o[3].setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        o[3].close()
    return len(out) == conns and whys == ["timeout"]


def tiny(host, port, conns, seconds):
    out, lock = [], threading.Lock()

    def one():
        s = socket.create_connection((host, port), timeout=10)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        n, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                n += s.send(b"x")
                time.sleep(0.0005)
            except BlockingIOError:
                time.sleep(0.01)
        queued = struct.unpack("i", fcntl.ioctl(s.fileno(), 0x5411, b"\0\0\0\0"))[0]
        with lock:
            out.append((n, n - queued, s))

    ts = [threading.Thread(target=one) for _ in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("tiny conns %d wrote %d taken %d taken-per-conn %s" %
          (len(out), sum(o[0] for o in out), sum(o[1] for o in out),
           ",".join(str(o[1]) for o in out)), flush=True)
    for o in out:
        o[2].setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        o[2].close()
    return len(out) == conns


def ask(host, port):
    s = socket.create_connection((host, port), timeout=10)
    data = b""
    while not data.endswith(b"\n"):
        b = s.recv(100)
        if not b:
            break
        data += b
    s.close()
    print("ask %s" % data.decode(errors="replace").strip(), flush=True)
    return data.startswith(b"alive ")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    x = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    x = (x >> 16) + (x & 0xffff)
    return ~(x + (x >> 16)) & 0xffff


def ping(host, _port):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(2)
    ident, payload = os.getpid() & 0xffff, b"wasmetal-hostile-" + os.urandom(8).hex().encode()
    for seq in range(1, 6):
        pkt = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
        s.sendto(pkt[:2] + struct.pack("!H", csum(pkt)) + pkt[4:], (host, 0))
        end = time.monotonic() + 2
        while time.monotonic() < end:
            try:
                data, src = s.recvfrom(2048)
            except socket.timeout:
                break
            data = data[(data[0] & 15) * 4:]
            t, _, _, i, q = struct.unpack("!BBHHH", data[:8])
            if t == 0 and i == ident and q == seq and data[8:] == payload:
                print("ping reply from %s seq %d" % (src[0], seq), flush=True)
                return True
    print("ping no echo reply from %s" % host, flush=True)
    return False


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit("usage: hostile_clients.py churn|slow|push|tiny|ask|ping HOST PORT ...")
    mode, host, port, rest = a[0], a[1], int(a[2]), [int(x) for x in a[3:]]
    ok = {"churn": churn, "slow": slow, "push": push, "tiny": tiny, "ask": ask,
          "ping": ping}[mode](host, port, *rest)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
