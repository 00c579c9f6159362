#!/usr/bin/env python3
"""Checks that no Rust source file of a crate imports, through a chain of others, a file that imports it.

Why our own script: the rule "no import loop between files" is part of the architecture (ARCHITECTURE.md,
"Layers"), and rustc allows such loops inside a crate, so nothing else would catch a new one the day it
lands. It reads the code's own paths (`use crate::…`, `use super::…`, and `crate::…` paths written
inline), resolves each to the file that defines the item (following `pub use` re-exports), and reports
every strongly connected group of files. A parent's `mod child;` declaration is not an import.

Usage: scripts/check-imports.py CRATE_SRC_DIR [CRATE_SRC_DIR …]   (exit 1 if any loop is found)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
DEF_RE = re.compile(
    r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+|const\s+|unsafe\s+)*"
    r"(?:fn|struct|enum|trait|type|const|static|mod|union)\s+(" + IDENT + r")",
    re.M,
)
MACRO_RE = re.compile(r"macro_rules!\s+(" + IDENT + r")")
USE_RE = re.compile(r"^\s*(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", re.M)
INLINE_RE = re.compile(r"(?<![A-Za-z0-9_:])((?:crate|super|self)(?:::" + IDENT + r")+)")


def strip_comments_and_strings(text: str) -> str:
    """Blanks comments, strings and char literals in one pass (nested block comments, raw strings)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            out.append(" ")
            continue
        raw = re.match(r"b?r(#*)\"", text[i:]) if c in "br" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")) else None
        if raw:
            end = text.find('"' + raw.group(1), i + raw.end())
            i = n if end < 0 else end + 1 + len(raw.group(1))
            out.append('""')
            continue
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
            continue
        if c == "'":
            lit = re.match(r"'(?:\\.[^']*|[^'\\])'", text[i:])
            if lit:
                i += lit.end()
                out.append("' '")
                continue
        out.append(c)
        i += 1
    return "".join(out)


def cut_tests(text: str) -> str:
    """Drops `#[cfg(test)] mod … { … }` blocks: test code may reach anywhere in its crate."""
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:pub\s+)?mod\s+" + IDENT + r"\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def expand_use(tree: str) -> list[str]:
    """`a::{b, c::{d, e as f}}` → [`a::b`, `a::c::d`, `a::c::e as f`]; globs keep their path."""
    tree = tree.strip()
    brace = tree.find("{")
    if brace < 0:
        return [re.sub(r"\s+", " ", tree)]
    prefix, body = re.sub(r"\s+", "", tree[:brace]), tree[brace + 1 : tree.rfind("}")]
    parts, depth, cur = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        cur += ch
    parts.append(cur)
    paths = []
    for part in filter(str.strip, parts):
        for sub in expand_use(part):
            paths.append(prefix + sub if sub != "self" else prefix.rstrip(":"))
    return paths


def clean(path: str) -> list[str]:
    """The segments of a path, without its `as` rename."""
    path = re.sub(r"\s+as\s+" + IDENT + r"\s*$", "", path.strip())
    return [seg for seg in re.sub(r"\s+", "", path).split("::") if seg and seg != "*"]


class Crate:
    def __init__(self, src: Path) -> None:
        self.src = src
        self.files: dict[tuple[str, ...], Path] = {}
        for f in sorted(src.rglob("*.rs")):
            rel = f.relative_to(src).with_suffix("").parts
            if rel[-1] in ("mod",):
                rel = rel[:-1]
            if rel in (("lib",), ("main",)):
                rel = ()
            if "bin" in rel[:1]:
                continue
            self.files.setdefault(tuple(rel), f)
        self.text = {m: cut_tests(strip_comments_and_strings(p.read_text())) for m, p in self.files.items()}
        self.defs = {m: set(DEF_RE.findall(t)) | set(MACRO_RE.findall(t)) for m, t in self.text.items()}
        self.reexports: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {}
        for m, t in self.text.items():
            table = {}
            for um in USE_RE.finditer(t):
                if not um.group(1):
                    continue
                for p in expand_use(um.group(2)):
                    segs = clean(p)
                    absolute = self.absolute(m, segs)
                    if absolute is not None and segs:
                        alias = re.search(r"\sas\s+(" + IDENT + r")\s*$", p)
                        table[alias.group(1) if alias else segs[-1]] = absolute
            self.reexports[m] = table

    def absolute(self, module: tuple[str, ...], segs: list[str]) -> tuple[str, ...] | None:
        if not segs:
            return None
        if segs[0] == "crate":
            return tuple(segs[1:])
        base = list(module)
        i = 0
        while i < len(segs) and segs[i] in ("super", "self"):
            if segs[i] == "super":
                if not base:
                    return None
                base.pop()
            i += 1
        if i == 0:
            # A bare path whose first segment is a child module (`use feed::X`, `feed::run()`).
            if tuple(module) + (segs[0],) in self.files:
                return tuple(module) + tuple(segs)
            return None
        return tuple(base) + tuple(segs[i:])

    def resolve(self, path: tuple[str, ...], depth: int = 0) -> tuple[str, ...] | None:
        """The module (file) that defines the item `path` names."""
        module: tuple[str, ...] = ()
        rest = list(path)
        while rest and module + (rest[0],) in self.files:
            module += (rest.pop(0),)
        if not rest or depth > 8:
            return module
        name = rest[0]
        if name in self.defs.get(module, set()):
            return module
        target = self.reexports.get(module, {}).get(name)
        if target is not None:
            return self.resolve(target + tuple(rest[1:]), depth + 1)
        return module

    def edges(self) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
        graph: dict[tuple[str, ...], set[tuple[str, ...]]] = {m: set() for m in self.files}
        for m, t in self.text.items():
            paths = []
            for um in USE_RE.finditer(t):
                # A re-export counts too: the module names the other one. Users of the re-exported name
                # are resolved through it to the file that defines the item.
                paths += expand_use(um.group(2))
            body = USE_RE.sub(" ", t)
            paths += INLINE_RE.findall(body)
            paths += re.findall(r"(?<![A-Za-z0-9_:])(" + IDENT + r"(?:::" + IDENT + r")+)", body)
            for p in paths:
                absolute = self.absolute(m, clean(p))
                if absolute is None:
                    continue
                target = self.resolve(absolute)
                if target is not None and target != m and target in self.files:
                    # A module naming its own descendant (parent → child) is allowed; child → parent is not.
                    graph[m].add(target)
        return graph


def loops(graph: dict) -> list[list]:
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            strong(v)
    return out


def main() -> int:
    failed = False
    for arg in sys.argv[1:]:
        crate = Crate(Path(arg))
        graph = crate.edges()
        found = loops(graph)
        name = lambda m: str(crate.files[m].relative_to(crate.src.parent))  # noqa: E731
        if not found:
            print(f"{arg}: {len(graph)} files, no import loop")
            continue
        failed = True
        for group in found:
            print(f"{arg}: import loop of {len(group)} files:")
            members = set(group)
            for m in group:
                ties = sorted(name(t) for t in graph[m] if t in members)
                print(f"  {name(m)} -> {', '.join(ties)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
