#!/usr/bin/env python3
"""Check the evaluation data in eval/ against what samspor actually extracts.

For every source in eval/sources.toml this runs `samspor extract --file PATH [--selector S] --json`
and builds the section labels samspor shows: the section number when the section has one, else
its heading, else "(innledning)". It then checks that

  * every label is unique within its source (otherwise a judgment could not name one section),
  * every (source, section) referenced in eval/queries.toml and eval/themes-labelled.toml exists
    exactly once, with no section listed twice for the same query or in the labelled set,
  * grades are 1 or 2, query kinds and theme ids are known, and the counts meet the issues'
    minimums (queries >= 30 / 40, labelled sections >= 80 / 110).

Usage:
  python3 eval/check_labels.py                 # check; exit 1 on any problem
  python3 eval/check_labels.py --dump          # also print every section (source, label, words, text)
  python3 eval/check_labels.py --stats         # also print counts per query kind and per theme
  SAMSPOR=/path/to/samspor python3 eval/check_labels.py   # use another binary

Needs Python >= 3.11 (tomllib) and a built samspor binary (default: $SAMSPOR, else
target/{debug,release}/samspor in the repository or its parent's target directory).
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

EVAL = Path(__file__).resolve().parent
REPO = EVAL.parent
KINDS = {"word", "inflection", "multi", "compound", "nynorsk", "folded", "reference",
         "phrase", "boolean", "prefix", "exact", "field"}


def find_binary():
    if os.environ.get("SAMSPOR"):
        return os.environ["SAMSPOR"]
    for cand in (REPO / "target/debug/samspor", REPO / "target/release/samspor",
                 REPO.parent / "target/debug/samspor", REPO.parent / "target/release/samspor"):
        if cand.exists():
            return str(cand)
    sys.exit("samspor binary not found; set SAMSPOR=/path/to/samspor")


def label(section):
    if section.get("number"):
        return section["number"]
    if section.get("heading"):
        return section["heading"]
    return "(innledning)"


def extract_all(binary, config):
    """source id -> list of (label, section dict)."""
    out = {}
    for src in config["source"]:
        url = src["url"]
        if url.startswith(("http://", "https://")):
            sys.exit(f"source {src['id']}: only local files are supported here")
        path = url[len("file://"):] if url.startswith("file://") else str(EVAL / url)
        cmd = [binary, "extract", "--file", path, "--json"]
        if src.get("selector"):
            cmd += ["--selector", src["selector"]]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            sys.exit(f"extract failed for {src['id']} ({path}): {res.stderr.strip()}")
        doc = json.loads(res.stdout)
        out[src["id"]] = [(label(s), s) for s in doc["sections"]]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", action="store_true")
    ap.add_argument("--stats", action="store_true")
    args = ap.parse_args()

    config = tomllib.loads((EVAL / "sources.toml").read_text())
    theme_ids = {t["id"] for t in config["theme"]}
    sections = extract_all(find_binary(), config)
    problems = []

    index = {}
    for sid, secs in sections.items():
        counts = collections.Counter(lab for lab, _ in secs)
        for lab, n in counts.items():
            if n > 1:
                problems.append(f"{sid}: label {lab!r} occurs {n} times in the extract")
        index[sid] = counts

    def check_ref(where, source, section):
        if source not in index:
            problems.append(f"{where}: unknown source {source!r}")
        elif index[source].get(section, 0) == 0:
            problems.append(f"{where}: {source} has no section {section!r}")
        elif index[source][section] > 1:
            problems.append(f"{where}: {source} section {section!r} is ambiguous")

    queries = tomllib.loads((EVAL / "queries.toml").read_text())["query"]
    ids = collections.Counter(q["id"] for q in queries)
    problems += [f"query id {i!r} used {n} times" for i, n in ids.items() if n > 1]
    kinds = collections.Counter()
    for q in queries:
        where = f"query {q['id']} ({q['text']!r})"
        if q.get("kind") not in KINDS:
            problems.append(f"{where}: unknown kind {q.get('kind')!r}")
        kinds[q.get("kind")] += 1
        if not q.get("relevant"):
            problems.append(f"{where}: no relevant sections")
        seen = set()
        for r in q.get("relevant", []):
            key = (r["source"], r["section"])
            if key in seen:
                problems.append(f"{where}: {key} listed twice")
            seen.add(key)
            if r.get("grade") not in (1, 2):
                problems.append(f"{where}: {key} has grade {r.get('grade')!r}")
            check_ref(where, *key)
    non_field = sum(1 for q in queries if q.get("kind") != "field")
    if len(queries) < 40 or non_field < 30:
        problems.append(f"only {len(queries)} queries ({non_field} without field filters)")

    labelled = tomllib.loads((EVAL / "themes-labelled.toml").read_text())["section"]
    seen = set()
    per_theme = collections.Counter()
    for s in labelled:
        key = (s["source"], s["section"])
        where = f"themes-labelled {key}"
        if key in seen:
            problems.append(f"{where}: listed twice")
        seen.add(key)
        check_ref(where, *key)
        for t in s["themes"]:
            if t not in theme_ids:
                problems.append(f"{where}: unknown theme {t!r}")
            per_theme[t] += 1
        if len(set(s["themes"])) != len(s["themes"]):
            problems.append(f"{where}: a theme is listed twice")
    if len(labelled) < 110:
        problems.append(f"only {len(labelled)} labelled sections")

    if args.dump:
        for sid, secs in sections.items():
            for lab, s in secs:
                text = " ".join(s["text"].split())
                print(f"{sid} | {lab} | {s.get('heading')!r} | {len(text.split())} words\n    {text}\n")
    total = sum(len(v) for v in sections.values())
    print(f"{len(sections)} sources, {total} sections; {len(queries)} queries "
          f"({non_field} without field filters); {len(labelled)} labelled sections")
    if args.stats:
        print("queries per kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        print("labelled sections per theme: " + ", ".join(
            f"{t} {per_theme[t]}" for t in [t["id"] for t in config["theme"]]))
        print(f"labelled sections with no theme: {sum(1 for s in labelled if not s['themes'])}")
        grades = collections.Counter(r["grade"] for q in queries for r in q["relevant"])
        print(f"judgments: {grades[2]} grade 2, {grades[1]} grade 1")
    if problems:
        print(f"{len(problems)} problem(s):")
        for p in problems:
            print("  " + p)
        return 1
    print("ok: every referenced label exists exactly once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
