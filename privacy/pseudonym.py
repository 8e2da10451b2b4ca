"""Keyed pseudonyms for platform identities, and reference codes residents can read out.

Never stores, logs or returns the platform identity itself; never derives without the pepper.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Final, NewType

from privacy.crypto import MIN_SECRET_BYTES
from privacy.errors import KeyConfigError

__all__ = [
    "Pseudonym",
    "normalise_reference_code",
    "pseudonymise",
    "reference_code",
]

Pseudonym = NewType("Pseudonym", str)
"""``"p_"`` + 26 lowercase base32 characters; stands for one identity on one channel."""

PSEUDONYM_PREFIX: Final = "p_"

# 128 bits: the birthday bound puts the first expected collision near 2^64 identities, so
# even 10^8 identities collide with probability about 10^-23, while the id stays short
# enough for logs and URLs. Truncation does not help an attacker: without the secret
# pepper no pseudonym can be computed or checked at all, whatever its length.
_PSEUDONYM_BYTES: Final = 16

_REFERENCE_LABEL: Final = b"somesossu/reference-code/v1\x00"
_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# 10 symbols of 5 bits: 50 bits, enough that two residents of one service practically never
# share a code (10^5 residents: about 4 in a million), short enough to read over the phone.
_REFERENCE_SYMBOLS: Final = 10
_CONFUSABLES: Final = str.maketrans({"O": "0", "I": "1", "L": "1"})
_IGNORED: Final = str.maketrans("", "", " -\t\n\r")


def _check_pepper(pepper: bytes) -> None:
    # An empty or short pepper would make pseudonyms a plain hash anyone can recompute from
    # a platform id, which is exactly the linkage the pepper exists to prevent.
    if not isinstance(pepper, bytes) or len(pepper) < MIN_SECRET_BYTES:
        raise KeyConfigError(f"the pepper must be at least {MIN_SECRET_BYTES} bytes")


def pseudonymise(pepper: bytes, channel: str, platform_id: str) -> Pseudonym:
    """HMAC-SHA256(pepper, "channel:platform_id"), first 128 bits, base32, prefixed "p_".

    Stable for the same pepper, channel and id; unrelated across channels and peppers.
    """
    _check_pepper(pepper)
    # A colon in the channel name would make "a:b" + "c" and "a" + "b:c" the same input.
    if not channel or ":" in channel:
        raise ValueError("channel must be a non-empty name without ':'")
    if not platform_id:
        raise ValueError("platform_id must not be empty")
    digest = hmac.new(pepper, f"{channel}:{platform_id}".encode(), hashlib.sha256).digest()
    encoded = base64.b32encode(digest[:_PSEUDONYM_BYTES]).decode("ascii").rstrip("=").lower()
    return Pseudonym(PSEUDONYM_PREFIX + encoded)


def reference_code(pepper: bytes, pseudonym: Pseudonym) -> str:
    """A code like ``"7K3QD-M0XZ2"`` a resident can read to a privacy officer.

    Derived under its own label so it neither reveals nor can be turned into the pseudonym;
    the officer finds the resident by computing codes for stored pseudonyms. It identifies,
    it does not authenticate: anyone who reads a code can quote it.
    """
    _check_pepper(pepper)
    digest = hmac.new(pepper, _REFERENCE_LABEL + pseudonym.encode(), hashlib.sha256).digest()
    bits = int.from_bytes(digest[:8], "big") >> (64 - 5 * _REFERENCE_SYMBOLS)
    symbols = [
        _CROCKFORD[(bits >> (5 * (_REFERENCE_SYMBOLS - 1 - i))) & 0x1F]
        for i in range(_REFERENCE_SYMBOLS)
    ]
    return _group("".join(symbols))


def _group(symbols: str) -> str:
    half = _REFERENCE_SYMBOLS // 2
    return f"{symbols[:half]}-{symbols[half:]}"


def normalise_reference_code(text: str) -> str:
    """Canonical ``"XXXXX-XXXXX"`` form of a code as typed or heard.

    Accepts lower case, spaces, a missing dash and the look-alikes O (zero), I and L (one).
    ValueError with a generic message otherwise, so a typo never echoes into logs.
    """
    symbols = text.upper().translate(_IGNORED).translate(_CONFUSABLES)
    if len(symbols) != _REFERENCE_SYMBOLS or any(s not in _CROCKFORD for s in symbols):
        raise ValueError("not a valid reference code")
    return _group(symbols)
