"""Fuzzing: mutations of the shipped scenario, claim and OSM files never end in a traceback or a hang.

Each case is a shipped file with random edits (lines deleted, duplicated or swapped, values replaced
by hostile ones: huge, tiny, negative, nan, long strings, brackets, control bytes, paths out of
the folder; the text truncated or with bytes inserted). A case passes when the reader (for
scenarios: reading, then applying to the 2040 network) returns a result or raises the documented
error (:class:`ScenarioError` for scenario and claim files, :class:`DataError` for OSM files), in
under 10 s.

Families beyond the files: ``--out`` targets (folders holding foreign, changed, linked and special
entries: a refusal changes nothing, a write replaces only what taihang wrote), confinement (includes
and claim scenarios that try to leave their root: nothing outside is read or quoted), GMNS networks
(hostile values: refused, or every link is within the bounds of network/sources/checks.py),
constants (``--assume`` names and values: refused, or inside the range, or forced and warned),
archives (.bz2/.gz that expand or break: refused quickly, never read past the limit) and text
(names with control, bidirectional and formula characters: the rules of network/textrules.py hold).

Default run (and CI): a few hundred cases of each, from fixed seeds. Long mode
(``TAIHANG_FUZZ=long``): 10,000 scenario files, 2,000 claim files, 500 OSM XML files and 500 PBF
files (a real extract cut at any byte or at a block boundary, bytes flipped, blocks repeated or
dropped, lengths made huge), 2,000 output targets, confinement cases and GMNS networks, 10,000
constants, 300 archives and 20,000 texts; it prints the counts and times and checks the process
stayed under 1 GB. ``TAIHANG_FUZZ_SEED`` draws other cases.
"""

from __future__ import annotations

import io
import os
import random
import resource
import shutil
import time
from pathlib import Path

import pytest

from network.errors import DataError, ScenarioError

ROOT = Path(__file__).resolve().parents[1]
LONG = os.environ.get("TAIHANG_FUZZ") == "long"
COUNTS = {
    "scenario": 10_000 if LONG else 150,
    "claim": 2_000 if LONG else 100,
    "osm": 500 if LONG else 40,
    "pbf": 500 if LONG else 20,
    "outputs": 2_000 if LONG else 60,
    "confinement": 2_000 if LONG else 60,
    "gmns": 2_000 if LONG else 60,
    "constants": 10_000 if LONG else 300,
    "archives": 300 if LONG else 15,
    "text": 20_000 if LONG else 500,
}
#: Every case is drawn from ``random.Random(f"{kind}-{n}-{SEED}")``: the default run (and CI) is a
#: fixed slice; ``TAIHANG_FUZZ_SEED`` explores others.
SEED = os.environ.get("TAIHANG_FUZZ_SEED", "0")

HOSTILE = [
    "0",
    "-1",
    "1e308",
    "-1e308",
    "1e-12",
    ".nan",
    ".inf",
    "-.inf",
    "99999999999999999999",
    "''",
    "[]",
    "{}",
    "[" * 60,
    "null",
    "true",
    "\x00",
    "\x1b[2J",
    "a" * 3000,
    "/etc/passwd",
    "../../../etc/passwd",
    "/dev/zero",
    "~/x",
    "郑州" * 200,
    "&a x",
    "*a",
    "!!python/object:os.system ls",
    "'",
    '"',
    "- - -",
    "2000-13-45",
    "1950",
    "3000",
]


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        k = rng.randrange(len(lines))
        op = rng.randrange(7)
        if op == 0:
            del lines[k]
        elif op == 1:
            lines.insert(k, lines[k])
        elif op == 2:
            j = rng.randrange(len(lines))
            lines[k], lines[j] = lines[j], lines[k]
        elif op in (3, 4):  # replace a value after a colon
            head, sep, _ = lines[k].partition(": ")
            lines[k] = f"{head}{sep or ': '}{rng.choice(HOSTILE)}"
        elif op == 5:
            lines[k] = lines[k][: rng.randrange(len(lines[k]) + 1)]
        else:
            lines.insert(k, rng.choice(HOSTILE))
    out = "\n".join(lines) + "\n"
    if rng.random() < 0.1:
        out = out[: rng.randrange(len(out) + 1)]
    return out


def _reset_peak() -> bool:
    """Start the process's peak resident memory afresh (Linux: ``clear_refs`` 5 resets VmHWM), so
    a run's peak is its own, not that of a test run before it in this process."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_mb(own: bool) -> float:
    """The peak resident memory since :func:`_reset_peak` (``own``), else of the whole process."""
    if own:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(kind: str, n: int, make, read, allowed, tmp_path: Path) -> dict[str, float]:
    own = _reset_peak()
    rng = random.Random(f"{kind}-{n}-{SEED}" if SEED != "0" else f"{kind}-{n}")
    slowest, start = 0.0, time.perf_counter()
    ok = errors = 0
    for i in range(n):
        path = make(rng, i, tmp_path)
        t0 = time.perf_counter()
        try:
            read(path)
            ok += 1
        except allowed:
            errors += 1
        elapsed = time.perf_counter() - t0
        slowest = max(slowest, elapsed)
        assert elapsed < 10, f"{kind} case {i} took {elapsed:.1f} s: {path}"
    total = time.perf_counter() - start
    peak_mb = _peak_mb(own)
    print(
        f"\nfuzz {kind}: {n} cases, {ok} read, {errors} clean errors, 0 tracebacks; {total:.1f} s, "
        f"slowest {slowest:.2f} s, peak {peak_mb:.0f} MB"
    )
    assert peak_mb < 1024
    return {"cases": n, "read": ok, "errors": errors, "seconds": total}


def test_fuzz_scenario_files(tmp_path):
    from network.scenario.load import load_scenario

    src = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", src)
    seeds = sorted(src.glob("*.yaml"))
    texts = {p.name: p.read_text(encoding="utf-8") for p in seeds}

    def make(rng: random.Random, i: int, _tmp: Path) -> Path:
        name = rng.choice(sorted(texts))
        path = src / f"fuzz_{i % 50}.yaml"  # beside the others, so includes of the packages resolve
        path.write_text(_mutate(texts[name], rng), encoding="utf-8", errors="surrogatepass")
        return path

    from network.model import Model
    from network.scenario.apply import apply_scenario

    model = Model.default(year=2040)  # every plan project open: the changes that read are applied too

    def read(path: Path) -> None:
        apply_scenario(model.network, load_scenario(path))

    _run("scenario", COUNTS["scenario"], make, read, ScenarioError, tmp_path)


def test_fuzz_claim_files(tmp_path):
    from network.analysis.claims import load_claim

    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    (tmp_path / "claims").mkdir()
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "claims").glob("*.yaml"))}

    def make(rng: random.Random, i: int, _tmp: Path) -> Path:
        path = tmp_path / "claims" / f"fuzz_{i % 50}.yaml"
        path.write_text(_mutate(texts[rng.choice(sorted(texts))], rng), encoding="utf-8", errors="surrogatepass")
        return path

    _run("claim", COUNTS["claim"], make, load_claim, ScenarioError, tmp_path)


def test_fuzz_osm_files(tmp_path):
    from network.sources.osm import read_osm_file

    seed = (ROOT / "tests" / "fixtures" / "osm" / "corridor.osm").read_text(encoding="utf-8")
    attrs = ['id="', 'lat="', 'lon="', 'ref="', 'v="', 'k="']
    values = ["nan", "", "1e10", "-1e10", "99999999999999999999", "-5", "a" * 2000, "&amp;", "<", "0x10", "1.5.6"]

    def make(rng: random.Random, i: int, _tmp: Path) -> Path:
        text = seed
        for _ in range(rng.randint(1, 5)):
            a = rng.choice(attrs)
            positions = [k for k in range(len(text)) if text.startswith(a, k)]
            if positions:
                k = rng.choice(positions) + len(a)
                end = text.index('"', k)
                text = text[:k] + rng.choice(values) + text[end:]
        if rng.random() < 0.3:
            text = text[: rng.randrange(len(text))]
        path = tmp_path / f"fuzz_{i % 20}.osm"
        path.write_text(text, encoding="utf-8")
        return path

    _run("osm", COUNTS["osm"], make, read_osm_file, DataError, tmp_path)


def _pbf_blocks(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each block of a PBF file."""
    from network.sources.pbf import _fields

    out, pos = [], 0
    while pos < len(data):
        n = int.from_bytes(data[pos : pos + 4], "big")
        end = pos + 4 + n + dict(_fields(data[pos + 4 : pos + 4 + n]))[3]
        out.append((pos, end))
        pos = end
    return out


def test_fuzz_pbf_files(tmp_path):
    pyrosm = pytest.importorskip("pyrosm")
    from network.sources.osm import read_osm_file

    seed = Path(pyrosm.get_data("test_pbf")).read_bytes()
    blocks = _pbf_blocks(seed)

    def make(rng: random.Random, i: int, _tmp: Path) -> Path:
        data = bytearray(seed)
        op = rng.randrange(6)
        if op == 0:  # cut at any byte
            data = data[: rng.randrange(len(data))]
        elif op == 1:  # cut at a block boundary: a valid file that misses what follows
            data = data[: rng.choice(blocks[:-1])[1]]
        elif op == 2:  # bytes flipped
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif op == 3:  # a block repeated or dropped
            a, b = rng.choice(blocks[1:])
            data = data[:b] + data[a:b] + data[b:] if rng.random() < 0.5 else data[:a] + data[b:]
        elif op == 4:  # a huge length prefix
            a, _ = rng.choice(blocks)
            data[a : a + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x10\x00\x00", b"\x00\x00\x00\x00"])
        else:  # garbage appended
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 5000)))
        path = tmp_path / f"fuzz_{i % 20}.osm.pbf"
        path.write_bytes(bytes(data))
        return path

    _run("pbf", COUNTS["pbf"], make, read_osm_file, DataError, tmp_path)


@pytest.mark.skipif(not LONG, reason="the long mode runs with TAIHANG_FUZZ=long")
def test_long_mode_counts_are_the_promised_ones():
    assert COUNTS == {
        "scenario": 10_000,
        "claim": 2_000,
        "osm": 500,
        "pbf": 500,
        "outputs": 2_000,
        "confinement": 2_000,
        "gmns": 2_000,
        "constants": 10_000,
        "archives": 300,
        "text": 20_000,
    }


# -- outputs -------------------------------------------------------------------------------------
def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        out[str(p.relative_to(folder))] = (st.st_mode, p.read_bytes() if p.is_file() and not p.is_symlink() else b"")
    return out


def test_fuzz_output_targets(tmp_path):
    import json
    import stat

    from network.io import atomic_write_text
    from network.outputs import OutputSet, foreign_content

    def make(rng: random.Random, i: int, tmp: Path) -> Path:
        case = tmp / f"case{i}"
        case.mkdir()
        target = case / "out"
        if rng.random() < 0.2:
            return target  # absent
        target.mkdir()
        if rng.random() < 0.5:  # a set taihang wrote (maybe changed since)
            with OutputSet(target) as s:
                for k in range(rng.randint(1, 3)):
                    atomic_write_text(s.path(f"f{k}.csv"), f"{k}\n" * rng.randint(1, 5))
        for _ in range(rng.randint(0, 3)):
            op = rng.randrange(7)
            name = target / rng.choice(["manifest.json", "f0.csv", "mine.txt", "sub", "link", "fifo"])
            if name.exists() or name.is_symlink():
                continue
            if op == 0:
                name.write_text(rng.choice(HOSTILE), encoding="utf-8", errors="surrogatepass")
            elif op == 1:
                name.write_text(json.dumps({"written_by": "taihang", "files": [], "warnings": []}), encoding="utf-8")
            elif op == 2:
                name.mkdir()
            elif op == 3:
                name.symlink_to(case)
            elif op == 4:
                os.mkfifo(name)
            elif op == 5 and (target / "f0.csv").is_file():
                with open(target / "f0.csv", "a", encoding="utf-8") as fh:
                    fh.write("edited\n")
        return target

    def read(target: Path) -> None:
        before = _snapshot(target) if target.exists() else None
        ours = before is None or foreign_content(target) is None
        try:
            with OutputSet(target) as s:
                atomic_write_text(s.path("new.csv"), "x\n")
        except DataError:
            assert not ours, f"{target}: refused although taihang's own or empty"
            assert (_snapshot(target) if target.exists() else None) == before, f"{target}: changed by a refusal"
            raise
        assert ours, f"{target}: replaced although it held files of someone else's"
        assert sorted(p.name for p in target.iterdir()) == ["manifest.json", "new.csv"]
        assert stat.S_IMODE(target.stat().st_mode) == 0o777 & ~_umask()
        assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]

    _run("outputs", COUNTS["outputs"], make, read, DataError, tmp_path)


def _umask() -> int:
    from network.io import umask

    return umask()


# -- confinement ---------------------------------------------------------------------------------
def test_fuzz_confinement(tmp_path):
    from network.analysis.claims import load_claim
    from network.scenario.load import load_scenario

    secret = tmp_path / "secret.yaml"  # outside every root below; valid, so a read would succeed
    secret.write_text(
        (ROOT / "scenarios" / "jinyang_widening.yaml")
        .read_text(encoding="utf-8")
        .replace("name: jinyang_widening", "name: secret_widening")
        + "# SECRET-LINE\n",
        encoding="utf-8",
    )
    proj = tmp_path / "proj"
    shutil.copytree(ROOT / "scenarios", proj / "scenarios")
    (proj / "claims").mkdir()
    (proj / "scenarios" / "out").symlink_to(tmp_path)
    bare = tmp_path / "bare" / "inner"
    bare.mkdir(parents=True)
    claim_text = (ROOT / "claims" / "one_hour_circle.yaml").read_text(encoding="utf-8")
    inside = ["jinyang_widening.yaml", "../scenarios/jinyang_widening.yaml", "./jinyang_widening.yaml"]
    escapes = [
        "../secret.yaml",
        "../../secret.yaml",
        "../../../secret.yaml",
        str(secret),
        "out/secret.yaml",
        "./out/../out/secret.yaml",
        "~/secret.yaml",
        "jinyang_widening.yaml/../../secret.yaml",
        "../scenarios/out/secret.yaml",
        "%2e%2e/secret.yaml",
        "..\\secret.yaml",
        "\x00../secret.yaml",
    ]

    def make(rng: random.Random, i: int, _tmp: Path) -> Path:
        where = rng.choice(["scenario", "claim", "bare"])
        rel = rng.choice(escapes + inside)
        if where == "scenario":
            path = proj / "scenarios" / f"fuzz_{i % 10}.yaml"
            key = rng.choice(["includes", "extends"])
            body = f"name: f{i}\ndescription: d\nsource: s\n" + (
                f"includes: [{json_str(rel)}]\n" if key == "includes" else f"extends: {json_str(rel)}\n"
            )
        else:
            path = (proj / "claims" if where == "claim" else bare) / f"fuzz_{i % 10}.yaml"
            body = claim_text.replace("../scenarios/jincheng_plan.yaml", rel.replace("\x00", ""))
            body = body.replace("scenario: " + rel.replace("\x00", ""), "scenario: " + json_str(rel))
        path.write_text(body, encoding="utf-8")
        return path

    def read(path: Path) -> None:
        try:
            if path.parent.name == "scenarios":
                sc = load_scenario(path)
                assert not any("secret" in str(f) for f in sc.files), f"{path}: read a file outside its root"
            else:
                claim = load_claim(path)
                for net in claim.spec.networks:
                    sp = claim.scenario_path(net)
                    assert sp is None or (sp.is_relative_to(claim.scenario_root) and "secret" not in sp.name), sp
        except ScenarioError as err:
            assert "SECRET-LINE" not in str(err)
            raise

    _run("confinement", COUNTS["confinement"], make, read, ScenarioError, tmp_path)


def json_str(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=True)


# -- networks (GMNS) -----------------------------------------------------------------------------
def test_fuzz_gmns_networks(tmp_path):
    import numpy as np

    from network.sources.checks import LINK_MAX_KM, ROAD_SPEED_KPH
    from network.sources.gmns import read_gmns

    fixture = ROOT / "tests" / "fixtures" / "gmns_small"
    files = {n: (fixture / n).read_text(encoding="utf-8") for n in ("node.csv", "link.csv", "config.csv")}
    values = ["0", "-1", "1e308", "nan", "inf", "", "abc", "1e-300", "200.1", "0.5", "99999", "-70.0", "181", "91"]

    def make(rng: random.Random, i: int, tmp: Path) -> Path:
        folder = tmp / f"g{i % 20}"
        folder.mkdir(exist_ok=True)
        for name, text in files.items():
            lines = text.splitlines()
            for _ in range(rng.randint(0, 3) if name != "config.csv" else rng.randint(0, 1)):
                k = rng.randrange(1, len(lines))
                cells = lines[k].split(",")
                op = rng.randrange(4)
                if op == 0:
                    cells[rng.randrange(len(cells))] = rng.choice(values)
                elif op == 1:
                    lines.insert(k, lines[k])  # a duplicate row: duplicate ids
                elif op == 2:
                    del lines[k]
                else:
                    cells = cells[: rng.randrange(len(cells))]
                if op in (0, 3):
                    lines[k] = ",".join(cells)
            (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return folder

    def read(folder: Path) -> None:
        net = read_gmns(folder)
        assert np.all((net.free_speed_kph >= ROAD_SPEED_KPH[0]) & (net.free_speed_kph <= ROAD_SPEED_KPH[1]))
        assert np.all((net.length_km > 0) & (net.length_km <= LINK_MAX_KM))
        assert np.all(np.isfinite(net.lon) & np.isfinite(net.lat))

    _run("gmns", COUNTS["gmns"], make, read, DataError, tmp_path)


# -- constants -----------------------------------------------------------------------------------
def test_fuzz_constants(tmp_path):
    import dataclasses

    from network.assumptions import Assumptions, forced_warnings, parse_overrides
    from network.errors import AssumptionError

    fields = {f.name: f for f in dataclasses.fields(Assumptions)}
    names = sorted(fields)
    values = ["0", "-1", "1e-9", "1e308", "nan", "inf", "", "abc", "1", "2", "30", "0.5", "1.35", "120", "3", "7"]

    def make(rng: random.Random, _i: int, _tmp: Path) -> tuple[list[str], bool]:
        items = []
        for _ in range(rng.randint(1, 3)):
            name = rng.choice(names + ["unknown_thing", ""])
            meta = fields[name].metadata if name in fields else {"low": 1, "high": 2}
            value = rng.choice(values + [str(rng.uniform(meta["low"] * 0.5, meta["high"] * 1.5))])
            items.append(f"{name}={value}" if rng.random() > 0.05 else name)
        return items, rng.random() < 0.3

    def read(case: tuple[list[str], bool]) -> None:
        items, force = case
        a = Assumptions().replace(force=force, **parse_overrides(items))
        for name, value in parse_overrides(items).items():
            low, high = fields[name].metadata["low"], fields[name].metadata["high"]
            got = getattr(a, name)
            assert got == float(value) or got == int(float(value))
            if not low <= got <= high:
                assert force and any(name in w for w in forced_warnings(a)), (name, value)

    _run("constants", COUNTS["constants"], make, read, AssumptionError, tmp_path)


# -- archives ------------------------------------------------------------------------------------
def test_fuzz_archives(tmp_path):
    import bz2
    import gzip

    from network.sources.osm import check_expansion

    def make(rng: random.Random, i: int, tmp: Path) -> Path:
        suffix = rng.choice([".osm.bz2", ".osm.gz"])
        size = rng.choice([0, 10, 1 << 20, 70 << 20])  # 70 MB of zeros: over the 64 MB floor, over 100x
        head = bytes(rng.randrange(256) for _ in range(rng.randint(0, 2000)))
        buf = io.BytesIO()  # compressed piece by piece: the test never holds the expanded bytes
        with bz2.BZ2File(buf, "wb") if suffix.endswith("bz2") else gzip.GzipFile(fileobj=buf, mode="wb") as fh:
            fh.write(head)
            for k in range(0, size, 8 << 20):
                fh.write(bytes(min(8 << 20, size - k)))
        data = buf.getvalue()
        op = rng.randrange(4)
        if op == 1:
            data = data[: rng.randrange(len(data) + 1)]
        elif op == 2:
            data = data + data  # two streams
        elif op == 3:
            data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 500)))
        path = tmp / f"a{i % 10}{suffix}"
        path.write_bytes(data)
        return path

    def read(path: Path) -> None:
        check_expansion(path)

    _run("archives", COUNTS["archives"], make, read, DataError, tmp_path)


# -- text ----------------------------------------------------------------------------------------
def test_fuzz_text(tmp_path):
    import pandas as pd

    from network.tables import csv_text
    from network.textrules import BIDI_CONTROLS, FORMULA_START, checked_name, one_line

    alphabet = [
        "a",
        "阳",
        " ",
        "=",
        "+",
        "-",
        "@",
        "\t",
        "\r",
        "\n",
        "\x00",
        "\x1b",
        "\x7f",
        "\u202e",
        "\u2066",
        "\u200f",
        "\u061c",
        "'",
        '"',
        ",",
        "<",
        ">",
        "&",
        "1",
        ".",
        "\u00a0",
        "\ufeff",
        "\U0001f600",
    ]

    def make(rng: random.Random, _i: int, _tmp: Path) -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))

    def read(text: str) -> None:
        bad = any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in BIDI_CONTROLS for c in text)
        try:
            checked_name(text)
            assert not bad, repr(text)
        except ValueError:
            assert bad, repr(text)
        line = one_line(text)
        assert not any(ord(c) < 32 or c in BIDI_CONTROLS for c in line), repr(line)
        cells = pd.read_csv(
            io.StringIO(csv_text(pd.DataFrame({"t": [text], "n": [1.5]}))), dtype=str, keep_default_na=False
        )["t"]
        assert not cells.iloc[0].startswith(FORMULA_START) or cells.iloc[0] == "", repr(text)

    _run("text", COUNTS["text"], make, read, (), tmp_path)
