"""The worked examples that ship with taihang: the plans' scenario cards, the claims, the published
figures the model is validated on, and the notebooks.

In a source checkout they are the repository's ``scenarios/``, ``claims/``, ``data/validation/``
and ``notebooks/``; an installed wheel carries the same files as package data
(``network/_examples/`` and ``network/_data/validation/``, pyproject.toml). :func:`example_path`
finds one either way; :func:`write_examples` (``taihang examples --out DIR``) copies them all into a
folder laid out as the repository is, so the docs' commands (``taihang check
claims/one_hour_circle.yaml``, ``taihang validate-times data/validation/published_figures.csv``)
run from it after ``pip install taihang``.
"""

from __future__ import annotations

from pathlib import Path

from network.errors import DataError

#: Each example folder as the repository names it, where the wheel puts it (under ``network/``),
#: and the files of it that are examples.
EXAMPLE_FOLDERS: dict[str, tuple[str, str]] = {
    "scenarios": ("_examples/scenarios", "*.yaml"),
    "claims": ("_examples/claims", "*.yaml"),
    "data/validation": ("_data/validation", "*.csv"),
    "notebooks": ("_examples/notebooks", "*.ipynb"),
}
_PACKAGE = Path(__file__).resolve().parent


def _checkout() -> Path | None:
    """The repository root when the package runs from a source checkout (or an editable install)."""
    root = _PACKAGE.parent
    return root if (root / "pyproject.toml").is_file() and (root / "scenarios").is_dir() else None


def example_folder(name: str) -> Path:
    """The folder of one kind of example (a key of :data:`EXAMPLE_FOLDERS`)."""
    if name not in EXAMPLE_FOLDERS:
        raise DataError(f"{name!r}: not an example folder; expected one of {', '.join(EXAMPLE_FOLDERS)}")
    root = _checkout()
    folder = root / name if root is not None else _PACKAGE / EXAMPLE_FOLDERS[name][0]
    if not folder.is_dir():
        raise DataError(f"{folder}: the examples are missing from this install; reinstall taihang")
    return folder


def example_path(relative: str) -> Path:
    """An example file by its path in the repository, e.g. ``claims/one_hour_circle.yaml``.

    >>> example_path("claims/one_hour_circle.yaml").name
    'one_hour_circle.yaml'
    """
    folder, _, name = relative.rpartition("/")
    path = example_folder(folder) / name
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in example_folder(folder).glob(EXAMPLE_FOLDERS[folder][1])))
        raise DataError(f"{relative}: no such example; {folder}/ holds {known}")
    return path


def example_files() -> dict[str, Path]:
    """Every example: its path in the repository's layout → the file here, in a stable order."""
    out: dict[str, Path] = {}
    for name, (_, pattern) in EXAMPLE_FOLDERS.items():
        folder = example_folder(name)
        files = sorted(folder.glob(pattern))
        if name == "data/validation":
            files += [folder / "README.md"]  # how the figures were chosen and graded
        for f in files:
            out[f"{name}/{f.name}"] = f
    return out


def write_examples(out_dir: Path) -> dict[str, Path]:
    """Copy every example into ``out_dir`` as a whole (:class:`~network.outputs.OutputSet`: a new,
    empty, or earlier examples folder only); returns what was written."""
    from network.io import atomic_write_bytes
    from network.outputs import OutputSet

    files = example_files()
    with OutputSet(out_dir) as outputs:
        for rel, src in files.items():
            atomic_write_bytes(outputs.path(rel), src.read_bytes())
    return files
