"""Cards that know each other: ``requires:`` (cards this one builds on), ``conflicts:`` (cards it
cannot be composed with) and ``tags:``.

A composition (a card with everything it extends and includes) is checked once it is whole:

* every card a card requires is in it (else the error names the card, the line that requires it,
  and the file of the folder that holds a card of that name, if one does);
* no two cards of it conflict, and no two cards share a name;
* requisites form no cycle;
* the changes are ordered so that a required card's changes apply before the changes of the card
  that requires it; otherwise cards keep the order in which the composition lists them.

Every problem is reported at once, each as ``file:line: field: what to do``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from network.errors import ScenarioError

if TYPE_CHECKING:
    from network.scenario.load import LocatedChange, Scenario

_NAME = re.compile(r"^name:\s*['\"]?([a-z0-9][a-z0-9_\-]*)['\"]?\s*$", re.M)


def _cards_named(folder: Path, name: str) -> list[str]:
    """Files of ``folder`` (and below) whose card is named ``name``: a hint for a missing requisite.
    Reads at most 500 files, 64 kB each, for their ``name:`` line."""
    found = []
    for path in sorted(folder.rglob("*.yaml"))[:500]:
        try:
            with path.open("rb") as fh:
                head = fh.read(65_536).decode("utf-8", errors="replace")
        except OSError:
            continue
        m = _NAME.search(head)
        if m and m.group(1) == name:
            found.append(str(path.relative_to(folder)))
    return found


def check_composition(cards: list[Scenario], root: Path) -> list[str]:
    """Problems of the requisites and conflicts of ``cards`` (module docstring)."""
    problems: list[str] = []
    by_name: dict[str, Scenario] = {}
    for card in cards:
        if card.name in by_name and by_name[card.name].path != card.path:
            problems.append(
                f"{card.path}:1: name: {card.name!r} is also the name of {by_name[card.name].path}; cards in one "
                "composition need distinct names (requires: and conflicts: refer to them by name)"
            )
        by_name.setdefault(card.name, card)
    for card in cards:
        for name, where in card.requires:
            if name == card.name:
                problems.append(f"{where}: requires: {card.name!r} names itself; remove it")
            elif name not in by_name:
                hint = _cards_named(root, name)
                how = (
                    f"include {hint[0]} (includes: [{hint[0]}]) or compose the two in a package"
                    if hint
                    else "no card of that name is in this folder; check the name, or add the card"
                )
                problems.append(
                    f"{where}: requires: card {name!r} is not in this composition; {card.name} builds on it: {how}"
                )
        for name, where in card.conflicts:
            if name in by_name and name != card.name:
                problems.append(
                    f"{where}: conflicts: {card.name} cannot be composed with {name} ({by_name[name].path}), and this "
                    "composition holds both; keep one of the two"
                )
    problems += _cycles(cards, by_name)
    return problems


def _cycles(cards: list[Scenario], by_name: dict[str, Scenario]) -> list[str]:
    """One problem per cycle of requisites, naming each step's ``file:line``."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    problems: list[str] = []
    seen_cycles: set[frozenset[str]] = set()

    def visit(name: str, path: list[tuple[str, str]]) -> None:
        # path: the cards on the way here, each with the line where it requires the next
        state[name] = 1
        for req, where in by_name[name].requires:
            if req not in by_name or req == name:
                continue
            if state.get(req) == 1:
                start = next(i for i, (n, _) in enumerate(path) if n == req)
                loop = path[start:] + [(name, where)]
                key = frozenset(n for n, _ in loop)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    steps = " -> ".join([n for n, _ in loop] + [req])
                    lines = ", ".join(w for _, w in loop)
                    problems.append(
                        f"{where}: requires: a cycle of requisites, {steps} ({lines}); "
                        "a card cannot build on a card that builds on it: remove one of the requires"
                    )
            elif state.get(req) is None:
                visit(req, path + [(name, where)])
        state[name] = 2

    for card in cards:
        if state.get(card.name) is None:
            visit(card.name, [])
    return problems


def order_by_requisites(top: Scenario, cards: list[Scenario], root: Path) -> list[LocatedChange]:
    """The changes of ``top`` with every required card's changes before those of the card that
    requires it (cards otherwise in their order of appearance); ``top.changes`` itself when no card
    requires another.

    Raises
    ------
    ScenarioError
        With every problem of :func:`check_composition`.
    """
    cards = list({c.path: c for c in [*cards, top]}.values())
    problems = check_composition(cards, root)
    if problems:
        raise ScenarioError(problems)
    needs = {c.name: [n for n, _ in c.requires] for c in cards}
    if not any(needs.values()):
        return top.changes
    order: list[str] = list(dict.fromkeys(ch.scenario for ch in top.changes))  # cards as they appear
    placed: list[str] = []
    pending = list(order)
    while pending:  # Kahn's algorithm, taking the earliest card whose requisites are placed
        ready = next(n for n in pending if all(r in placed or r not in order for r in needs.get(n, [])))
        placed.append(ready)
        pending.remove(ready)
    rank = {n: i for i, n in enumerate(placed)}
    return sorted(top.changes, key=lambda ch: rank[ch.scenario])  # stable: a card's changes keep their order


def cards_of(sc: Scenario) -> dict[str, Scenario]:
    """Every card of a composition by name: ``sc`` and all it includes, at any depth."""
    out = {sc.name: sc}
    for part in sc.components:
        out.update(cards_of(part))
    return out


def requisites_of(part: Scenario, cards: dict[str, Scenario]) -> list[str]:
    """The cards outside ``part`` that ``part`` (any card in it) requires, directly or through
    them, in the order of ``cards``: what must apply with ``part`` for it to apply at all."""
    inside = set(cards_of(part))
    wanted: set[str] = set()
    todo = [n for c in cards_of(part).values() for n, _ in c.requires]
    while todo:
        name = todo.pop()
        if name in inside or name in wanted or name not in cards:
            continue
        wanted.add(name)
        todo += [n for c in cards_of(cards[name]).values() for n, _ in c.requires]
    return [n for n in cards if n in wanted]


def dependents_of(names: set[str], cards: dict[str, Scenario]) -> list[str]:
    """The cards that require any of ``names``, directly or through others, in the order of
    ``cards``: what cannot apply once ``names`` are taken out."""
    gone = set(names)
    changed = True
    while changed:
        changed = False
        for name, card in cards.items():
            if name not in gone and any(r in gone for r, _ in card.requires):
                gone.add(name)
                changed = True
    return [n for n in cards if n in gone and n not in names]
