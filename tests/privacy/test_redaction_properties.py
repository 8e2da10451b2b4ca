"""Property tests of the redactor: generated valid identifiers are found anywhere in text.

Never relies on fixed examples: every identifier is built with a correct checksum here.
"""

from __future__ import annotations

import datetime

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.fi import hetu as stdnum_hetu

from privacy.redaction import Kind, Redaction, Redactor
from privacy.redaction.phone_context import _NOT_PHONE
from privacy.redaction.structured import hetu_checksum_ok, luhn_ok

REDACTOR = Redactor()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_SIGNS = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}

# Words from several scripts to put around an identifier (letters only, lower and upper case).
_WORDS = st.text(
    alphabet=st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzåäöABCDEFGHIJKLMNÅÄÖабвгдежзийклмнопрстуфхцчшщыэюяАБВГДЕЖЗ"
        "іїєґابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    ),
    min_size=1,
    max_size=10,
)
_SEPARATORS = st.sampled_from([" ", ", ", ": ", " - ", "\n", " (", "; "])


@st.composite
def hetus(draw: st.DrawFn) -> str:
    century = draw(st.sampled_from(sorted(_SIGNS)))
    born = draw(
        st.dates(
            min_value=datetime.date(century, 1, 1), max_value=datetime.date(century + 99, 12, 31)
        )
    )
    sign = draw(st.sampled_from(_SIGNS[century]))
    individual = draw(st.integers(min_value=2, max_value=999))  # 900-999 are temporary codes
    digits = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
    return f"{digits[:6]}{sign}{digits[6:]}{_HETU_CHECK[int(digits) % 31]}"


def _with_check(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in rearranged))
    return f"{country}{98 - number % 97:02d}{bban}"


@st.composite
def ibans(draw: st.DrawFn) -> str:
    country, length = draw(st.sampled_from([("FI", 14), ("DE", 18), ("SE", 20), ("EE", 16)]))
    bban = draw(st.text(alphabet="0123456789", min_size=length, max_size=length))
    number = _with_check(country, bban)
    assume(stdnum_iban.is_valid(number))
    if draw(st.booleans()):
        number = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    return number


@st.composite
def cards(draw: st.DrawFn) -> str:
    body = draw(st.sampled_from("45")) + draw(
        st.text(alphabet="0123456789", min_size=14, max_size=14)
    )
    number = body + luhn.calc_check_digit(body)
    if draw(st.booleans()):
        number = " ".join(number[i : i + 4] for i in range(0, 16, 4))
    return number


@st.composite
def finnish_phones(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["040", "041", "044", "045", "046", "049", "050", "09"]))
    rest = draw(st.text(alphabet="0123456789", min_size=7, max_size=7))
    national = prefix[1:]
    form = draw(st.integers(min_value=0, max_value=5))
    return [
        f"{prefix}{rest}",
        f"{prefix} {rest[:3]} {rest[3:]}",
        f"{prefix}-{rest}",
        f"+358 {national} {rest[:3]} {rest[3:]}",
        f"+358{national}{rest}",
        f"00358 {national} {rest}",
    ][form]


def _assert_found(item: str, kind: Kind, left: str, sep1: str, sep2: str, right: str) -> None:
    text = f"{left}{sep1}{item}{sep2}{right}"
    start = len(left) + len(sep1)
    spans = [(f.start, f.end, f.kind) for f in REDACTOR.redact(text).findings]
    assert (start, start + len(item), kind) in spans, (item, spans)


@SETTINGS
@given(hetus(), _WORDS, _SEPARATORS, _SEPARATORS, _WORDS)
def test_any_valid_hetu_in_any_text_is_found(
    hetu: str, left: str, sep1: str, sep2: str, right: str
) -> None:
    _assert_found(hetu, Kind.HETU, left, sep1, sep2, right)


@SETTINGS
@given(ibans(), _WORDS, _SEPARATORS, _SEPARATORS, _WORDS)
def test_any_valid_iban_in_any_text_is_found(
    iban: str, left: str, sep1: str, sep2: str, right: str
) -> None:
    _assert_found(iban, Kind.IBAN, left, sep1, sep2, right)


@SETTINGS
@given(cards(), _WORDS, _SEPARATORS, _SEPARATORS, _WORDS)
def test_any_luhn_valid_card_in_any_text_is_found(
    card: str, left: str, sep1: str, sep2: str, right: str
) -> None:
    _assert_found(card, Kind.PAYMENT_CARD, left, sep1, sep2, right)


@SETTINGS
@given(finnish_phones(), _WORDS, _SEPARATORS, _SEPARATORS, _WORDS)
def test_any_finnish_phone_in_any_text_is_found(
    phone: str, left: str, sep1: str, sep2: str, right: str
) -> None:
    # A label right before a number says what it is ("asiakasnumero", "hetu": docs/redaction.md);
    # the random word before it must not happen to be one.
    assume(not _NOT_PHONE.search(left.casefold()))
    _assert_found(phone, Kind.PHONE, left, sep1, sep2, right)


def _rebuild(text: str, redaction: Redaction) -> str:
    parts, pos = [], 0
    for finding in redaction.findings:
        parts += [text[pos : finding.start], finding.kind.placeholder]
        pos = finding.end
    return "".join([*parts, text[pos:]])


def _check_offsets(text: str) -> None:
    redaction = REDACTOR.redact(text)
    ends = [0]
    for finding in redaction.findings:
        assert ends[-1] <= finding.start < finding.end <= len(text)
        ends.append(finding.end)
    assert redaction.text == _rebuild(text, redaction)
    assert len(redaction.placeholder_spans) == len(redaction.findings)
    for (start, end), finding in zip(redaction.placeholder_spans, redaction.findings, strict=True):
        assert redaction.text[start:end] == finding.kind.placeholder


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_redacting_any_text_never_raises_and_offsets_map_to_the_original(text: str) -> None:
    _check_offsets(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            hetus(),
            ibans(),
            cards(),
            finnish_phones(),
            _WORDS,
            st.sampled_from(
                ["Olen", "Leena", "asun", "Hämeentie", "3", "B", "12", "nimeni", "on", "@", ".fi"]
            ),
        ),
        max_size=12,
    ),
    _SEPARATORS,
)
def test_offsets_map_to_the_original_in_messages_full_of_identifiers(
    pieces: list[str], sep: str
) -> None:
    _check_offsets(sep.join(pieces))


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A[0-3][0-9][01][0-9][0-9]{2}[-+A-FU-Y][0-9]{3}[0-9A-Y]\Z", fullmatch=True))
def test_inlined_hetu_check_agrees_with_python_stdnum(code: str) -> None:
    assert hetu_checksum_ok(code) == stdnum_hetu.is_valid(code, allow_temporary=True)


@settings(max_examples=150, deadline=None)
@given(hetus())
def test_inlined_hetu_check_accepts_every_generated_hetu(code: str) -> None:
    assert hetu_checksum_ok(code) and stdnum_hetu.is_valid(code, allow_temporary=True)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=13, max_size=19))
def test_inlined_luhn_check_agrees_with_python_stdnum(digits: str) -> None:
    assert luhn_ok(digits) == luhn.is_valid(digits)
