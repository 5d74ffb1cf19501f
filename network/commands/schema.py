"""``taihang schema card|claim``: the JSON Schema of a scenario card or a claim file, for editors
that check a file as it is typed (VS Code's YAML extension: ``# yaml-language-server:
$schema=card.schema.json``), and the same schema as a Markdown reference (the docs site's
"Scenario cards" and "Claims" pages are generated from it, so they cannot drift from the code)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from network.cli import main
from network.io import write_text_or_stdout


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a ``card`` (scenario file) or a ``claim`` file, from their pydantic models."""
    if kind == "card":
        from network.scenario.schema import ScenarioFile

        schema = ScenarioFile.model_json_schema()
    elif kind == "claim":
        from network.analysis.claims.spec import ClaimFile

        schema = ClaimFile.model_json_schema()
    else:
        raise ValueError(f"unknown schema {kind!r}: expected card or claim")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def _type(prop: dict[str, Any]) -> str:
    """A field's type in words: ``string``, ``integer (2000–2060)``, ``list of [lon, lat] or string``, …"""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    if "anyOf" in prop or "oneOf" in prop:
        options = [p for p in prop.get("anyOf", prop.get("oneOf", [])) if p.get("type") != "null"]
        text = " or ".join(dict.fromkeys(_type(p) for p in options))
        return text + (" (optional)" if len(options) < len(prop.get("anyOf", prop.get("oneOf", []))) else "")
    t = prop.get("type", "any")
    if t == "array":
        if "prefixItems" in prop:
            return "[" + ", ".join(_type(p) for p in prop["prefixItems"]) + "]"
        return "list of " + _type(prop.get("items", {}))
    if t == "object":
        extra = prop.get("additionalProperties")
        return "mapping of name to " + _type(extra) if isinstance(extra, dict) else "mapping"
    bounds = [
        f"{label} {prop[key]}"
        for key, label in (("minimum", "≥"), ("maximum", "≤"), ("minLength", "length ≥"), ("maxLength", "length ≤"))
        if key in prop
    ]
    if "pattern" in prop:
        bounds.append(f"pattern `{prop['pattern']}`")
    return str(t) + (f" ({', '.join(bounds)})" if bounds else "")


def _table(defn: dict[str, Any]) -> list[str]:
    required = set(defn.get("required", []))
    lines = ["| field | type | required | default | meaning |", "|---|---|---|---|---|"]
    for name, prop in defn.get("properties", {}).items():
        default = prop.get("default")
        shown = "—" if "default" not in prop else f"`{json.dumps(default, ensure_ascii=False)}`"
        meaning = " ".join(str(prop.get("description", "")).split()) or "—"
        lines.append(
            f"| `{name}` | {_type(prop).replace('|', '/')} | {'yes' if name in required else 'no'} | {shown} | "
            f"{meaning.replace('|', '/')} |"
        )
    return lines


def schema_markdown(kind: str) -> str:
    """The schema of :func:`json_schema` as a Markdown reference: the file's own fields, then each
    part it refers to, a table of fields each (type, required, default, meaning)."""
    schema = json_schema(kind)
    out = [" ".join(str(schema.get("description", "")).split()), "", *_table(schema)]
    for name, defn in sorted(schema.get("$defs", {}).items()):
        out += ["", f"### {name}", ""]
        if defn.get("description"):
            out += [" ".join(str(defn["description"]).split()), ""]
        out += _table(defn) if "properties" in defn else [f"{_type(defn)}"]
    return "\n".join(out) + "\n"


@main.command()
@click.argument("kind", type=click.Choice(["card", "claim"]))
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the schema to this file (atomically) instead of the terminal.",
)
@click.option("--markdown", is_flag=True, help="The schema as a Markdown reference (the docs' pages), not JSON.")
def schema(kind: str, out_file: Path | None, markdown: bool) -> None:
    """The JSON Schema of a scenario card (KIND card) or a claim file (KIND claim), for editors that
    check a file as it is typed; with --markdown the same as a readable reference."""
    text = schema_markdown(kind) if markdown else json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n"
    shown = write_text_or_stdout(out_file, text) if out_file is not None else None
    if shown is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {shown}", err=True)
