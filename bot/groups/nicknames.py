"""Per-session nicknames ("Sininen haikara") in the session's language.

Deterministic for (session, pseudonym) through a keyed hash, unique within a session; never
derived from anything another participant could trace back to a platform name or id.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection

# Colours and animals: friendly, neutral, easy to read aloud. Russian, Ukrainian and Arabic use
# only masculine nouns so that the adjective always agrees; Arabic puts the adjective second.
_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "fi": (
        "Sininen",
        "Punainen",
        "Keltainen",
        "Vihreä",
        "Valkoinen",
        "Harmaa",
        "Ruskea",
        "Oranssi",
        "Violetti",
        "Hopeinen",
        "Kultainen",
        "Pilkullinen",
        "Raidallinen",
        "Pörröinen",
        "Iloinen",
        "Rauhallinen",
    ),
    "sv": (
        "Blå",
        "Röd",
        "Gul",
        "Grön",
        "Vit",
        "Grå",
        "Brun",
        "Orange",
        "Lila",
        "Silver",
        "Gyllene",
        "Prickig",
        "Randig",
        "Lurvig",
        "Glad",
        "Lugn",
    ),
    "en": (
        "Blue",
        "Red",
        "Yellow",
        "Green",
        "White",
        "Grey",
        "Brown",
        "Orange",
        "Purple",
        "Silver",
        "Golden",
        "Spotted",
        "Striped",
        "Fluffy",
        "Cheerful",
        "Calm",
    ),
    "ru": (
        "Синий",
        "Красный",
        "Жёлтый",
        "Зелёный",
        "Белый",
        "Серый",
        "Бурый",
        "Оранжевый",
        "Лиловый",
        "Серебряный",
        "Золотой",
        "Пятнистый",
        "Полосатый",
        "Пушистый",
        "Весёлый",
        "Спокойный",
    ),
    "uk": (
        "Синій",
        "Червоний",
        "Жовтий",
        "Зелений",
        "Білий",
        "Сірий",
        "Бурий",
        "Помаранчевий",
        "Бузковий",
        "Срібний",
        "Золотий",
        "Плямистий",
        "Смугастий",
        "Пухнастий",
        "Веселий",
        "Спокійний",
    ),
    "ar": (
        "الأزرق",
        "الأحمر",
        "الأصفر",
        "الأخضر",
        "الأبيض",
        "الرمادي",
        "البني",
        "البرتقالي",
        "البنفسجي",
        "الفضي",
        "الذهبي",
        "المرقط",
        "المخطط",
        "الناعم",
        "المرح",
        "الهادئ",
    ),
}
_ANIMALS: dict[str, tuple[str, ...]] = {
    "fi": (
        "haikara",
        "kettu",
        "jänis",
        "orava",
        "siili",
        "pöllö",
        "joutsen",
        "karhu",
        "ilves",
        "majava",
        "hirvi",
        "kurki",
        "tikka",
        "saukko",
        "peippo",
        "hylje",
    ),
    "sv": (
        "häger",
        "räv",
        "hare",
        "ekorre",
        "igelkott",
        "uggla",
        "svan",
        "björn",
        "lo",
        "bäver",
        "älg",
        "trana",
        "hackspett",
        "utter",
        "bofink",
        "säl",
    ),
    "en": (
        "heron",
        "fox",
        "hare",
        "squirrel",
        "hedgehog",
        "owl",
        "swan",
        "bear",
        "lynx",
        "beaver",
        "moose",
        "crane",
        "woodpecker",
        "otter",
        "finch",
        "seal",
    ),
    "ru": (
        "журавль",
        "лис",
        "заяц",
        "ёж",
        "филин",
        "лебедь",
        "медведь",
        "рысь",
        "бобр",
        "лось",
        "дятел",
        "тюлень",
        "барсук",
        "воробей",
        "снегирь",
        "кит",
    ),
    "uk": (
        "журавель",
        "лис",
        "заєць",
        "їжак",
        "пугач",
        "лебідь",
        "ведмідь",
        "рись",
        "бобер",
        "лось",
        "дятел",
        "тюлень",
        "борсук",
        "горобець",
        "снігур",
        "кит",
    ),
    "ar": (
        "مالك الحزين",
        "الثعلب",
        "الأرنب",
        "السنجاب",
        "القنفذ",
        "البوم",
        "البجع",
        "الدب",
        "الوشق",
        "القندس",
        "الأيل",
        "الكركي",
        "نقار الخشب",
        "القضاعة",
        "العصفور",
        "الفقمة",
    ),
}
FALLBACK = "en"


def _compose(language: str, adjective: str, animal: str) -> str:
    if language == "ar":
        return f"{animal} {adjective}"
    return f"{adjective} {animal}"


def candidates(language: str) -> list[str]:
    """Every nickname of a language, in a fixed order."""
    lang = language if language in _ADJECTIVES else FALLBACK
    return [
        _compose(lang, adjective, animal)
        for animal in _ANIMALS[lang]
        for adjective in _ADJECTIVES[lang]
    ]


def nickname_for(
    pepper: bytes, session_id: str, pseudonym: str, language: str, taken: Collection[str]
) -> str:
    """The participant's nickname: the same on rejoining, never one already taken in the session.

    Keyed with the pepper, so the nickname reveals nothing about the pseudonym, and differs
    from session to session, so two sessions' nicknames cannot be linked.
    """
    names = candidates(language)
    digest = hmac.new(pepper, f"nickname:{session_id}:{pseudonym}".encode(), hashlib.sha256)
    start = int.from_bytes(digest.digest()[:8], "big") % len(names)
    for offset in range(len(names)):
        name = names[(start + offset) % len(names)]
        if name not in taken:
            return name
    # More participants than names (over 256): number the repeats.
    number = 2
    while f"{names[start]} {number}" in taken:
        number += 1
    return f"{names[start]} {number}"
