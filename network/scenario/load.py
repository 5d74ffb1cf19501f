"""Load scenario files: safe YAML with line numbers, schema validation, composition.

Every problem of a file is collected and raised at once as one :class:`ScenarioError`, each as
``file:line: field.path: what was expected (found ...)``. YAML is read with PyYAML's safe loader
(no Python objects); anchors and aliases are refused (they buy nothing in a project card and
allow exponential "billion laughs" documents).

Composition: ``extends: parent.yaml`` starts from the parent's changes; ``includes: [a.yaml, ...]``
adds each included scenario's changes (a package). Paths are relative to the including file.
A cycle is an error; so is a conflict (two different changes adding the same id, or changing the
same corridor, line or service in incompatible ways). The same change reached twice through
different includes counts once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from network.errors import DataError, ScenarioError
from network.io import read_bounded_bytes, resolve_inside
from network.scenario.schema import FIELD_NAMES, ScenarioFile

#: Deeper YAML than this is refused before validation (a project card is a few levels deep).
MAX_DEPTH = 20
#: Larger files are refused (a project card is a few kB).
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class LocatedChange:
    """A validated change with where it came from."""

    change: Any
    file: str
    line: int
    field_lines: dict[tuple[Any, ...], int]
    scenario: str

    def where(self, *path: Any) -> str:
        """``file:line`` of a field of this change (the change's line if the field has none)."""
        return f"{self.file}:{_line_of(self.field_lines, path, self.line)}"


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: its own metadata, all its changes (after composition) and its parts."""

    name: str
    description: str
    source: str
    path: str
    changes: list[LocatedChange]
    files: dict[str, str]  # path -> sha256 of every file read
    components: list[Scenario] = field(default_factory=list)

    @property
    def is_package(self) -> bool:
        return len(self.components) > 1

    @property
    def passenger_relevant(self) -> bool:
        """False when every change is freight-only (no passenger effect to expect)."""
        return any(getattr(c.change, "passenger", True) and c.change.type != "add_freight_facility"
                   for c in self.changes)


EMPTY = Scenario(name="baseline", description="the network as it is", source="", path="",
                 changes=[], files={})


# -- YAML with positions -----------------------------------------------------------------------
def _walk(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int],
          problems: list[str], file: str, depth: int = 0) -> None:
    """Record the line of every field path; report duplicate keys; refuse deep nesting."""
    lines[path] = node.start_mark.line + 1
    if depth > MAX_DEPTH:
        raise ScenarioError([f"{file}:{node.start_mark.line + 1}: nesting deeper than {MAX_DEPTH} "
                             "levels; a scenario file is a flat list of changes"])
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k_node, v_node in node.value:
            key = k_node.value if isinstance(k_node, yaml.ScalarNode) else "<complex key>"
            if key in seen:
                problems.append(f"{file}:{k_node.start_mark.line + 1}: {_dotted(path + (key,))}: "
                                "key given twice; keep one")
            seen.add(key)
            _walk(v_node, path + (key,), lines, problems, file, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, path + (i,), lines, problems, file, depth + 1)


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")


def _has_alias(text: str) -> int | None:
    for ev in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None):
            return ev.start_mark.line + 1
    return None


#: Deeper nesting than this is refused before parsing (a real scenario file nests about 5 levels);
#: checked by one linear scan, so a hostile file cannot keep the parser busy.
MAX_DEPTH = 40


def _too_deep(text: str) -> int | None:
    """The line where flow brackets or block indentation nest deeper than :data:`MAX_DEPTH`, or None."""
    depth, line = 0, 1
    for ch in text:
        if ch == "\n":
            line += 1
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif ch in "]}":
            depth = max(0, depth - 1)
    for k, row in enumerate(text.splitlines(), start=1):
        if len(row) - len(row.lstrip(" ")) > 2 * MAX_DEPTH:
            return k
    return None


def read_yaml(path: Path) -> tuple[Any, dict[tuple[Any, ...], int], list[str]]:
    """Parse ``path`` safely into Python data plus a map field path → line.

    Raises
    ------
    ScenarioError
        If the file cannot be read or is not well-formed YAML.
    """
    file = str(path)
    try:
        raw = read_bounded_bytes(path, MAX_BYTES, "scenario or claim file (a few kB of YAML)")
    except DataError as err:
        raise ScenarioError([str(err)]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError([f"{file}: not UTF-8 text (byte {err.start}); save the file as UTF-8"]) from None
    deep = _too_deep(text)
    if deep is not None:
        raise ScenarioError([f"{file}:{deep}: nesting deeper than {MAX_DEPTH} levels; a scenario file is a flat "
                             "list of changes"])
    try:
        alias_line = _has_alias(text)
        if alias_line is not None:
            raise ScenarioError([f"{file}:{alias_line}: YAML anchors and aliases (& and *) are not "
                                 "allowed in scenario files; write the values out"])
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text) if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise ScenarioError([f"{file}{line}: not valid YAML: {err.problem or err}"]) from None
    except yaml.YAMLError as err:
        raise ScenarioError([f"{file}: not valid YAML: {err}"]) from None
    except RecursionError:
        raise ScenarioError([f"{file}: nesting too deep to read; a scenario file is a flat list"]) from None
    except ScenarioError:
        raise
    except (ValueError, OverflowError) as err:  # a value YAML types but cannot build, e.g. the date 2000-13-45
        raise ScenarioError([f"{file}: a value cannot be read ({str(err)[:120]}); check dates (YYYY-MM-DD) and "
                             "numbers"]) from None
    if node is None:
        raise ScenarioError([f"{file}: the file is empty; a scenario needs at least name, description "
                             "and source"])
    lines: dict[tuple[Any, ...], int] = {}
    problems: list[str] = []
    _walk(node, (), lines, problems, file)
    return data, lines, problems


# -- validation ----------------------------------------------------------------------------------
def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _line_of(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...], default: int = 1) -> int:
    """The line of the deepest part of ``loc`` that has one."""
    for k in range(len(loc), -1, -1):
        if loc[:k] in lines:
            return lines[loc[:k]]
    return default


def _clean_loc(loc: tuple[Any, ...], data: Any,
               field_names: frozenset[str] | set[str] = FIELD_NAMES) -> tuple[Any, ...]:
    """Keep the parts of a pydantic error location that name data: keys and indexes present in
    the file, and field names of the schema (a missing field); drop union/discriminator tags."""
    out: list[Any] = []
    cur = data
    for part in loc:
        if isinstance(cur, (dict, list)) and _indexes(cur, part):
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and part in field_names:
            out.append(part)
            cur = None
    return tuple(out)


def _indexes(container: dict[Any, Any] | list[Any], part: Any) -> bool:
    if isinstance(container, dict):
        return part in container
    return isinstance(part, int) and 0 <= part < len(container)


def validate_data(data: Any, lines: dict[tuple[Any, ...], int], file: str) -> tuple[ScenarioFile | None, list[str]]:
    """Validate parsed YAML against :class:`ScenarioFile`; returns (model or None, problems)."""
    if not isinstance(data, dict):
        return None, [f"{file}:1: the top level must be a mapping with name, description, source "
                      f"and changes (found {type(data).__name__})"]
    try:
        return ScenarioFile.model_validate(data), []
    except ValidationError as err:
        return None, pydantic_problems(err, data, lines, file, FIELD_NAMES)


def pydantic_problems(err: ValidationError, data: Any, lines: dict[tuple[Any, ...], int], file: str,
                      field_names: frozenset[str] | set[str]) -> list[str]:
    """Every pydantic error as ``file:line: field.path: message`` (each once), for any schema."""
    problems, seen = [], set()
    for e in err.errors(include_url=False):
        loc = _clean_loc(tuple(e["loc"]), data, field_names)
        kind = e["type"]
        if kind == "union_tag_invalid":
            msg = ("unknown change type " + _describe(e.get("input", {}).get("type")
                                                      if isinstance(e.get("input"), dict) else None)
                   + "; expected one of add_rail_line, add_road, upgrade_road, add_service, "
                   "change_service, add_airport, add_bus_service, add_freight_facility, close")
            loc = loc + ("type",)
        elif kind == "union_tag_not_found":
            msg = "each change needs a 'type' (e.g. add_rail_line, add_road, close)"
        elif kind == "extra_forbidden":
            msg = f"unknown field {loc[-1]!r}; remove it or check its spelling"
        elif kind == "missing":
            msg = "required field is missing"
        else:
            found = f" (found {_describe(e['input'])})" if "input" in e and not isinstance(e["input"], dict) else ""
            msg = f"{e['msg']}{found}"
        key = (loc, msg)
        if key in seen:
            continue
        seen.add(key)
        problems.append(f"{file}:{_line_of(lines, loc)}: {_dotted(loc) or 'top level'}: {msg}")
    return problems


# -- composition ---------------------------------------------------------------------------------
def load_scenario(path: str | Path, _stack: tuple[str, ...] = (), root: str | Path | None = None,
                  _memo: dict[str, Scenario] | None = None) -> Scenario:
    """Load, validate and compose a scenario file (see the module docstring).

    ``includes``/``extends`` resolve inside ``root`` (default: the folder of the top file): an
    absolute path, or one that leads outside it (``..``, a symlink out), is refused, so a scenario
    someone sent cannot make taihang read other files. Each file is loaded once per composition
    (a diamond of includes is not re-read).

    Raises
    ------
    ScenarioError
        With every problem found, each naming file, line and field.
    """
    path = Path(path)
    file = str(path)
    try:
        key = str(path.resolve())
        top = Path(root).resolve() if root is not None else path.resolve().parent
    except (OSError, RuntimeError, ValueError) as err:
        shown_file = file if len(file) < 200 else file[:200] + "…"
        raise ScenarioError([f"{shown_file}: cannot resolve the path ({err})"]) from None
    memo = {} if _memo is None else _memo
    if key in _stack:
        chain = " -> ".join(Path(p).name for p in _stack + (key,))
        raise ScenarioError([f"{file}: composition cycle: {chain}; a scenario cannot extend or include itself"])
    if key in memo:
        return memo[key]
    data, lines, problems = read_yaml(path)
    spec, schema_problems = validate_data(data, lines, file)
    problems += schema_problems
    if spec is None or problems:
        raise ScenarioError(problems)
    files = {file: hashlib.sha256(read_bounded_bytes(path, MAX_BYTES, "scenario file")).hexdigest()}
    changes: list[LocatedChange] = []
    components: list[Scenario] = []
    parents = ([("extends", spec.extends)] if spec.extends else []) + [("includes", p) for p in spec.includes]
    for i, (kind, rel) in enumerate(parents):
        loc = ("extends",) if kind == "extends" else ("includes", i - (1 if spec.extends else 0))
        where = f"{file}:{_line_of(lines, loc)}: {_dotted(loc)}"
        shown = rel if len(rel) <= 120 else rel[:120] + "…"
        target, why = resolve_inside(path.parent, rel, top)
        if target is None:
            problems.append(f"{where}: {shown!r} " + {
                "absolute": f"is an absolute path; give a path relative to this file, inside {top}",
                "unusable": "is not a usable path; give a path relative to this file",
                "outside": f"leads outside {top}; included files must lie in the folder of the top scenario file "
                           "or below it"}[why])
            continue
        try:
            found = target.is_file()
        except OSError:  # e.g. a name longer than the file system allows
            found = False
        if not found:
            problems.append(f"{where}: no file {shown!r} next to this one; paths are relative to the including file")
            continue
        try:
            sub = load_scenario(target, _stack + (key,), top, memo)
        except ScenarioError as err:
            problems.extend(err.problems)
            continue
        files.update(sub.files)
        changes.extend(sub.changes)
        if kind == "includes":
            components.append(sub)
    for i, ch in enumerate(spec.changes):
        field_lines = {k[2:]: v for k, v in lines.items() if k[:2] == ("changes", i)}
        changes.append(LocatedChange(ch, file, lines.get(("changes", i), 1), field_lines, spec.name))
    if problems:
        raise ScenarioError(problems)
    changes = _dedupe(changes)
    problems += find_conflicts(changes)
    if problems:
        raise ScenarioError(problems)
    out = Scenario(name=spec.name, description=spec.description, source=spec.source, path=file,
                   changes=changes, files=dict(sorted(files.items())), components=components)
    memo[key] = out
    return out


def _dedupe(changes: list[LocatedChange]) -> list[LocatedChange]:
    seen, out = set(), []
    for c in changes:
        k = (str(Path(c.file).resolve()), c.line)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


def find_conflicts(changes: list[LocatedChange]) -> list[str]:
    """Problems where two changes clash (see the module docstring)."""
    problems: list[str] = []
    added: dict[str, LocatedChange] = {}
    upgraded: dict[str, LocatedChange] = {}
    closed: dict[tuple[str, str], LocatedChange] = {}
    for c in changes:
        ch = c.change
        ident = getattr(ch, "id", None)  # every change that adds an element names it by id
        if ident is not None:
            if ident in added:
                problems.append(f"{c.where('id')}: id {ident!r} is also added at {added[ident].where('id')}; "
                                "ids must be unique across a package")
            else:
                added[ident] = c
        if ch.type == "upgrade_road":
            prev = upgraded.get(ch.corridor)
            same = prev is None or (prev.change.design_speed_kph, prev.change.lanes) == (ch.design_speed_kph, ch.lanes)
            if prev is not None and not same:
                problems.append(f"{c.where('corridor')}: corridor {ch.corridor!r} is upgraded differently "
                                f"at {prev.where('corridor')}; keep one upgrade per corridor")
            upgraded[ch.corridor] = c
        if ch.type == "close":
            closed[(ch.what, ch.name)] = c
    for c in changes:
        ch = c.change
        if ch.type == "upgrade_road" and ("corridor", ch.corridor) in closed:
            problems.append(f"{c.where('corridor')}: corridor {ch.corridor!r} is upgraded here but closed at "
                            f"{closed[('corridor', ch.corridor)].where('name')}")
        if ch.type == "add_rail_line" and ("line", ch.id) in closed:
            problems.append(f"{c.where('id')}: line {ch.id!r} is added here and closed at "
                            f"{closed[('line', ch.id)].where('name')}; keep one of the two")
        if ch.type == "add_service" and ("line", ch.line) in closed:
            problems.append(f"{c.where('line')}: a service is added on line {ch.line!r}, which is closed at "
                            f"{closed[('line', ch.line)].where('name')}")
    return problems


def scenario_from_changes(name: str, changes: list[LocatedChange], files: dict[str, str]) -> Scenario:
    """A scenario made of some changes (for package decomposition: "all but one")."""
    return Scenario(name=name, description=name, source="", path="", changes=list(changes), files=files)
