"""Test model holding BALLAST_MB (default 100) of written memory after load, to see how workers share it.

Each prediction answers the answering process's memory from /proc/self/smaps_rollup (kB): a worker that shares the
model with the process it forked from shows the ballast as Shared_*, one that loaded its own copy as Private_*.
"""
import os
import sys


class Ballast:
    def __init__(self):
        megabytes = int(os.environ.get("BALLAST_MB", "100"))
        # Written bytes, so the pages are resident (a calloc'd buffer would stay untouched zero pages).
        self.ballast = b"\x01" * (megabytes << 20)
        sys.stderr.write("ballast: %d MiB loaded by pid %d\n" % (megabytes, os.getpid()))
        sys.stderr.flush()

    def predict(self, instances):
        memory = {"pid": os.getpid()}
        with open("/proc/self/smaps_rollup") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty"):
                    memory[key] = int(rest.split()[0])
        return [memory for _ in instances]
