#!/usr/bin/env python3
"""Check queries-v5.toml: every (source, section) exists exactly once in `samspor extract --json`
output, every query has >=1 relevant section and a valid kind/grade, and no non-reference query
contains a 3-word sequence that occurs in any section (heading or text). CC0 1.0."""
import json, re, subprocess, sys, tomllib
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMSPOR = "/work/bin-writer/samspor"
KINDS = {"natural", "synonym", "paraphrase", "nynorsk", "reference", "word"}

def words(s):
    return re.findall(r"[0-9a-zæøåéèüö]+", s.lower())

def main():
    sources = tomllib.loads((HERE / "sources-v5.toml").read_text())["source"]
    labels = Counter()          # (source, label) -> count
    texts = []
    for src in sources:
        out = subprocess.run([SAMSPOR, "extract", "--file", str(HERE / src["file"]), "--json"],
                             capture_output=True, text=True, check=True).stdout
        for s in json.loads(out)["sections"]:
            label = s["number"] or s["heading"]
            labels[(src["id"], label)] += 1
            texts.append(s["heading"] + " \n " + s["text"])
    numbered = sum(1 for (sid, lab) in labels if re.fullmatch(r"[0-9.]+", lab))
    grams = set()
    for t in texts:
        w = words(t)
        grams.update(zip(w, w[1:], w[2:]))
    qs = tomllib.loads((HERE / "queries-v5.toml").read_text())["query"]
    errors = 0
    ids = Counter(q["id"] for q in qs)
    for i, n in ids.items():
        if n > 1: print(f"duplicate id {i}"); errors += 1
    for q in qs:
        if q["kind"] not in KINDS: print(f"{q['id']}: bad kind {q['kind']}"); errors += 1
        if not q.get("relevant"): print(f"{q['id']}: no relevant sections"); errors += 1
        seen = set()
        for r in q.get("relevant", []):
            key = (r["source"], r["section"])
            if labels.get(key, 0) != 1:
                print(f"{q['id']}: {key} occurs {labels.get(key,0)} times in extract output"); errors += 1
            if key in seen: print(f"{q['id']}: {key} listed twice"); errors += 1
            seen.add(key)
            if r["grade"] not in (1, 2): print(f"{q['id']}: bad grade {r['grade']}"); errors += 1
        if q["kind"] != "reference":
            w = words(q["text"])
            for g in zip(w, w[1:], w[2:]):
                if g in grams:
                    print(f"{q['id']}: 3-word overlap {' '.join(g)!r}"); errors += 1
    kinds = Counter(q["kind"] for q in qs)
    grades = Counter(r["grade"] for q in qs for r in q["relevant"])
    print(f"{len(qs)} queries {dict(kinds)}; judgements {sum(grades.values())} (grade 2: {grades[2]}, grade 1: {grades[1]}); "
          f"{numbered} numbered sections in extract")
    print("OK" if errors == 0 else f"{errors} ERRORS")
    sys.exit(1 if errors else 0)

if __name__ == "__main__":
    main()
