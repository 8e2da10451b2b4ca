"""Data keys of conversations, PII vaults and the system, and sealing with them.

Unwrapped keys are cached in memory only; erasing a conversation evicts its keys. Never
writes an unwrapped key anywhere.
"""

from __future__ import annotations

from collections import OrderedDict
from enum import StrEnum

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, delete, select

from privacy.crypto import DataKey, KeyRing
from privacy.errors import KeyUnavailable

from .ids import new_id
from .store.scrub import mark_shredded
from .store.tables import DataKeyRow, utcnow

SYSTEM_OWNER = "system"


class KeyPurpose(StrEnum):
    CONVERSATION = "conversation"
    PII_VAULT = "pii_vault"
    # The conversation's files, under a key of their own so that their shorter retention
    # shreds them while the text is kept (bot/attachments.py, bot/jobs.py).
    ATTACHMENT = "attachment"
    SYSTEM = "system"


CONVERSATION_PURPOSES: tuple[KeyPurpose, ...] = (
    KeyPurpose.CONVERSATION,
    KeyPurpose.PII_VAULT,
    KeyPurpose.ATTACHMENT,
)
"""Every key a conversation may own: erasing the conversation destroys them all."""


def key_context(owner_id: str, purpose: KeyPurpose) -> str:
    return f"{purpose}:{owner_id}"


class KeyStore:
    """Creates, unwraps (with a bounded cache) and destroys data keys."""

    def __init__(self, keyring: KeyRing, *, cache_size: int = 20_000) -> None:
        self.keyring = keyring
        self._cache: OrderedDict[tuple[str, KeyPurpose], DataKey] = OrderedDict()
        self._cache_size = cache_size

    def _remember(self, owner_id: str, purpose: KeyPurpose, key: DataKey) -> None:
        self._cache[(owner_id, purpose)] = key
        self._cache.move_to_end((owner_id, purpose))
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def create(self, session: AsyncSession, owner_id: str, purpose: KeyPurpose) -> DataKey:
        key = DataKey.generate()
        wrapped = self.keyring.wrap(key, context=key_context(owner_id, purpose))
        session.add(
            DataKeyRow(
                owner_id=owner_id,
                purpose=str(purpose),
                kek_version=wrapped.kek_version,
                wrapped=wrapped,
            )
        )
        self._remember(owner_id, purpose, key)
        return key

    async def get(self, session: AsyncSession, owner_id: str, purpose: KeyPurpose) -> DataKey:
        """The data key, or KeyUnavailable when it was destroyed (crypto-shredded)."""
        cached = self._cache.get((owner_id, purpose))
        if cached is not None:
            self._cache.move_to_end((owner_id, purpose))
            return cached
        row = (
            await session.execute(
                select(DataKeyRow).where(
                    DataKeyRow.owner_id == owner_id, DataKeyRow.purpose == str(purpose)
                )
            )
        ).scalar_one_or_none()
        if row is None:
            raise KeyUnavailable(f"no {purpose} key for this owner")
        key = self.keyring.unwrap(row.wrapped, context=key_context(owner_id, purpose))
        self._remember(owner_id, purpose, key)
        return key

    async def ensure(self, session: AsyncSession, owner_id: str, purpose: KeyPurpose) -> DataKey:
        """The data key, made now if the owner has none yet.

        For keys made on first use (a conversation's first file, the system key), which two
        instances may both find missing at once: the first insert wins and the other reads
        the winner's key, so nothing is ever sealed under a key that was not kept.
        """
        try:
            return await self.get(session, owner_id, purpose)
        except KeyUnavailable:
            pass
        wrapped = self.keyring.wrap(DataKey.generate(), context=key_context(owner_id, purpose))
        values = {
            "id": new_id(),
            "owner_id": owner_id,
            "purpose": str(purpose),
            "kek_version": wrapped.kek_version,
            "wrapped": wrapped,
            "created_at": utcnow(),
        }
        bind = session.bind
        insert = (
            postgresql_insert
            if bind is not None and bind.dialect.name == "postgresql"
            else sqlite_insert
        )
        await session.execute(
            insert(DataKeyRow)
            .values(values)
            .on_conflict_do_nothing(index_elements=["owner_id", "purpose"])
        )
        # Read back whichever insert won; on PostgreSQL a concurrent one that committed
        # first is visible to this new statement.
        return await self.get(session, owner_id, purpose)

    async def system_key(self, session: AsyncSession) -> DataKey:
        return await self.ensure(session, SYSTEM_OWNER, KeyPurpose.SYSTEM)

    async def destroy(
        self, session: AsyncSession, owner_id: str, purposes: tuple[KeyPurpose, ...]
    ) -> int:
        """Delete the wrapped keys: everything sealed with them becomes unreadable for good.

        Also marks the transaction so that, once it commits, the database scrubs the copies
        of the wrapped keys the deletion leaves on disk (bot/store/scrub.py).
        """
        mark_shredded(session)
        for purpose in purposes:
            self._cache.pop((owner_id, purpose), None)
        result = await session.execute(
            delete(DataKeyRow).where(
                col(DataKeyRow.owner_id) == owner_id,
                col(DataKeyRow.purpose).in_([str(p) for p in purposes]),
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def forget(self, owner_id: str) -> None:
        """Drop cached keys of an owner (after another instance shredded them)."""
        for purpose in KeyPurpose:
            self._cache.pop((owner_id, purpose), None)
