"""The worked examples of the docs site: every ```console block of ``docs/`` whose first line is
``$ taihang …`` is run, and the output shown under it must be what the command prints.

A block may end its command with ``| head -n N`` (only the first N lines are shown and compared).
Timings a command prints ("(0.02 s)") are shown as "(… s)".
Commands run in a scratch folder holding links to the project's ``scenarios/``, ``claims/`` and
``data/``, so an ``--out`` never writes into the checkout. ``tools/update_docs.py`` rewrites the
outputs after an intended change (review ``git diff docs/``); ``tests/test_docs.py`` compares.
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BLOCK = re.compile(r"```console\n\$ (taihang [^\n]*)\n(.*?)```", re.S)
HEAD = re.compile(r"\s*\|\s*head -n (\d+)\s*$")
#: a timing a command prints ("(0.02 s)"), shown as "(… s)": it differs from run to run
TIMING = re.compile(r"\b\d+\.\d+ s\)")
#: folders of the checkout an example may read (linked into its scratch folder)
LINKED = ("scenarios", "claims", "data", "tests")


@dataclass
class Example:
    path: Path
    command: str  # as written, without "$ "
    shown: str  # the output under it
    start: int  # offsets of the output in the page
    end: int


def examples() -> Iterator[Example]:
    for path in sorted(DOCS.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            yield Example(path, m.group(1), m.group(2), m.start(2), m.end(2))


def run(command: str) -> str:
    """What ``command`` prints (stdout and stderr, as a terminal shows them), cut to its ``head``,
    run in a scratch folder at a 100-column terminal."""
    from click.testing import CliRunner

    from network.cli import main

    head = HEAD.search(command)
    argv = shlex.split(HEAD.sub("", command))[1:]
    with tempfile.TemporaryDirectory() as tmp:
        for name in LINKED:
            os.symlink(ROOT / name, Path(tmp) / name)
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            result = CliRunner().invoke(main, argv, env={"COLUMNS": "100"}, catch_exceptions=False)
        finally:
            os.chdir(cwd)
    out = result.output
    lines = out.splitlines()
    if head:
        lines = lines[: int(head.group(1))]
    return "\n".join(TIMING.sub("… s)", line.rstrip()) for line in lines) + "\n"
