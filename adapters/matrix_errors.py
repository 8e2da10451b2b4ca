"""What a homeserver's error response means: its error code, its HTTP status, and the
outbox's retryable or permanent delivery error. Never puts credentials in a message."""

from __future__ import annotations

from typing import Any

from bot.events import PermanentDeliveryError, RecipientGone, RetryableDeliveryError


class MatrixLoginError(Exception):
    """The homeserver refused the configured credentials (the message never holds them)."""


def error_code(response: Any) -> str:
    code = getattr(response, "status_code", None)
    return str(code) if code else "unknown"


def http_status(response: Any) -> int:
    transport = getattr(response, "transport_response", None)
    return int(getattr(transport, "status", 0) or 0)


def delivery_error(response: Any) -> Exception:
    """Map a Matrix error response to the outbox's retryable/permanent errors."""
    code = error_code(response)
    if code == "M_LIMIT_EXCEEDED" or http_status(response) == 429:
        retry_after_ms = getattr(response, "retry_after_ms", None) or 5000
        return RetryableDeliveryError("rate_limited", retry_after=retry_after_ms / 1000)
    if code == "M_FORBIDDEN":
        return RecipientGone("left_room")
    if http_status(response) >= 500 or code == "unknown":
        return RetryableDeliveryError("network")
    return PermanentDeliveryError(code.lower()[:32])
