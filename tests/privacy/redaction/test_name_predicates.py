"""Names by what the sentence says the person is: a relation of the writer's, an age or what
a person is."""

from __future__ import annotations

import pytest

from tests.support.redaction import names_in


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a first name that is an everyday word too, said to be kin or of an age
        ("Tuuli on mun tytär ja hän on kipeä.", ["Tuuli"]),
        ("Onni on 3-vuotias ja Aino on 6.", ["Onni", "Aino"]),
        ("Lumi on tyttäreni.", ["Lumi"]),
        ("Toivo on 12 vuotta vanha.", ["Toivo"]),
        ("Max on poikaystäväni.", ["Max"]),
        ("Ilona on mun työkaveri.", ["Ilona"]),
        ("lumi on mun tytär", ["lumi"]),
        # with a first name before it, the whole name
        ("Mikko Virtanen on mun isä.", ["Mikko Virtanen"]),
        # Swedish and English
        ("Elias är min bror.", ["Elias"]),
        ("Sam is my son and he is sick.", ["Sam"]),
        ("Malak är 7 år.", ["Malak"]),
        # what a person is, with up to three words describing it
        ("Tietenkin Chinaski on fiktiivinen henkilö.", ["Chinaski"]),
        ("Kokljuschkin on suomalainen muusikko.", ["Kokljuschkin"]),
        ("Tuuli on 33-vuotias näyttelijä.", ["Tuuli"]),
    ],
)
def test_a_relation_or_an_age_after_is_makes_a_name(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    "text",
    [
        "Hän on mun poika.",
        "Tämä on mun poika.",
        "se on mun exä",
        "Ongelma on mun poika.",  # a dictionary word no name list holds
        "Talo on 3 vuotta vanha.",
        "Helsinki on mun kotikaupunki.",
        "Kela on mun ainoa tulo.",
        "Vuokra on 500 euroa.",
        "Hän on 45-vuotias.",
        "This is my son.",
        "Det är min bror.",
        "Ongelma on suuri mies.",
        "Nokia on suomalainen yhtiö.",
        "Hän on hyvä opettaja.",
    ],
)
def test_pronouns_places_and_words_before_is_stay_readable(text: str) -> None:
    assert names_in(text) == []
