#!/usr/bin/python3
# hostile_frames.py — bad traffic for tests/net/hostile.sh, sent with
# scapy (Debian's python3-scapy) on a TAP inside the test's own network
# namespace, to the guest only.  Each category is bounded in count and
# size; the script prints one "sent CATEGORY N" line per category and
# exits 0 (the test then checks that the guest still answers).
#
#   hostile_frames.py IFACE GUEST_MAC GUEST_IP MY_IP PORT [CATEGORY...]
#
# Categories (all by default): truncated oversized badsum fragments
# random synflood ipv6junk arpjunk; and halfopen (not by default: a few
# SYNs from neighbours that never answer, leaving half-open connections).
# Everything random comes from one seed, HOSTILE_SEED in the environment
# (default 7), printed first: scapy's fuzz() and RandMAC draw from
# Python's global random, which is seeded with it too, so a failure can be
# replayed.
import logging
import os
import random
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)     # no route warnings:
                                                               # frames go out by sendp
from scapy.all import (ARP, ICMP, IP, IPv6, TCP, UDP, Ether, IPv6ExtHdrRouting,
                       IPv6ExtHdrFragment, Raw, RandMAC, conf, fragment, fuzz,
                       sendp)

conf.verb = 0
SEED = int(os.environ.get("HOSTILE_SEED", "7"))


def send(iface, frames):
    sendp(frames, iface=iface, verbose=False)
    return len(frames)


def truncated(eth, ip):
    """Frames cut inside each header: Ethernet, IPv4, TCP, UDP, ARP."""
    whole = [bytes(eth / ip / TCP(dport=80, flags="S")),
             bytes(eth / ip / UDP(dport=7) / Raw(b"x" * 40)),
             bytes(eth / ARP(pdst=ip.dst)),
             bytes(eth / ip / ICMP() / Raw(b"y" * 56))]
    frames = []
    for w in whole:
        for cut in range(1, len(w)):
            frames.append(Raw(w[:cut]))
    return frames


def oversized(eth, ip):
    """Frames longer than the MTU (the TAP's MTU is raised for them)."""
    return [eth / ip / UDP(dport=7) / Raw(b"z" * n) for n in (1473, 2000, 4000, 8900)]


def badsum(eth, ip, port):
    """Right lengths, wrong checksums, and lengths that lie."""
    return [eth / IP(dst=ip.dst, src=ip.src, chksum=0x1234) / TCP(dport=port, flags="S"),
            eth / ip / TCP(dport=port, flags="S", chksum=0x4321),
            eth / ip / UDP(dport=7, chksum=0x1111) / Raw(b"bad"),
            eth / IP(dst=ip.dst, src=ip.src, len=2000) / UDP(dport=7) / Raw(b"short"),
            eth / IP(dst=ip.dst, src=ip.src, ihl=15) / Raw(b"\0" * 20),
            eth / IP(dst=ip.dst, src=ip.src, ihl=2) / Raw(b"\0" * 20),
            eth / ip / TCP(dport=port, dataofs=15, flags="S"),
            eth / ip / TCP(dport=port, dataofs=1, flags="S"),
            eth / ip / UDP(dport=7, len=4) / Raw(b"x" * 20),
            eth / ip / UDP(dport=7, len=3000) / Raw(b"x" * 20)]


def fragments(eth, ip):
    """Fragment trains: ordinary, overlapping, tiny, never completed."""
    frames = []
    big = ip / UDP(dport=7) / Raw(b"F" * 6000)
    frames += [eth / f for f in fragment(big, fragsize=1000)]
    frames += [eth / f for f in reversed(fragment(big, fragsize=512))]
    for i in range(200):            # first fragments that never complete
        frames.append(eth / IP(dst=ip.dst, src=ip.src, id=1000 + i, flags="MF", frag=0)
                      / UDP(dport=7) / Raw(b"a" * 64))
    for off in (0, 1, 2, 1, 0):     # overlapping
        frames.append(eth / IP(dst=ip.dst, src=ip.src, id=4242, flags="MF", frag=off)
                      / Raw(b"o" * 24))
    frames.append(eth / IP(dst=ip.dst, src=ip.src, id=4243, flags=0, frag=8191)
                  / Raw(b"end" * 10))   # offset at the very end of 64 KiB
    return frames


def random_frames(eth, ip):
    """Random bytes, and fuzzed fields of real protocols."""
    rnd = random.Random(SEED)
    frames = [Raw(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(14, 1514))))
              for _ in range(300)]
    frames += [eth / Raw(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 1500))))
               for _ in range(300)]
    # (ICMP timestamps are fixed: left alone, scapy fills in the clock)
    for proto in (TCP(), UDP(), ICMP(ts_ori=0, ts_rx=0, ts_tx=0)):
        frames += [eth / fuzz(IP(dst=ip.dst, src=ip.src)) / fuzz(proto) for _ in range(100)]
    return frames


def synflood(eth, ip, port):
    """SYNs from many source addresses and ports that never complete."""
    rnd = random.Random(SEED + 1)
    return [eth / IP(dst=ip.dst, src="192.168.77.%d" % rnd.randint(100, 250))
            / TCP(sport=rnd.randint(1024, 65535), dport=port, flags="S",
                  seq=rnd.getrandbits(32)) for _ in range(5000)]


def halfopen(eth, ip, port):
    """A few SYNs from neighbours that never answer: half-open connections."""
    rnd = random.Random(SEED + 2)
    return [eth / IP(dst=ip.dst, src="192.168.77.%d" % rnd.randint(100, 250))
            / TCP(sport=rnd.randint(1024, 65535), dport=port, flags="S",
                  seq=rnd.getrandbits(32)) for _ in range(16)]


def ipv6junk(eth6):
    """IPv6 with bad payload lengths, routing headers, fragments."""
    dst = "ff02::1"
    return [eth6 / IPv6(dst=dst, plen=2000) / Raw(b"x" * 10),
            eth6 / IPv6(dst=dst, nh=43) / IPv6ExtHdrRouting(addresses=["::1"] * 3) / Raw(b"r"),
            eth6 / IPv6(dst=dst) / IPv6ExtHdrFragment(offset=100, m=1) / Raw(b"f" * 8),
            eth6 / IPv6(dst=dst, nh=0) / Raw(b"\x3a\xff" + b"\0" * 6) / Raw(b"h")] + \
        [eth6 / fuzz(IPv6(dst=dst)) for _ in range(100)]


def arpjunk(eth, my_ip, guest_ip):
    """ARP replies and requests with nonsense, and spoofed senders."""
    bcast = Ether(dst="ff:ff:ff:ff:ff:ff")
    return [bcast / ARP(op=2, psrc=guest_ip, hwsrc=RandMAC(), pdst=guest_ip),
            bcast / ARP(op=1, psrc="0.0.0.0", pdst=guest_ip),
            bcast / ARP(hwlen=200, plen=200, pdst=guest_ip),
            eth / ARP(op=7, psrc=my_ip, pdst=guest_ip)] + \
        [bcast / fuzz(ARP(pdst=guest_ip)) for _ in range(100)]


def main():
    if len(sys.argv) < 6:
        sys.exit("usage: hostile_frames.py IFACE GUEST_MAC GUEST_IP MY_IP PORT [CATEGORY...]")
    iface, gmac, gip, myip, port = sys.argv[1:6]
    port = int(port)
    random.seed(SEED)
    print("seed %d" % SEED, flush=True)
    wanted = sys.argv[6:] or ["truncated", "oversized", "badsum", "fragments",
                              "random", "synflood", "ipv6junk", "arpjunk"]
    eth = Ether(dst=gmac)
    eth6 = Ether(dst="33:33:00:00:00:01")
    ip = IP(dst=gip, src=myip)
    makers = {
        "truncated": lambda: truncated(eth, ip),
        "oversized": lambda: oversized(eth, ip),
        "badsum": lambda: badsum(eth, ip, port),
        "fragments": lambda: fragments(eth, ip),
        "random": lambda: random_frames(eth, ip),
        "synflood": lambda: synflood(eth, ip, port),
        "halfopen": lambda: halfopen(eth, ip, port),
        "ipv6junk": lambda: ipv6junk(eth6),
        "arpjunk": lambda: arpjunk(eth, myip, gip),
    }
    for name in wanted:
        if name not in makers:
            sys.exit("unknown category %s" % name)
        print("sent %s %d" % (name, send(iface, makers[name]())), flush=True)


if __name__ == "__main__":
    main()
