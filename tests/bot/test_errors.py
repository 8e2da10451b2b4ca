"""The refusal table: every stable code has one HTTP status, and every action's error uses it."""

from __future__ import annotations

from typing import get_args

import pytest

from bot.actions.admin import AdminError
from bot.actions.auth import AuthError
from bot.actions.users import UserError
from bot.errors import STATUS, ActionError, ErrorCode, ServiceError


def test_every_code_has_exactly_one_client_error_status() -> None:
    assert set(STATUS) == set(get_args(ErrorCode))
    assert all(400 <= status < 500 for status in STATUS.values())


@pytest.mark.parametrize("code", get_args(ErrorCode))
def test_a_refusal_takes_its_status_from_the_table_and_keeps_its_code_and_message(
    code: ErrorCode,
) -> None:
    refused = ServiceError(code, "safe to show")
    assert (refused.code, refused.status, refused.message) == (code, STATUS[code], "safe to show")
    assert str(refused) == "safe to show"


@pytest.mark.parametrize("error_class", [ActionError, AuthError, AdminError])
def test_the_actions_errors_are_service_errors_mapped_by_the_same_table(
    error_class: type[ServiceError],
) -> None:
    refused = error_class("not_found", "no such thing")
    assert isinstance(refused, ServiceError)
    assert (refused.code, refused.status, str(refused)) == ("not_found", 404, "no such thing")


def test_a_refused_account_creation_is_invalid_input() -> None:
    refused = UserError("a username is 1-100 characters without spaces")
    assert isinstance(refused, ServiceError)
    assert (refused.code, refused.status) == ("invalid_input", 422)


def test_the_http_layer_may_give_a_status_its_code_does_not_imply() -> None:
    # A plain GET of a websocket address: invalid input, but 400 as aiohttp would answer.
    refused = ServiceError("invalid_input", "this address is a websocket", status=400)
    assert (refused.code, refused.status) == ("invalid_input", 400)
