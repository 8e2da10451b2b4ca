"""Folding of typographic variants and the map from folded offsets back to the original text.

Never prints message text beyond the test's own fixed or generated examples.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy.redaction.typography import _TABLE, fold, original_span

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202c"]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("131052\u2013308T", "131052-308T"),  # en dash
        ("131052\u2014308T", "131052-308T"),  # em dash
        ("131052\u2212308T", "131052-308T"),  # minus sign
        ("131052\u2011308T", "131052-308T"),  # non-breaking hyphen
        ("131052\u2010308T", "131052-308T"),  # hyphen
        ("040\u00a0123\u00a04567", "040 123 4567"),  # no-break space
        ("040\u2009123\u202f4567", "040 123 4567"),  # thin and narrow no-break space
        ("040\u2007123\u20074567", "040 123 4567"),  # figure space
        ("\uff10\uff14\uff10\uff11\uff12\uff13", "040123"),  # full-width digits
        ("\uff26\uff29\uff12\uff11 \uff46\uff49", "FI21 fi"),  # full-width letters
        ("matti\uff20example.fi", "matti@example.fi"),  # full-width at sign
        ("\u0660\u0664\u0660 \u0661\u0662\u0663", "040 123"),  # Arabic-Indic digits
        ("\u06f0\u06f9\u06f1\u06f2", "0912"),  # Persian digits
    ],
)
def test_typographic_variants_fold_to_ascii_one_for_one(text: str, folded: str) -> None:
    assert fold(text) == (folded, None)


@pytest.mark.parametrize("mark", ZERO_WIDTH)
def test_invisible_characters_are_removed_and_offsets_map_back(mark: str) -> None:
    text = f"puh 040{mark}1234567"
    folded, index = fold(text)
    assert folded == "puh 0401234567"
    assert index is not None
    assert original_span(index, 4, 14) == (4, len(text))  # the mark inside is covered


@pytest.mark.parametrize(
    "text",
    [
        "plain ascii 040 123 4567",
        "Hämeentiellä on ruuhkaa, äiti ja isä",
        "Меня зовут Ольга, телефон +7 921 756-55-12",
        "اسمي أحمد علي",
        "Kiitos 😀 nähdään",
        "",
    ],
)
def test_text_without_a_character_of_interest_comes_back_unchanged(text: str) -> None:
    folded, index = fold(text)
    assert folded is text
    assert index is None


def test_latin1_fast_path_still_sees_no_break_space_and_soft_hyphen() -> None:
    assert fold("äiti 040\u00a0123")[0] == "äiti 040 123"
    assert fold("äiti 040\u00ad123")[0] == "äiti 040123"


def test_digits_beyond_the_basic_plane_are_left_alone() -> None:
    # Mathematical digits are no one's phone keyboard; leaving them out keeps the scan cheap.
    assert fold("\U0001d7ce\U0001d7cf")[0] == "\U0001d7ce\U0001d7cf"


def test_original_span_of_an_empty_span_and_without_a_map() -> None:
    assert original_span(None, 3, 7) == (3, 7)
    _, index = fold("a\u200bb")
    assert original_span(index, 1, 1) == (2, 2)


# --- properties ------------------------------------------------------------------------------

_INTERESTING = sorted(chr(code) for code in _TABLE)
_CHARS = st.one_of(
    st.sampled_from(_INTERESTING),
    st.characters(codec="utf-8"),
    st.sampled_from("0123456789 -+aäöÄ"),
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_CHARS, max_size=40))
def test_fold_equals_character_by_character_translation_and_index_points_at_sources(
    text: str,
) -> None:
    folded, index = fold(text)
    assert folded == text.translate(_TABLE)
    if index is None:
        assert len(folded) == len(text)
        return
    assert len(index) == len(folded) + 1 and index[-1] == len(text)
    assert list(index) == sorted(set(index))
    for j, i in enumerate(index[:-1]):
        assert text[i].translate(_TABLE) == folded[j]
    removed = set(range(len(text))) - set(index)
    assert all(_TABLE.get(ord(text[i]), 0) is None for i in removed)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_CHARS, max_size=40), st.data())
def test_a_folded_span_maps_to_the_original_characters_that_fold_into_it(
    text: str, data: st.DataObject
) -> None:
    folded, index = fold(text)
    start = data.draw(st.integers(min_value=0, max_value=len(folded)))
    end = data.draw(st.integers(min_value=start, max_value=len(folded)))
    a, b = original_span(index, start, end)
    assert 0 <= a <= b <= len(text)
    assert text[a:b].translate(_TABLE) == folded[start:end]
    if start < end:  # starts and ends on a kept character: nothing outside is swallowed
        assert text[a].translate(_TABLE) == folded[start]
        assert text[b - 1].translate(_TABLE) == folded[end - 1]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=60))
def test_latin1_fast_path_agrees_with_the_full_scan(text: str) -> None:
    assert fold(text)[0] == text.translate(_TABLE)
