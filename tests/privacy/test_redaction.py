"""Behaviour of the PII redactor: what it masks, what stays readable, its API and its CLI.

Never prints message text in an assertion message beyond the test's own fixed examples.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType

import pytest

from privacy.redaction import Finding, Kind, Redaction, Redactor

REDACTOR = Redactor()
SHARED = Path(__file__).parents[2].parent / "shared"
SCORER = SHARED / "tools" / "pii_score.py"
DEV_CORPUS = SHARED / "data" / "pii-dev.jsonl"


def masked(text: str) -> list[tuple[Kind, str]]:
    """The kinds and original values of every finding, for readable assertions."""
    return [(f.kind, text[f.start : f.end]) for f in REDACTOR.redact(text).findings]


def masked_values(text: str) -> list[str]:
    return [value for _, value in masked(text)]


def assert_untouched(text: str) -> None:
    assert REDACTOR.redact(text).findings == (), text


# --- HETU -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hetu",
    [
        "131052-308T",  # 1900s, "-"
        "131052Y308T",
        "131052X308T",
        "131052W308T",
        "131052V308T",
        "131052U308T",
        "010594Y9032",
        "131052+308T",  # 1800s
        "131052A308T",  # 2000s
        "131052B308T",
        "131052C308T",
        "131052D308T",
        "131052E308T",
        "131052F308T",
    ],
)
def test_hetu_with_every_2023_century_sign_is_found(hetu: str) -> None:
    text = f"Hetuni on {hetu}, kiitos"
    assert masked(text) == [(Kind.HETU, hetu)]


def test_temporary_hetu_with_individual_number_over_900_is_found() -> None:
    assert masked("tunnus 010101-900R") == [(Kind.HETU, "010101-900R")]


def test_lower_case_hetu_glued_to_a_word_is_found() -> None:
    assert masked_values("hetu131052-308t") == ["131052-308t"]


def test_hetu_with_a_typo_in_the_check_character_is_still_masked() -> None:
    # A mistyped identity code still identifies the person.
    assert masked_values("henkilötunnus 131052-308A") == ["131052-308A"]


def test_six_digit_number_with_impossible_date_is_not_a_hetu() -> None:
    assert_untouched("tilaus 991399-1234 on matkalla")


# --- IBAN and cards --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iban",
    [
        "FI21 1234 5600 0007 85",
        "FI2112345600000785",
        "fi21 1234 5600 0007 85",
        "SE45 5000 0000 0583 9825 7466",
        "DE89 3704 0044 0532 0130 00",
        "GB29 NWBK 6016 1331 9268 19",
    ],
)
def test_valid_iban_is_found_spaced_or_not(iban: str) -> None:
    assert masked(f"Tilinumero {iban} kiitos") == [(Kind.IBAN, iban)]


def test_iban_directly_followed_by_other_words_keeps_them_readable() -> None:
    text = "tili FI21 1234 5600 0007 85 ja vuokra 650 e"
    assert masked_values(text) == ["FI21 1234 5600 0007 85"]


def test_luhn_valid_card_is_found_grouped_or_not() -> None:
    assert masked("Kortti 4111 1111 1111 1111") == [(Kind.PAYMENT_CARD, "4111 1111 1111 1111")]
    assert masked_values("card 5555555555554444 expired") == ["5555555555554444"]
    assert masked_values("kortti 4111-1111-1111-1111") == ["4111-1111-1111-1111"]


def test_sixteen_digits_failing_luhn_are_not_a_card() -> None:
    assert Kind.PAYMENT_CARD not in [k for k, _ in masked("Tilaus 1234 5678 9012 3456")]


def test_card_expiry_date_stays_readable() -> None:
    text = "Kortti 4111 1111 1111 1111 vanhenee 12/25"
    assert REDACTOR.redact(text).text == "Kortti [CARD] vanhenee 12/25"


# --- phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "040 123 4567",
        "0401234567",
        "050-123 4567",
        "044-6537556",
        "046 37 45 299",
        "09 1234 5678",
        "(09) 123 456",
        "+358 40 123 4567",
        "+358401234567",
        "+35840 123 4567",
        "00358 40 123 4567",
        "+964 770 718 2278",
        "+7 921 756-55-12",
        "+380 67 965 5698",
        "+46 70 188 35 52",
        "+252 61 166 5876",
    ],
)
def test_finnish_and_foreign_phone_numbers_are_found(phone: str) -> None:
    assert masked(f"soita {phone} iltaisin") == [(Kind.PHONE, phone)]


def test_phone_glued_to_a_word_is_found() -> None:
    assert masked_values("soita0401234567") == ["0401234567"]


def test_trailing_count_after_a_phone_number_stays_readable() -> None:
    assert REDACTOR.redact("soita 040 123 4567 2 kertaa").text == "soita [PHONE] 2 kertaa"


@pytest.mark.parametrize(
    "text",
    [
        "Mötet är 04.06.2025",
        "Tapaaminen on 05.05.2020 15:15",
        "Tapaaminen 04-06-2025 klo 16.45",
        "Tapaaminen on 8.6. 20-22",
        "Sain päätöksen 01.08.2020",
    ],
)
def test_zero_padded_date_is_not_a_phone(text: str) -> None:
    assert_untouched(text)


@pytest.mark.parametrize(
    "text",
    [
        "Soita hätänumeroon 112",
        "Lasten ja nuorten puhelin 116 111",
        "Päivystysapu 116 117 auttaa",
        "Kriisipuhelin 09 2525 0111 päivystää",
        "MIELI ry:n kriisipuhelin +358 9 2525 0111",
        "Myrkytystietokeskus 0800 147 111",
        "Nollalinja 080 005 005",
        "Kelan numero 020 692 207",
    ],
)
def test_allow_listed_crisis_line_stays_readable(text: str) -> None:
    assert_untouched(text)


def test_extra_allowed_number_of_the_organisation_stays_readable() -> None:
    redactor = Redactor(extra_allowed=["09 310 44444"])
    text = "Soita neuvontaan 09 310 44444 tai minulle 040 123 4567"
    findings = redactor.redact(text).findings
    assert [text[f.start : f.end] for f in findings] == ["040 123 4567"]
    assert [f.kind for f in REDACTOR.redact(text).findings] == [Kind.PHONE, Kind.PHONE]


def test_extra_allowed_email_stays_readable() -> None:
    redactor = Redactor(extra_allowed=["neuvonta@hel.fi"])
    assert redactor.redact("Kirjoita neuvonta@hel.fi").findings == ()


# --- email and IP ----------------------------------------------------------------------------


def test_email_address_is_found() -> None:
    assert masked("meiliä: matti.meikalainen@gmail.com.") == [
        (Kind.EMAIL, "matti.meikalainen@gmail.com")
    ]


def test_email_spelled_with_at_in_brackets_is_found() -> None:
    assert masked_values("osoite matti(at)example.fi") == ["matti(at)example.fi"]


def test_ip_v4_and_v6_addresses_are_found() -> None:
    text = "IP 192.168.1.23 ja 2001:db8::ff00:42:8329"
    assert masked(text) == [
        (Kind.IP_ADDRESS, "192.168.1.23"),
        (Kind.IP_ADDRESS, "2001:db8::ff00:42:8329"),
    ]


def test_clock_time_with_seconds_is_not_an_ip_address() -> None:
    assert_untouched("Soitin klo 12:30:45")


# --- street addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Asun Kallioportaankatu 3 B 45", "Kallioportaankatu 3 B 45"),
        ("Osoite: Sörnäisten rantatie 28, 00500 Helsinki", "Sörnäisten rantatie 28"),
        ("Asun Tallinnanaukio 98 A 56", "Tallinnanaukio 98 A 56"),
        ("Siltasaarenkatu 44 E 15, 00530 Helsinki", "Siltasaarenkatu 44 E 15"),
        ("Jag bor på Mannerheimvägen 12 A 3", "Mannerheimvägen 12 A 3"),
        ("Adress: Drottninggatan 5", "Drottninggatan 5"),
        ("asun Mannerheimintiellä 5", "Mannerheimintiellä 5"),
        ("Hämeentie 3:ssa on apteekki", "Hämeentie 3:ssa"),
        ("Asun Malminkaari 16 as. 35", "Malminkaari 16 as. 35"),
        ("Asun Jakomäenpolku 107 D16", "Jakomäenpolku 107 D16"),
        ("Osoite: Ala-Malmin tori 18 C43, 00700 Helsinki", "Ala-Malmin tori 18 C43"),
        ("Address Aleksis Kiven katu 60, 00500 Helsinki", "Aleksis Kiven katu 60"),
        ("Asun Pohjoinen Rautatiekatu 21 B", "Pohjoinen Rautatiekatu 21 B"),
        ("osoite: mannerheimintie 5 a 12", "mannerheimintie 5 a 12"),
        ("Asun Toinen linja 14 A 3", "Toinen linja 14 A 3"),
        ("I live at Fleminginkatu 20 B 33, 00530 Helsinki", "Fleminginkatu 20 B 33"),
        ("Hakaniemenranta 6, 00530 Helsinki", "Hakaniemenranta 6"),
        ("Мой адрес Itäkatu 10 C 39", "Itäkatu 10 C 39"),
        ("Asun Hämeentie 5 A as. 12", "Hämeentie 5 A as. 12"),
        ("Mannerheimintie 12a 3 on kotini", "Mannerheimintie 12a 3"),
        ("Jag bor på Drottninggatan 5 lgh 1203", "Drottninggatan 5 lgh 1203"),
        ("Hämeentie 15-17 C 8", "Hämeentie 15-17 C 8"),
    ],
)
def test_street_address_with_number_staircase_and_flat_is_found(text: str, address: str) -> None:
    assert masked(text) == [(Kind.STREET_ADDRESS, address)]


def test_postal_code_and_city_after_an_address_stay_readable() -> None:
    redaction = REDACTOR.redact("Osoite: Vuosaarentie 4, 00980 Helsinki")
    assert redaction.text == "Osoite: [ADDRESS], 00980 Helsinki"


@pytest.mark.parametrize(
    "text",
    [
        "Hämeentiellä on ruuhkaa",
        "Bussi 55 kulkee Hämeentietä pitkin",
        "Asun Kalliossa 5 vuotta",
        "Olin Kauppatorilla 2 tuntia",
        "Valtatie 4 on ruuhkainen",
        "Bussilinja 55 on myöhässä",
        "Asun Kontulassa",
        "Raportti 3 on valmis",
    ],
)
def test_street_name_without_a_house_number_or_a_count_stays_readable(text: str) -> None:
    assert_untouched(text)


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Nimeni on Riikka Salminen", ["Riikka Salminen"]),
        ("nimeni on matti", ["matti"]),
        ("Olen Leena", ["Leena"]),
        ("Nimi: Dmitri Hämäläinen", ["Dmitri Hämäläinen"]),
        ("Jag heter Eetu", ["Eetu"]),
        ("Hej, jag är Anders", ["Anders"]),
        ("My name is John Smith", ["John Smith"]),
        ("I'm Aino Saarinen", ["Aino Saarinen"]),
        ("Меня зовут Ольга Петрова", ["Ольга Петрова"]),
        ("Мене звати Олена", ["Олена"]),
        ("اسمي أحمد علي", ["أحمد علي"]),
        ("Kirjoitan äitini Noora Laine puolesta", ["Noora Laine"]),
        ("Poikani Eetu on 7-vuotias", ["Eetu"]),
        ("tyttäreni Aino menee kouluun", ["Aino"]),
        ("min son Oskar är sjuk", ["Oskar"]),
        ("my daughter Emily is 5", ["Emily"]),
        ("Mieheni Jari Virtanen lyö minua", ["Jari Virtanen"]),
        ("Ystävällisin terveisin Pekka Korhonen", ["Pekka Korhonen"]),
        ("Kiitos avusta!\nLeena", ["Leena"]),
        ("t. Sanna", ["Sanna"]),
        ("Soitin eilen Mattille", ["Mattille"]),
        ("Ainon kanssa puhuttiin", ["Ainon"]),
        ("Leenan asia on kesken", ["Leenan"]),
        ("Leena-Maija Koskinen soitti", ["Leena-Maija Koskinen"]),
        ("rouva Laine soitti eilen", ["Laine"]),
        ("Kävin Virtasen luona", ["Virtasen"]),
        ("Puhuin eilen Tuulin kanssa", ["Tuulin"]),
        ("Ystäväni Fatima auttaa minua", ["Fatima"]),
        ("moi, oon matti virtanen", ["matti virtanen"]),
    ],
)
def test_names_after_cues_in_signatures_and_inflected_are_found(
    text: str, names: list[str]
) -> None:
    assert masked_values(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Puhuin eilen Kettusen kanssa", ["Kettusen"]),
        ("Kävin rouva Lindbladin luona", ["Lindbladin"]),
        ("Olen Xiaoming Pitkäranta-Kettunen", ["Xiaoming Pitkäranta-Kettunen"]),
        ("Olen Ronja", ["Ronja"]),
        ("I'm Zeynep, I need help", ["Zeynep"]),
        ("I'm Xiu", ["Xiu"]),
        ("mun äiti Xiu tarvitsee apua", ["Xiu"]),
        ("Me llamo Carlos y vivo en Helsinki", ["Carlos"]),
        ("Benim adım Mehmet", ["Mehmet"]),
        ("Je m'appelle Amélie", ["Amélie"]),
        ("Soitin eilen Tuulille", ["Tuulille"]),
        ("Yst. terv. Maija", ["Maija"]),
        ("t. Johanna K.", ["Johanna K."]),
        ("Kiitos vastauksesta.\n- Marjatta", ["Marjatta"]),
        ("Ex-mieheni Jari Nieminen uhkailee minua", ["Jari Nieminen"]),
        ("Lapseni Emilia ja Onni ovat kotona", ["Emilia", "Onni"]),
        ("Мене звати Олександр Коваленко", ["Олександр Коваленко"]),
        ("Mattila Pekka, Hämeentie 10 B 20", ["Mattila Pekka", "Hämeentie 10 B 20"]),
        ("Hi, I'm Sarah. My son Liam needs help.", ["Sarah", "Liam"]),
    ],
)
def test_unlisted_names_are_found_by_shape_and_cue(text: str, names: list[str]) -> None:
    assert masked_values(text) == names


@pytest.mark.parametrize(
    "text",
    [
        "Olen Suomalainen",
        "I'm Kurdish from Iraq",
        "I'm Sorry",
        "Jag är Svensk",
        "I am Unemployed",
        "Olen Irakista kotoisin",
        "Olen Espoolainen",
        "Olen Työtön ja tarvitsen apua",
        "Olen Kelan asiakas",
        "Menen huomenna Saloon ja Kalliolle",
        "Tuuli puhaltaa kovaa tänään",
        "Anna minulle aikaa",
        "Toivo ei ole kadonnut",
        "Onni oli matkassa",
        "Olen Helsingistä ja asun Espoossa",
        "Olen 27 vuotta vanha",
        "Olen väsynyt",
        "I'm Finnish and I'm 30",
        "Will you help me?",
        "May I ask something about Kela?",
        "Hei Kela, tarvitsen apua",
        "Muutin Helsinkiin vuonna 2018",
        "Laine on korkea tänään",
        "Mun nimi on salainen",
        "Terveisin Asukas",
        "Helsingin kaupunki lähetti kirjeen maanantaina",
        "Sosiaalitoimisto Kalliossa auttoi",
    ],
)
def test_names_that_are_also_words_or_places_stay_readable_without_a_cue(text: str) -> None:
    assert_untouched(text)


# --- what must stay readable -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Bussi 55 kulkee klo 16.45 asti",
        "Vuokra 1 250,50 €",
        "I pay 418 e per month",
        "Olen 34-vuotias",
        "Laki 1301/2014 ja L 710/1982",
        "Meillä on 3 lasta ja vuokra 950 e",
        "Asiakasnumero 123456789",
        "Mötet är 13.5.",
        "Minulla on velkaa 3500 euroa",
        "Maanantaina 3.2. klo 9",
    ],
)
def test_dates_times_prices_ages_and_law_numbers_stay_readable(text: str) -> None:
    assert_untouched(text)


# --- several items, languages, the API -------------------------------------------------------


def test_several_items_in_one_lower_case_message_are_all_found() -> None:
    text = (
        "moi oon matti virtanen, hetu 131052-308t, puh 0401234567, "
        "asun hämeentie 3 b 12 ja tili fi21 1234 5600 0007 85"
    )
    assert [k for k, _ in masked(text)] == [
        Kind.PERSON_NAME,
        Kind.HETU,
        Kind.PHONE,
        Kind.STREET_ADDRESS,
        Kind.IBAN,
    ]


def test_finnish_numbers_inside_arabic_and_russian_text_are_found() -> None:
    assert masked_values("رقمي 0401234567 شكرا") == ["0401234567"]
    assert masked_values("мой телефон +358 40 123 4567, спасибо") == ["+358 40 123 4567"]


def test_name_directly_before_an_address_is_masked_too() -> None:
    assert masked("Leena Virtanen Hämeentie 5 B 12") == [
        (Kind.PERSON_NAME, "Leena Virtanen"),
        (Kind.STREET_ADDRESS, "Hämeentie 5 B 12"),
    ]


def test_redacted_text_has_typed_placeholders_and_spans_that_point_at_them() -> None:
    text = "Olen Leena, hetu 131052-308T, soita 040 123 4567 tai leena@example.fi"
    redaction = REDACTOR.redact(text)
    assert redaction.text == "Olen [NAME], hetu [HETU], soita [PHONE] tai [EMAIL]"
    chips = [redaction.text[s:e] for s, e in redaction.placeholder_spans]
    assert chips == [f.kind.placeholder for f in redaction.findings]


def test_findings_are_sorted_non_overlapping_and_offsets_index_the_original() -> None:
    text = "Kortti 4111 1111 1111 1111, hetu 131052-308T, IBAN FI21 1234 5600 0007 85"
    findings = REDACTOR.redact(text).findings
    assert [f.kind for f in findings] == [Kind.PAYMENT_CARD, Kind.HETU, Kind.IBAN]
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))


def test_kind_values_are_the_stable_storage_keys() -> None:
    assert {k.value for k in Kind} >= {
        "hetu",
        "phone",
        "email",
        "iban",
        "payment_card",
        "street_address",
        "person_name",
        "ip_address",
    }


def test_finding_repr_shows_kind_and_offsets_but_never_the_value() -> None:
    text = "hetu 131052-308T"
    redaction = REDACTOR.redact(text)
    assert "131052" not in repr(redaction.findings[0])
    assert "131052" not in repr(redaction)
    assert repr(Finding(Kind.HETU, 5, 16)) == "Finding(kind='hetu', start=5, end=16)"


def test_redaction_and_finding_are_frozen() -> None:
    redaction = REDACTOR.redact("Olen Leena")
    with pytest.raises(AttributeError):
        redaction.text = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        redaction.findings[0].start = 0  # type: ignore[misc]
    assert isinstance(redaction, Redaction)


def test_long_pasted_message_keeps_every_finding() -> None:
    block = "Nimi: Leena Virtanen, puh 040 123 4567, Hämeentie 5 B 12, hetu 131052-308T. "
    redaction = REDACTOR.redact(block * 500)
    assert len(redaction.findings) == 4 * 500
    assert redaction.text == "Nimi: [NAME], puh [PHONE], [ADDRESS], hetu [HETU]. " * 500


def test_empty_and_whitespace_messages_give_no_findings() -> None:
    assert REDACTOR.redact("").text == ""
    assert REDACTOR.redact("  \n ").findings == ()


def test_one_redactor_gives_the_same_results_from_many_threads() -> None:
    texts = ["Olen Leena, puh 0401234567", "hetu 131052-308T", "Asun Itäkatu 10 C 39"] * 50
    expected = [REDACTOR.redact(t) for t in texts]
    results: list[list[Redaction]] = [[] for _ in range(4)]

    def work(slot: int) -> None:
        results[slot] = [REDACTOR.redact(t) for t in texts]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r == expected for r in results)


# --- the dev corpus and the scorer -----------------------------------------------------------


def _load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pii_score", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (SCORER.exists() and DEV_CORPUS.exists()), reason="shared corpus absent")
def test_dev_corpus_scores_meet_the_quality_floors(tmp_path: Path) -> None:
    findings_path = tmp_path / "findings.jsonl"
    with DEV_CORPUS.open(encoding="utf-8") as corpus, findings_path.open("w") as out:
        for line in corpus:
            redaction = REDACTOR.redact(json.loads(line)["text"])
            found = [
                {"kind": f.kind.value, "start": f.start, "end": f.end} for f in redaction.findings
            ]
            out.write(json.dumps({"findings": found}) + "\n")
    result = _load_scorer().score(str(DEV_CORPUS), str(findings_path))
    assert result["structured_recall"] >= 0.995
    assert result["address_recall"] >= 0.98
    assert result["name_recall"] >= 0.90
    assert result["char_precision"] >= 0.97
    assert result["clean_messages_touched"] <= 0.02
    assert result["messages_leaking"] <= 0.03


# --- the command line ------------------------------------------------------------------------


def _cli(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "privacy.redaction", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )


def test_cli_round_trip_keeps_order_and_non_ascii() -> None:
    lines = [
        {"text": "Olen Leena, puh 040 123 4567", "id": 1},
        {"text": "Hämeentiellä on ruuhkaa"},
        {"text": "Меня зовут Ольга"},
    ]
    result = _cli("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["text"] for o in out] == [
        "Olen [NAME], puh [PHONE]",
        "Hämeentiellä on ruuhkaa",
        "Меня зовут [NAME]",
    ]
    assert out[0]["findings"] == [
        {"kind": "person_name", "start": 5, "end": 10},
        {"kind": "phone", "start": 16, "end": 28},
    ]
    assert "Меня" in result.stdout  # written as is, not \\u-escaped


def test_cli_reports_a_bad_line_by_number_only_and_continues() -> None:
    secret = "hetu 131052-308T"
    result = _cli(
        f'{{"text": "Olen Leena"}}\n{{"text": "{secret}"\n{{"text": 5}}\n{{"text": "ok"}}\n'
    )
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["text"] == "Olen [NAME]"
    assert out[1] == {"error": 'line 2: not a JSON object with a string "text"'}
    assert out[2]["error"].startswith("line 3:")
    assert out[3]["text"] == "ok"
    assert "131052" not in result.stdout + result.stderr


def test_cli_allow_option_keeps_an_organisation_number() -> None:
    result = _cli('{"text": "Soita 09 310 44444"}\n', "--allow", "09 310 44444")
    assert json.loads(result.stdout)["findings"] == []


def test_keep_readable_puts_chosen_findings_back_and_keeps_offsets_true() -> None:
    from privacy.redaction import keep_readable

    text = "Hei, olen Tiina. Soita 040 123 4567, terveisin Maija Virtanen"
    redaction = Redactor().redact(text)
    kept = keep_readable(text, redaction, lambda f: text[f.start : f.end] == "Tiina")
    assert "olen Tiina." in kept.text
    assert "[PHONE]" in kept.text
    assert "Tiina" not in [text[f.start : f.end] for f in kept.findings]
    for finding, (start, end) in zip(kept.findings, kept.placeholder_spans, strict=True):
        assert kept.text[start:end].startswith("[")
        assert finding.kind.value in {"phone", "person_name"}
