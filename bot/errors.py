"""The service's refusals: one exception hierarchy with stable codes and the one table that
maps each code to its HTTP status (the console renders it; actions only raise).

Never carries personal data, a secret or a refused value in a message: messages are shown to
staff and may reach a log line's exception type; codes are a public contract of the JSON API.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

# A Literal rather than a StrEnum: the codes are wire values written at every raise site, and
# mypy then refuses a misspelt one there without an import at each site.
ErrorCode = Literal[
    "unauthenticated",
    "invalid_credentials",
    "totp_required",
    "totp_invalid",
    "forbidden",
    "origin",
    "csrf",
    "password_change_required",
    "totp_setup_required",
    "not_found",
    "already_claimed",
    "too_many_active",
    "invalid_state",
    "resident_left",
    "language_reserved",
    "invalid_json",
    "invalid_input",
    "reason_required",
    "unknown_close_tag",
    "weak_password",
    "locked",
]

# The one table from a refusal's code to its HTTP status.
STATUS: Final[Mapping[ErrorCode, int]] = MappingProxyType(
    {
        # Who are you: not signed in, or the sign-in itself failed.
        "unauthenticated": 401,
        "invalid_credentials": 401,
        "totp_required": 401,
        "totp_invalid": 401,
        # Known, but not allowed (or not yet: a pending password change or TOTP setup).
        "forbidden": 403,
        "origin": 403,
        "csrf": 403,
        "password_change_required": 403,
        "totp_setup_required": 403,
        "not_found": 404,
        # The request was fine, the state of things refuses it.
        "already_claimed": 409,
        "too_many_active": 409,
        "invalid_state": 409,
        # The resident left quickly (web chat): nobody would read a reply.
        "resident_left": 409,
        # For its first minutes a conversation waits for a counsellor who speaks its language.
        "language_reserved": 409,
        "invalid_json": 400,
        "invalid_input": 422,
        "reason_required": 422,
        "unknown_close_tag": 422,
        "weak_password": 422,
        "locked": 429,
    }
)


class ServiceError(Exception):
    """A refused request or action: `code` is stable, `message` is safe to show to staff.

    The status comes from `STATUS`; `status=` is only for a refusal by the HTTP layer itself
    whose status differs from its code's (a plain GET of a websocket address: 400).
    """

    def __init__(self, code: ErrorCode, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
        self.status = STATUS[code] if status is None else status


__all__ = ["STATUS", "ErrorCode", "ServiceError"]


class ActionError(ServiceError):
    """A refused action. `code` is stable (the JSON API returns it); the text is for staff."""
