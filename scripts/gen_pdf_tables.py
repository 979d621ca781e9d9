#!/usr/bin/env python3
"""Regenerates src/extract/pdf/glyphlist.rs and src/extract/pdf/enc_tables.rs.

Source: the Adobe Glyph List and the PDF base encodings (PDF 32000-1 Annex D) as lopdf 0.47
ships them (MIT licence): src/encodings/glyphnames.rs (`0xCODE = [name, alias, …];`) and
src/encodings/mappings.rs (256 entries per encoding, `None` or `Some(Glyph::name)`).

    python3 scripts/gen_pdf_tables.py [LOPDF_SRC_DIR]   # default: lopdf-0.47.* in ~/.cargo/registry
    python3 scripts/gen_pdf_tables.py --check            # exit 1 if the committed files differ

Code points are UTF-16 code units, as lopdf has them; 0 is "undefined".
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENCODINGS = [  # (our name, lopdf's constant)
    ("STANDARD", "STANDARD_ENCODING"),
    ("WIN_ANSI", "WIN_ANSI_ENCODING"),
    ("MAC_ROMAN", "MAC_ROMAN_ENCODING"),
    ("PDF_DOC", "PDF_DOC_ENCODING"),
    ("SYMBOL", "SYMBOL_ENCODING"),
]


def lopdf_dir(args):
    for arg in args:
        if not arg.startswith("--"):
            return arg
    found = sorted(glob.glob(os.path.expanduser("~/.cargo/registry/src/*/lopdf-0.47.*")))
    if not found:
        sys.exit("lopdf 0.47 sources not found: run `cargo fetch` or give the directory")
    return found[-1]


def glyphs(src):
    text = open(os.path.join(src, "src/encodings/glyphnames.rs"), encoding="utf-8").read()
    names = {}
    for code, group in re.findall(r"^\s*(0x[0-9A-Fa-f]+)\s*=\s*\[([^\]]*)\];", text, re.M):
        for name in group.split(","):
            names[name.strip()] = int(code, 16)
    return names


def encodings(src, names):
    text = open(os.path.join(src, "src/encodings/mappings.rs"), encoding="utf-8").read()
    tables = {}
    for ours, theirs in ENCODINGS:
        body = text.split(f"pub const {theirs}: CodedCharacterSet = [", 1)[1].split("];", 1)[0]
        entries = [e.strip() for e in body.split(",") if e.strip()]
        assert len(entries) == 256, (theirs, len(entries))
        codes = []
        for entry in entries:
            m = re.fullmatch(r"Some\(Glyph::(\w+)\)", entry)
            codes.append(names[m.group(1)] if m else 0)
        tables[ours] = codes
    return tables


def glyphlist_rs(names):
    out = [
        "//! Adobe Glyph List (glyph name → Unicode), generated from the AGL table in lopdf 0.47",
        "//! (MIT licence, src/encodings/glyphnames.rs). Sorted by name for binary search.",
        "",
        "/// (glyph name, UTF-16 code unit), sorted by name.",
        "pub static AGL: &[(&str, u16)] = &[",
    ]
    for name in sorted(names):
        out.append(f'    ("{name}", 0x{names[name]:04x}),')
    out.append("];")
    return "\n".join(out) + "\n"


def enc_tables_rs(tables):
    out = [
        "//! Single-byte base encodings (code → Unicode, 0 = undefined), generated from the tables in",
        "//! lopdf 0.47 (MIT licence, src/encodings/mappings.rs) through the Adobe Glyph List.",
    ]
    for ours, _ in ENCODINGS:
        out.append("")
        out.append(f"pub static {ours}: [u16; 256] = [")
        codes = tables[ours]
        for i in range(0, 256, 12):
            out.append("    " + " ".join(f"0x{c:04x}," for c in codes[i : i + 12]))
        out.append("];")
    return "\n".join(out) + "\n"


def main():
    src = lopdf_dir(sys.argv[1:])
    names = glyphs(src)
    files = {
        "src/extract/pdf/glyphlist.rs": glyphlist_rs(names),
        "src/extract/pdf/enc_tables.rs": enc_tables_rs(encodings(src, names)),
    }
    check = "--check" in sys.argv
    differ = False
    for path, text in files.items():
        full = os.path.join(ROOT, path)
        if check:
            same = open(full, encoding="utf-8").read() == text
            print(f"{path}: {'same' if same else 'DIFFERS'}")
            differ |= not same
        else:
            open(full, "w", encoding="utf-8").write(text)
            print(f"wrote {path}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
