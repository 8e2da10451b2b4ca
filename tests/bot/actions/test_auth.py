"""Sign-in limits per account, per address and per both; unlocking; what the counters hold.

Each test here fails when its defence is removed: the answers of a refused sign-in must not
tell whether the account exists, and no single address may lock anyone out.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, select

from bot import passwords
from bot.actions import auth
from bot.actions.admin import reset_password
from bot.actions.auth import AuthError, SignInLimits
from bot.app import build_service
from bot.config import Settings
from bot.store.tables import AuditRow, Queue, SignInThrottle
from tests.support.chat import Harness

PASSWORD = "a long test password"
WRONG = "not the password"
HOME = "198.51.100.7"


class CountingHasher(PasswordHasher):
    """Cheap argon2 that counts how often a password was checked."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture(autouse=True)
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    """Cheap argon2 parameters: production cost (about 1 s here) would dominate the suite."""
    fast = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", fast)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", fast.hash("dummy password for timing"))
    return fast


async def attempt(
    harness: Harness, username: str, password: str = WRONG, source: str = HOME
) -> tuple[str, str]:
    """One sign-in; the (code, text) of the answer, or ("ok", "")."""
    try:
        await auth.sign_in(harness.core, username, password, source=source)
    except AuthError as error:
        return error.code, str(error)
    return "ok", ""


def later(harness: Harness, by: timedelta) -> None:
    harness.core.clock = lambda: datetime.now(UTC) + by


async def test_an_unknown_name_is_answered_exactly_like_an_existing_one(
    harness: Harness,
) -> None:
    await harness.staff("anna")
    existing = [await attempt(harness, "anna") for _ in range(8)]
    unknown = [await attempt(harness, "nobody-here") for _ in range(8)]
    assert existing == unknown
    assert existing[0] == ("invalid_credentials", "wrong username or password")
    assert existing[-1][0] == "locked"


async def test_a_locked_account_refuses_the_right_password_with_the_unknown_names_answer(
    harness: Harness,
) -> None:
    await harness.staff("anna")
    for _ in range(5):
        await attempt(harness, "anna")
        await attempt(harness, "nobody-here")
    assert await attempt(harness, "anna", PASSWORD) == await attempt(harness, "nobody-here")


async def test_every_answer_costs_one_argon2_check_locked_unknown_or_not(
    harness: Harness, hasher: CountingHasher
) -> None:
    await harness.staff("anna")
    for _ in range(5):
        await attempt(harness, "anna")
    cases = {
        "locked, right password": ("anna", PASSWORD, HOME),
        "wrong password": ("anna", "wrong", "203.0.113.9"),
        "unknown name": ("nobody-here", "wrong", "203.0.113.9"),
    }
    for case, (username, password, source) in cases.items():
        before = hasher.verified
        await attempt(harness, username, password, source)
        assert hasher.verified - before == 1, case


async def test_failures_from_one_address_do_not_lock_the_account_elsewhere(
    harness: Harness,
) -> None:
    await harness.staff("anna")
    for _ in range(10):
        await attempt(harness, "anna", source="203.0.113.66")
    assert (await attempt(harness, "anna", source="203.0.113.66"))[0] == "locked"
    assert await attempt(harness, "anna", PASSWORD, source=HOME) == ("ok", "")


async def test_one_address_guessing_at_many_names_is_refused_for_every_name(
    harness: Harness,
) -> None:
    await harness.staff("anna")
    for number in range(harness.core.settings.signin_failures_per_address):
        assert (await attempt(harness, f"name-{number}", source="203.0.113.66"))[0] != "locked"
    assert (await attempt(harness, "anna", PASSWORD, source="203.0.113.66"))[0] == "locked"
    assert await attempt(harness, "anna", PASSWORD, source=HOME) == ("ok", "")


async def test_guessing_spread_over_many_addresses_locks_the_account_until_the_back_off_ends(
    harness: Harness,
) -> None:
    await harness.staff("anna")
    limit = harness.core.settings.signin_failures_per_account
    for number in range(limit):
        await attempt(harness, "anna", source=f"10.0.{number // 200}.{number % 200}")
    assert (await attempt(harness, "anna", PASSWORD, source=HOME))[0] == "locked"
    later(harness, timedelta(minutes=16))
    assert await attempt(harness, "anna", PASSWORD, source=HOME) == ("ok", "")


async def test_repeated_refusals_last_twice_as_long_each_time_up_to_the_maximum(
    harness: Harness,
) -> None:
    limits = SignInLimits.of(harness.core.settings)
    assert [limits.refusal(n) for n in (1, 2, 3)] == [
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(minutes=60),
    ]
    assert limits.refusal(50) == timedelta(days=1)
    await harness.staff("anna")
    for _ in range(5):
        await attempt(harness, "anna")
    later(harness, timedelta(minutes=16))
    for _ in range(5):
        await attempt(harness, "anna")
    # The second refusal is 30 minutes: 16 minutes on, the right password is still refused.
    later(harness, timedelta(minutes=32))
    assert (await attempt(harness, "anna", PASSWORD))[0] == "locked"
    later(harness, timedelta(minutes=47))
    assert await attempt(harness, "anna", PASSWORD) == ("ok", "")


async def test_counters_hold_keyed_hashes_never_the_name_or_the_address(
    harness: Harness,
) -> None:
    await harness.staff("anna")
    await attempt(harness, "anna", source="203.0.113.66")
    await attempt(harness, "Mallory.Typed.This", source="203.0.113.66")
    async with harness.core.database.session() as session:
        rows = list((await session.execute(select(SignInThrottle))).scalars())
        audit = list((await session.execute(select(AuditRow))).scalars())
    stored = repr([row.model_dump() for row in rows]) + repr([a.model_dump() for a in audit])
    assert len(rows) == 5  # one address, two names, two (name, address) pairs
    for clear in ("anna", "mallory", "203.0.113", "Mallory"):
        assert clear not in stored


async def test_a_successful_sign_in_leaves_no_counter_behind(harness: Harness) -> None:
    await harness.staff("anna")
    assert await attempt(harness, "anna", PASSWORD) == ("ok", "")
    async with harness.core.database.session() as session:
        assert list((await session.execute(select(SignInThrottle))).scalars()) == []


async def test_counters_are_forgotten_a_day_after_their_last_failure(harness: Harness) -> None:
    await harness.staff("anna")
    for _ in range(5):
        await attempt(harness, "anna")
    later(harness, timedelta(days=2))
    await attempt(harness, "someone-else", PASSWORD, source="192.0.2.1")
    async with harness.core.database.session() as session:
        keys = list((await session.execute(select(SignInThrottle.key))).scalars())
    # Only the counters of the latest attempt are left; anna's were purged.
    assert len(keys) == 3


async def test_every_instance_sees_the_same_counters(harness: Harness, settings: Settings) -> None:
    await harness.staff("anna")
    other = build_service(settings)
    try:
        for _ in range(5):
            await attempt(harness, "anna")
        try:
            await auth.sign_in(other.core, "anna", PASSWORD, source=HOME)
        except AuthError as error:
            assert error.code == "locked"
        else:
            raise AssertionError("the other instance let a locked pair sign in")
    finally:
        await other.core.database.dispose()


async def test_parallel_guesses_cannot_outrun_the_limit(harness: Harness) -> None:
    await harness.staff("anna")
    answers = await asyncio.gather(*(attempt(harness, "anna") for _ in range(12)))
    assert sum(1 for code, _ in answers if code == "invalid_credentials") == 5


# ---- locked accounts and unlocking ---------------------------------------------------------


async def lock(harness: Harness, username: str) -> None:
    for _ in range(5):
        await attempt(harness, username)


async def other_queue(harness: Harness) -> None:
    async with harness.core.database.session() as session:
        session.add(Queue(id="money", name="Money", languages=["fi"], opening_hours={}))


async def test_a_supervisor_sees_and_unlocks_only_counsellors_of_their_own_queues(
    harness: Harness,
) -> None:
    await other_queue(harness)
    sari = await harness.staff("sari", role="supervisor", queues=("general",))
    await harness.staff("anna", queues=("general",))
    mikko = await harness.staff("mikko", queues=("money",))
    await harness.staff("saara", role="supervisor", queues=("general",))
    for name in ("anna", "mikko", "saara"):
        await lock(harness, name)
    listed = await auth.locked_accounts(harness.core, sari)
    assert [account.username for account in listed] == ["anna"]
    assert listed[0].addresses == 1 and not listed[0].everywhere
    with pytest.raises(AuthError) as refused:
        await auth.unlock(harness.core, sari, mikko.user_id)
    assert refused.value.code == "forbidden"
    await auth.unlock(harness.core, sari, listed[0].user_id)
    assert await attempt(harness, "anna", PASSWORD) == ("ok", "")
    assert (await attempt(harness, "mikko", PASSWORD))[0] == "locked"


async def test_an_admin_sees_and_unlocks_everyone(harness: Harness) -> None:
    ada = await harness.staff("ada", role="admin", queues=())
    await harness.staff("anna")
    await harness.staff("saara", role="supervisor")
    await lock(harness, "anna")
    await lock(harness, "saara")
    listed = await auth.locked_accounts(harness.core, ada)
    assert sorted(account.username for account in listed) == ["anna", "saara"]
    for account in listed:
        await auth.unlock(harness.core, ada, account.user_id)
    assert await auth.locked_accounts(harness.core, ada) == []
    assert await attempt(harness, "saara", PASSWORD) == ("ok", "")


@pytest.mark.parametrize("role", ["counsellor", "privacy_officer"])
async def test_other_roles_may_neither_list_nor_unlock(harness: Harness, role: str) -> None:
    staff = await harness.staff("olli", role=role)
    anna = await harness.staff("anna")
    await lock(harness, "anna")
    for call in (
        auth.locked_accounts(harness.core, staff),
        auth.unlock(harness.core, staff, anna.user_id),
    ):
        with pytest.raises(AuthError) as refused:
            await call
        assert refused.value.code == "forbidden"
    assert (await attempt(harness, "anna", PASSWORD))[0] == "locked"


async def test_an_unlock_is_audited_with_ids_only(harness: Harness) -> None:
    ada = await harness.staff("ada", role="admin", queues=())
    anna = await harness.staff("anna")
    await lock(harness, "anna")
    await auth.unlock(harness.core, ada, anna.user_id)
    async with harness.core.database.session() as session:
        records = list(
            (await session.execute(select(AuditRow).where(col(AuditRow.actor_id) == ada.user_id)))
            .scalars()
            .all()
        )
    assert [(r.action, r.object_id, r.purpose) for r in records] == [
        ("update", anna.user_id, "sign-in unlocked")
    ]
    assert "anna" not in repr(records[0].model_dump())


async def test_a_password_reset_lifts_the_accounts_sign_in_refusal(harness: Harness) -> None:
    anna = await harness.staff("anna")
    admin = await harness.staff("root", role="admin")
    for _ in range(8):
        await attempt(harness, "anna")
    assert (await attempt(harness, "anna", PASSWORD))[0] == "locked"
    new_password = await reset_password(harness.core, admin.actor(), anna.user_id)
    assert await attempt(harness, "anna", new_password) == ("ok", "")
