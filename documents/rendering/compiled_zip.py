"""Zip archives written from ready bytes: each member deflated once (the parts no tag
touches, when a template is compiled) or per document (the templated parts), then the
archive laid out by hand — no data descriptors, no ZIP64 — as ``zipfile`` reads it."""

from __future__ import annotations

import datetime
import struct
import zlib
from dataclasses import dataclass

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


@dataclass(frozen=True)
class ZipMember:
    """One deflated member: its name, flags, CRC, size and raw deflate stream."""

    name: bytes
    flags: int
    crc: int
    size: int
    data: bytes  # raw deflate stream

    @classmethod
    def deflated(cls, name: str, payload: bytes, level: int) -> ZipMember:
        if len(payload) >= 0xFFFFFFFF:
            raise ValueError(f"Part {name} is too large for a zip without ZIP64.")
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        data = compressor.compress(payload) + compressor.flush()
        flags = 0 if name.isascii() else 0x800  # UTF-8 name
        return cls(name.encode(), flags, zlib.crc32(payload), len(payload), data)


def zip_archive(members: list[ZipMember], stamp: tuple[int, int]) -> bytes:
    """A zip archive of ``members`` (deflated, no data descriptors, no ZIP64)."""
    dos_time, dos_date = stamp
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for member in members:
        entry = (member.flags, 8, dos_time, dos_date, member.crc, len(member.data), member.size)
        header = _LOCAL.pack(b"PK\x03\x04", 20, *entry, len(member.name), 0)
        chunks += (header, member.name, member.data)
        directory.append(
            _CENTRAL.pack(b"PK\x01\x02", 20, 20, *entry, len(member.name), 0, 0, 0, 0, 0, offset)
            + member.name
        )
        offset += len(header) + len(member.name) + len(member.data)
    central = b"".join(directory)
    count = len(members)
    chunks += (central, _END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), offset, 0))
    return b"".join(chunks)


def dos_stamp(moment: datetime.datetime) -> tuple[int, int]:
    """``moment`` as the (time, date) pair of a zip header."""
    return (
        moment.hour << 11 | moment.minute << 5 | moment.second // 2,
        (moment.year - 1980) << 9 | moment.month << 5 | moment.day,
    )
