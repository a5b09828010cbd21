"""Runs one command and writes what it cost to a JSON file (the load harness, tests/load/lib/proc.ts).

    python3 rusage.py OUT.json CMD [ARGS...]

Exact figures for the child alone, from the kernel once it is reaped: wall time, user and system CPU and
peak RSS (getrusage(RUSAGE_CHILDREN)), and the bytes it read and wrote through syscalls (rchar/wchar) and
from/to storage (read_bytes/write_bytes): a reaped child's I/O counters are added to its parent's
/proc/self/io, so the difference across the run is the child's. stdin/stdout/stderr are passed through.
Exit status: the child's.
"""
import json
import resource
import subprocess
import sys
import time


def io():
    out = {}
    with open("/proc/self/io") as f:
        for line in f:
            k, v = line.split(":")
            out[k.strip()] = int(v)
    return out


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    before = io()
    t0 = time.monotonic()
    code = subprocess.call(cmd)
    wall = time.monotonic() - t0
    after = io()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "w") as f:
        json.dump({
            "code": code,
            "wall_ms": wall * 1000,
            "user_ms": ru.ru_utime * 1000,
            "sys_ms": ru.ru_stime * 1000,
            "peak_rss_kb": ru.ru_maxrss,
            "rchar": after["rchar"] - before["rchar"],
            "wchar": after["wchar"] - before["wchar"],
            "read_bytes": after["read_bytes"] - before["read_bytes"],
            "write_bytes": after["write_bytes"] - before["write_bytes"],
        }, f)
    sys.exit(code if code >= 0 else 128 - code)


main()
