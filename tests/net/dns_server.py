#!/usr/bin/env python3
# dns_server.py — a DNS server for the network tests (RFC 1035, just
# enough): answers A and AAAA queries for the names it is given, with no
# data for a known name's other types and NXDOMAIN for the rest; prints
# one line per query ("query NAME QTYPE -> answer|RCODE"), flushed, so a
# test can tell which names were asked.  Runs until killed.
#
#   dns_server.py LISTEN-ADDR NAME=ADDRESS...
#   dns_server.py 192.168.77.1 svc.wasmetal.test=192.0.2.55 six.wasmetal.test=2001:db8::55
#
# An IPv4 ADDRESS is an A record, an IPv6 one an AAAA record.  Used by
# tests/net/tap_netns.sh and tests/net/qemu_net.sh, inside a network
# namespace of their own (port 53).
import socket
import struct
import sys


def zone_of(args):
    zone = {}
    for arg in args:
        name, addr = arg.split("=", 1)
        fam, qtype = (socket.AF_INET6, 28) if ":" in addr else (socket.AF_INET, 1)
        zone[(name.lower(), qtype)] = socket.inet_pton(fam, addr)
    return zone


def answer(q, zone, known):
    ident, flags, qd = struct.unpack("!HHH", q[:6])
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode()); i += 1 + q[i]
    qtype, = struct.unpack("!H", q[i + 1:i + 3])
    name, question = ".".join(labels).lower(), q[12:i + 5]
    rdata = zone.get((name, qtype))
    rcode = 0 if name in known else 3
    print("query", name, qtype, "->", "answer" if rdata else rcode, flush=True)
    r = struct.pack("!HHHHHH", ident, 0x8180 | rcode, 1, 1 if rdata else 0, 0, 0) + question
    if rdata:
        r += struct.pack("!HHHIH", 0xc00c, qtype, 1, 60, len(rdata)) + rdata
    return r


def main():
    zone = zone_of(sys.argv[2:])
    known = {n for n, _ in zone}
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[1], 53))
    print("listening", flush=True)
    while True:
        q, peer = s.recvfrom(512)
        try:
            s.sendto(answer(q, zone, known), peer)
        except (IndexError, struct.error, UnicodeDecodeError):
            print("malformed query from", peer, flush=True)


main()
