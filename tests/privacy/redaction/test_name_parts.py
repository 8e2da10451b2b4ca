"""Parts of names the model seldom takes alone, and runs that name things, not people.

The examples are invented here (names and places combined at random); none comes from a corpus.
"""

from __future__ import annotations

import pytest

from tests.support.redaction import names_in


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a particle before a found name, also opening a sentence and inflected
        ("Näyttelyn avasi eilen Greta von Haartman Porvoossa.", ["Greta von Haartman"]),
        ("Von Haartmanin perhe muutti Turkuun.", ["Von Haartmanin"]),
        ("Tutkimuksen teki Aino van der Berg vuonna 1998.", ["Aino van der Berg"]),
        # the name after a found first name and a particle, though the model missed it
        ("Kasvin kuvasi ensimmäisenä Anders von Kellgrén 1820.", ["Anders von Kellgrén"]),
        # a regnal number after a found name
        ("Kirjeen allekirjoitti Kustaa III ja sinetöi sen.", ["Kustaa III"]),
        ("Ludvig II:n linna on Baijerissa.", ["Ludvig II:n"]),
        ("Robert I hallitsi lyhyen aikaa.", ["Robert I"]),
        # a first name hyphened to what the person is to the writer
        ("Asun nyt yhdessä Sanni-siskon kanssa.", ["Sanni-siskon"]),
        ("Ahmed-veljeni tulee huomenna.", ["Ahmed-veljeni"]),
        # a surname after a found first name and an initial
        ("Raportin mukaan Leila K. Saarnivaara oli paikalla.", ["Leila K. Saarnivaara"]),
    ],
)
def test_parts_of_a_name_are_masked_with_it(text: str, names: list[str]) -> None:
    assert names_in(text) == names


def test_a_lone_capital_i_after_a_name_in_english_is_no_number() -> None:
    assert names_in("Thanks Pekka I will come tomorrow") == ["Pekka"]


def test_an_article_alone_is_no_particle() -> None:
    assert "um den" not in " ".join(names_in("Hän voitti Rund um den Henninger Turm -kisan"))
    assert names_in("Lehden nimi on saksalaislehti Der Spiegel.") == []


def test_swedish_av_is_a_preposition_not_a_particle() -> None:
    assert names_in("Jag läste boken av Karin Boye igår.") == ["Karin Boye"]


@pytest.mark.parametrize(
    "text",
    [
        "Lääkeyhtiö Korvinen kertoi tuloksestaan.",
        "Kävimme kylässä, jonka nimi on kylä Hiitola.",
        "Uusi albumi Merivirta julkaistaan keväällä.",
        "Paikallislehti Kaleva kirjoitti asiasta eilen.",
        "Konsertti pidettiin Pyhän Laurin kirkossa.",
        "Hän asui vuosia St. Eriksin sairaalan lähellä.",
    ],
)
def test_a_name_after_a_kind_of_thing_or_a_saints_title_is_no_person(text: str) -> None:
    assert names_in(text) == []


def test_a_person_after_a_role_ending_like_a_thing_is_still_a_person() -> None:
    # "argentiinalaismalli", "elokuvatähti": people, though "malli" and "tähti" are things too
    assert names_in("Videolla esiintyy ranskalaismalli Odette Marchal.") == ["Odette Marchal"]
    # "Pyhä Birgitta" alone is the saint, a person; "Pyhän Birgitan kirkko" a church
    assert "Birgitta" in " ".join(names_in("Pyhä Birgitta syntyi Upplandissa."))


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Emily and Jack are my kids", ["Emily", "Jack"]),
        ("Hedvig och Alva bor hos mig", ["Hedvig", "Alva"]),
        ("Helsinki ja Espoo tekevät yhteistyötä", []),
        ("Rock and Roll never dies", []),
    ],
)
def test_two_first_names_joined_opening_a_sentence(text: str, names: list[str]) -> None:
    assert names_in(text) == names
