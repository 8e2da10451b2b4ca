"""Column types that make plaintext storage of resident data structurally impossible.

A `SealedColumn` accepts only `privacy.crypto.Sealed` values; binding a `str` or raw bytes
raises before anything reaches the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from privacy.crypto import Sealed, WrappedKey


class PlaintextRefused(TypeError):
    """Something other than a sealed value was about to be written to a sealed column."""


class SealedType(TypeDecorator[Sealed]):
    """Binary column holding AES-GCM sealed values; refuses anything that is not `Sealed`."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, Sealed):
            raise PlaintextRefused(
                f"a sealed column accepts only Sealed values, not {type(value).__name__}"
            )
        return bytes(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Sealed | None:
        if value is None:
            return None
        return Sealed.from_bytes(bytes(value))


class WrappedKeyType(TypeDecorator[WrappedKey]):
    """Binary column holding a data key wrapped by a versioned key-encryption key."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, WrappedKey):
            raise PlaintextRefused(
                f"a key column accepts only WrappedKey values, not {type(value).__name__}"
            )
        return value.to_bytes()

    def process_result_value(self, value: Any, dialect: Dialect) -> WrappedKey | None:
        if value is None:
            return None
        return WrappedKey.from_bytes(bytes(value))
