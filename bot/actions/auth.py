"""Staff sign-in, sessions, sign-out, password and TOTP changes, each with an audit record.

Never logs, audits or returns a password, a TOTP code or the username of a failed attempt;
only a SHA-256 hash of a session token is ever stored. A refused sign-in never tells whether
the account exists or which limit refused it: the same answer, after the same argon2 work.
The failure counters and their back-off are `sign_in_limits.py`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, delete

from bot.access import Staff
from bot.errors import ServiceError
from bot.passwords import WeakPassword, hash_password, verify_password
from bot.roles import Capability, Role, can
from bot.sealed_formats import TOTP_SECRET
from bot.store import consultations as consultation_store
from bot.store import sign_in_attempts as attempt_store
from bot.store import users as user_store
from bot.store.tables import SignInThrottle, StaffSession, StaffUser
from privacy.audit import AuditAction, AuditOutcome
from privacy.crypto import seal, unseal
from privacy.errors import PrivacyError

from .context import Actor, Core, Work, unit_of_work
from .sign_in_limits import MAX_USERNAME as MAX_USERNAME
from .sign_in_limits import STRIKE_MEMORY as STRIKE_MEMORY
from .sign_in_limits import Scope as Scope
from .sign_in_limits import SignInLimits as SignInLimits
from .sign_in_limits import (
    account_ref,
    count_failures,
    counter_keys,
    mirror_lock,
    normal_username,
    refresh,
    refusing,
    store_counters,
)
from .users import MAX_DISPLAY_NAME as MAX_DISPLAY_NAME
from .users import UserError, clean_display_name

IDLE_EXPIRY = timedelta(minutes=30)
ABSOLUTE_EXPIRY = timedelta(hours=12)
# last_seen_at is refreshed at most this often: one write per request would be wasteful.
TOUCH_EVERY = timedelta(seconds=30)
THROTTLED_TEXT = "too many failed sign-ins: try again later"


class AuthError(ServiceError):
    """A refused sign-in or account change; `code` is stable, the text is safe to show."""


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: the cookie token (given to the browser once) and its CSRF token."""

    token: str
    csrf_token: str
    user_id: str


@dataclass(frozen=True, slots=True)
class Authenticated:
    """A valid session and its user, as read at the start of a request."""

    session: StaffSession
    user: StaffUser
    queues: tuple[str, ...]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def _totp_secret(work: Work, user: StaffUser) -> str | None:
    if user.totp_secret is None:
        return None
    key = await work.core.keys.system_key(work.session)
    try:
        return unseal(key, user.totp_secret, aad=TOTP_SECRET.context(user.id))
    except PrivacyError:
        return None


def _totp_ok(secret: str, code: str) -> bool:
    code = "".join(code.split())
    if not code.isdigit():
        return False
    # One step either side: clocks of phones drift.
    return bool(pyotp.TOTP(secret).verify(code, valid_window=1))


async def _audit_update(work: Work, user: StaffUser, purpose: str) -> None:
    await work.audit(
        _actor(user),
        AuditAction.UPDATE,
        object_type="staff_user",
        object_id=user.id,
        purpose=purpose,
    )


def _actor(user: StaffUser) -> Actor:
    return Actor(user.id, user.role)


def _throttled() -> AuthError:
    # One answer for every limit, and for names that exist or not: the answer tells an
    # attacker only that this name from this address is refused for now.
    return AuthError("locked", THROTTLED_TEXT)


async def sign_in(
    core: Core, username: str, password: str, totp: str = "", *, source: str
) -> SignedIn:
    """Check the password (and TOTP when the user has it) under the sign-in limits.

    `source` is the signing-in network address; it is only ever stored as a keyed hash.
    Failures are counted per (account name, address), per address and per account name,
    whether the account exists or not, so the answers follow the same sequence either way.
    """
    limits = SignInLimits.of(core.settings)
    name = normal_username(username)
    keys = counter_keys(core.keyring.pepper, name, source)
    async with core.database.session() as session:
        await attempt_store.purge_expired(session, core.now())
    async with unit_of_work(core) as work:
        now = core.now()
        counters = await attempt_store.lock_counters(
            work.session, keys, now, now + limits.window + STRIKE_MEMORY
        )
        for counter in counters:
            refresh(counter, now, limits)
        user = await user_store.by_username(work.session, name)
        # argon2 runs for every attempt (unknown name, refused, or not) so that the time an
        # answer takes tells nothing either.
        password_ok = verify_password(user.password_hash if user else None, password)
        failure: AuthError | None
        if any(refusing(counter, now) for counter in counters):
            failure, failed = _throttled(), "throttled"
        else:
            failure, failed = await _check_credentials(work, user, password_ok, totp)
            if failed:
                count_failures(counters, now, limits)
        if failure is None:
            # The one who knows the password is not guessing from here: forget this pair.
            pair = next(c for c in counters if c.scope == Scope.PAIR)
            pair.failures, pair.strikes, pair.locked_until = 0, 0, None
        await store_counters(work, counters)
        if user is not None:
            mirror_lock(work, user, counters, now)
        # Rows first, then the audit chain's lock (as every action does): no lock cycles.
        await work.session.flush()
        if failed:
            await _audit_failure(work, user, failed)
        if failure is None:
            assert user is not None
            signed_in = await _open_session(work, user, now)
    if failure is not None:
        raise failure
    return signed_in


async def _audit_failure(work: Work, user: StaffUser | None, purpose: str) -> None:
    # Never the name as typed: an unknown name is often a password typed in the wrong field.
    await work.audit(
        _actor(user) if user is not None else Actor("unknown", "unknown"),
        AuditAction.SIGN_IN_FAILED,
        object_type="staff_user",
        object_id=user.id if user is not None else "",
        purpose=purpose,
        outcome=AuditOutcome.DENIED,
    )


async def _account_ended(session: AsyncSession, user: StaffUser, now: datetime) -> bool:
    """A consultant account past its end date (bot/store/consultations.py) is as if disabled."""
    if user.role != Role.CONSULTANT:
        return False
    return not consultation_store.account_open(
        await consultation_store.account(session, user.id), now
    )


async def _check_credentials(
    work: Work, user: StaffUser | None, password_ok: bool, totp: str
) -> tuple[AuthError | None, str]:
    """The refusal, if any, and what failed ("" when it is not a failure to count)."""
    if (
        user is None
        or not user.active
        or not password_ok
        or await _account_ended(work.session, user, work.core.now())
    ):
        return AuthError("invalid_credentials", "wrong username or password"), "password"
    secret = await _totp_secret(work, user)
    if secret is not None:
        if not totp.strip():
            # Not a failure: the sign-in form asks for the code next.
            return AuthError("totp_required", "enter the code from your authenticator app"), ""
        if not _totp_ok(secret, totp):
            return AuthError("totp_invalid", "the authenticator code is not valid"), "totp"
    return None, ""


async def _open_session(work: Work, user: StaffUser, now: datetime) -> SignedIn:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    user.failed_logins = 0
    work.session.add(user)
    work.session.add(
        StaffSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf_token=csrf,
            totp_passed=user.totp_secret is not None,
            created_at=now,
            expires_at=now + ABSOLUTE_EXPIRY,
            last_seen_at=now,
        )
    )
    await work.audit(_actor(user), AuditAction.SIGN_IN, object_type="staff_user", object_id=user.id)
    return SignedIn(token, csrf, user.id)


async def resume(core: Core, token: str) -> Authenticated | None:
    """The session of a cookie token, or None when unknown, expired or signed out."""
    if not token or len(token) > 200:
        return None
    async with core.database.session() as session:
        now = core.now()
        found = await session.get(StaffSession, token_hash(token))
        if found is None:
            return None
        user = await user_store.by_id(session, found.user_id)
        valid = (
            user is not None
            and user.active
            and found.expires_at > now
            and found.last_seen_at + IDLE_EXPIRY > now
            and (user.sessions_valid_after is None or found.created_at > user.sessions_valid_after)
            and not await _account_ended(session, user, now)
        )
        if not valid or user is None:
            await session.delete(found)
            return None
        if now - found.last_seen_at > TOUCH_EVERY:
            found.last_seen_at = now
            session.add(found)
        queues = tuple(await user_store.queue_ids(session, user.id))
        return Authenticated(found, user, queues)


async def sign_out(core: Core, token: str) -> None:
    async with unit_of_work(core) as work:
        found = await work.session.get(StaffSession, token_hash(token))
        if found is None:
            return
        await work.session.delete(found)
        await work.audit(
            Actor(found.user_id, "staff"),
            AuditAction.SIGN_OUT,
            object_type="staff_session",
            object_id=found.user_id,
        )


async def sign_out_everywhere(core: Core, user_id: str) -> None:
    """End every session of the user, on every device and instance."""
    async with unit_of_work(core) as work:
        user = await user_store.by_id(work.session, user_id)
        if user is None:
            return
        user.sessions_valid_after = core.now()
        work.session.add(user)
        await work.session.execute(delete(StaffSession).where(col(StaffSession.user_id) == user_id))
        await work.audit(
            _actor(user),
            AuditAction.SIGN_OUT,
            object_type="staff_user",
            object_id=user.id,
            purpose="everywhere",
        )


async def change_password(
    core: Core, user_id: str, current: str, new: str, *, keep_token: str = ""
) -> None:
    """Set a new password; every other session of the user ends."""
    async with unit_of_work(core) as work:
        user = await user_store.by_id(work.session, user_id)
        if user is None or not verify_password(user.password_hash, current):
            raise AuthError("invalid_credentials", "the current password is wrong")
        if hmac.compare_digest(current, new):
            raise AuthError("invalid_input", "choose a password different from the current one")
        try:
            user.password_hash = hash_password(new)
        except WeakPassword as error:
            raise AuthError("weak_password", str(error)) from None
        user.must_change_password = False
        work.session.add(user)
        keep = token_hash(keep_token) if keep_token else ""
        await work.session.execute(
            delete(StaffSession).where(
                col(StaffSession.user_id) == user_id, col(StaffSession.token_hash) != keep
            )
        )
        await _audit_update(work, user, "password changed")


# ---- locked accounts: the list supervisors and admins see, and unlocking ------------------


@dataclass(frozen=True, slots=True)
class LockedAccount:
    """A staff account that sign-in limits refuse now, from everywhere or from some addresses."""

    user_id: str
    username: str
    display_name: str
    role: str
    queues: tuple[str, ...]
    locked_until: datetime
    everywhere: bool
    addresses: int


def may_unlock(staff: Staff, user: StaffUser, user_queues: Sequence[str]) -> bool:
    """Admins unlock anyone; a supervisor the counsellors of a queue they belong to."""
    if can(staff.role, Capability.ADMINISTER):
        return True
    if staff.role is not Role.SUPERVISOR or user.role != Role.COUNSELLOR:
        return False
    return bool(staff.queues.intersection(user_queues))


def _require_unlocker(staff: Staff) -> None:
    if staff.role is not Role.SUPERVISOR and not can(staff.role, Capability.ADMINISTER):
        raise AuthError("forbidden", "only supervisors and administrators may unlock accounts")


async def locked_accounts(core: Core, staff: Staff) -> list[LockedAccount]:
    """The accounts refused now that `staff` may unlock, soonest free first."""
    _require_unlocker(staff)
    now = core.now()
    async with core.database.session() as session:
        users = {
            account_ref(core.keyring.pepper, user.username): user
            for user in await user_store.all_users(session)
        }
        counters = await attempt_store.of_accounts(session, users, now)
        by_account: dict[str, list[SignInThrottle]] = {}
        for counter in counters:
            by_account.setdefault(counter.account_ref, []).append(counter)
        found = []
        for ref, refusing in by_account.items():
            user = users[ref]
            queues = tuple(await user_store.queue_ids(session, user.id))
            if not may_unlock(staff, user, queues):
                continue
            found.append(
                LockedAccount(
                    user_id=user.id,
                    username=user.username,
                    display_name=user.display_name,
                    role=user.role,
                    queues=queues,
                    locked_until=max(c.locked_until or now for c in refusing),
                    everywhere=any(c.scope == Scope.ACCOUNT for c in refusing),
                    addresses=sum(1 for c in refusing if c.scope == Scope.PAIR),
                )
            )
    return sorted(found, key=lambda account: (account.locked_until, account.username))


async def unlock(core: Core, staff: Staff, user_id: str) -> None:
    """Lift every sign-in refusal of one account (all addresses) and forget its failures.

    Refusals of an address as a whole stay: they are not this account's, and the address
    may be guessing at other accounts.
    """
    _require_unlocker(staff)
    async with unit_of_work(core) as work:
        user = await user_store.by_id(work.session, user_id)
        if user is None:
            raise AuthError("not_found", "no such user")
        queues = await user_store.queue_ids(work.session, user.id)
        if not may_unlock(staff, user, queues):
            raise AuthError("forbidden", "you may unlock only counsellors of your own queues")
        cleared = await attempt_store.clear_account(
            work.session, account_ref(core.keyring.pepper, user.username)
        )
        user.failed_logins = 0
        user.locked_until = None
        work.session.add(user)
        await work.session.flush()  # rows first, then the audit chain's lock
        await work.audit(
            staff.actor(),
            AuditAction.UPDATE,
            object_type="staff_user",
            object_id=user.id,
            purpose="sign-in unlocked" if cleared else "sign-in unlock (was not locked)",
        )


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, account: str, issuer: str = "somesossu") -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


async def enable_totp(core: Core, user_id: str, secret: str, code: str) -> None:
    """Turn on TOTP after the user proved their app has the secret (one valid code)."""
    secret = secret.strip().upper()
    if len(secret) < 16 or len(secret) > 64:
        raise AuthError("invalid_input", "that secret is not valid")
    try:
        valid = _totp_ok(secret, code)
    except Exception:  # pyotp raises on a malformed base32 secret
        valid = False
    if not valid:
        raise AuthError("totp_invalid", "the authenticator code is not valid")
    async with unit_of_work(core) as work:
        user = await user_store.by_id(work.session, user_id)
        if user is None:
            raise AuthError("not_found", "no such user")
        key = await core.keys.system_key(work.session)
        user.totp_secret = seal(key, secret, aad=TOTP_SECRET.context(user.id))
        work.session.add(user)
        await _audit_update(work, user, "totp enabled")


async def disable_totp(core: Core, user_id: str, password: str) -> None:
    async with unit_of_work(core) as work:
        user = await user_store.by_id(work.session, user_id)
        if user is None or not verify_password(user.password_hash, password):
            raise AuthError("invalid_credentials", "the password is wrong")
        if user.totp_enforced:
            raise AuthError("forbidden", "an administrator requires TOTP for this account")
        user.totp_secret = None
        work.session.add(user)
        await _audit_update(work, user, "totp disabled")


async def set_console_language(core: Core, user_id: str, language: str) -> None:
    """The console language a staff member chose ("" follows the browser); the caller checks
    it is one the console has."""
    async with unit_of_work(core) as work:
        user = await user_store.by_id(work.session, user_id)
        if user is None:
            raise AuthError("not_found", "no such user")
        user.console_language = language
        work.session.add(user)
        await _audit_update(work, user, "console language")


async def set_display_name(core: Core, user_id: str, display_name: str) -> str:
    """The name residents see; never the login, nor a real name unless the counsellor types it."""
    async with unit_of_work(core) as work:
        user = await user_store.by_id(work.session, user_id)
        if user is None:
            raise AuthError("not_found", "no such user")
        try:
            name = clean_display_name(display_name, user.username)
        except UserError as error:
            raise AuthError("invalid_input", error.message) from None
        user.display_name = name
        work.session.add(user)
        await _audit_update(work, user, "display name")
    return name
