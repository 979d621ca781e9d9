#!/usr/bin/env python3
"""Validate eval set v4: HTML structure, labels vs headings, theme ids, word counts; print counts.
Independent of the build script: parses the HTML files themselves. CC0 1.0."""
import re, sys, tomllib, pathlib
from html.parser import HTMLParser

ROOT = pathlib.Path(__file__).resolve().parent
THEMES = ["felles-planlegging", "rekruttering", "fastlegekrise", "barn-unge", "psykisk-rus",
          "skropelige-eldre", "kroniske", "brukermedvirkning", "digitalisering"]
KINDS = {"nou", "prop", "meld", "horingsuttalelse", "avtale", "sak", "web"}

class Doc(HTMLParser):
    def __init__(self):
        super().__init__(); self.tag = None; self.buf = ""; self.items = []  # (tag, text)
    def handle_starttag(self, tag, a):
        if tag in ("h1", "h2", "h3", "p"): self.tag, self.buf = tag, ""
    def handle_endtag(self, tag):
        if tag == self.tag: self.items.append((tag, " ".join(self.buf.split()))); self.tag = None
    def handle_data(self, d):
        if self.tag: self.buf += d

errors = []
src = tomllib.loads((ROOT / "sources-v4.toml").read_text("utf-8"))["source"]
lab = tomllib.loads((ROOT / "themes-v4.toml").read_text("utf-8"))["section"]
headings, words = {}, {}
for s in src:
    for k in ("id", "title", "kind", "file", "language", "year"):
        if k not in s: errors.append(f"{s.get('id')}: missing {k}")
    if s["kind"] not in KINDS: errors.append(f"{s['id']}: bad kind {s['kind']}")
    if s["language"] not in ("nb", "nn"): errors.append(f"{s['id']}: bad language")
    raw = (ROOT / s["file"]).read_bytes(); text = raw.decode("utf-8")  # must be UTF-8
    d = Doc(); d.feed(text)
    if [t for t, _ in d.items].count("h1") != 1 or d.items[0][0] != "h1":
        errors.append(f"{s['id']}: need exactly one h1, first")
    hs, cur, prev = [], None, None
    for tag, txt in d.items[1:]:
        if tag in ("h2", "h3"):
            m = re.fullmatch(r"(\d+(?:\.\d+)?) (\S.*)", txt)
            if not m: errors.append(f"{s['id']}: heading not 'N Title': {txt!r}"); continue
            num = m.group(1)
            if (tag == "h3") != ("." in num): errors.append(f"{s['id']}: {tag} vs number {num}")
            if cur and words.get((s["id"], cur), 0) == 0: errors.append(f"{s['id']}: empty section {cur}")
            hs.append(txt); cur = txt; words[(s["id"], txt)] = 0
        elif tag == "p":
            if cur is None: errors.append(f"{s['id']}: text before first h2 (title block)")
            else: words[(s["id"], cur)] += len(txt.split())
    headings[s["id"]] = hs
    if not 18 <= len(hs) <= 22: errors.append(f"{s['id']}: {len(hs)} sections (want 18-22)")

seen = {}
for e in lab:
    sid, h = e["source"], e["section"]
    if sid not in headings: errors.append(f"unknown source {sid}"); continue
    n = headings[sid].count(h)
    if n != 1: errors.append(f"{sid}: label heading {h!r} found {n} times in HTML")
    seen[(sid, h)] = seen.get((sid, h), 0) + 1
    for t in e["themes"]:
        if t not in THEMES: errors.append(f"{sid} {h}: unknown theme {t}")
    if len(set(e["themes"])) != len(e["themes"]): errors.append(f"{sid} {h}: duplicate theme")
for sid, hs in headings.items():
    for h in hs:
        if seen.get((sid, h), 0) != 1: errors.append(f"{sid}: HTML section {h!r} labelled {seen.get((sid, h), 0)} times")
for (sid, h), w in words.items():
    if not 80 <= w <= 130: errors.append(f"{sid} {h}: {w} words (want 80-130)")

# counts
ids = [s["id"] for s in src]
short = {i: i.replace("v4-", "") for i in ids}
print("theme".ljust(20) + "".join(short[i][:10].rjust(11) for i in ids) + "  total")
for t in THEMES + [None]:
    row = [sum(1 for e in lab if e["source"] == i and ((t in e["themes"]) if t else not e["themes"])) for i in ids]
    print((t or "(no theme)").ljust(20) + "".join(str(x).rjust(11) for x in row) + str(sum(row)).rjust(7))
    if t and sum(row) < 6: errors.append(f"theme {t} has only {sum(row)} sections")
row = [len(headings[i]) for i in ids]
print("sections".ljust(20) + "".join(str(x).rjust(11) for x in row) + str(sum(row)).rjust(7))
ws = list(words.values())
print(f"words per section {min(ws)}-{max(ws)}, total {sum(ws)}; two-theme sections {sum(1 for e in lab if len(e['themes']) == 2)}; "
      f"HARD {sum(1 for e in lab if 'HARD:' in e['note'])}; labels {sum(len(e['themes']) for e in lab)}")
if errors:
    print("ERRORS:"); [print("  " + x) for x in errors]; sys.exit(1)
print("OK")
