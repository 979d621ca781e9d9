"""Convert the plain-text drafts in text/ to corpus/*.html (h1, numbered h2/h3, p)."""
import html, re, sys, pathlib
root = pathlib.Path(__file__).resolve().parent.parent
for src in sorted((root / "text").glob("*.txt")):
    lines = src.read_text(encoding="utf-8").split("\n")
    out, para, counts, cur = [], [], {}, None
    def flush():
        global para
        if para:
            out.append("<p>" + html.escape(" ".join(para), quote=False) + "</p>")
            if cur: counts[cur] = counts.get(cur, 0) + len(" ".join(para).split())
            para = []
    title = ""
    for ln in lines:
        if ln.startswith("## "):
            flush(); h = ln[3:].strip(); num = h.split()[0]
            tag = "h3" if "." in num else "h2"; cur = h
            out.append(f"<{tag}>{html.escape(h, quote=False)}</{tag}>")
        elif ln.startswith("# "):
            flush(); title = ln[2:].strip(); out.append(f"<h1>{html.escape(title, quote=False)}</h1>")
        elif ln.strip() == "":
            flush()
        else:
            para.append(ln.strip())
    flush()
    lang = "nn" if src.stem.endswith("-nn") else "nb"
    doc = (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title, quote=False)}</title>\n'
           '<!-- Invented document written for eval set v4. CC0 1.0. -->\n</head>\n<body>\n' + "\n".join(out) + "\n</body>\n</html>\n")
    (root / "corpus" / (src.stem + ".html")).write_text(doc, encoding="utf-8")
    bad = {k: v for k, v in counts.items() if not 80 <= v <= 130}
    print(src.stem, len(counts), "sections", "words", min(counts.values()), "-", max(counts.values()), "OUT OF RANGE:" if bad else "", bad if bad else "")
