"""Load scenario files: safe YAML with line numbers, schema validation, composition.

Every problem of a file is collected and raised at once as one :class:`ScenarioError`, each as
``file:line: field.path: what was expected (found ...)``. YAML is read with PyYAML's safe loader
(no Python objects); anchors and aliases are refused (they buy nothing in a project card and
allow exponential "billion laughs" documents).

Composition: ``extends: parent.yaml`` starts from the parent's changes; ``includes: [a.yaml, ...]``
adds each included scenario's changes (a package). Paths are relative to the including file.
``requires:`` and ``conflicts:`` name other cards of the composition: a required card's changes
apply first, a missing one, a cycle of requisites or two conflicting cards is an error
(:mod:`network.scenario.governance`).
A cycle is an error; so is a conflict (two different changes adding the same id, or changing the
same corridor, line or service in incompatible ways). The same change reached twice through
different includes counts once.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from network.errors import ScenarioError
from network.io import read_bounded_bytes, resolve_inside
from network.scenario.schema import FIELD_NAMES, ScenarioFile
from network.yamlio import MAX_BYTES, dotted, line_of, pydantic_problems, read_yaml


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
        return f"{self.file}:{line_of(self.field_lines, path, self.line)}"


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
    serves: dict[str, str] = field(default_factory=dict)  # place name -> "file:line" that names it (own, then parts')
    what_if: bool = False
    requires: list[tuple[str, str]] = field(default_factory=list)  # (card name, "file:line" that names it)
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (card name, "file:line" that names it)
    tags: list[str] = field(default_factory=list)
    cost: Any = None  # the card's own cost: (network.scenario.schema.Cost), or None: estimated

    @property
    def is_package(self) -> bool:
        """True when the scenario includes more than one project."""
        return len(self.components) > 1

    @property
    def passenger_relevant(self) -> bool:
        """False when no change can move a passenger: every change is a freight line or facility
        or an airport without scheduled service. A road is open to cars whatever it was built
        for (``passenger: false`` on a road says its purpose is freight)."""
        return any(_carries_passengers(c.change) for c in self.changes)

    @property
    def passenger_effect(self) -> str:
        """What passengers can get from the scenario, in words: ``yes``; ``open to cars (built for
        freight)``; ``no scheduled passenger service`` (general-aviation airfields); ``freight only``."""
        if any(_carries_passengers(c.change) and getattr(c.change, "passenger", True) for c in self.changes):
            return "yes"
        types = {c.change.type for c in self.changes}
        if "add_road" in types:
            return "open to cars (built for freight)"
        if "add_airport" in types:
            return "no scheduled passenger service"
        return "freight only" if self.changes else "no change"


def _carries_passengers(change: Any) -> bool:
    if change.type == "add_freight_facility":
        return False
    if change.type == "add_road":
        return True
    return bool(getattr(change, "passenger", True))


EMPTY = Scenario(name="baseline", description="the network as it is", source="", path="", changes=[], files={})


# -- validation ----------------------------------------------------------------------------------
#: Bounds on the work one scenario can ask for: a plan's card has a handful of changes (the
#: shipped files at most 4), a package includes a few dozen cards.
MAX_CHANGES_PER_FILE = 200
MAX_FILES = 100
MAX_CHANGES = 2_000


def validate_data(data: Any, lines: dict[tuple[Any, ...], int], file: str) -> tuple[ScenarioFile | None, list[str]]:
    """Validate parsed YAML against :class:`ScenarioFile`; returns (model or None, problems)."""
    if not isinstance(data, dict):
        return None, [
            f"{file}:1: the top level must be a mapping with name, description, source "
            f"and changes (found {type(data).__name__})"
        ]
    changes = data.get("changes")
    if isinstance(changes, list) and len(changes) > MAX_CHANGES_PER_FILE:
        return None, [
            f"{file}:{lines.get(('changes',), 1)}: changes: {len(changes):,} changes; a scenario file holds at most "
            f"{MAX_CHANGES_PER_FILE} (one card per project: split it, and join the cards with includes)"
        ]
    try:
        return ScenarioFile.model_validate(data), []
    except ValidationError as err:
        return None, pydantic_problems(err, data, lines, file, FIELD_NAMES, frozenset(ScenarioFile.model_fields))


# -- composition ---------------------------------------------------------------------------------
def load_scenario(
    path: str | Path,
    _stack: tuple[str, ...] = (),
    root: str | Path | None = None,
    _memo: dict[str, Scenario] | None = None,
) -> Scenario:
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
    if len(memo) >= MAX_FILES:
        raise ScenarioError(
            [f"{file}: more than {MAX_FILES} files in one composition; a package includes a few dozen cards at most"]
        )
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
        where = f"{file}:{line_of(lines, loc)}: {dotted(loc)}"
        shown = rel if len(rel) <= 120 else rel[:120] + "…"
        target, why = resolve_inside(path.parent, rel, top)
        if target is None:
            problems.append(
                f"{where}: {shown!r} "
                + {
                    "absolute": f"is an absolute path; give a path relative to this file, inside {top}",
                    "unusable": "is not a usable path; give a path relative to this file",
                    "outside": f"leads outside {top}; included files must lie in the folder of the top scenario file "
                    "or below it",
                }[why]
            )
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
    serves = {name: f"{file}:{line_of(lines, ('serves', i))}" for i, name in enumerate(spec.serves)}
    for sub in components:
        for name, where in sub.serves.items():
            serves.setdefault(name, where)
    for i, ch in enumerate(spec.changes):
        field_lines = {k[2:]: v for k, v in lines.items() if k[:2] == ("changes", i)}
        changes.append(LocatedChange(ch, file, lines.get(("changes", i), 1), field_lines, spec.name))
    if problems:
        raise ScenarioError(problems)
    changes = _dedupe(changes)
    if len(changes) > MAX_CHANGES:
        raise ScenarioError([f"{file}: {len(changes):,} changes in all; a composition holds at most {MAX_CHANGES:,}"])
    problems += find_conflicts(changes)
    if problems:
        raise ScenarioError(problems)
    out = Scenario(
        name=spec.name,
        description=spec.description,
        source=spec.source,
        path=file,
        changes=changes,
        files=dict(sorted(files.items())),
        components=components,
        serves=serves,
        what_if=spec.what_if,
        requires=[(n, f"{file}:{line_of(lines, ('requires', i))}") for i, n in enumerate(spec.requires)],
        conflicts=[(n, f"{file}:{line_of(lines, ('conflicts', i))}") for i, n in enumerate(spec.conflicts)],
        tags=list(spec.tags),
        cost=spec.cost,
    )
    memo[key] = out
    if not _stack:  # the whole composition is known: requisites, conflicts and the order of the cards
        from network.scenario.governance import order_by_requisites

        ordered = order_by_requisites(out, list(memo.values()), top)
        if ordered is not out.changes:
            out = dataclasses.replace(out, changes=ordered)
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
                problems.append(
                    f"{c.where('id')}: id {ident!r} is also added at {added[ident].where('id')}; "
                    "ids must be unique across a package"
                )
            else:
                added[ident] = c
        if ch.type == "upgrade_road":
            prev = upgraded.get(ch.corridor)
            same = prev is None or (prev.change.design_speed_kph, prev.change.lanes) == (ch.design_speed_kph, ch.lanes)
            if prev is not None and not same:
                problems.append(
                    f"{c.where('corridor')}: corridor {ch.corridor!r} is upgraded differently "
                    f"at {prev.where('corridor')}; keep one upgrade per corridor"
                )
            upgraded[ch.corridor] = c
        if ch.type == "close":
            closed[(ch.what, ch.name)] = c
    for c in changes:
        ch = c.change
        if ch.type == "upgrade_road" and ("corridor", ch.corridor) in closed:
            problems.append(
                f"{c.where('corridor')}: corridor {ch.corridor!r} is upgraded here but closed at "
                f"{closed[('corridor', ch.corridor)].where('name')}"
            )
        if ch.type == "add_rail_line" and ("line", ch.id) in closed:
            problems.append(
                f"{c.where('id')}: line {ch.id!r} is added here and closed at "
                f"{closed[('line', ch.id)].where('name')}; keep one of the two"
            )
        if ch.type == "add_service" and ("line", ch.line) in closed:
            problems.append(
                f"{c.where('line')}: a service is added on line {ch.line!r}, which is closed at "
                f"{closed[('line', ch.line)].where('name')}"
            )
    return problems


def scenario_from_changes(name: str, changes: list[LocatedChange], files: dict[str, str]) -> Scenario:
    """A scenario made of some changes (for package decomposition: "all but one")."""
    return Scenario(name=name, description=name, source="", path="", changes=list(changes), files=files)
