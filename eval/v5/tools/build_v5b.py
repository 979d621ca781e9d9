#!/usr/bin/env python3
"""Convert the two added drafts (text/v5-kommuneplan.txt, text/v5-hoyring-nn.txt) to corpus/*.html and
replace their [[section]] blocks at the end of themes-v5.toml (same draft format as build.py). CC0 1.0."""
import html, pathlib, re, sys
root = pathlib.Path(__file__).resolve().parent.parent
names = ["kommuneplan", "hoyring-nn"]
ids = {"v5-kommuneplan", "v5-hoyring"}
toml = []
for name in names:
    meta, secs, cur = {}, [], None
    for line in (root / "text" / f"v5-{name}.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        m = re.match(r"^(TITLE|LANG|SOURCE|OUT): (.*)$", line)
        if m and cur is None:
            meta[m.group(1)] = m.group(2); continue
        if line.startswith("## "):
            cur = {"head": line[3:].strip(), "themes": None, "note": "", "paras": []}
            secs.append(cur); continue
        if line.startswith("@"):
            t, _, note = line[1:].partition("|")
            cur["themes"] = t.split(); cur["note"] = note.strip(); continue
        cur["paras"].append(line)
    out = ["<!-- CC0 1.0, invented text -->", "<!DOCTYPE html>", f'<html lang="{meta["LANG"]}">', "<head>",
           '<meta charset="utf-8">', f"<title>{html.escape(meta['TITLE'])}</title>", "</head>", "<body>",
           f"<h1>{html.escape(meta['TITLE'])}</h1>"]
    for s in secs:
        num = s["head"].split()[0]
        tag = "h3" if "." in num else "h2"
        out.append(f"<{tag}>{html.escape(s['head'])}</{tag}>")
        for p in s["paras"]:
            out.append(f"<p>{html.escape(p)}</p>")
        words = sum(len(p.split()) for p in s["paras"])
        if s["themes"] is None or words < 70 or words > 130:
            print(f"WARN {name} {s['head']}: words={words} themes={s['themes']}", file=sys.stderr)
        toml += ["[[section]]", f'source = "{meta["SOURCE"]}"', f'section = "{s["head"]}"',
                 "themes = [" + ", ".join(f'"{t}"' for t in (s["themes"] or [])) + "]",
                 'note = "' + s["note"].replace('"', "'") + '"', ""]
    out += ["</body>", "</html>", ""]
    (root / "corpus" / meta["OUT"]).write_text("\n".join(out), encoding="utf-8")
    print(meta["OUT"], len(secs), "sections")
# keep everything in themes-v5.toml up to the first block of an added source, then append
old = (root / "themes-v5.toml").read_text(encoding="utf-8")
marker = "\n# --- added: v5-kommuneplan, v5-hoyring ---\n"
old = old.split(marker)[0].rstrip("\n") + "\n"
(root / "themes-v5.toml").write_text(old + marker + "\n" + "\n".join(toml), encoding="utf-8")
