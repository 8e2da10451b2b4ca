"""Sign-in limits: failure counters per account name, address and pair, and their back-off.

Never stores an account name or an address: counters are keyed by pepper-keyed hashes, and
which limit engaged is logged for operators, never told to the one signing in.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Settings
from bot.logs import log_event
from bot.store import sign_in_attempts as attempt_store
from bot.store.sign_in_attempts import CounterKey
from bot.store.tables import SignInThrottle, StaffUser
from privacy.pseudonym import pseudonymise

from .context import Work

# The sign-in's logger: operators read sign-in events, limits among them, under one name.
log = logging.getLogger("somesossu.auth")

MAX_USERNAME = 100
# A counter is forgotten this long after its last failure or refusal; until then a new
# refusal lasts twice as long as the one before (back-off), so steady guessing slows down.
STRIKE_MEMORY = timedelta(days=1)


class Scope:
    """What a sign-in counter counts failures of."""

    ACCOUNT = "account"
    ADDRESS = "address"
    PAIR = "pair"


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """Failures allowed per window for each scope, and how long a refusal lasts."""

    window: timedelta
    per_pair: int
    per_address: int
    per_account: int
    lockout: timedelta
    max_lockout: timedelta

    @classmethod
    def of(cls, settings: Settings) -> SignInLimits:
        return cls(
            window=timedelta(minutes=settings.signin_window_minutes),
            per_pair=settings.signin_failures_per_account_address,
            per_address=settings.signin_failures_per_address,
            per_account=settings.signin_failures_per_account,
            lockout=timedelta(minutes=settings.signin_lockout_minutes),
            max_lockout=timedelta(minutes=settings.signin_lockout_max_minutes),
        )

    def limit(self, scope: str) -> int:
        return {Scope.PAIR: self.per_pair, Scope.ADDRESS: self.per_address}.get(
            scope, self.per_account
        )

    def refusal(self, strikes: int) -> timedelta:
        """The back-off: the lockout, doubled for every earlier refusal, up to the maximum."""
        doubled: timedelta = self.lockout * (1 << min(max(strikes - 1, 0), 20))
        return min(doubled, self.max_lockout)


def normal_username(username: str) -> str:
    return username.strip()[:MAX_USERNAME]


def account_ref(pepper: bytes, username: str) -> str:
    """Keyed hash of an account name as typed (case-folded), whether or not the account exists."""
    return attempt_store.account_ref(pepper, normal_username(username))


def counter_keys(pepper: bytes, username: str, source: str) -> list[CounterKey]:
    account = account_ref(pepper, username)
    address = pseudonymise(pepper, "signin-address", source or "unknown")
    pair = pseudonymise(pepper, "signin-pair", f"{account}|{address}")
    return [
        CounterKey(f"{Scope.ACCOUNT}:{account}", Scope.ACCOUNT, account),
        CounterKey(f"{Scope.ADDRESS}:{address}", Scope.ADDRESS, ""),
        CounterKey(f"{Scope.PAIR}:{pair}", Scope.PAIR, account),
    ]


def refresh(counter: SignInThrottle, now: datetime, limits: SignInLimits) -> None:
    """Start a new window (or forget the counter entirely) once its time has passed."""
    if counter.expires_at <= now:
        counter.strikes = 0
        counter.locked_until = None
        counter.failures = 0
        counter.window_started_at = now
    elif counter.window_started_at + limits.window <= now:
        counter.failures = 0
        counter.window_started_at = now


def count_failure(counter: SignInThrottle, now: datetime, limits: SignInLimits) -> bool:
    """Add one failure; True when that reached the limit and a refusal starts now."""
    counter.failures += 1
    locked = counter.failures >= limits.limit(counter.scope)
    if locked:
        counter.strikes += 1
        counter.locked_until = now + limits.refusal(counter.strikes)
        counter.failures = 0
        counter.window_started_at = now
    counter.expires_at = max(now + limits.window, counter.locked_until or now) + STRIKE_MEMORY
    return locked


def refusing(counter: SignInThrottle, now: datetime) -> bool:
    return counter.locked_until is not None and counter.locked_until > now


def count_failures(counters: Sequence[SignInThrottle], now: datetime, limits: SignInLimits) -> None:
    for counter in counters:
        if count_failure(counter, now, limits):
            # Which limit engaged is for operators (how often, which kind), never the answer.
            log_event(log, "auth.sign_in_limit", logging.WARNING, scope=counter.scope)


async def store_counters(work: Work, counters: Sequence[SignInThrottle]) -> None:
    for counter in counters:
        if counter.failures == 0 and counter.strikes == 0 and counter.locked_until is None:
            # Nothing to remember: no row says that someone signed in from somewhere.
            await work.session.delete(counter)
        else:
            work.session.add(counter)


def mirror_lock(
    work: Work, user: StaffUser, counters: Sequence[SignInThrottle], now: datetime
) -> None:
    """Keep `staff_user.locked_until` showing the latest refusal of this account, for admins."""
    refusals = [
        c.locked_until
        for c in counters
        if c.scope != Scope.ADDRESS and c.locked_until is not None and c.locked_until > now
    ]
    until = max(refusals, default=None)
    if until is None and user.locked_until is not None and user.locked_until > now:
        return  # refused from another address: that counter is not among these
    if user.locked_until != until:
        user.locked_until = until
        work.session.add(user)
