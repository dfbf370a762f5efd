#!/usr/bin/env python3
"""An independent reading of RFC 9162 section 2.1, straight from its recursive definitions:
prints, for every tree size up to N over the entries e_i = "entry-<i>", the root, every
inclusion path and every consistency proof, one line each, in hex."""
import hashlib
import sys


def h(b):
    return hashlib.sha256(b).digest()


def mth(d):
    if len(d) == 0:
        return h(b"")
    if len(d) == 1:
        return h(b"\x00" + d[0])
    k = 1
    while k * 2 < len(d):
        k *= 2
    return h(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m, d):
    if len(d) <= 1:
        return []
    k = 1
    while k * 2 < len(d):
        k *= 2
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    if m == len(d):
        return [] if b else [mth(d)]
    k = 1
    while k * 2 < len(d):
        k *= 2
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


n = int(sys.argv[1])
entries = [b"entry-%d" % i for i in range(n)]
for size in range(0, n + 1):
    d = entries[:size]
    print("root %d %s" % (size, mth(d).hex()))
    for m in range(size):
        print("path %d %d %s" % (m, size, ",".join(x.hex() for x in path(m, d))))
    for m in range(1, size + 1):
        print("proof %d %d %s" % (m, size, ",".join(x.hex() for x in subproof(m, d, True))))
