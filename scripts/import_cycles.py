#!/usr/bin/env python3
"""Import cycles between the files of src/ (issue 16: there must be none).

A file depends on another when it names an item there: a `use` path, or a qualified path
(`crate::track::db::RunWindow`, `super::parts::layout`, `db::open_reader` after `use
crate::track::db`, a child module `parse::x` after `mod parse;`). Each path is resolved to the
deepest file it reaches. A submodule naming its own ancestors' items (`use super::Pipeline` in
`pipeline/fetch.rs`, `crate::track::Catalog` in `track/db/read.rs`) is not counted: a parent is
its children's context; every other reference is, including a parent's `pub use` of a child.

Prints every cycle (strongly connected component of more than one file) and exits 1 if there
is one, else prints the number of files and edges and exits 0.

    python3 scripts/import_cycles.py [SRC_DIR]
"""

import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src")
SRC = os.path.normpath(SRC)
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def module_path(rel):
    """src-relative file -> module path: 'track/db/mod.rs' -> ['track', 'db']."""
    parts = rel[:-3].split("/")
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return parts


def resolve(segments):
    """The deepest file of src/ that a module path reaches, and how many segments it used."""
    cur, used = "lib.rs", 0
    base = []
    for seg in segments:
        cand = base + [seg]
        f1 = os.path.join(*cand) + ".rs"
        f2 = os.path.join(*cand, "mod.rs")
        if os.path.isfile(os.path.join(SRC, f1)):
            cur = f1
        elif os.path.isfile(os.path.join(SRC, f2)):
            cur = f2
        else:
            break
        base = cand
        used += 1
    return cur, used


def strip(text):
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'r#*"(?:.|\n)*?"#*', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    return text


def expand_use(tree):
    """`a::{b, c::{d as e, self}}` -> [(['a','b'], 'b'), (['a','c','d'], 'e'), (['a','c'], 'c')]."""
    tree = re.sub(r"\s+", "", tree)
    out = []

    def walk(prefix, t):
        items, depth, cur = [], 0, ""
        for ch in t:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                items.append(cur)
                cur = ""
            else:
                cur += ch
        if cur:
            items.append(cur)
        for item in items:
            m = re.match(r"^((?:" + IDENT + r"::)*)\{(.*)\}$", item)
            if m:
                head = [s for s in m.group(1).split("::") if s]
                walk(prefix + head, m.group(2))
                continue
            alias = None
            if "as" in item and re.search(r"[a-zA-Z0-9_]as[A-Za-z_]", item):
                item, alias = re.split(r"(?<=[A-Za-z0-9_])as(?=[A-Za-z_])", item, maxsplit=1)
            segs = [s for s in item.split("::") if s]
            if segs == ["self"]:
                out.append((prefix, alias or (prefix[-1] if prefix else None)))
            elif segs and segs[-1] == "*":
                out.append((prefix + segs[:-1], None))
            elif segs:
                out.append((prefix + segs, alias or segs[-1]))

    walk([], tree)
    return out


def absolute(segs, here, inline):
    """A path as written in module `here` (inside `inline` test modules) -> crate path."""
    if not segs:
        return None
    if segs[0] in ("crate", "samspor"):
        return segs[1:]
    if segs[0] in ("super", "self"):
        mod = list(here) + ["<inline>"] * inline
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                mod = mod[:-1]
            segs = segs[1:]
        mod = [m for m in mod if m != "<inline>"]
        return mod + segs
    return None


def main():
    files = []
    for root, _, names in os.walk(SRC):
        for n in names:
            if n.endswith(".rs"):
                files.append(os.path.relpath(os.path.join(root, n), SRC).replace(os.sep, "/"))
    files = sorted(f for f in files if f != "main.rs")
    edges = {f: set() for f in files}
    for f in files:
        here = module_path(f)
        text = strip(open(os.path.join(SRC, f), encoding="utf-8").read())
        # Where inline `mod x {` blocks start (tests): `super::` there is this file.
        inline_at = [m.start() for m in re.finditer(r"\bmod\s+" + IDENT + r"\s*\{", text)]

        def inline(pos):
            return 1 if any(p < pos for p in inline_at) else 0

        aliases = {}
        # Child modules declared here are names too.
        for m in re.finditer(r"\bmod\s+(" + IDENT + r")\s*;", text):
            aliases[m.group(1)] = here + [m.group(1)]
        targets = []
        for m in re.finditer(r"\buse\s+([^;]+);", text):
            for segs, alias in expand_use(m.group(1)):
                path = absolute(segs, here, inline(m.start()))
                if path is None and segs and segs[0] in aliases:
                    path = aliases[segs[0]] + segs[1:]
                if path is None:
                    continue
                targets.append(path)
                if alias:
                    target, used = resolve(path)
                    if used == len(path):  # a module
                        aliases[alias] = path
        for m in re.finditer(r"\b(" + IDENT + r"(?:::" + IDENT + r")+)", text):
            segs = m.group(1).split("::")
            path = absolute(segs, here, inline(m.start()))
            if path is None and segs[0] in aliases:
                path = aliases[segs[0]] + segs[1:]
            if path is not None:
                targets.append(path)
        for path in targets:
            target, used = resolve(path)
            if used == 0 or target == f:
                continue
            tmod = module_path(target)
            if here[: len(tmod)] == tmod:  # an ancestor: the parent is its children's context
                continue
            edges[f].add(target)

    # Tarjan's strongly connected components.
    index, low, on, stack, sccs, counter = {}, {}, set(), [], [], [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            sccs.append(comp)

    sys.setrecursionlimit(10000)
    for v in files:
        if v not in index:
            strong(v)
    cycles = [sorted(c) for c in sccs if len(c) > 1]
    for c in cycles:
        inner = [(a, b) for a in c for b in sorted(edges[a]) if b in c]
        print("cycle: " + ", ".join(c))
        for a, b in inner:
            print(f"  {a} -> {b}")
    n_edges = sum(len(e) for e in edges.values())
    if cycles:
        print(f"{len(cycles)} import cycle(s) among {len(files)} files")
        return 1
    print(f"no import cycle: {len(files)} files of src/, {n_edges} edges between them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
