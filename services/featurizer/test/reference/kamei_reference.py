#!/usr/bin/env python3
"""Independent reference for jit_change_metrics@v1, for tests only.

Deliberately built differently from services/featurizer/src/domain/kamei.ts: it keeps a raw
log of every file change (per file lineage) and every commit (per author) and recomputes each
metric from those logs, instead of keeping running aggregates. Definitions are the ones in
@omen/features (jitChangeMetricsV1). It covers what express-commits.jsonl.gz exercises:
renames (old_path), deletions inferred from numstat, merges; copies are covered by unit tests.

Input: jsonl(.gz) in the shape of ../shared/data/express-commits.jsonl.gz (times in seconds).
Output: JSON object sha -> {feature: value} on stdout.
"""
import gzip
import json
import math
import re
import sys

DAY_MS = 86_400_000
YEAR_MS = 31_557_600_000  # 365.25 days
FIX = re.compile(
    r"\b(?:fix(?:e[sd]|ing)?|bug(?:s|fix(?:es)?)?|hotfix(?:es)?|defects?|faults?|crash(?:es|ed|ing)?"
    r"|incorrect(?:ly)?|wrong(?:ly)?|broken|repair(?:s|ed|ing)?)\b",
    re.IGNORECASE,
)


def subsystem(path):
    return path.split("/")[0] if "/" in path else "."


def directory(path):
    return path.rsplit("/", 1)[0] if "/" in path else "."


def main(source):
    opener = gzip.open if source.endswith(".gz") else open
    lineage_of = {}  # current path -> lineage id
    events = {}  # lineage id -> [(seq, author, time_ms, added, deleted)]
    authored = {}  # author -> [(time_ms, frozenset(subsystems))]
    next_lineage = 0
    seq = 0
    out = {}
    with opener(source, "rt") as fh:
        for line in fh:
            c = json.loads(line)
            t = c["commit_time"] * 1000
            author = c["author_id"]
            merged = {}
            for f in c["files"]:
                if f["path"] in merged:
                    m = merged[f["path"]]
                    m["added"] += f["added"]
                    m["deleted"] += f["deleted"]
                else:
                    merged[f["path"]] = dict(f)
            touches = []
            for f in merged.values():
                renamed = f["old_path"] is not None and f["old_path"] != f["path"]
                lin = lineage_of.get(f["old_path"] if renamed else f["path"])
                log = events.get(lin, [])
                lines_before = sum(e[3] - e[4] for e in log)
                deleted = (not renamed) and lin is not None and lines_before > 0 and f["added"] == 0 and f["deleted"] == lines_before
                touches.append((f, renamed, lin, log, lines_before, deleted))

            subs = {subsystem(f["path"]) for f, *_ in touches}
            dirs = {directory(f["path"]) for f, *_ in touches}
            modified = [f["added"] + f["deleted"] for f, *_ in touches]
            total = sum(modified)
            entropy = 0.0
            if total > 0:
                entropy = -sum((m / total) * math.log2(m / total) for m in modified if m > 0)
                entropy = entropy if entropy > 0 else 0.0
            devs, prior, ages, lt = set(), set(), [], 0
            for f, renamed, lin, log, lines_before, _ in touches:
                if not log:
                    continue
                lt += max(0, lines_before)
                devs |= {e[1] for e in log}
                prior |= {e[0] for e in log}
                ages.append(max(0, t - log[-1][2]) / DAY_MS)
            mine = authored.get(author, [])
            out[c["sha"]] = {
                "ns": len(subs),
                "nd": len(dirs),
                "nf": len(touches),
                "entropy": entropy,
                "la": sum(f["added"] for f, *_ in touches),
                "ld": sum(f["deleted"] for f, *_ in touches),
                "lt": lt,
                "fix": 1 if FIX.search(c["message"]) else 0,
                "ndev": len(devs),
                "age": sum(ages) / len(ages) if ages else 0,
                "nuc": len(prior),
                "exp": len(mine),
                "rexp": sum(1 / (max(0, t - ti) // YEAR_MS + 1) for ti, _ in mine),
                "sexp": sum(1 for _, s in mine if s & subs),
            }

            if len(c["parents"]) >= 2:
                continue
            seq += 1
            for f, renamed, lin, log, lines_before, deleted in touches:
                if renamed:
                    lineage_of.pop(f["old_path"], None)
                if deleted:
                    lineage_of.pop(f["path"], None)
            for f, renamed, lin, log, lines_before, deleted in touches:
                if deleted:
                    continue
                if lin is None:
                    lin = next_lineage
                    next_lineage += 1
                lineage_of[f["path"]] = lin
                events.setdefault(lin, []).append((seq, author, t, f["added"], f["deleted"]))
            authored.setdefault(author, []).append((t, frozenset(subs)))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
