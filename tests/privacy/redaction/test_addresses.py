"""Street addresses and P.O. boxes in text nobody tuned on: each miss class with fresh examples.

Never prints message text beyond these made-up examples; the house numbers are invented.
"""

from __future__ import annotations

import pytest

from privacy.redaction import Kind, Redactor
from privacy.redaction.addresses import ends_like_street, find_addresses

REDACTOR = Redactor()


def addresses_in(text: str) -> list[str]:
    findings = REDACTOR.redact(text).findings
    return [text[f.start : f.end] for f in findings if f.kind is Kind.STREET_ADDRESS]


def assert_no_address(text: str) -> None:
    assert addresses_in(text) == [], text
    assert find_addresses(text) == [], text


# --- Finnish street names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Tule käymään, Kielovinkkeli 7", "Kielovinkkeli 7"),
        ("Paketti jäi Tuulimyllynkaarto 4 eteen", "Tuulimyllynkaarto 4"),
        ("Laineenhalkoja 12 on uusi talo", "Laineenhalkoja 12"),
        ("Pyörä jäi Rantabaana 9 pihaan", "Rantabaana 9"),
        ("Hän asuu nyt Sammalsilmukka 6", "Sammalsilmukka 6"),
        ("Kuusitaival 15 on lähellä koulua", "Kuusitaival 15"),
        ("Kaarnavierto 8 ovikoodi on vaikea", "Kaarnavierto 8"),
    ],
)
def test_rarer_street_ending_is_an_address_on_its_own(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Osoite: Koivupelto 12", "Koivupelto 12"),
        ("Kanervakenttä 4 B on talomme", "Kanervakenttä 4 B"),
        ("Honkaharju 9, 02100 Espoo", "Honkaharju 9"),
        ("Lehtoniitty 3 as. 4", "Lehtoniitty 3 as. 4"),
        ("Kivisilta 2 C 11", "Kivisilta 2 C 11"),
        ("Asun Satamareitti 14", "Satamareitti 14"),
        ("Asun Peltoura 5", "Peltoura 5"),
        ("Muutimme Pajulahti 6 A 2", "Pajulahti 6 A 2"),
        ("Kotini on Karhusalmi 5, 00870 Helsinki", "Karhusalmi 5"),
    ],
)
def test_ending_that_is_also_a_noun_is_an_address_with_a_cue_flat_or_postal_code(
    text: str, address: str
) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    "text",
    [
        "Riippusilta 2 on suljettu",
        "Pallokenttä 3 on varattu",
        "Lumipelto 4 näytti kauniilta",
        "Matti Kivimäki 45 soitti",
        "Leena Lehto 34 tuli",
    ],
)
def test_ending_that_is_also_a_noun_or_surname_stays_readable_without_support(text: str) -> None:
    assert addresses_in(text) == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Arabianranta 4 on tuttu paikka", "Arabianranta 4"),
        ("Merisotilaantori 2 on lähellä", "Merisotilaantori 2"),
        ("kaveri asuu kulosaaren puistotie 12", "kulosaaren puistotie 12"),
        ("tuu kaj franckin katu 3", "kaj franckin katu 3"),
        ("mennään läntinen brahenkatu 8", "läntinen brahenkatu 8"),
    ],
)
def test_known_helsinki_street_is_an_address_without_a_cue_in_any_case(
    text: str, address: str
) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Toimisto on Kustaa Vaasan tie 12", "Kustaa Vaasan tie 12"),
        ("Asun Eliel Saarisen tie 5 C 7", "Eliel Saarisen tie 5 C 7"),
        ("Käynti K.J. Ståhlbergin tie 3", "K.J. Ståhlbergin tie 3"),
        ("Eteläesplanadi 22 toinen kerros", "Eteläesplanadi 22"),
        ("Läntinen Brahenkatu 8 B", "Läntinen Brahenkatu 8 B"),
        ("Osoite on Hervannan valtaväylä 10", "Hervannan valtaväylä 10"),
        ("Osoite on Juho Kusti Paasikiven katu 4", "Juho Kusti Paasikiven katu 4"),
        ("Toimisto: Vähä Hämeenkatu 12 A", "Vähä Hämeenkatu 12 A"),
    ],
)
def test_multi_word_street_name_is_masked_whole(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Tölögatan 7 A 3", "Tölögatan 7 A 3"),
        ("Min adress är Havsgatan 3", "Havsgatan 3"),
        ("Vi bor på Strandvägen 11", "Strandvägen 11"),
        ("Kontoret ligger på Norra esplanaden 21", "Norra esplanaden 21"),
        ("Bulevarden 14 B, 00120 Helsingfors", "Bulevarden 14 B"),
        ("Björkstigen 2 lgh 14", "Björkstigen 2 lgh 14"),
    ],
)
def test_swedish_street_is_an_address(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Sepänkadulla 4 on kirjasto", "Sepänkadulla 4"),
        ("Asuin ennen Kielovinkkelissä 7", "Kielovinkkelissä 7"),
        ("Kaverini asuu Lumikintiellä 12", "Lumikintiellä 12"),
        ("Tavataan Kuusitaipaleella 15", "Kuusitaipaleella 15"),
        ("Asun Koivupellolla 3", "Koivupellolla 3"),
    ],
)
def test_inflected_street_name_is_an_address(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


# --- house number, staircase, flat ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Asun Kivikonkaari 12 K 4", "Kivikonkaari 12 K 4"),
        ("Sepänkatu 3 M 12 on kotini", "Sepänkatu 3 M 12"),
        ("Pajutie 9 T", "Pajutie 9 T"),
    ],
)
def test_staircase_letter_beyond_h_is_part_of_the_address(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Asun Pajutie 5C", "Pajutie 5C"),
        ("Asun Pajutie 7 c 21", "Pajutie 7 c 21"),
        ("Pajutie 14b on kotini", "Pajutie 14b"),
        ("Pajutie 14b 6 on kotini", "Pajutie 14b 6"),
        ("Pajutie 8 as 7", "Pajutie 8 as 7"),
        ("Pajutie 8 asunto 12", "Pajutie 8 asunto 12"),
        ("Jag bor på Havsgatan 3 lgh 1104", "Havsgatan 3 lgh 1104"),
        ("I live at Pajutie 8 apt 6", "Pajutie 8 apt 6"),
        ("Мой адрес Pajutie 8, кв. 44", "Pajutie 8, кв. 44"),
        ("My home is Pajutie 8 flat 2", "Pajutie 8 flat 2"),
        ("Pajutie 21-23 on uusi", "Pajutie 21-23"),
        ("Pajutie 21–23 B 4", "Pajutie 21–23 B 4"),
    ],
)
def test_glued_staircase_flat_and_number_range_are_part_of_the_address(
    text: str, address: str
) -> None:
    assert addresses_in(text) == [address]


def test_postal_code_and_city_stay_readable_after_the_address() -> None:
    text = "Osoite: Koivupelto 12 B 4, 02600 Espoo"
    assert REDACTOR.redact(text).text == "Osoite: [ADDRESS], 02600 Espoo"


# --- P.O. boxes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "box"),
    [
        ("Lähetä se PL 77", "PL 77"),
        ("Kela, PL 610, 00101 Helsinki", "PL 610"),
        ("Adress: PB 12, 00101 Helsingfors", "PB 12"),
        ("Skicka till Box 330, 111 22 Stockholm", "Box 330"),
        ("Send it to P.O. Box 205", "P.O. Box 205"),
        ("Send it to PO Box 8", "PO Box 8"),
        ("Postilokero 14 on tyhjä", "Postilokero 14"),
    ],
)
def test_po_box_is_masked_with_its_number(text: str, box: str) -> None:
    assert addresses_in(text) == [box]


@pytest.mark.parametrize(
    "text",
    [
        "Perustuslain PL 22 § suojaa omaisuutta",
        "se on pl 3 kertaa",
        "Tick box 4 on the form",
        "Box 2 of the form was empty",
        "Fill in Box 7 on page 2",
    ],
)
def test_law_section_and_form_box_are_not_po_boxes(text: str) -> None:
    assert_no_address(text)


# --- foreign addresses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("My old address was 14 Queen Street", "14 Queen Street"),
        ("Send it to 77B Elm Avenue please", "77B Elm Avenue"),
        ("We lived at 3 Park Rd in Leeds", "3 Park Rd"),
        ("Flat 2, 8 Rose Lane, London", "Flat 2, 8 Rose Lane"),
        ("I lived at Oxford Road 12", "Oxford Road 12"),
    ],
)
def test_english_address_with_the_number_first_or_last_is_found(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Meine Adresse: Lindenstraße 12", "Lindenstraße 12"),
        ("Goethestr. 4 in Berlin", "Goethestr. 4"),
        ("Münchener Straße 3 war mein Zuhause", "Münchener Straße 3"),
        ("Vivía en Calle Alcalá 45", "Calle Alcalá 45"),
        ("J'habitais rue Lepic 8", "rue Lepic 8"),
        ("J'habitais au 8 rue Lepic", "8 rue Lepic"),
        ("Abitavo in Via Garibaldi 6", "Via Garibaldi 6"),
        ("Ev adresim Bağdat Caddesi No: 40", "Bağdat Caddesi No: 40"),
    ],
)
def test_other_european_street_is_found(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Mon adresse: 27 Rue des Lilas", "27 Rue des Lilas"),
        ("Ma sœur habite au 5 Boulevard Voltaire", "5 Boulevard Voltaire"),
        ("On était au 112 Avenue de la Liberté", "112 Avenue de la Liberté"),
    ],
)
def test_french_number_first_address_with_a_capital_keyword_is_found(
    text: str, address: str
) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("i live at 31 birch road", "31 birch road"),
        ("my address is 6b mill lane", "6b mill lane"),
        ("we moved to 204 harbour street last year", "204 harbour street"),
        ("asun nyt 9 station rd", "9 station rd"),
    ],
)
def test_lower_case_number_first_address_after_a_cue_is_found(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    "text",
    [
        "we walked 4 blocks down the road",
        "i live 2 minutes from the main street",
        "i live at 3 floors above the street",
        "i live on a 2 lane road",
        "turn left after 2 big roundabout way",
    ],
)
def test_lower_case_distance_or_count_before_a_street_word_stays_readable(text: str) -> None:
    assert_no_address(text)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Мой адрес: ул. Гагарина, д. 7, кв. 3", "ул. Гагарина, д. 7, кв. 3"),
        ("Живу на вул. Франка 12", "вул. Франка 12"),
        ("Раньше жил на улица Пушкина 8", "улица Пушкина 8"),
        ("Офис на проспект Победы 14", "проспект Победы 14"),
        ("Я живу на Сепянкату 4", "Сепянкату 4"),
        ("عنواني شارع الحمراء 12", "شارع الحمراء 12"),
        ("أسكن في هامينتي 5", "هامينتي 5"),
    ],
)
def test_cyrillic_and_arabic_script_address_is_found(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    "text",
    [
        "живу в Хельсинки 5 лет",
        "живу в Эспоо с 2 детьми",
        "أعيش في فنلندا منذ 5 سنوات",
        "أسكن في هلسنكي 3 سنوات",
        "Мой адрес изменился 2 раза",
    ],
)
def test_cyrillic_and_arabic_cue_before_a_count_stays_readable(text: str) -> None:
    assert_no_address(text)


# --- case and cues --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("SEPÄNKATU 4", "SEPÄNKATU 4"),
        ("OSOITE: KIELOTIE 12 B 7", "KIELOTIE 12 B 7"),
        ("PISPALAN VALTATIE 21 A 3", "PISPALAN VALTATIE 21 A 3"),
    ],
)
def test_all_caps_address_is_found(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("asun sepänkatu 4 b 9", "sepänkatu 4 b 9"),
        ("osoite: pajutie 11", "pajutie 11"),
        ("mun osoite on kielotie 3", "kielotie 3"),
        ("jag bor på havsgatan 5", "havsgatan 5"),
        ("asun hervannan valtaväylä 18 as. 6", "hervannan valtaväylä 18 as. 6"),
    ],
)
def test_lower_case_address_is_found_after_a_cue_or_with_a_flat(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


def test_lower_case_street_without_cue_or_flat_stays_readable() -> None:
    assert_no_address("ajoin pajutie 11 kertaa edestakaisin")


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Jag bor på Lehtoniitty 3", "Lehtoniitty 3"),
        ("I live at Koivupelto 6", "Koivupelto 6"),
        ("Мой адрес Kanervakenttä 4", "Kanervakenttä 4"),
        ("Моя адреса Honkaharju 9", "Honkaharju 9"),
        ("عنواني Karhusalmi 5", "Karhusalmi 5"),
        ("Asumme nykyään Lehtoniitty 3", "Lehtoniitty 3"),
    ],
)
def test_address_cue_in_any_language_makes_a_weak_ending_an_address(
    text: str, address: str
) -> None:
    assert addresses_in(text) == [address]


# --- what stays readable --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Vuokra on 780 euroa ja sähkö 45 e",
        "Tapaaminen klo 13.15 tai 14:30",
        "Päätös tuli 12.3.2024",
        "Poikani on 9 vuotta",
        "Laki 981/2019 muuttui",
        "Bussi 74 ja linja 560 ovat myöhässä",
        "Ratikka 9 kulkee Hakaniemeen",
        "Windows 11 ja iPhone 14 eivät toimi",
        "Lue luku 5, osa 4, liite 6 ja kohta 9",
        "Asun kerroksessa 4, kerros 3 on remontissa",
        "Muutimme vuonna 2017",
        "Vastaanotto on huoneessa 118, huone 118",
        "PlayStation 5 rikkoutui",
        "Kela 2025 päätös tuli",
        "HJK voitti 4-1",
        "Valtatie 3 oli ruuhkainen",
        "Kantatie 45 on suljettu",
        "Hoitopolku 2 alkaa ensi viikolla",
        "Kävelytie 4 km kotoa",
        "Sateenkaari 3 on lasten kerho",
        "Kadulla 5 ihmistä odotti",
        "Olin torilla 2 tuntia",
        "Raportti 7 on valmis",
        "Tienvarressa 4 metriä lunta",
        "Hämeentien 4 kaistaa on suljettu",
        "Sepänkatu 2019 oli remontissa",
        "Hengata 2 kaverin kanssa",
        "Sverige erkände Kroatien 1992",
        "Kadunkulmassa 10 minuuttia odotin",
        "Hämeentiellä oli ruuhkaa 3 päivää",
        "I waited 2 hours at Gate 5",
        "Google Drive 2 was full",
        "I have 3 kids and 2 jobs",
        "Jag har bott här i 5 år",
        "у меня 2 детей",
        "لدي 3 أطفال",
    ],
)
def test_counts_prices_times_lines_and_look_alikes_stay_readable(text: str) -> None:
    assert_no_address(text)


# --- ends_like_street, used by name detection ----------------------------------------------


@pytest.mark.parametrize("word", ["Sepänkatu", "Kielovinkkeli", "Havsgatan", "Lindenstraße"])
def test_street_word_ends_like_a_street(word: str) -> None:
    assert ends_like_street(word)


@pytest.mark.parametrize("word", ["Virtanen", "Kivimäki", "Lehto", "Salmi", "Leena", "Laura"])
def test_surname_with_a_place_ending_does_not_end_like_a_street(word: str) -> None:
    assert not ends_like_street(word)


def test_an_address_overlapped_by_a_stronger_finding_keeps_its_street_masked() -> None:
    # "101 00100" reads as a phone number after a contact cue; the street before it must not
    # then be dropped and left readable.
    text = "Yhteystietoni on: orvokkikatu 14 B 203 00620 Helsinki."
    redacted = REDACTOR.redact(text).text
    assert "orvokkikatu" not in redacted and "14 B" not in redacted


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Asun nykyään Kontulankaarella, voisiko joku soittaa?", "Kontulankaarella"),
        ("asun vesakkotiellä äidin kanssa", "vesakkotiellä"),
        ("Osoitteeni on Rypsikuja.", "Rypsikuja"),
        ("Muutimme Sörnäisten rantatielle keväällä.", "Sörnäisten rantatielle"),
        ("I live on Laivurinkatu with my son.", "Laivurinkatu"),
        ("Jag bor på Fredriksgatan sedan maj.", "Fredriksgatan"),
    ],
)
def test_street_where_the_writer_lives_is_masked_without_a_number(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    "text",
    [
        "Kontulankaarella on tietöitä koko viikon.",  # in passing, no cue
        "Asun kadulla nykyään, ei ole asuntoa.",  # homelessness, not a street
        "Asun Kontulassa äidin luona.",  # a district
        "Asun kävelytien vieressä.",  # a common noun that ends like a street
    ],
)
def test_street_in_passing_district_or_common_noun_stays_readable(text: str) -> None:
    assert addresses_in(text) == []


# --- house names, spelled-out staircases, ordinal streets -----------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        # a house or street name no list knows, right after an address cue, with the number
        # ending the address
        ("asun tällä hetkellä Koivuranta 3", "Koivuranta 3"),
        ("Osoitteeni on Kuusenkerkkä 11 B 4", "Kuusenkerkkä 11 B 4"),
        ("bor på Ekudden 6, Kyrkslätt", "Ekudden 6"),
        ("Asun Haapamäki 2:ssa", "Haapamäki 2:ssa"),
        # a staircase spelled out, and the flat after it
        ("asun Vesakkotie 9 rappu C asunto 31", "Vesakkotie 9 rappu C asunto 31"),
        ("Bor på Ängsvägen 14 trappa B lgh 2", "Ängsvägen 14 trappa B lgh 2"),
        # an ordinal street name, with a directional before it and a flat before the number
        ("My address is Apt 7C, 410 W 57th St, New York", "Apt 7C, 410 W 57th St"),
        ("I live at 9 East 2nd Street", "9 East 2nd Street"),
        # the flat as Turkish addresses write it
        ("Ev adresim Bağdat Caddesi No: 40 Daire: 7", "Bağdat Caddesi No: 40 Daire: 7"),
        ("Ev adresim Bağdat Caddesi No: 40 D: 7", "Bağdat Caddesi No: 40 D: 7"),
        ("Adresim Atatürk Cad. No: 15 D: 4", "Atatürk Cad. No: 15 D: 4"),
    ],
)
def test_house_names_staircase_words_and_ordinal_streets_are_found(text: str, address: str) -> None:
    assert addresses_in(text) == [address]


@pytest.mark.parametrize(
    "text",
    [
        # a place in a local case, a count, a year, an age or more words after the number
        "asun Espoossa 4 vuotta",
        "muutin Suomeen 2016",
        "muutin Tampereelle 19-vuotiaana",
        "asun Vantaa 2 lapsen kanssa",
        "I moved to Espoo 2 years ago",
        "we met at 5 pm on 2nd Street",
        "asun Pengerkatu 7 ja rappu on siisti",
    ],
)
def test_cued_words_before_counts_years_and_ages_are_no_house(text: str) -> None:
    found = addresses_in(text)
    assert found in ([], ["Pengerkatu 7"]), found
