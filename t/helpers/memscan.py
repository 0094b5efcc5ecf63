#!/usr/bin/env python3
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
"""memscan PID HEX...: which of the byte strings (hex) occur in the
readable memory of process PID (root: /proc/PID/maps and /proc/PID/mem).
Prints one line per string, "found N" or "absent N", and "scanned BYTES".
Mappings larger than 1 GiB (the sanitizers' shadow) are skipped."""
import sys

CHUNK = 1 << 20
MAXMAP = 1 << 30


def regions(pid):
    with open("/proc/%d/maps" % pid) as maps:
        for line in maps:
            f = line.split()
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            name = f[5] if len(f) > 5 else ""
            if f[1][0] != "r" or name in ("[vvar]", "[vsyscall]", "[vvar_vclock]"):
                continue
            if hi - lo > MAXMAP:
                continue
            yield lo, hi


def main():
    pid = int(sys.argv[1])
    needles = [bytes.fromhex(h) for h in sys.argv[2:]]
    found = [False] * len(needles)
    keep = max(len(n) for n in needles) - 1
    scanned = 0
    with open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for lo, hi in regions(pid):
            tail = b""
            at = lo
            while at < hi:
                try:
                    mem.seek(at)
                    data = mem.read(min(CHUNK, hi - at))
                except OSError:
                    break
                if not data:
                    break
                scanned += len(data)
                buf = tail + data
                for i, n in enumerate(needles):
                    if not found[i] and n in buf:
                        found[i] = True
                tail = buf[-keep:] if keep > 0 else b""
                at += len(data)
    for i, f in enumerate(found):
        print("%s %d" % ("found" if f else "absent", i))
    print("scanned %d" % scanned)


main()
