"""Sign-in failure counters shared by every instance: per account, per address, per both.

Rows are keyed by pepper-keyed hashes only; never holds an account name or a network address
in clear, and never keeps a row past its expiry (purged on the way, without waiting for locks).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from privacy.pseudonym import pseudonymise

from .tables import SignInThrottle


def account_ref(pepper: bytes, username: str) -> str:
    """Keyed hash of an account name (case-folded), whether or not the account exists."""
    return pseudonymise(pepper, "signin-account", username.strip().casefold() or "-")


@dataclass(frozen=True, slots=True)
class CounterKey:
    """Which counter: its keyed-hash `key`, its scope and the keyed hash of its account."""

    key: str
    scope: str
    account_ref: str = ""


async def lock_counters(
    session: AsyncSession, keys: Sequence[CounterKey], now: datetime, expires_at: datetime
) -> list[SignInThrottle]:
    """The stored counters of `keys` (created empty where missing), locked until commit.

    Locked in key order so that concurrent sign-ins on several instances cannot deadlock, and
    held while the password is checked so that parallel guesses cannot all read a count of 0.
    """
    found: list[SignInThrottle] = []
    for counter in sorted(keys, key=lambda k: k.key):
        found.append(await _lock_one(session, counter, now, expires_at))
    return found


async def _lock_one(
    session: AsyncSession, counter: CounterKey, now: datetime, expires_at: datetime
) -> SignInThrottle:
    bind = session.bind
    postgres = bind is not None and bind.dialect.name == "postgresql"
    insert = pg_insert if postgres else sqlite_insert
    # A row another sign-in deletes (nothing left to count) while this one waits for its
    # lock is gone when the wait ends: insert it again.
    for _ in range(5):
        fresh = insert(SignInThrottle).values(
            key=counter.key,
            scope=counter.scope,
            account_ref=counter.account_ref,
            failures=0,
            window_started_at=now,
            strikes=0,
            locked_until=None,
            expires_at=expires_at,
        )
        await session.execute(fresh.on_conflict_do_nothing(index_elements=["key"]))
        stored = (
            await session.execute(
                select(SignInThrottle)
                .where(col(SignInThrottle.key) == counter.key)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        if stored is not None:
            return stored
    raise RuntimeError("a sign-in counter kept disappearing")


async def of_accounts(
    session: AsyncSession, account_refs: Iterable[str], now: datetime
) -> list[SignInThrottle]:
    """Counters of these accounts (alone and per address) that refuse sign-ins now."""
    refs = list(account_refs)
    if not refs:
        return []
    rows = await session.execute(
        select(SignInThrottle).where(
            col(SignInThrottle.account_ref).in_(refs),
            col(SignInThrottle.locked_until) > now,
        )
    )
    return list(rows.scalars())


async def clear_account(session: AsyncSession, account_ref: str) -> int:
    """Forget every counter of one account (alone and per address); the number removed."""
    rows = await session.execute(
        select(SignInThrottle).where(col(SignInThrottle.account_ref) == account_ref)
    )
    found = list(rows.scalars())
    for row in found:
        await session.delete(row)
    return len(found)


async def purge_expired(session: AsyncSession, now: datetime) -> None:
    """Delete counters past their expiry; rows another sign-in holds are left for next time."""
    expired = (
        select(col(SignInThrottle.key))
        .where(col(SignInThrottle.expires_at) < now)
        .limit(500)
        # SKIP LOCKED: a purge never waits behind (or deadlocks with) a sign-in in progress.
        .with_for_update(skip_locked=True)
    )
    keys = list((await session.execute(expired)).scalars())
    if keys:
        await session.execute(delete(SignInThrottle).where(col(SignInThrottle.key).in_(keys)))
