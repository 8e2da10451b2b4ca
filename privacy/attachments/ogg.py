"""Ogg pages (RFC 3533) read and written: enough to rewrite an Opus stream's header pages."""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace

_HEADER = struct.Struct("<4sBBqIIIB")
_CRC_AT = 22
BEGINNING_OF_STREAM = 0x02
END_OF_STREAM = 0x04


def _crc_table() -> list[int]:
    table = []
    for index in range(256):
        crc = index << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_CRC_TABLE = _crc_table()


def ogg_crc(data: bytes) -> int:
    """Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, no final inversion)."""
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC_TABLE[(crc >> 24) ^ byte]
    return crc


@dataclass(frozen=True, slots=True)
class Page:
    flags: int
    granule: int
    serial: int
    sequence: int
    lacing: bytes
    body: bytes

    @property
    def ends_packet(self) -> bool:
        """Whether the page's last segment closes a packet (a lacing value under 255)."""
        return bool(self.lacing) and self.lacing[-1] < 255

    def packets(self) -> list[bytes]:
        """The packet pieces on this page; the last may continue on the next page."""
        pieces, start, size = [], 0, 0
        for value in self.lacing:
            size += value
            if value < 255:
                pieces.append(self.body[start : start + size])
                start, size = start + size, 0
        if size:
            pieces.append(self.body[start : start + size])
        return pieces

    def renumbered(self, sequence: int) -> Page:
        return replace(self, sequence=sequence)

    def encode(self) -> bytes:
        header = _HEADER.pack(
            b"OggS", 0, self.flags, self.granule, self.serial, self.sequence, 0, len(self.lacing)
        )
        page = header + self.lacing + self.body
        return page[:_CRC_AT] + struct.pack("<I", ogg_crc(page)) + page[_CRC_AT + 4 :]


def page_of(packet: bytes, *, serial: int, sequence: int, granule: int, flags: int = 0) -> Page:
    """One page holding one whole packet (at most 255 segments, about 64 kB)."""
    return page_of_packets([packet], serial=serial, sequence=sequence, granule=granule, flags=flags)


def page_of_packets(
    packets: list[bytes], *, serial: int, sequence: int, granule: int, flags: int = 0
) -> Page:
    """One page holding whole packets; the caller keeps them within 255 lacing values."""
    lacing = b"".join(bytes([255] * (len(p) // 255) + [len(p) % 255]) for p in packets)
    if len(lacing) > 255:
        raise ValueError("packets too long for one page")
    return Page(flags, granule, serial, sequence, lacing, b"".join(packets))


def read_pages(data: bytes) -> list[Page] | None:
    """Every page of the file, None unless it is a clean sequence of pages with good CRCs."""
    pages, position = [], 0
    while position < len(data):
        if len(data) - position < _HEADER.size:
            return None
        magic, version, flags, granule, serial, sequence, crc, segments = _HEADER.unpack_from(
            data, position
        )
        if magic != b"OggS" or version != 0:
            return None
        lacing_end = position + _HEADER.size + segments
        lacing = data[position + _HEADER.size : lacing_end]
        end = lacing_end + sum(lacing)
        if len(lacing) != segments or end > len(data):
            return None
        raw = data[position:end]
        if ogg_crc(raw[:_CRC_AT] + b"\0\0\0\0" + raw[_CRC_AT + 4 :]) != crc:
            return None
        pages.append(Page(flags, granule, serial, sequence, lacing, data[lacing_end:end]))
        position = end
    return pages
