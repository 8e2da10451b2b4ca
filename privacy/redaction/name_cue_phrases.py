"""The phrases that introduce a person's name ("nimeni on", "my son", "rouva", "terveisin"),
by kind, in the residents' six languages, and the tables the cue finder reads them through.

Data only: `name_cues.py` decides what follows a cue.
"""

from __future__ import annotations

# Cue classes. STRONG: the next word is the name whatever its case ("nimeni on matti").
# RELATIVE / TITLE: a capitalised or listed word next is a name ("poikani Eetu", "rouva Laine").
# WEAK: only a listed name in its plain form counts ("olen Leena", not "olen väsynyt").
# SIGNOFF: a capitalised or listed word after a closing ("terveisin", "mvh").
# GREETING: only a listed name in its plain form ("hei Leena").
# Each kind lists phrases separated by "|"; "sana*" matches any word that starts with "sana";
# a final ":" demands a colon or dash after the cue, a final "." a dot ("t. Sanna").
_CUE_PHRASES = {
    "strong": """
        nimeni on | minun nimeni on | mun nimeni on | mun nimi on | minun nimi on | nimemme on
        | nimeni: | nimi: | nimi on | nimeltä | nimeltäni | nimeltään | nimensä on
        | hänen nimensä on | hänen nimi on | lapsen nimi on | pojan nimi on | tytön nimi on
        | jag heter | mitt namn är | han heter | hon heter
        | hen heter | namn: | my name is | my name's | his name is | her name is
        | their name is | name: | меня зовут | его зовут | её зовут
        | ее зовут | моё имя | мое имя | имя: | мене звати | його звати | її звати | моє ім'я
        | моє ім’я | ім'я: | ім’я: | اسمي | إسمي | اسمه | اسمها | الاسم | اسم من | نام من
        | yhteystietoni on | yhteystietoni: | yhteystiedot: | yhteyshenkilö: | yhteyshenkilö on
        | yhteyshenkilöni on | kontaktperson: | mina kontaktuppgifter är | contact person:
        | contact: | my contact details are | minu nimi on | magacaygu waa | magacayga waa
        | benim adım | adım | me llamo
        | mi nombre es | je m'appelle | je m’appelle | nazywam się | mam na imię
    """,
    "relative": """
        kutsu minua | kutsukaa minua | kalla mig | call me | named
        | mun poika | mun tyttö | mun tytär | mun äiti | mun isä | mun mies | mun vaimo
        | mun sisko | mun veli | mun lapsi | mun kaveri | mun ystävä | mun naapuri | mun mummo
        | mun ukki | mun poikaystävä | mun tyttöystävä | mun puoliso | mun exä
        | min son | min dotter | min mamma | min mor | min pappa | min far | min man | min fru
        | min sambo | min partner | min bror | min syster | min vän | min väninna | min kompis
        | min granne | min pojkvän | min flickvän | min mormor | min farmor | min morfar
        | min farfar | min moster | min faster | min morbror | min farbror | min kusin
        | mitt barn | mitt barnbarn | min handledare | min läkare | min lärare
        | min socialarbetare | min chef | min kollega | min hyresvärd | min exman | min exfru
        | hans son | hans dotter | hans fru | hennes son | hennes dotter | hennes man
        | my son | my daughter | my mother | my mom | my mum | my father | my dad | my husband
        | my wife | my partner | my boyfriend | my girlfriend | my brother | my sister
        | my friend | my neighbour | my neighbor | my child | my kid | my grandmother
        | my grandma | my grandfather | my grandpa | my granny | my aunt | my uncle | my cousin
        | my ex | my ex-husband | my ex-wife | my boss | my colleague | my landlord
        | my social worker | my caseworker | my case worker | my doctor | my teacher
        | my counsellor | my counselor | my nephew | my niece | my grandson | my granddaughter
        | my stepson | my stepdaughter | my stepfather | my stepmother | my roommate
        | my flatmate | my fiancé | my fiancée | my spouse | my baby | my little brother
        | my little sister | his son | his daughter | his wife | his mother | her son
        | her daughter | her husband | her mother | our son | our daughter | our child
        | their son | their daughter
        | мой сын* | мой муж* | мой пап* | мой отец* | мой брат* | мой друг* | мой сосед*
        | мой ребен* | мой ребён* | мой дедушк* | мой внук* | моя доч* | моя мам* | моя мать*
        | моя жена* | моя сестр* | моя подруг* | моя соседк* | моя бабушк* | моя внучк*
        | моего сын* | моей доч* | моему сын* | моей мам* | наш сын* | наша доч*
        | мій син* | мій чолов* | мій тат* | мій батьк* | мій брат* | мій друг* | мій сусід*
        | мій онук* | моя донь* | моя доч* | моя мам* | моя дружин* | моя сестр*
        | моя подруг* | моя бабус* | моя онучк* | мого син* | моєї донь* | наш син*
        | наша донь* | ابني | ابنتي | بنتي | زوجي | زوجتي | أمي | امي | والدتي | أبي | ابي
        | والدي | أخي | اخي | أختي | اختي | صديقي | صديقتي | جاري | جارتي
    """,
    "title": """
        rouva | herra | neiti | tohtori | sosiaalityöntekijä | sosiaaliohjaaja | sossu
        | virkailija | kuraattori | terapeutti | psykologi | mr | mrs | ms | miss | dr | fru
        | herr | fröken | господин | госпожа | пан | пані
        | o. s. | o.s. | född
    """,
    "weak": """
        olen | oon | mä oon | mä olen | minä olen | täällä on | täällä | tässä on | tässä
        | jag är | här är | det är | i'm | i’m | im | i am | this is | it's | я | это | це
        | أنا | انا
    """,
    "signoff": """
        terveisin | ystävällisin terveisin | parhain terveisin | lämpimin terveisin | terv.
        | yst. terv. | t. | hälsningar | med vänliga hälsningar | vänliga hälsningar
        | bästa hälsningar | mvh | vh | regards | best regards | kind regards | warm regards
        | br | sincerely | cheers | yours | с уважением | з повагою | مع تحياتي | تحياتي
    """,
    "greeting": """
        hei | moi | moikka | terve | hej | hejsan | hi | hello | hey | dear | hyvä | bästa | kära
        | привет | здравствуйте | вітаю | привіт | مرحبا
        | kiitos | kiitti | tack | thanks | thank you | спасибо | дякую | شكرا
    """,
}
# Cue tables: first word -> (later words, kind, what must follow), longest phrases first.
_Phrase = tuple[tuple[str, ...], str, str]


def _build_cue_table() -> dict[str, tuple[_Phrase, ...]]:
    table: dict[str, list[_Phrase]] = {}
    for kind, phrases in _CUE_PHRASES.items():
        for phrase in phrases.split("|"):
            words = phrase.split()
            if not words:
                continue
            need = ""
            if words[-1][-1] in ":." and len(words[-1]) > 1:
                need, words[-1] = words[-1][-1], words[-1][:-1]
            words = [w.rstrip(".") for w in words]
            table.setdefault(words[0], []).append((tuple(words[1:]), kind, need))
    return {
        first: tuple(sorted(options, key=lambda o: -len(o[0]))) for first, options in table.items()
    }


CUE_TABLE = _build_cue_table()
# Words that are a whole cue by themselves ("olen", "I'm", "hej", "terveisin"): never a name.
# The first word of a longer cue may be one ("Hans" of "hans son").
CUE_WORDS = frozenset(
    first for first, options in CUE_TABLE.items() if any(not rest for rest, _, _ in options)
)
# Words that introduce an address, in the residents' languages ("Adresim Atatürk Cad. ..."):
# capitalised before a street, never a name.
ADDRESS_WORDS = frozenset(
    "osoite osoitteeni kotiosoite adress adressen address adresim adres adresi adresse "
    "dirección direccion indirizzo endereço адрес адреса عنواني".split()
)
# Every word of every cue phrase ("зовут" of "меня зовут", "heter" of "jag heter"): the cue
# itself, never half of a name beside it.
CUE_PARTS = frozenset(
    {first for first in CUE_TABLE}
    | {word for options in CUE_TABLE.values() for rest, _, _ in options for word in rest}
)
