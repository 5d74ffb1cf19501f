"""Fuzzing: mutations of the shipped scenario, claim and OSM files never end in a traceback or a hang.

Each case is a shipped file with random edits (lines deleted, duplicated or swapped, values replaced
by hostile ones: huge, tiny, negative, nan, long strings, brackets, control bytes, paths out of
the folder; the text truncated or with bytes inserted). A case passes when the reader (for
scenarios: reading, then applying to the 2040 network) returns a result or raises the documented
error (:class:`ScenarioError` for scenario and claim files, :class:`DataError` for OSM files), in
under 10 s.

Default run: a few hundred cases. Long mode (``TAIHANG_FUZZ=long``): 10,000 scenario files, 2,000
claim files, 500 OSM XML files and 500 PBF files (a real extract cut at any byte or at a block
boundary, bytes flipped, blocks repeated or dropped, lengths made huge); it prints the counts and
times and checks the process stayed under 1 GB.
"""

from __future__ import annotations

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
}

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


def _run(kind: str, n: int, make, read, allowed, tmp_path: Path) -> dict[str, float]:
    rng = random.Random(f"{kind}-{n}")
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
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
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
    from network.claims import load_claim

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
    assert COUNTS == {"scenario": 10_000, "claim": 2_000, "osm": 500, "pbf": 500}
