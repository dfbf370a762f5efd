#!/usr/bin/env python3
"""An independent reading of the event log's documented formats (src/ledger/canonical.h and
RFC 9162), for the ledger tests.

  event_oracle.py canonical   stdin: a JSON list of [name, value-or-null] pairs, the event's
                              fields in order. Prints the canonical bytes in hex, their SHA-256
                              (the chain hash) and the Merkle leaf hash, one per line.
  event_oracle.py root N      stdin: the canonical bytes of events 1.. in hex, one per line.
                              Prints MTH of the first N, checking each event's prev_hash field
                              against the SHA-256 of the event before it (exit 1 if one differs).
"""
import hashlib
import json
import sys


def h(b):
    return hashlib.sha256(b).digest()


def canonical(fields):
    out = b"charta-event/2\n"
    for name, value in fields:
        if value is None:
            out += name.encode() + b":-\n"
        else:
            v = value.encode()
            out += name.encode() + b":" + str(len(v)).encode() + b":" + v + b"\n"
    return out


def mth(d):
    if len(d) == 0:
        return h(b"")
    if len(d) == 1:
        return h(b"\x00" + d[0])
    k = 1
    while k * 2 < len(d):
        k *= 2
    return h(b"\x01" + mth(d[:k]) + mth(d[k:]))


def prev_hash(event):
    tail = event[event.rindex(b"\nprev_hash:") + 1:]
    return tail.split(b":", 2)[2].rstrip(b"\n").decode()


def main():
    if sys.argv[1] == "canonical":
        b = canonical(json.load(sys.stdin))
        print(b.hex())
        print(h(b).hex())
        print(h(b"\x00" + b).hex())
        return 0
    n = int(sys.argv[2])
    events = [bytes.fromhex(line.strip()) for line in sys.stdin if line.strip()][:n]
    previous = "0" * 64
    for e in events:
        if prev_hash(e) != previous:
            return 1
        previous = h(e).hex()
    print(mth(events).hex())
    return 0


sys.exit(main())
