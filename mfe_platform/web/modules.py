"""A page's ES-module graph joined into one module: one request instead of one per file.

A performance measure, not a pattern to copy (docs/performance.md, composition): on a fresh
visit the shell and its two frames share one renderer main thread, where every module file
costs a request and a compile, so the shell's own scripts ran last. The files stay unchanged
and are still served one by one under `/static/` and `/mfe/static/`.

The join is deliberately small, for the plain module style of this repository: named imports
(`import { a, b as c } from "…"`, `import * as ns from "…"`, `import "…"`) and named exports
(`export const|class|function …`, `export { a, b as c }`). Each module runs in a function of its
own, in the same order as the browser would run the graph, and hands its exports to the
modules that import it. Anything else (`export default`, `export let`, `export … from`,
`import(…)`, `import.meta`, cycles) raises `BundleError`, so a module that outgrows the join
fails in the tests instead of misbehaving in a page.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

IDENT = r"[A-Za-z_$][\w$]*"
IMPORT_NAMED = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"([^"]+)"\s*;?[ \t]*$', re.M)
IMPORT_NAMESPACE = re.compile(
    rf'^import\s*\*\s*as\s+({IDENT})\s+from\s*"([^"]+)"\s*;?[ \t]*$', re.M
)
IMPORT_BARE = re.compile(r'^import\s*"([^"]+)"\s*;?[ \t]*$', re.M)
EXPORT_DECLARATION = re.compile(
    rf"^export\s+((?:async\s+)?function\s*\*?|class|const)\s*({IDENT})", re.M
)
EXPORT_LIST = re.compile(r"^export\s*\{([^}]*)\}\s*;?[ \t]*$", re.M)
# Whatever is left after the forms above: refused.
OTHER_MODULE_SYNTAX = re.compile(r"^\s*(?:import|export)\b|\bimport\s*\(|\bimport\.meta\b", re.M)


class BundleError(ValueError):
    """The module graph uses syntax the join does not support, or cannot be resolved."""


# `resolve(importing_file, specifier)` → the imported file.
Resolver = Callable[[Path, str], Path]


@dataclass(frozen=True)
class Bundle:
    """One joined module: its text, an ETag, and the files it was made of (with their stats)."""

    text: str
    etag: str
    files: tuple[tuple[Path, int, int], ...]

    def is_current(self) -> bool:
        """Whether no file of the graph changed since the join (a deploy or an edit)."""
        return all(_stat(path) == (mtime, size) for path, mtime, size in self.files)


def _stat(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_mtime_ns, stat.st_size)


def _bindings(names: str, where: Path) -> list[tuple[str, str]]:
    """`a, b as c` → [("a", "a"), ("b", "c")]."""
    pairs = []
    for item in (part.strip() for part in names.split(",")):
        if not item:
            continue
        match = re.fullmatch(rf"({IDENT})(?:\s+as\s+({IDENT}))?", item)
        if not match:
            raise BundleError(f"{where.name}: cannot join `{item}`")
        pairs.append((match.group(1), match.group(2) or match.group(1)))
    return pairs


@dataclass
class _Module:
    path: Path
    body: str
    imports: list[tuple[str, Path]]  # (const statement template, dependency)
    exports: list[tuple[str, str]]  # (exported name, local name)


def _parse(path: Path, resolve: Resolver) -> _Module:
    source = path.read_text(encoding="utf-8")
    imports: list[tuple[str, Path]] = []

    def named(match: re.Match) -> str:
        pairs = _bindings(match.group(1), path)
        names = ", ".join(name if name == local else f"{name}: {local}" for name, local in pairs)
        imports.append((f"const {{ {names} }} = {{dep}};", resolve(path, match.group(2))))
        return ""

    def namespace(match: re.Match) -> str:
        imports.append((f"const {match.group(1)} = {{dep}};", resolve(path, match.group(2))))
        return ""

    def bare(match: re.Match) -> str:
        imports.append(("", resolve(path, match.group(1))))
        return ""

    body = IMPORT_NAMED.sub(named, source)
    body = IMPORT_NAMESPACE.sub(namespace, body)
    body = IMPORT_BARE.sub(bare, body)
    exports: list[tuple[str, str]] = []

    def declaration(match: re.Match) -> str:
        exports.append((match.group(2), match.group(2)))
        return f"{match.group(1)} {match.group(2)}"

    def listed(match: re.Match) -> str:
        # `export { local as name }`: the other way round from an import.
        exports.extend((name, local) for local, name in _bindings(match.group(1), path))
        return ""

    body = EXPORT_DECLARATION.sub(declaration, body)
    body = EXPORT_LIST.sub(listed, body)
    leftover = OTHER_MODULE_SYNTAX.search(body)
    if leftover:
        line = body[: leftover.start()].count("\n") + 1
        raise BundleError(f"{path.name}: line {line}: cannot join `{leftover.group(0).strip()}`")
    return _Module(path, body, imports, exports)


def bundle(entry: Path, resolve: Resolver, label: Callable[[Path], str] = str) -> Bundle:
    """Join `entry` and everything it imports, in the browser's evaluation order."""
    order: list[_Module] = []
    done: set[Path] = set()
    visiting: list[Path] = []

    def visit(path: Path) -> None:
        if path in done:
            return
        if path in visiting:
            cycle = " → ".join(p.name for p in [*visiting[visiting.index(path) :], path])
            raise BundleError(f"import cycle: {cycle}")
        visiting.append(path)
        module = _parse(path, resolve)
        for _, dependency in module.imports:
            visit(dependency)
        visiting.pop()
        done.add(path)
        order.append(module)

    visit(entry)
    names = {module.path: f"__module{index}" for index, module in enumerate(order)}
    parts = [f"// {label(entry)} with its imports, joined into one module by the server.\n"]
    for module in order:
        head = "".join(
            statement.replace("{dep}", names[dependency]) + "\n"
            for statement, dependency in module.imports
            if statement
        )
        getters = ", ".join(f"get {name}() {{ return {local}; }}" for name, local in module.exports)
        parts.append(
            f"\n// ---- {label(module.path)}\n"
            f"const {names[module.path]} = (() => {{\n{head}{module.body.rstrip()}\n"
            f"return Object.freeze({{ {getters} }});\n}})();\n"
        )
    text = "".join(parts)
    files = tuple((m.path, *_stat(m.path)) for m in order)
    return Bundle(text, etag_of(text), files)


def etag_of(text: str) -> str:
    """A strong validator for a joined module's text."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def within(root: Path, path: Path) -> Path | None:
    """`path` resolved, if it is a file inside `root`; else None."""
    try:
        resolved = path.resolve()
        resolved.relative_to(root.resolve())
    except (OSError, ValueError):
        return None
    return resolved if resolved.is_file() else None
