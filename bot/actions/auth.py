"""Staff sign-in, sessions, sign-out, password and TOTP changes, each with an audit record.

Never logs, audits or returns a password, a TOTP code or the username of a failed attempt;
only a SHA-256 hash of a session token is ever stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlmodel import col, delete

from bot.passwords import WeakPassword, hash_password, verify_password
from bot.store import users as user_store
from bot.store.tables import StaffSession, StaffUser
from privacy.audit import AuditAction, AuditOutcome
from privacy.crypto import seal, unseal
from privacy.errors import PrivacyError

from .context import Actor, Core, Work, unit_of_work

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
IDLE_EXPIRY = timedelta(minutes=30)
ABSOLUTE_EXPIRY = timedelta(hours=12)
# last_seen_at is refreshed at most this often: one write per request would be wasteful.
TOUCH_EVERY = timedelta(seconds=30)
MAX_DISPLAY_NAME = 60


class AuthError(Exception):
    """A refused sign-in or account change; `code` is stable, the text is safe to show."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code


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


def _totp_aad(user_id: str) -> str:
    return f"totp:{user_id}"


async def _totp_secret(work: Work, user: StaffUser) -> str | None:
    if user.totp_secret is None:
        return None
    key = await work.core.keys.system_key(work.session)
    try:
        return unseal(key, user.totp_secret, aad=_totp_aad(user.id))
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


async def sign_in(core: Core, username: str, password: str, totp: str = "") -> SignedIn:
    """Check the password (and TOTP when the user has it), lock out after repeated failures."""
    async with unit_of_work(core) as work:
        now = core.now()
        user = await user_store.by_username(work.session, username.strip()[:100])
        if user is not None and user.locked_until is not None and user.locked_until > now:
            await work.audit(
                _actor(user),
                AuditAction.SIGN_IN_FAILED,
                object_type="staff_user",
                object_id=user.id,
                purpose="locked",
                outcome=AuditOutcome.DENIED,
            )
            failure: AuthError | None = AuthError(
                "locked", "too many failed sign-ins: try again in 15 minutes"
            )
        else:
            failure = await _check_credentials(work, user, password, totp)
        if failure is None:
            assert user is not None
            signed_in = await _open_session(work, user, now)
    if failure is not None:
        raise failure
    return signed_in


async def _check_credentials(
    work: Work, user: StaffUser | None, password: str, totp: str
) -> AuthError | None:
    # verify_password runs argon2 even without a user, so timing does not tell which it was.
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not user.active or not password_ok:
        if user is not None:
            await _count_failure(work, user, "password")
        else:
            await work.audit(
                Actor("unknown", "unknown"),
                AuditAction.SIGN_IN_FAILED,
                object_type="staff_user",
                purpose="password",
                outcome=AuditOutcome.DENIED,
            )
        return AuthError("invalid_credentials", "wrong username or password")
    secret = await _totp_secret(work, user)
    if secret is not None:
        if not totp.strip():
            # Not a failure: the sign-in form asks for the code next.
            return AuthError("totp_required", "enter the code from your authenticator app")
        if not _totp_ok(secret, totp):
            await _count_failure(work, user, "totp")
            return AuthError("totp_invalid", "the authenticator code is not valid")
    return None


async def _count_failure(work: Work, user: StaffUser, what: str) -> None:
    user.failed_logins += 1
    locked = user.failed_logins >= MAX_FAILURES
    if locked:
        user.locked_until = work.core.now() + LOCKOUT
        user.failed_logins = 0
    work.session.add(user)
    await work.audit(
        _actor(user),
        AuditAction.SIGN_IN_FAILED,
        object_type="staff_user",
        object_id=user.id,
        purpose=f"{what}; locked" if locked else what,
        outcome=AuditOutcome.DENIED,
    )


async def _open_session(work: Work, user: StaffUser, now: datetime) -> SignedIn:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    user.failed_logins = 0
    user.locked_until = None
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
        user.totp_secret = seal(key, secret, aad=_totp_aad(user.id))
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


async def set_display_name(core: Core, user_id: str, display_name: str) -> str:
    """The name residents see; never the login or real name unless the counsellor types it."""
    name = " ".join(display_name.split())
    if not 1 <= len(name) <= MAX_DISPLAY_NAME:
        raise AuthError("invalid_input", f"a display name is 1-{MAX_DISPLAY_NAME} characters")
    async with unit_of_work(core) as work:
        user = await user_store.by_id(work.session, user_id)
        if user is None:
            raise AuthError("not_found", "no such user")
        user.display_name = name
        work.session.add(user)
        await _audit_update(work, user, "display name")
    return name
