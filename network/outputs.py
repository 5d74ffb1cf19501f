"""``--out`` folders written as a whole, which only ever replace a folder taihang wrote itself
(:class:`OutputSet`; the rules are in the README, "Your files and the files you are sent")."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from network.errors import DataError
from network.io import _prefix, _shown, _write_failed, atomic_write_text, clean_leftovers, dir_mode

MANIFEST = "manifest.json"
#: What an ``--out`` folder's ``manifest.json`` says of its writer (:class:`OutputSet`).
WRITTEN_BY = "taihang"
_MAX_ENTRIES = 10_000  # a folder with more entries than any taihang output is not ours; the scan stops


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    platform or the file system has no such call."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    import errno

    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), os.fspath(b))


def foreign_content(folder: Path) -> str | None:
    """Why ``folder`` is not one taihang may replace, or None if it may: it is empty, or its
    ``manifest.json`` says taihang wrote it and lists exactly the files present, each with the
    size and SHA-256 it was written with (a file a user changed or added since makes it theirs)."""
    import hashlib
    import json
    import stat

    present: dict[str, os.stat_result] = {}
    folders: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(folder, onerror=None, followlinks=False):
        rel_dir = os.path.relpath(dirpath, folder)
        for name in dirnames + filenames:
            rel = os.path.normpath(os.path.join(rel_dir, name))
            st = os.lstat(os.path.join(dirpath, name))
            if stat.S_ISDIR(st.st_mode):
                folders.add(rel)
            elif stat.S_ISREG(st.st_mode):
                present[rel] = st
            else:
                return f"it holds {rel}, which is not a regular file"
            if len(present) + len(folders) > _MAX_ENTRIES:
                return f"it holds more than {_MAX_ENTRIES:,} entries"
    if not present and not folders:
        return None
    if MANIFEST not in present:
        return f"it holds files and no {MANIFEST}"
    if present[MANIFEST].st_size > 10_000_000:
        return f"its {MANIFEST} is too large to be taihang's"
    try:
        doc = json.loads((folder / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return f"its {MANIFEST} is not taihang's (not JSON)"
    legacy = isinstance(doc, dict) and set(doc) == {"files", "warnings"}  # written before written_by existed
    if not isinstance(doc, dict) or not (doc.get("written_by") == WRITTEN_BY or legacy):
        return f"its {MANIFEST} was not written by taihang"
    listed: dict[str, dict[str, Any]] = {}
    raw_files = doc.get("files")
    for item in raw_files if isinstance(raw_files, list) else []:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            listed[os.path.normpath(item["path"])] = item
    files = {p: st for p, st in present.items() if p != MANIFEST}
    extra = sorted(set(files) - set(listed))
    if extra:
        more = f" and {len(extra) - 1} more" if len(extra) > 1 else ""
        return f"it holds {extra[0]}{more}, which taihang did not write there"
    parents = {os.path.normpath(os.path.dirname(p)) for p in listed} - {"."}
    for p in list(parents):
        while os.path.dirname(p):
            p = os.path.dirname(p)
            parents.add(p)
    stray = sorted(folders - parents)
    if stray:
        return f"it holds the folder {stray[0]}, which taihang did not write there"
    for rel, st in sorted(files.items()):
        item = listed[rel]
        if st.st_size != item.get("bytes"):
            return f"{rel} was changed after taihang wrote it"
        h = hashlib.sha256()
        with open(folder / rel, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        if h.hexdigest() != item.get("sha256"):
            return f"{rel} was changed after taihang wrote it"
    return None


class OutputSet:
    """A folder of outputs written as a whole or not at all, which only ever replaces its own.

    Files go into a staging folder created **beside** ``target`` at once (so a missing write
    permission is found before any long work, and a killed run leaves no file in ``target``, only
    a ``.<name>.taihang-<pid>-*`` folder beside it, never in /tmp, which the next run into the
    same place removes). :meth:`commit` adds ``manifest.json`` (``written_by: taihang``, every file
    with its size and SHA-256, and the run's :attr:`warnings`) and swaps the staging folder in for
    ``target`` in one atomic exchange where the platform has one (Linux ``renameat2``), so no kill
    leaves ``target`` missing and files of an earlier run never mix with new ones.

    ``target`` may be new, empty, or a folder taihang wrote and nobody changed since
    (:func:`foreign_content`); any other folder is refused before any work, and again just before
    the swap. Folders and files follow the umask (0755/0644 under 022).

    Raises
    ------
    DataError
        If ``target`` is a file, a link, the current folder, a foreign folder, or its parent cannot
        be written.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        t = Path(os.path.abspath(target))
        self.target = t
        self.warnings: list[str] = []  # written into manifest.json (what every file of the set must carry)
        cwd = Path.cwd()
        if t == cwd or t in cwd.parents:
            raise DataError(
                f"{_shown(target)}: is the folder you are in (or holds it); --out replaces its folder as a whole, "
                "so give a new folder such as out/"
            )
        if t.is_symlink():
            raise DataError(f"{_shown(target)}: is a symbolic link; give the folder itself, or a new folder")
        if t.exists() and not t.is_dir():
            raise DataError(f"{_shown(target)}: is a file; --out takes a folder (new, empty, or one taihang wrote)")
        self._refuse_foreign()
        try:
            t.parent.mkdir(parents=True, exist_ok=True)
            clean_leftovers(t)
            self.staging = Path(tempfile.mkdtemp(prefix=f"{_prefix(t)}{os.getpid()}-", suffix=".staging", dir=t.parent))
            os.chmod(self.staging, dir_mode())
        except OSError as err:
            raise DataError(
                f"{_shown(target)}: cannot write there ({err.strerror or err}); choose a folder you can write to"
            ) from None

    def _refuse_foreign(self) -> None:
        t = self.target
        if not t.is_dir():
            return
        try:
            why = foreign_content(t)
        except OSError as err:
            why = f"it cannot be read ({err.strerror or err})"
        if why:
            raise DataError(
                f"{_shown(t)}: {why}; taihang replaces only an empty folder or one it wrote itself, so nothing "
                "of yours is lost. Give a new or empty folder, or move your files out"
            )

    def path(self, relative: str) -> Path:
        """Where to write ``relative`` (inside the staging folder until :meth:`commit`)."""
        return self.staging / relative

    def commit(self) -> Path:
        """Write manifest.json and swap the staging folder in for the target; returns the target."""
        import hashlib
        import json
        import shutil

        try:
            files = sorted(p for p in self.staging.rglob("*") if p.is_file())
            manifest: dict[str, Any] = {
                "written_by": WRITTEN_BY,
                "files": [
                    {
                        "path": str(p.relative_to(self.staging)),
                        "bytes": p.stat().st_size,
                        "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
                    }
                    for p in files
                ],
                "warnings": list(dict.fromkeys(self.warnings)),
            }
            atomic_write_text(self.staging / MANIFEST, json.dumps(manifest, indent=1) + "\n")
            self._refuse_foreign()  # something may have been put there during the run
            if self.target.exists():
                if _exchange(self.staging, self.target):
                    shutil.rmtree(self.staging, ignore_errors=True)  # now the earlier run's files
                    return self.target
                # no atomic exchange here: two renames, the old set kept under a name the next run cleans
                old = Path(
                    tempfile.mkdtemp(
                        prefix=f"{_prefix(self.target)}{os.getpid()}-", suffix=".old", dir=self.target.parent
                    )
                )
                os.rmdir(old)
                os.replace(self.target, old)
                os.replace(self.staging, self.target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(self.staging, self.target)
        except OSError as err:
            self.abort()
            raise _write_failed(self.target, err) from None
        except BaseException:
            self.abort()
            raise
        return self.target

    def abort(self) -> None:
        """Remove the staging folder (the target is left as it was)."""
        import shutil

        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()
