"""Structured identifiers as people type them, and the numbers that must stay readable.

Never prints message text beyond the test's own examples; every identifier is built here
with a correct checksum (or taken from the phonenumbers metadata), none is anyone's.
"""

from __future__ import annotations

import datetime

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from stdnum import luhn

from privacy.redaction import Kind, Redactor
from privacy.redaction.phones import _REGIONS, _RULES

REDACTOR = Redactor()
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
DASHES = ["-", "\u2013", "\u2014", "\u2212", "\u2011", "\u2010"]
SPACES = [" ", "\u00a0", "\u2009", "\u202f", "\u2007"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e"]
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def make_hetu(born: datetime.date, individual: int, sign: str = "-") -> str:
    digits = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
    return f"{digits[:6]}{sign}{digits[6:]}{_HETU_CHECK[int(digits) % 31]}"


def make_iban(country: str, bban: str) -> str:
    number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


def make_card(body: str) -> str:
    return body + luhn.calc_check_digit(body)


def mobile(region: str) -> phonenumbers.PhoneNumber:
    number = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    assert number is not None
    return number


def national(region: str) -> str:
    return str(phonenumbers.format_number(mobile(region), PhoneNumberFormat.NATIONAL))


def found(text: str) -> list[tuple[Kind, str]]:
    return [(f.kind, text[f.start : f.end]) for f in REDACTOR.redact(text).findings]


def assert_masked_exactly(text: str, item: str, kind: Kind) -> None:
    start = text.index(item)
    spans = [(f.start, f.end, f.kind) for f in REDACTOR.redact(text).findings]
    assert (start, start + len(item), kind) in spans, spans


def assert_readable(text: str) -> None:
    assert REDACTOR.redact(text).findings == (), found(text)


HETU = make_hetu(datetime.date(1987, 4, 23), 517)  # 230487-517?
HETU_2000 = make_hetu(datetime.date(2004, 11, 2), 97, "A")  # a letter check character
DIGITS, SIGN, REST = HETU[:6], HETU[6], HETU[7:]


# --- HETU ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        *(f"{DIGITS}{dash}{REST}" for dash in DASHES),
        f"{DIGITS} - {REST}",  # a spaced dash
        f"{DIGITS} \u2013 {REST}",
        f"{DIGITS} {REST}",  # a space for the sign
        f"{DIGITS}\u00a0{REST}",
        f"{HETU_2000[:6]}{HETU_2000[7:]}",  # sign left out before a letter check character
        HETU.lower(),
        HETU_2000.lower(),
        HETU.translate(ARABIC),
        HETU.translate(PERSIAN),
        HETU.translate(FULL_WIDTH),
        f"{DIGITS[:3]}\u200b{DIGITS[3:]}-{REST}",
        f"{DIGITS}-{REST[:2]}\u00ad{REST[2:]}",
        f"{DIGITS}\u2060\u2013{REST}",
    ],
)
def test_hetu_typed_with_dash_space_script_and_invisible_variants_is_found(typed: str) -> None:
    assert_masked_exactly(f"Henkilötunnukseni on {typed}, kiitos", typed, Kind.HETU)


def test_hetu_with_a_space_for_its_sign_needs_the_right_check_character() -> None:
    wrong = REST[:3] + ("A" if REST[3] != "A" else "B")
    assert Kind.HETU not in [k for k, _ in found(f"tunnus {DIGITS} {wrong}")]
    assert Kind.HETU not in [k for k, _ in found(f"tunnus {DIGITS} - {wrong}")]


@pytest.mark.parametrize(
    "typed",
    [
        f"{HETU_2000[:6]} A {HETU_2000[7:]}",  # spaces around a letter sign
        f"{HETU_2000[:6]} a{HETU_2000[7:]}",
        f"{DIGITS[:2]} {DIGITS[2:4]} {DIGITS[4:]}-{REST}",  # the date in groups, as on a card
        f"{DIGITS[:4]} {DIGITS[4:]}-{REST}",
        f"{DIGITS}-{REST[:3]} {REST[3]}",  # a space before the check character
        f"{DIGITS} \u2013 {REST[:3]} {REST[3]}",
    ],
)
def test_hetu_split_by_spaces_inside_is_found(typed: str) -> None:
    assert_masked_exactly(f"hetu {typed} kiitos", typed, Kind.HETU)


@pytest.mark.parametrize(
    "typed",
    [
        f"{DIGITS[:2]} {DIGITS[2:4]} {DIGITS[4:]}-{REST[:3]}{'A' if REST[3] != 'A' else 'B'}",
        f"{DIGITS}-{REST[:3]} {'A' if REST[3] != 'A' else 'B'}",  # wrong check character
        f"{DIGITS[:2]} {DIGITS[2:4]} {DIGITS[4:]} {REST}",  # no sign: digit groups
        f"{DIGITS}-{REST[:3]} {REST[3]}ampere",  # a word, not a check character
    ],
)
def test_hetu_split_by_spaces_needs_its_sign_and_the_right_check_character(typed: str) -> None:
    assert Kind.HETU not in [k for k, _ in found(f"koodi {typed}")]


@pytest.mark.parametrize(
    "typed",
    [
        f"{DIGITS[:2]}.{DIGITS[2:4]}.{DIGITS[4:]}-{REST}",  # the date as on a form
        f"{DIGITS[:2]}.{DIGITS[2:4]}.{DIGITS[4:]} \u2013 {REST}",
        f"{DIGITS[:2]}.{DIGITS[2:4]}.{DIGITS[4:]}/{REST}",
        f"{HETU_2000[:6]}/{HETU_2000[7:]}",  # a slash or a dot where the sign goes
        f"{HETU_2000[:6]}.{HETU_2000[7:]}",
    ],
)
def test_hetu_with_dots_in_its_date_or_for_its_sign_is_found(typed: str) -> None:
    assert_masked_exactly(f"hetu {typed} kiitos", typed, Kind.HETU)


@pytest.mark.parametrize(
    "text",
    [
        # the wrong check character, a digit one after a dot (a decimal number), a longer
        # dotted number, a date and an amount
        f"koodi {DIGITS[:2]}.{DIGITS[2:4]}.{DIGITS[4:]}-{REST[:3]}{'A' if REST[3] != 'A' else 'B'}",
        "mittaus 131052.3081 kg",
        f"viite {DIGITS}/{REST}",
        f"versio 1.{DIGITS[:2]}.{DIGITS[2:4]}.{DIGITS[4:]}-{REST}",
        "päivä 13.10.52 ja 308 euroa",
        "Tapaaminen 04.06.2025 klo 16.45",
        "päivämäärät 12/03/2025 ja 13/04/2025",
    ],
)
def test_dotted_and_slashed_numbers_that_are_no_hetu_stay_readable(text: str) -> None:
    assert Kind.HETU not in [k for k, _ in found(text)]


def test_ten_digits_without_a_sign_are_not_a_hetu_even_with_a_matching_check_digit() -> None:
    # 010203 with individual number 123: check character 6 is a digit.
    code = make_hetu(datetime.date(1903, 2, 1), 123)
    assert code[-1].isdigit()
    assert Kind.HETU not in [k for k, _ in found(f"tilaus {code[:6]}{code[7:]}")]


def test_hetu_shaped_like_a_finnish_mobile_is_masked_whatever_the_label() -> None:
    # "040185 1234": 4 January 1985 with a check digit, also a Finnish mobile number shape.
    for individual in range(2, 400):
        code = make_hetu(datetime.date(1985, 1, 4), individual)
        if code[-1].isdigit():
            break
    typed = f"{code[:6]} {code[7:]}"
    assert_masked_exactly(f"hetu {typed}", typed, Kind.HETU)
    assert [value for _, value in found(f"soita {typed}")] == [typed]


# --- IBAN ------------------------------------------------------------------------------------

FI_IBAN = make_iban("FI", "40213500007812")
SE_IBAN = make_iban("SE", "50000000058398257466")
GB_IBAN = make_iban("GB", "NWBK60161331926819")


def groups_of_four(iban: str, sep: str = " ") -> str:
    return sep.join(iban[i : i + 4] for i in range(0, len(iban), 4))


@pytest.mark.parametrize(
    "typed",
    [
        FI_IBAN[:6] + " " + groups_of_four(FI_IBAN[6:]),  # "FI2112 3456 0000 0785"
        groups_of_four(FI_IBAN, "-"),
        groups_of_four(FI_IBAN, "\u2013"),
        groups_of_four(FI_IBAN, "\u00a0"),
        groups_of_four(FI_IBAN, "  "),
        FI_IBAN[:2] + " " + FI_IBAN[2:4] + " " + groups_of_four(FI_IBAN[4:]),  # "FI 21 ..."
        groups_of_four(SE_IBAN).lower(),
        groups_of_four(GB_IBAN, "\u202f"),
        FI_IBAN[:9] + "\u200b" + FI_IBAN[9:],
        groups_of_four(FI_IBAN).translate(FULL_WIDTH),
    ],
)
def test_iban_with_odd_groupings_dashes_and_invisible_characters_is_found(typed: str) -> None:
    assert_masked_exactly(f"Tilinumero {typed} kiitos", typed, Kind.IBAN)


def test_digits_of_an_iban_that_pass_the_hetu_check_stay_part_of_the_iban() -> None:
    # "06 0148-6235" folds to 060148-6235, a valid HETU by chance: the IBAN is the finding,
    # or the account digits after it would be left readable.
    iban = "SE06 0148-6235-6177-0613-5239"
    findings = REDACTOR.redact(f"Tilinumero {iban} kiitos").findings
    assert [(f.kind, f.end - f.start) for f in findings] == [(Kind.IBAN, len(iban))]
    # a HETU beside an IBAN is still a HETU
    kinds = [f.kind for f in REDACTOR.redact(f"Hetu 060148-6235 ja tili {iban}").findings]
    assert kinds == [Kind.HETU, Kind.IBAN]


def test_country_code_split_off_by_a_space_needs_a_known_country_and_a_valid_checksum() -> None:
    bad = FI_IBAN[:2] + " " + str((int(FI_IBAN[2:4]) + 1) % 100).zfill(2) + FI_IBAN[4:]
    assert_readable(f"Se on {bad}")
    assert_readable("Niitä on 12 3456 7890 1234 5678 kappaletta")


# --- cards -----------------------------------------------------------------------------------

CARD = make_card("453201511283036")


@pytest.mark.parametrize(
    "typed",
    [
        groups_of_four(CARD, "\u00a0"),
        groups_of_four(CARD, "\u2013"),
        groups_of_four(CARD, "  "),
        groups_of_four(CARD, " - "),
        CARD[:8] + "\u200b" + CARD[8:],
        groups_of_four(CARD).translate(ARABIC),
    ],
)
def test_card_number_with_separator_variants_and_other_digit_scripts_is_found(typed: str) -> None:
    assert_masked_exactly(f"Kortti {typed} kiitos", typed, Kind.PAYMENT_CARD)


# --- phones: Finnish typed oddly -------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "040\u00a0765\u00a04321",
        "040\u2009765\u20094321",
        "040\u2013765 4321",
        "050\u2212765\u22124321",
        "\uff10\uff14\uff10 \uff17\uff16\uff15 \uff14\uff13\uff12\uff11",
        "٠٤٠ ٧٦٥ ٤٣٢١",
        "۰۴۰۷۶۵۴۳۲۱",
        "040\u200b7654321",
        "+358\u00a040\u00a0765\u00a04321",
        "\u202a+358 40 765 4321\u202c",
    ],
)
def test_finnish_phone_with_typographic_variants_is_found(typed: str) -> None:
    assert_masked_exactly(f"soita {typed} iltaisin", typed.strip("\u202a\u202c"), Kind.PHONE)


# --- phones: international without + or 00 --------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "358 40 765 4321",
        "7 912 345 67 89",
        "964 791 234 5678",
        "380 50 123 4567",
        "46 70 123 45 67",
        "252 7 1123456",  # Somali operator digit on its own
        "358 (0)40 765 4321",
        "358407654321",  # copied from a wa.me link
    ],
)
def test_international_number_without_plus_is_found_by_its_grouping(typed: str) -> None:
    assert_masked_exactly(f"Tavoitat minut {typed} iltaisin", typed, Kind.PHONE)


@pytest.mark.parametrize(
    "text",
    [
        "Hinta 1 234 567 890 €",  # a valid US number in the shape of an amount
        "Kaupungissa on 1 300 000 asukasta",
        "Tilillä 7 921 000 ruplaa",
        "Vuokra 44 500 000 e",
    ],
)
def test_amounts_grouped_in_thousands_stay_readable(text: str) -> None:
    assert_readable(text)


# --- phones: national forms of residents' home countries -------------------------------------

HOME_REGIONS = ["RU", "UA", "IQ", "SY", "SO", "AF", "IR", "TR", "EE", "SE", "DE", "GB"]
CUES = [
    "puh",
    "Puhelinnumeroni on",
    "soita numeroon",
    "WhatsApp:",
    "ring mig på",
    "mitt nummer är",
    "call me on",
    "my phone number is",
    "viber",
    "телефон",
    "звоните",
    "мій номер",
    "رقمي",
    "هاتف",
    "شماره من",
    "تلفن",
    "taleefankeyga",
    "telefon numaram",
]


@pytest.mark.parametrize("region", HOME_REGIONS)
@pytest.mark.parametrize("cue", CUES[::3])
def test_national_number_of_a_home_country_after_a_phone_cue_is_found(
    region: str, cue: str
) -> None:
    number = national(region)
    assert_masked_exactly(f"{cue} {number} kiitos", number, Kind.PHONE)


@pytest.mark.parametrize("cue", CUES)
def test_every_phone_cue_language_makes_a_foreign_national_number_a_phone(cue: str) -> None:
    assert_masked_exactly(f"{cue} 0532 123 45 67", "0532 123 45 67", Kind.PHONE)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Veljeni numero Syyriassa on 0944 123 456", "0944 123 456"),
        ("My sister's number in Somalia is 0615 123 456", "0615 123 456"),
    ],
)
def test_number_a_word_further_off_before_is_counts(text: str, number: str) -> None:
    assert_masked_exactly(text, number, Kind.PHONE)


def test_a_label_before_is_still_no_phone() -> None:
    text = "Laskun numero tällä kertaa on 0770 123 4567"
    assert not [f for f in REDACTOR.redact(text).findings if f.kind is Kind.PHONE]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0770 123 4567 on mun numero", "0770 123 4567"),
        ("0912 345 6789 (WhatsApp)", "0912 345 6789"),
        ("5123 4567 on numeroni", "5123 4567"),
    ],
)
def test_phone_cue_right_after_the_number_counts_too(text: str, number: str) -> None:
    assert_masked_exactly(text, number, Kind.PHONE)


@pytest.mark.parametrize(
    "text",
    [
        "Koodi 5123 4567 toimii",  # valid in Estonia, but nothing says it is a phone
        "0770 123 4567",  # valid in Iraq, no cue
        "Sain kirjeen 0770 123 4567 laskun numero",  # a label after it
        "Vuosina 1976\u20131981 hän soitti bassoa",  # verbs after a number are no cue
        "kuuluvalle kemiallisesti puhtaalle 17025000",  # "puhtaalle" is not "puh"
        "number of people 7 921 123",
        "Numeroita oli paljon, koodi 5123 4567",  # "number" far before is no cue
        "Tilasin 5123 4567 ja soitin perään",  # a verb after the number is no cue
        "Soitin sinne 2019\u20132024 usein",  # a span of years, even after a cue
        "puh valikko: 3 5 2 8 4 7 9",  # digits one by one
        "Budjetti 358 401 234 567 euroa",  # a country code, but an amount
    ],
)
def test_foreign_national_number_without_a_cue_stays_readable(text: str) -> None:
    assert_readable(text)


@pytest.mark.parametrize(
    "typed",
    [
        "8 921 123-45-67",
        "8 (921) 123 45 67",
        "8(921)1234567",
        "89211234567",
        "8 812 123-45-67",  # a St Petersburg landline, Russian grouping
        "(067) 123-45-67",
        "067 123-45-67",
        "(073) 123-45-67",  # a Ukrainian mobile range that is no Finnish area code
        "073 123-45-67",
    ],
)
def test_russian_and_ukrainian_shapes_are_phones_without_a_cue(typed: str) -> None:
    assert_masked_exactly(f"Вот {typed} спасибо", typed, Kind.PHONE)


@pytest.mark.parametrize(
    ("cue", "typed"),
    [
        ("رقمي", "٠٧٧٠ ١٢٣ ٤٥٦٧"),
        ("شماره من", "۰۹۱۲ ۳۴۵ ۶۷۸۹"),
        ("شماره من", "۰۹۱۲\u200c۳۴۵\u200c۶۷۸۹"),
        ("هاتف", "\u200f0944 567 890\u200f"),
    ],
)
def test_phone_in_arabic_indic_or_persian_digits_is_found(cue: str, typed: str) -> None:
    text = f"{cue} {typed}"
    assert_masked_exactly(text, typed.strip("\u200f"), Kind.PHONE)


def test_foreign_number_is_masked_whole_not_cut_at_a_finnish_reading() -> None:
    # "0532 123 45" alone is a valid Finnish area number; the run is one Turkish mobile.
    assert_masked_exactly("Soitin tähän 0532 123 45 67 eilen", "0532 123 45 67", Kind.PHONE)
    assert_masked_exactly("my phone is 0501 234 22 00", "0501 234 22 00", Kind.PHONE)


def test_foreign_number_without_a_cue_is_not_cut_to_a_finnish_prefix_either() -> None:
    assert_masked_exactly("Tässä 0532 123 45 67", "0532 123 45 67", Kind.PHONE)


@pytest.mark.parametrize("typed", ["252 7 1123456", "358 (0)40 765 4321"])
def test_operator_digit_and_bracketed_trunk_zero_after_a_country_code_need_no_cue(
    typed: str,
) -> None:
    assert_masked_exactly(f"Tässä {typed}", typed, Kind.PHONE)


def test_trailing_count_after_a_full_finnish_mobile_is_still_cut_off() -> None:
    assert found("soita 050 765 4321 3 kertaa") == [(Kind.PHONE, "050 765 4321")]


def test_two_numbers_in_a_row_are_both_found() -> None:
    assert found("040 111 2233 050 444 5566") == [
        (Kind.PHONE, "040 111 2233"),
        (Kind.PHONE, "050 444 5566"),
    ]


# --- what must stay readable -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Tapaaminen 12\u201303\u20132024 klo 10",
        "Päätös tuli 2024\u201103\u201112",
        "Ajanvaraus 09 12 2024 klo 10",
        "Ajalla 1.1.2024\u201331.12.2024",
        "Vuosina 2019 \u2013 2024 asuin Turussa",
        "klo 16.45\u201317.30",
        "Vuokra 1\u00a0250,50 €",
        "Maksoin 2\u202f500\u202f000 euroa",
        "Olen 34\u2011vuotias",
        "Laki 1301/2014 ja L 710/1982",
        "Postinumero 00530 Helsinki",
        "Pituus 180 cm ja paino 75 kg",
        "Bussi 550 kulkee 12 minuutin välein",
        "Soita 20 30 40 50 60",  # counting
        "Olen soittanut 1 2 3 4 5 6 7 8 kertaa",
        "tel 2024 2025 2026",
    ],
)
def test_dates_times_prices_years_and_counts_stay_readable(text: str) -> None:
    assert_readable(text)


@pytest.mark.parametrize(
    "text",
    [
        "viitenumero 12345 67890 12345",
        "Viite: 04012 34567",
        "ref. 55512 34567",
        "laskun numero 123456789",
        "asiakasnumero 0401234567",
        "tilausnumero 8 921 123 4567",
        "Varaus 0532 123 45 67 vahvistettu",
        "Dnro HEL 2024\u2013012345",
        "Kelan päätöksen numero 1234567890",
        "Migrin asianumero 1234567",
        "Y-tunnus 1234567\u20138",
        "Matkakortin numero 1234 5678 90",
        "Potilaan tunniste 020159 123",
        "order number 7 921 123 4567",
        "Заказ № 89211234567",
        "номер заказа 0671234567",
        "رقم الطلب 07701234567",
        "شماره پرونده ۰۹۱۲۳۴۵۶۷۸۹",
        "Dosya numarası 05321234567",
    ],
)
def test_labelled_reference_invoice_order_and_case_numbers_stay_readable(text: str) -> None:
    assert_readable(text)


@pytest.mark.parametrize(
    "text",
    [
        "Soita hätänumeroon 112",
        "Lasten puhelin 116\u00a0111",
        "Myrkytystietokeskus 0800\u2009147\u2009111",
        "Kelan numero 020\u2013692\u2013207",
        "Poliisi 0295 419 800",
        "Verohallinto 029 497 000",
        "Soita Kelaan 358 20 692 207",
    ],
)
def test_public_service_numbers_stay_readable_however_typed(text: str) -> None:
    assert_readable(text)


def test_extra_allowed_number_given_in_arabic_indic_digits_is_still_allowed() -> None:
    redactor = Redactor(extra_allowed=["٠٩ ٣١٠ ٤٤٤٤٤"])
    assert redactor.redact("Soita neuvontaan 09 310 44444").findings == ()


# --- the metadata patterns -------------------------------------------------------------------


@pytest.mark.parametrize("region", _REGIONS)
def test_every_region_accepts_its_own_example_mobile_and_fixed_numbers(region: str) -> None:
    for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE):
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            continue
        digits = "".join(
            c
            for c in phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL)
            if c.isdigit()
        )
        assert _RULES[region].valid(digits), (region, kind)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_REGIONS), st.text(alphabet="0123456789", min_size=6, max_size=13))
def test_region_patterns_accept_only_what_phonenumbers_calls_valid(
    region: str, digits: str
) -> None:
    if _RULES[region].valid(digits):
        number = phonenumbers.parse(digits, region)
        assert phonenumbers.is_valid_number_for_region(number, region)


# --- properties: any valid identifier in any typing is found exactly -------------------------

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def typed_with_variants(draw: st.DrawFn, plain: str) -> str:
    """`plain` (written with "-" and " ") with dash/space variants, digit scripts and
    invisible characters inside."""
    out = []
    for char in plain:
        if char == "-":
            char = draw(st.sampled_from(DASHES))
        elif char == " ":
            char = draw(st.sampled_from(SPACES))
        out.append(char)
    typed = "".join(out)
    script = draw(st.sampled_from([None, ARABIC, PERSIAN, FULL_WIDTH]))
    if script is not None:
        typed = typed.translate(script)
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        at = draw(st.integers(min_value=1, max_value=len(typed) - 1))
        typed = typed[:at] + draw(st.sampled_from(INVISIBLE)) + typed[at:]
    return typed


@st.composite
def hetus(draw: st.DrawFn) -> str:
    century, signs = draw(st.sampled_from([(1900, "-YXWVU"), (2000, "ABCDEF"), (1800, "+")]))
    born = draw(st.dates(datetime.date(century, 1, 1), datetime.date(century + 99, 12, 31)))
    code = make_hetu(born, draw(st.integers(2, 999)), draw(st.sampled_from(signs)))
    form = draw(st.sampled_from(["tight", "spaced", "space", "lower"]))
    if form == "spaced" and code[6] in "-+":
        code = f"{code[:6]} {code[6]} {code[7:]}"
    elif form == "space":
        code = f"{code[:6]} {code[7:]}"
    elif form == "lower":
        code = code.lower()
    return draw(typed_with_variants(code))


@st.composite
def ibans(draw: st.DrawFn) -> str:
    country, length = draw(st.sampled_from([("FI", 14), ("DE", 18), ("SE", 20), ("EE", 16)]))
    iban = make_iban(
        country, draw(st.text(alphabet="0123456789", min_size=length, max_size=length))
    )
    cut = draw(st.integers(min_value=4, max_value=8))
    plain = iban[:cut] + " " + groups_of_four(iban[cut:], draw(st.sampled_from([" ", "-"])))
    return draw(typed_with_variants(plain)).translate({0xFF10 + d: 0x30 + d for d in range(10)})


@st.composite
def phones(draw: st.DrawFn) -> tuple[str, str]:
    """A cue and a valid number of one of the residents' countries, in one of its forms."""
    region = draw(st.sampled_from(["FI", *HOME_REGIONS]))
    number = mobile(region)
    nsn = str(number.national_number)
    nsn = nsn[:-3] + draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    number = phonenumbers.PhoneNumber(country_code=number.country_code, national_number=int(nsn))
    assume(phonenumbers.is_valid_number(number))
    form = draw(st.sampled_from([PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL]))
    written = str(phonenumbers.format_number(number, form))
    plain = written.replace("(", "").replace(")", "")
    return draw(st.sampled_from(CUES)), draw(typed_with_variants(plain))


def _assert_exact(text: str, item: str, kind: Kind) -> None:
    start = text.index(item)
    spans = [(f.start, f.end, f.kind) for f in REDACTOR.redact(text).findings]
    assert (start, start + len(item), kind) in spans, spans


@SETTINGS
@given(hetus(), st.sampled_from(["hetu ", "Henkilötunnus: ", "код ", "رقم الهوية "]))
def test_any_valid_hetu_in_any_typing_is_found_exactly(hetu: str, before: str) -> None:
    _assert_exact(f"{before}{hetu}, kiitos", hetu, Kind.HETU)


@SETTINGS
@given(ibans())
def test_any_valid_iban_in_any_grouping_is_found_exactly(iban: str) -> None:
    _assert_exact(f"Tilinumero {iban} kiitos", iban, Kind.IBAN)


@SETTINGS
@given(phones())
def test_any_valid_home_country_number_after_a_cue_is_found_exactly(
    cue_and_number: tuple[str, str],
) -> None:
    cue, number = cue_and_number
    _assert_exact(f"{cue} {number} kiitos", number, Kind.PHONE)


@pytest.mark.parametrize("label", ["bussi", "route", "huoneen", "квартира"])
def test_a_label_of_short_numbers_does_not_hide_a_mobile_number(label: str) -> None:
    # Bus lines, rooms and flats have short numbers: a full mobile number after such a word
    # is still a phone (hypothesis found "route 0400000000" left readable).
    assert_masked_exactly(f"{label} 0451234567 kiitos", "0451234567", Kind.PHONE)
