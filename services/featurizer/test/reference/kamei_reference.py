#!/usr/bin/env python3
"""Independent reference for jit_change_metrics@v1, for tests only.

Deliberately built differently from services/featurizer/src/domain/kamei.ts: it keeps a raw
log of every file change (per file lineage) and every commit (per author) and recomputes each
metric from those logs, instead of keeping running aggregates. Definitions are the ones in
@omen/features (jitChangeMetricsV1). It covers what express-commits.jsonl.gz exercises:
renames (old_path), deletions inferred from numstat, merges; copies are covered by unit tests.

The order and the merge rule are the ones the featurizer's README states: "prior changes" are
the commits before a commit in the canonical order (parents first; among the commits whose
parents are all placed, the earliest commit time, then the smallest sha), computed here with a
heap, independently of ingest's TypeScript; a merge counts no files and adds nothing to the
history.

Input: jsonl(.gz) in the shape of ../shared/data/express-commits.jsonl.gz (times in seconds),
or a git repository (a directory), read with plain `git log --numstat -M` (what any numstat
tool prints; merges list no files), author = lower-cased mailmapped e-mail.
Output: JSON {"order": [sha, ...], "metrics": {sha: {feature: value}}} on stdout.
"""
import gzip
import heapq
import json
import math
import os
import re
import subprocess
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


def read_jsonl(source):
    opener = gzip.open if source.endswith(".gz") else open
    with opener(source, "rt") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_git(repo):
    out = subprocess.run(
        ["git", "-C", repo, "-c", "core.quotePath=false", "log", "-z", "--numstat", "-M", "--no-color",
         "--format=%x01%H%x02%P%x02%aE%x02%ct%x02%B%x02", "HEAD", "--"],
        check=True, capture_output=True,
    ).stdout.decode("utf-8", "replace")
    commits = []
    for chunk in out.split("\x01")[1:]:
        sha, parents, email, ct, message, rest = chunk.split("\x02", 5)
        files = []
        tokens = rest.split("\0")
        i = 0
        while i < len(tokens):
            tok = tokens[i].lstrip("\n")
            i += 1
            if not tok:
                continue
            added, deleted, path = tok.split("\t", 2)
            old_path = None
            if path == "":
                old_path, path = tokens[i], tokens[i + 1]
                i += 2
            binary = added == "-"
            files.append({"path": path, "old_path": old_path, "added": 0 if binary else int(added),
                          "deleted": 0 if binary else int(deleted), "binary": binary})
        commits.append({"sha": sha, "parents": parents.split(), "author_id": email.strip().lower(),
                        "commit_time": int(ct), "message": message, "files": files})
    return commits


def canonical(commits):
    by_sha = {c["sha"]: c for c in commits}
    waiting = {}
    children = {}
    for c in commits:
        inside = {p for p in c["parents"] if p in by_sha}
        waiting[c["sha"]] = len(inside)
        for p in inside:
            children.setdefault(p, []).append(c["sha"])
    ready = [(c["commit_time"], c["sha"]) for c in commits if waiting[c["sha"]] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, sha = heapq.heappop(ready)
        order.append(by_sha[sha])
        for k in children.get(sha, []):
            waiting[k] -= 1
            if waiting[k] == 0:
                heapq.heappush(ready, (by_sha[k]["commit_time"], k))
    assert len(order) == len(by_sha), "not a commit graph"
    return order


def main(source):
    commits = canonical(read_git(source) if os.path.isdir(source) else read_jsonl(source))
    lineage_of = {}  # current path -> lineage id
    events = {}  # lineage id -> [(seq, author, time_ms, added, deleted)]
    authored = {}  # author -> [(time_ms, frozenset(subsystems))]
    next_lineage = 0
    seq = 0
    out = {}
    for c in commits:
        t = c["commit_time"] * 1000
        author = c["author_id"]
        merged = {}
        for f in ([] if len(c["parents"]) >= 2 else c["files"]):
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
    json.dump({"order": [c["sha"] for c in commits], "metrics": out}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
