#!/usr/bin/env python3
"""Validate eval set v5: every labelled section appears exactly once in `samspor extract --file` output,
every extracted numbered section is labelled, theme ids are known. Prints counts. CC0 1.0."""
import json, pathlib, subprocess, sys, tomllib, collections
root = pathlib.Path(__file__).resolve().parent
BIN = "/work/bin-writer/samspor"
THEMES = ["felles-planlegging", "rekruttering", "fastlegekrise", "barn-unge", "psykisk-rus",
          "skropelige-eldre", "kroniske", "brukermedvirkning", "digitalisering"]
sources = tomllib.loads((root / "sources-v5.toml").read_text())["source"]
labels = tomllib.loads((root / "themes-v5.toml").read_text())["section"]
ok = True
by_src = collections.defaultdict(list)
for l in labels:
    by_src[l["source"]].append(l)
    for t in l["themes"]:
        if t not in THEMES:
            print("unknown theme", t, l["section"]); ok = False
counts = {}
for s in sources:
    out = subprocess.run([BIN, "extract", "--file", str(root / s["file"]), "--json"],
                         capture_output=True, text=True, check=True).stdout
    secs = [x for x in json.loads(out)["sections"] if x["number"]]
    nums = collections.Counter(x["number"] for x in secs)
    heads = {x["number"]: f'{x["number"]} {x["heading"]}' for x in secs}
    lab_nums = collections.Counter(l["section"].split()[0] for l in by_src[s["id"]])
    for n, c in lab_nums.items():
        if c != 1: print(s["id"], "label for", n, "appears", c, "times"); ok = False
        if nums.get(n) != 1: print(s["id"], "section", n, "found", nums.get(n, 0), "times in extract"); ok = False
        elif heads[n] != next(l["section"] for l in by_src[s["id"]] if l["section"].split()[0] == n):
            print(s["id"], "heading mismatch for", n); ok = False
    for n in nums:
        if n not in lab_nums: print(s["id"], "extracted section", n, "has no label"); ok = False
    for x in secs:
        w = len(x["text"].split())
        if not 70 <= w <= 130: print(s["id"], x["number"], "word count", w)
    counts[s["id"]] = by_src[s["id"]]
hdr = ["doc", "sec", "none"] + [t[:6] for t in THEMES]
print("\t".join(hdr))
tot = collections.Counter()
for sid, ls in counts.items():
    row = collections.Counter(t for l in ls for t in l["themes"])
    row["sec"] = len(ls); row["none"] = sum(1 for l in ls if not l["themes"])
    tot.update(row)
    print("\t".join([sid[3:], str(row["sec"]), str(row["none"])] + [str(row[t]) for t in THEMES]))
print("\t".join(["TOTAL", str(tot["sec"]), str(tot["none"])] + [str(tot[t]) for t in THEMES]))
print("multi-theme sections:", sum(1 for l in labels if len(l["themes"]) > 1))
print("OK" if ok else "FAILED"); sys.exit(0 if ok else 1)
