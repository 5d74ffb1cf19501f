"""YAML files read safely, with the line of every field, and pydantic errors as lines.

The low module every file reader shares (scenario, claim and services files): a file is read only
if it is a regular file under :data:`MAX_BYTES`; nesting is bounded by one linear scan before the
parser runs; anchors and aliases are refused ("billion laughs"); duplicate keys are reported. Every
problem is ``file:line: field.path: message``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from network.errors import DataError, ScenarioError
from network.io import read_bounded_bytes

#: Larger files are refused (a project card is a few kB).
MAX_BYTES = 1_000_000


def _walk(
    node: yaml.Node,
    path: tuple[Any, ...],
    lines: dict[tuple[Any, ...], int],
    problems: list[str],
    file: str,
    depth: int = 0,
) -> None:
    """Record the line of every field path; report duplicate keys; refuse deep nesting."""
    lines[path] = node.start_mark.line + 1
    if depth > MAX_DEPTH:
        raise ScenarioError(
            [
                f"{file}:{node.start_mark.line + 1}: nesting deeper than {MAX_DEPTH} "
                "levels; a scenario file is a flat list of changes"
            ]
        )
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k_node, v_node in node.value:
            key = k_node.value if isinstance(k_node, yaml.ScalarNode) else "<complex key>"
            if key in seen:
                problems.append(
                    f"{file}:{k_node.start_mark.line + 1}: {dotted(path + (key,))}: key given twice; keep one"
                )
            seen.add(key)
            _walk(v_node, path + (key,), lines, problems, file, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, path + (i,), lines, problems, file, depth + 1)


def dotted(path: tuple[Any, ...]) -> str:
    """A field path as text: ``changes[2].stops[0]``."""
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")


def _has_alias(text: str) -> int | None:
    for ev in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
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


def _compose_and_construct(text: str) -> tuple[Any, Any]:
    """The node tree (for lines) and the data of ``text``, parsed once, by LibYAML where PyYAML
    has it (ten times faster on a large file) and safely either way."""
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


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
        raise ScenarioError(
            [f"{file}:{deep}: nesting deeper than {MAX_DEPTH} levels; a scenario file is a flat list of changes"]
        )
    try:
        alias_line = _has_alias(text)
        if alias_line is not None:
            raise ScenarioError(
                [
                    f"{file}:{alias_line}: YAML anchors and aliases (& and *) are not "
                    "allowed in scenario files; write the values out"
                ]
            )
        node, data = _compose_and_construct(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise ScenarioError([f"{file}{line}: not valid YAML: {err.problem or err}"]) from None
    except yaml.YAMLError as err:  # the message may quote the text: only its first line, capped
        raise ScenarioError([f"{file}: not valid YAML: {str(err).splitlines()[0][:120] if str(err) else ''}"]) from None
    except RecursionError:
        raise ScenarioError([f"{file}: nesting too deep to read; a scenario file is a flat list"]) from None
    except ScenarioError:
        raise
    except (ValueError, OverflowError) as err:  # a value YAML types but cannot build, e.g. the date 2000-13-45
        raise ScenarioError(
            [f"{file}: a value cannot be read ({str(err)[:120]}); check dates (YYYY-MM-DD) and numbers"]
        ) from None
    if node is None:
        raise ScenarioError([f"{file}: the file is empty; a scenario needs at least name, description and source"])
    lines: dict[tuple[Any, ...], int] = {}
    problems: list[str] = []
    _walk(node, (), lines, problems, file)
    return data, lines, problems


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def line_of(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...], default: int = 1) -> int:
    """The line of the deepest part of ``loc`` that has one."""
    for k in range(len(loc), -1, -1):
        if loc[:k] in lines:
            return lines[loc[:k]]
    return default


def _clean_loc(loc: tuple[Any, ...], data: Any, field_names: frozenset[str] | set[str]) -> tuple[Any, ...]:
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


def pydantic_problems(
    err: ValidationError,
    data: Any,
    lines: dict[tuple[Any, ...], int],
    file: str,
    field_names: frozenset[str] | set[str],
    top_fields: frozenset[str] | set[str] | None = None,
) -> list[str]:
    """Every pydantic error as ``file:line: field.path: message`` (each once), for any schema.

    Values and keys from the file are quoted only if the file parsed as the expected format
    (:func:`looks_like`: a mapping keyed mostly by ``top_fields``); of any other file, one someone
    may have pointed taihang at, an error names the line and the kind of value, never its text."""
    quote = top_fields is None or looks_like(data, top_fields)
    if not quote and top_fields is not None:
        return [
            f"{file}:1: does not look like this kind of file: expected a mapping with name and the fields "
            f"{', '.join(sorted(top_fields))} at the top level (its content is not quoted)"
        ]
    problems, seen = [], set()
    for e in err.errors(include_url=False):
        loc = _clean_loc(tuple(e["loc"]), data, field_names)
        kind = e["type"]
        if kind == "union_tag_invalid":
            tag = e.get("input", {}).get("type") if isinstance(e.get("input"), dict) else None
            msg = (
                "unknown change type "
                + _describe(tag)
                + "; expected one of add_rail_line, add_road, upgrade_road, add_service, "
                "change_service, add_airport, add_bus_service, add_freight_facility, close"
            )
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
        problems.append(f"{file}:{line_of(lines, loc)}: {dotted(loc) or 'top level'}: {msg}")
    return problems


def looks_like(data: Any, top_fields: frozenset[str] | set[str]) -> bool:
    """Whether ``data`` parsed as the expected format: a mapping that has ``name`` and whose keys
    are at least half the format's own top-level fields (a mistyped field or two still counts;
    a YAML file of something else does not)."""
    if not isinstance(data, dict) or "name" not in data:
        return False
    known = sum(1 for k in data if isinstance(k, str) and k in top_fields)
    return known * 2 >= len(data)
