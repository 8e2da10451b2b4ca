"""Tests of keyed pseudonyms and reference codes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from privacy.errors import KeyConfigError
from privacy.pseudonym import Pseudonym, normalise_reference_code, pseudonymise, reference_code

PEPPER = b"\x11" * 32
OTHER_PEPPER = b"\x22" * 32
CROCKFORD_CODE = re.compile(r"[0-9ABCDEFGHJKMNPQRSTVWXYZ]{5}-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{5}")


def test_pseudonym_is_stable_for_the_same_identity() -> None:
    assert pseudonymise(PEPPER, "telegram", "123456789") == pseudonymise(
        PEPPER, "telegram", "123456789"
    )


def test_pseudonym_has_prefix_and_26_lowercase_base32_characters() -> None:
    pseudonym = pseudonymise(PEPPER, "telegram", "123456789")
    assert re.fullmatch(r"p_[a-z2-7]{26}", pseudonym)
    assert len(pseudonym) == 28


def test_pseudonym_matches_the_documented_construction() -> None:
    # HMAC-SHA256(pepper, "telegram:42"), first 16 bytes, base32, lower case, "p_".
    import base64
    import hashlib
    import hmac

    digest = hmac.new(PEPPER, b"telegram:42", hashlib.sha256).digest()[:16]
    expected = "p_" + base64.b32encode(digest).decode().rstrip("=").lower()
    assert pseudonymise(PEPPER, "telegram", "42") == expected


def test_pseudonym_differs_by_channel() -> None:
    assert pseudonymise(PEPPER, "telegram", "42") != pseudonymise(PEPPER, "matrix", "42")


def test_pseudonym_differs_by_pepper() -> None:
    assert pseudonymise(PEPPER, "telegram", "42") != pseudonymise(OTHER_PEPPER, "telegram", "42")


def test_pseudonym_does_not_contain_the_platform_id() -> None:
    assert "123456789" not in pseudonymise(PEPPER, "telegram", "123456789")


def test_channel_with_a_colon_is_refused_so_inputs_cannot_collide() -> None:
    with pytest.raises(ValueError):
        pseudonymise(PEPPER, "tele:gram", "42")


def test_short_pepper_is_refused() -> None:
    with pytest.raises(KeyConfigError):
        pseudonymise(b"", "telegram", "42")


@given(platform_ids=st.lists(st.text(min_size=1), min_size=2, max_size=50, unique=True))
def test_distinct_identities_get_distinct_pseudonyms(platform_ids: list[str]) -> None:
    pseudonyms = {pseudonymise(PEPPER, "webchat", pid) for pid in platform_ids}
    assert len(pseudonyms) == len(platform_ids)


def test_reference_code_format_is_two_groups_of_five_crockford_characters() -> None:
    for n in range(200):
        code = reference_code(PEPPER, pseudonymise(PEPPER, "webchat", str(n)))
        assert CROCKFORD_CODE.fullmatch(code), code


def test_reference_code_is_stable_and_depends_on_the_pepper() -> None:
    pseudonym = pseudonymise(PEPPER, "webchat", "session-1")
    assert reference_code(PEPPER, pseudonym) == reference_code(PEPPER, pseudonym)
    assert reference_code(PEPPER, pseudonym) != reference_code(OTHER_PEPPER, pseudonym)


def test_reference_code_does_not_reveal_the_pseudonym() -> None:
    pseudonym = pseudonymise(PEPPER, "webchat", "session-1")
    code = reference_code(PEPPER, pseudonym).replace("-", "").lower()
    assert code not in pseudonym
    assert pseudonym[2:12] not in code


def test_normalise_accepts_what_people_type_or_hear() -> None:
    code = reference_code(PEPPER, Pseudonym("p_" + "a" * 26))
    assert normalise_reference_code(code) == code
    assert normalise_reference_code(code.lower()) == code
    assert normalise_reference_code(code.replace("-", "")) == code
    assert normalise_reference_code(" ".join(code.replace("-", ""))) == code


def test_normalise_maps_confusable_letters_to_digits() -> None:
    assert normalise_reference_code("o1l2i-3O4L5") == "01121-30415"


@pytest.mark.parametrize("text", ["", "ABCDE-FGHJ", "ABCDE-FGHJKM", "ABCDE-FGHJU", "ABCDE_FGHJK"])
def test_malformed_reference_code_raises_a_generic_value_error(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        normalise_reference_code(text)
    assert str(caught.value) == "not a valid reference code"


@given(n=st.integers(min_value=0, max_value=10**9))
def test_every_reference_code_normalises_to_itself(n: int) -> None:
    code = reference_code(PEPPER, pseudonymise(PEPPER, "webchat", str(n)))
    assert normalise_reference_code(code.lower().replace("-", " ")) == code
