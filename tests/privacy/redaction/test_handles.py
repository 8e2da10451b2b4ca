"""Handles and profile links are masked as the name a person goes by online."""

from __future__ import annotations

import pytest

from privacy.redaction import Kind, Redactor
from privacy.redaction.handles import find_handles

REDACTOR = Redactor()


def masked(text: str) -> list[tuple[str, Kind]]:
    return [(text[f.start : f.end], f.kind) for f in REDACTOR.redact(text).findings]


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("mun insta on @kaisa_h92", "@kaisa_h92"),
        ("telegram: @yusuf_k", "@yusuf_k"),
        ("löydät mut: facebook.com/jouni.rautio.7", "facebook.com/jouni.rautio.7"),
        ("https://www.instagram.com/aino.mki/ on mun tili", "https://www.instagram.com/aino.mki"),
        ("snap: mervi.k99", "mervi.k99"),
        ("Skypessä olen oskari.nurmi5", "oskari.nurmi5"),
        ("my insta is leila_s", "leila_s"),
        ("vk.com/id123456 oli vanha profiili", "vk.com/id123456"),
        ("mun insta on sannakorpela", "sannakorpela"),  # a first name and a surname run together
    ],
)
def test_a_handle_or_profile_link_is_masked_as_a_name(text: str, handle: str) -> None:
    assert (handle, Kind.PERSON_NAME) in masked(text)


@pytest.mark.parametrize(
    "text",
    [
        "instassa olen aktiivinen",  # a network named, no handle after it
        "snap on yksityinen",
        "snap on kissakuningas",  # a compound of words
        "Twitter-bannit ja niiden poistaminen",
        "Iglesias on levyttänyt uuden kappaleen",  # "ig" only as a word of its own
        "mun telegram on tosi hidas",
        "tavataan @ 15.00 kahvilassa",
        "nähdään @15 asemalla",
        "versio 2.0.2 on julkaistu",
        "lue lisää osoitteesta www.hel.fi/sosiaalipalvelut",
    ],
)
def test_networks_times_versions_and_sites_stay_readable(text: str) -> None:
    assert find_handles(text) == []


def test_an_email_address_stays_an_email_address() -> None:
    assert masked("laita viestiä sari.m@gmail.com") == [("sari.m@gmail.com", Kind.EMAIL)]
