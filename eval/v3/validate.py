#!/usr/bin/env python3
"""Validate eval set v3: TOML parses, every labelled section exists in its HTML
with that exact number, every HTML section is labelled exactly once, themes are known.
Also prints per-theme counts. Usage: python3 eval/v3/validate.py  (CC0 1.0)"""
import re, sys, tomllib, pathlib, collections
from html.parser import HTMLParser

HERE = pathlib.Path(__file__).resolve().parent
THEMES = ["felles-planlegging", "rekruttering", "fastlegekrise", "barn-unge", "psykisk-rus",
          "skropelige-eldre", "kroniske", "brukermedvirkning", "digitalisering"]

class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.items = []; self.cur = None; self.buf = []
    def handle_starttag(self, tag, a):
        if tag in ("h1", "h2", "h3", "p"): self.cur = tag; self.buf = []
    def handle_endtag(self, tag):
        if tag == self.cur:
            self.items.append((tag, " ".join("".join(self.buf).split()))); self.cur = None
    def handle_data(self, d):
        if self.cur: self.buf.append(d)

def sections(path):
    p = P(); p.feed(path.read_text(encoding="utf-8"))
    out = []  # (id, heading, words)
    h1 = None
    for tag, text in p.items:
        if tag == "h1":
            h1 = text; out.append([None, text, 0])
        elif tag in ("h2", "h3"):
            m = re.match(r"^(\d+(?:\.\d+)*)\s+\S", text)
            if not m: sys.exit(f"{path.name}: heading without number: {text!r}")
            out.append([m.group(1), text, 0])
        elif tag == "p":
            out[-1][2] += len(text.split())
    res = []
    for sid, head, words in out:
        if sid is None:
            if words: res.append((head, head, words))  # title block
        else:
            res.append((sid, head, words))
    return res

errors = []
src = tomllib.loads((HERE / "sources-v3.toml").read_text(encoding="utf-8"))["source"]
lab = tomllib.loads((HERE / "themes-v3.toml").read_text(encoding="utf-8"))["section"]
files = {s["id"]: HERE / s["file"] for s in src}
labelled = collections.Counter((r["source"], r["section"]) for r in lab)
for k, n in labelled.items():
    if n > 1: errors.append(f"labelled twice: {k}")
total = 0; none = 0; per = collections.Counter(); hard = 0
for sid, f in files.items():
    secs = sections(f)
    ids = [s[0] for s in secs]
    if len(set(ids)) != len(ids): errors.append(f"{sid}: duplicate section numbers")
    for s, head, words in secs:
        if (sid, s) not in labelled: errors.append(f"{sid}: section {s} not labelled")
        if not 60 <= words <= 150: print(f"note: {sid} {s} has {words} words")
    for r in lab:
        if r["source"] == sid and r["section"] not in ids:
            errors.append(f"{sid}: labelled section {r['section']} not in HTML")
    print(f"{sid}: {len(secs)} sections, {sum(w for *_, w in secs)} words")
for r in lab:
    if r["source"] not in files: errors.append(f"unknown source {r['source']}")
    for t in r["themes"]:
        if t not in THEMES: errors.append(f"unknown theme {t}")
        per[t] += 1
    total += 1; none += not r["themes"]; hard += "HARD" in r.get("note", "")
print(f"sections: {total}, no theme: {none} ({100*none/total:.0f} %), hard: {hard}")
for t in THEMES: print(f"  {t:20s} {per[t]}")
if errors:
    print("\n".join(errors)); sys.exit(1)
print("OK")
