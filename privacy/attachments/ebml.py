"""EBML (RFC 8794), the container syntax of Matroska and WebM: element headers read with bounds.

Reads only: an element's ID, where its body starts and ends. Never trusts a declared size
past the bytes at hand, never recurses (callers walk the few levels WebM has), and raises
nothing but `Malformed`, which callers turn into a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
EBML_HEADER = 0x1A45DFA3
DOC_TYPE = 0x4282
DOC_TYPE_READ_VERSION = 0x4285
EBML_READ_VERSION = 0x42F7
EBML_MAX_ID_LENGTH = 0x42F2
EBML_MAX_SIZE_LENGTH = 0x42F3
VOID = 0xEC
CRC32 = 0xBF


class Malformed(Exception):
    """The bytes are not the EBML they claim to be. Carries no content."""


@dataclass(frozen=True, slots=True)
class Element:
    id: int
    start: int  # the first byte of the body
    end: int  # one past the body's last byte; the parent's end when the size is unknown
    unknown_size: bool


def read_vint(data: bytes, position: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """A variable-length integer at `position`: (value, length, all value bits set).

    IDs keep their length marker (0x1A45DFA3); sizes and track numbers drop it.
    """
    if position >= len(data):
        raise Malformed
    first = data[position]
    if first == 0:
        raise Malformed  # longer than 8 bytes: not allowed in WebM
    length = 9 - first.bit_length()
    if position + length > len(data):
        raise Malformed
    value = int.from_bytes(data[position : position + length], "big")
    payload_bits = 7 * length
    payload = value & ((1 << payload_bits) - 1)
    all_ones = payload == (1 << payload_bits) - 1
    return (value if keep_marker else payload), length, all_ones


def read_element(data: bytes, position: int, parent_end: int) -> Element:
    """The element whose header starts at `position`, its body within `parent_end`."""
    element_id, id_length, _ = read_vint(data, position, keep_marker=True)
    if id_length > 4:
        raise Malformed
    size, size_length, unknown = read_vint(data, position + id_length, keep_marker=False)
    start = position + id_length + size_length
    if unknown:
        return Element(element_id, start, parent_end, True)
    end = start + size
    if end > parent_end:
        raise Malformed
    return Element(element_id, start, end, False)


def children(data: bytes, parent: Element) -> list[Element]:
    """The elements directly inside a parent of known size, in order; none of unknown size."""
    found, position = [], parent.start
    while position < parent.end:
        child = read_element(data, position, parent.end)
        if child.unknown_size:
            raise Malformed
        found.append(child)
        position = child.end
    return found


def unsigned(data: bytes, element: Element) -> int:
    body = data[element.start : element.end]
    if len(body) > 8:
        raise Malformed
    return int.from_bytes(body, "big")


def doc_type(data: bytes) -> bytes | None:
    """The DocType of the EBML header that opens `data` ("webm", "matroska"), None if none."""
    try:
        header = read_element(data, 0, len(data))
        if header.id != EBML_HEADER or header.unknown_size:
            return None
        for child in children(data, header):
            if child.id == DOC_TYPE:
                return data[child.start : child.end].rstrip(b"\0")
    except Malformed:
        return None
    return None
