"""Names of countries and continents in Finnish, Swedish and English ("Georgia", "Taiwan",
"Eurooppa", "Israel"), as the Unicode CLDR data that Babel ships spells them.

Read from the installed Babel on first use, not copied here: the names are facts, the data
stays under its own licence in its package. A found one-word name that is one of these, in
any case, is the country ("Venäjän ja Georgian neuvottelut").
"""

from __future__ import annotations

import unicodedata
from functools import cache

from privacy.redaction.lexicon import base_forms

_LANGUAGES = ("fi", "sv", "en")
# CLDR's numeric codes for the world and the continents; the letter codes are countries,
# territories and unions.
_CONTINENTS = frozenset({"001", "002", "009", "019", "142", "150"})
# Countries named in the plural, whose Finnish cases the case endings undone elsewhere do not
# reach ("Yhdysvaltain", "Alankomaiden").
_PLURAL_FORMS = frozenset(
    """
    yhdysvaltain yhdysvaltojen yhdysvalloissa yhdysvalloista yhdysvaltoihin yhdysvalloille
    yhdysvalloilla alankomaiden alankomaissa alankomaista alankomaihin filippiinien
    filippiineillä filippiineille filippiineiltä arabiemiirikuntien
    """.split()
)


@cache
def territory_names() -> frozenset[str]:
    from babel import Locale

    names: set[str] = set()
    for language in _LANGUAGES:
        for code, name in Locale(language).territories.items():
            if code.isalpha() or code in _CONTINENTS:
                names.add(unicodedata.normalize("NFC", name).casefold())
    return frozenset(names | _PLURAL_FORMS)


def is_territory(word: str) -> bool:
    """Whether `word`, as written or once a Finnish case ending is taken off, names a
    country or continent."""
    names = territory_names()
    return any(form in names for form in base_forms(unicodedata.normalize("NFC", word).casefold()))
