"""Completeness of an OSM PBF file, from its block structure (no full decode).

A PBF file is a sequence of blocks: a 4-byte length, a ``BlobHeader`` (its type and the size of
the data), then the ``Blob``. A file cut in the middle of a block is found by its sizes. A file cut
*at* a block boundary is still a valid PBF: libosmium reads it without complaint and the build
would miss whatever came after the cut. Extracts are sorted by type then id (nodes, ways,
relations: the ``Sort.Type_then_ID`` convention of osmium, osmosis and Geofabrik), so an extract
of a real area ends with relations (boundaries, routes). :func:`pbf_completeness` decodes only
the **last** data block and reports when it holds no relation: the file ends before its
relations, which is what a cut download looks like. A file made without relations (a hand-made
test file) reads the same, so this is a warning carried with the network, not a refusal.

Format: https://wiki.openstreetmap.org/wiki/PBF_Format (fileformat.proto, osmformat.proto).
"""

from __future__ import annotations

import zlib
from pathlib import Path

from network.errors import DataError

MAX_HEADER_BYTES = 64 * 1024  # the format's own limit for a BlobHeader
MAX_BLOB_BYTES = 32 * 1024 * 1024  # the format's own limit for a Blob


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    out = shift = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise ValueError("bad varint")
        b = buf[i]
        i += 1
        out |= (b & 0x7F) << shift
        if b < 0x80:
            return out, i
        shift += 7


def _fields(buf: bytes) -> list[tuple[int, int | bytes]]:
    """The top-level (field number, value) pairs of a protobuf message: varints as ints,
    length-delimited fields as bytes (other wire types skipped)."""
    out: list[tuple[int, int | bytes]] = []
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
            out.append((number, value))
        elif wire == 2:
            size, i = _varint(buf, i)
            if i + size > len(buf):
                raise ValueError("field runs past the message")
            out.append((number, buf[i : i + size]))
            i += size
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ValueError(f"wire type {wire}")
    return out


def pbf_completeness(path: str | Path) -> str | None:
    """``None`` if ``path`` looks whole, else a warning (one sentence with the fix) that its last
    block holds no relations.

    Walks the block headers (seeking past the data), then decodes the last ``OSMData`` block.
    Blocks compressed other than with zlib (or stored raw) are not decoded; the check then passes.

    Raises
    ------
    DataError
        If the file is cut inside a block or its last block is damaged: certainly incomplete.
    """
    p = Path(path)
    size = p.stat().st_size
    last: tuple[int, int] | None = None  # offset and size of the last OSMData blob
    with p.open("rb") as f:
        pos = 0
        while pos < size:
            head = f.read(4)
            if len(head) < 4:
                raise DataError(f"{p}: cut short inside a block header (an interrupted download?); download it again")
            n = int.from_bytes(head, "big")
            if n > MAX_HEADER_BYTES:
                return None  # not a block structure this walker knows; libosmium judges the file
            try:
                fields = dict(_fields(f.read(n)))
            except ValueError:
                return None
            kind, datasize = fields.get(1, b""), fields.get(3, 0)
            if not isinstance(datasize, int) or datasize > MAX_BLOB_BYTES:
                return None
            pos += 4 + n + datasize
            if pos > size:
                raise DataError(
                    f"{p}: cut short inside a block ({size:,} bytes, the last block needs "
                    f"{pos - size:,} more; an interrupted download?); download it again"
                )
            if kind == b"OSMData":
                last = (pos - datasize, datasize)
            f.seek(pos)
        if last is None:
            raise DataError(f"{p}: holds no data blocks; give a whole OpenStreetMap extract")
        f.seek(last[0])
        blob = dict(_fields(f.read(last[1])))
    raw, packed = blob.get(1), blob.get(3)
    if isinstance(raw, bytes):
        block = raw
    elif isinstance(packed, bytes):
        try:
            block = zlib.decompress(packed)
        except zlib.error:
            raise DataError(
                f"{p}: its last block does not decompress (a damaged download?); download it again"
            ) from None
    else:
        return None  # lzma, lz4 or zstd: not decoded here
    kinds: set[int] = set()
    try:
        for number, group in _fields(block):
            if number == 2 and isinstance(group, bytes):  # PrimitiveGroup: 1 nodes, 2 dense, 3 ways, 4 relations
                kinds.update(k for k, _ in _fields(group))
    except ValueError:
        raise DataError(f"{p}: its last block cannot be decoded (a damaged download?); download it again") from None
    if 4 not in kinds:
        what = "ways" if 3 in kinds else "nodes"
        return (
            f"{p}: ends with {what} and no relations; a sorted extract of a real area ends with its relations, "
            "so the file may be cut short at a block boundary (an interrupted download) and miss "
            f"{'ways and ' if what == 'nodes' else ''}relations. Compare its size or checksum with the source "
            "(e.g. Geofabrik's .md5) and download it again if they differ"
        )
    return None
