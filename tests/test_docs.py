"""The docs site stays true: every worked example prints what its page shows (tests/docs_examples.py),
every command has a page, and the README stays a one-screen introduction."""

from __future__ import annotations

import pytest

from tests.docs_examples import DOCS, ROOT, examples, run

EXAMPLES = list(examples())


def test_the_docs_have_worked_examples():
    assert len(EXAMPLES) >= 15


@pytest.mark.slow  # every command end to end, as the other CLI runs of the slow set
@pytest.mark.parametrize("ex", EXAMPLES, ids=lambda e: f"{e.path.name}:{e.command[:40]}")
def test_every_worked_example_prints_what_its_page_shows(ex):
    assert run(ex.command) == ex.shown, f"{ex.path}: `{ex.command}` prints otherwise; run tools/update_docs.py"


def test_every_command_has_a_page():
    from network.cli import main

    pages = {p.stem for p in (DOCS / "commands").glob("*.md")}
    assert set(main.commands) <= pages, sorted(set(main.commands) - pages)


def test_the_readme_is_an_introduction_not_the_manual():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text) <= 6200, len(text)
