"""Errors raised by the privacy library, one small hierarchy the core can catch as a whole.

Messages must never contain key material, plaintext, pseudonyms of residents or setting values.
"""

from __future__ import annotations

__all__ = ["IntegrityError", "KeyConfigError", "KeyUnavailable", "PrivacyError"]


class PrivacyError(Exception):
    """Base class of every error this package raises on purpose."""


class KeyUnavailable(PrivacyError):
    """A KEK version or a data key is missing or destroyed.

    This is the expected outcome when opening a crypto-shredded value: the data is gone by
    design, not corrupted, so callers should treat it as "deleted" rather than as an alarm.
    """


class IntegrityError(PrivacyError):
    """Authentication failed: wrong key, wrong associated data, or the bytes were tampered with."""


class KeyConfigError(PrivacyError):
    """Key material in settings or in the key file is malformed, too short or inconsistent."""
