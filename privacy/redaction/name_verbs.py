"""Words beside a capitalised word that say a person is meant: titles and roles before it,
verbs of saying and acting after it, and the services, kin and cases that such a verb does
not make a person. Word lists only; the rules that read them are in `name_speakers.py`.
"""

from __future__ import annotations

import re

from privacy.redaction.name_cues import Message
from privacy.redaction.tokens import Token

# Lower-case words that end like a title or a role put a person's name after them
# ("tallipäällikkö Yamashina", "kansanedustaja Räty", "kuvanveistäjä Pygmalion").
TITLE_HEAD = re.compile(
    r"(?:johtaja|päällikkö|professori|ministeri|edustaja|presidentti|puhemies|kuningas"
    r"|kuningatar|prinssi|prinsessa|keisari|toimittaja|valmentaja|pelaaja|laulaja|näyttelijä"
    r"|kirjailija|taiteilija|tutkija|lääkäri|opettaja|asiantuntija|työntekijä|ohjaaja"
    r"|kapteeni|kuvanveistäjä|piispa|pappi|rehtori|tuomari|asianajaja|poliisi|komisario"
    r"|kirjoittaja|säveltäjä|muusikko|kitaristi|rumpali|kuljettaja|yrittäjä|neuvos|sihteeri"
    r"|isäntä|emäntä|vastaava|vetäjä|hoitaja|kätilö|terapeutti|psykologi|ohjaaja|neuvoja"
    r"|direktör|chef|professor|minister|ordförande|författare|läkare|lärare|kung|drottning"
    r"|president|director|manager|officer|professor|minister|senator|governor|mayor|judge"
    r"|coach|captain|nurse|doctor|lawyer|singer|actor|author|writer"
    r"|esittelijä|jäsen|kollega|syyttäjä|pyhimys|virkailija|kuraattori|isännöitsijä"
    r"|vuokranantaja|esimies|esihenkilö|tulkki|diakoni|sosionomi|koordinaattori|tri"
    r"|handläggare|kurator|socialarbetare|tolk|hyresvärd"
    r"|colleague|interpreter|caseworker|landlord|counsellor|counselor)"
    r"(?:ni|si|nsa|nsä|mme|nne)?$"
)
# Verbs of saying: a capitalised word right before or after one is the one who spoke
# ("Granlund kertoi", "ihmetteli Saarikangas.").
SAYS = frozenset(
    """sanoi sanoo kertoi kertoo totesi toteaa muistutti muistuttaa arvioi arvioivat huomautti
    huomauttaa painotti painottaa korosti korostaa kommentoi vastasi vastaa kysyi kysyy
    ihmetteli ihmettelee myönsi myöntää uskoo uskoi toivoo toivoi kiitti kiittää vakuutti
    vakuuttaa selitti selittää sade sa säger berättar berättade said says told asked
    added soitti soittaa lupasi lupaa pyysi pyytää kirjoitti kirjoittaa väitti väittää
    neuvoi neuvoo käski käskee ringde skrev lovade frågade called wrote
    promised puhui puhuu kehotti kehottaa ehdotti ehdottaa vaati vaatii kiisti kiistää
    epäili epäilee arveli arvelee huudahti nauroi naurahti hymyili muisteli muistelee""".split()
)
# Verbs whose subject is a person (or an animal), in the third person: a capitalised word right
# before one that is no word and no common proper noun is the person acting ("Costazza
# voitti", "Tšerepanov törmäsi", "Sohkanen liittyi"). Firms and brands act too ("Lidl avasi"),
# and news and chat write them often: those are told by their frequency.
ACTS = frozenset(
    """asuu asui syntyi kuoli nukkuu nukkui heräsi herää itki itkee huusi huutaa käveli
    kävelee juoksi juoksee istui istuu istahti seisoi seisoo ajatteli ajattelee mietti
    miettii halusi haluaa tahtoo tahtoi tahtoisi tiesi tietää pelkää pelkäsi rakastaa
    rakasti suuttui hyvästeli tervehti katsoi katsoo näki näkee kuuli kuulee huokasi
    nyökkäsi nyökkää pudisti kohautti astui palasi opiskelee opiskeli työskentelee
    työskenteli harrastaa sairastui joi juo söi syö menehtyi avioitui tapasi
    tapaa auttoi auttaa yritti yrittää avasi avaa sulki sulkee painoi teki tekee etsi
    etsii luki lukee matkusti matkustaa ajoi ajaa lähti lähtee tuli tulee meni menee pääsi
    jäi joutui sai saa antoi antaa otti ottaa toi tuo vei vie haki hakee odotti odottaa
    muutti liittyi pelasi pelaa voitti hävisi johti törmäsi valittiin nimitettiin
    ymmärsi ymmärtää muisti muistaa unohti unohtaa oppi oppii lauloi laulaa soitti
    tanssi tanssii hymyilee nauraa vastusti tuki tukee pitää piti toimi toimii
    kävi käy kieltäytyi kieltäytyy allekirjoitti onnistui onnistuu hehkutti naurahtaa
    tajusi tajuaa joutuisi haluaisi tulisi menisi saisi
    löi lyö hakkasi hakkaa potkaisi potkii uhkaili uhkailee uhkasi uhkaa kiusaa kiusasi
    ahdistelee ahdisteli raiskasi varasti huijasi petti pettää jätti erosi eroaa riitelee
    riiteli kuristi tönäisi repi heitti juopottelee ryyppää ryyppäsi polttaa poltti
    bor bodde föddes dog kom gick tog gav såg ville kunde
    lives lived died came went took gave saw wanted tried met works worked helps helped
    hits hit beats beat threatens threatened hurts hurt knows knew""".split()
)
PERSON_VERBS = SAYS | ACTS
# Past participles of what only people do, after "on" or "oli" ("Baldato on voittanut",
# "Harris oli kuollut"): the perfect tense of a verb of acting. Not "syntynyt" or "tullut":
# names and words are born and come from somewhere too ("nimitys on syntynyt").
PERFECT = frozenset(
    """
    kuollut voittanut hävinnyt pelannut toiminut työskennellyt opiskellut
    kirjoittanut säveltänyt näytellyt ohjannut asunut muuttanut sanonut kertonut todennut
    vaatinut ehdottanut kiistänyt myöntänyt kommentoinut korostanut julkaissut esiintynyt
    laulanut soittanut edustanut johtanut perustanut valmistunut avioitunut eronnut
    menehtynyt tavannut lähtenyt saapunut palannut liittynyt siirtynyt pukeutunut
    """.split()
)
# Adverbs that may stand between a subject and its verb ("Minttu muuten väitti").
ADVERBS = frozenset(
    """muuten myös sitten vielä kuitenkin taas jo eilen tänään aina juuri heti nyt vain
    kyllä myöhemmin ensin lopulta usein äsken just also then again already yesterday
    today också sedan igen redan igår idag""".split()
)
# Services and firms that residents of Helsinki name as acting ("Vamos auttoi", "Wolt toi"):
# rare in the frequency lists, and no person. Names that are people's too (Kalliola, Maisa)
# are left out: a person must not be kept readable for a service's sake.
SERVICES = frozenset(
    """vamos hirundo sininauha omaolo wolt foodora pro-tukipiste monika-naiset nollalinja
    setlementti walkers kriisikeskus terveystalo mehiläinen pihlajalinna attendo esperi
    takuusäätiö y-säätiö spr maksuturva omakanta kanta ohjaamo diakonissalaitos
    helsinkimissio kirkkopalvelut tukikohta""".split()
)
# A subject is no place ("Nerehtasta tuli", "Teekkaritalolta sai"): an unlisted word in a
# local case before a verb of acting is where something came from.
LOCAL_CASE = re.compile(
    r"(?:lta|ltä|lla|llä|sta|stä|ssa|ssä|lle|ksi|aan|ään|iin|oon|uun|yyn|een|öön|seen|hin)$"
)
# "Niinistön mielestä": only people (and bodies, written in lower case) hold opinions.
OPINION = frozenset(("mielestä",))
# What a person writes, composes, paints or proposes, after its author's genitive
# ("Ovidiuksen teoksessa", "Napolitanon mietinnössä", "Waltarin romaani").
AUTHORED = re.compile(
    r"(?:mietin[nt]ö|teo[sk]|romaan|novell|elokuv|sävelly|sinfoni|oopper|maalau|veisto|runo|"
    r"ehdotu|aloit[et]|kolumn|muistelm|elämäkert|väitöskirj|essee|päiväkirj|kirje|hauta|"
    r"muotokuv|patsa|syntymäpäiv|tutkimu|lausun)"
    # or the agent participle of what someone did ("Sipilän viittaama", "Pirren valitsema",
    # "Bogomoloffin ehdottamista")
    # (not the infinitive of "olin sitaisemassa", an adjective in -ttoma-, a station, seven)
    r"|(?!.*(?:ttom|ttöm|asem|seitsem))[a-zåäö]{3,}[aeiouyäö]m[aä]"
    r"(?:n|t|a|ä|ksi|na|nä|ia|iä|ien|issa|issä|ista|istä|ina|inä)?$"
)
# Family after a genitive: its possessor is a person ("Clutterin perhe", "Shirazin vaimo",
# "Te Rauparahan sisaren poika"); firms and places have no wives or sisters.
KIN_OF = re.compile(
    r"(?:perhe|vaimo|aviomie|mieh|mies|puoliso|poika|poja|tytär|tyttäre|äiti|äidi|isä|lapse|"
    r"lapsi|sisko|sisar|veli|velje|serkku|serku|eno|täti|tädi|setä|sedä|mummo|isoäiti|isoisä|"
    r"vanhemm|leski|lese|tyttöystävä|poikaystävä)"
    # a case ending, not a compound or another word ("poikakoulussa", "isäntä")
    r"(?:n|a|ä|t|ta|tä|na|nä|ksi|lle|lla|llä|lta|ltä|ssa|ssä|sta|stä|en|an|än|on|ön|un|yn|in|"
    r"seen|ien|jen|ille|illa|illä|ista|istä|iin|ineen|at|ät|ia|iä|ilta|iltä)?"
)
# A possessive ending says whose: "Eilen äitini" is my mother, not Eilen's.
POSSESSIVE = ("ni", "si", "nsa", "nsä", "mme", "nne")
# The writer calling, writing, telling or paying someone: the one after it in the allative
# ("Soitin Svetlanalle", "Lähetin Haruille viestin") is a person.
TOLD = frozenset(
    """
    soitin soitan soitettiin kirjoitin kirjoitan lähetin lähetän sanoin sanon kerroin kerron
    puhuin vastasin maksoin maksan annoin annan lupasin lupaan tekstasin tekstaan viestitin
    laitoin laitan selitin valitin tarjosin tarjoan näytin ojensin myin lainasin
    """.split()
)
# The writer asking, getting or buying from someone: the one after it in the ablative
# ("Kysyin Nooralta", "Sain Jevgeniltä rahaa") is a person.
TOLD_FROM = frozenset(
    "kysyin kysyn sain saan lainasin lainaan ostin ostan pyysin pyydän kuulin kuulen".split()
)
# Kin who speak in chat as often as anyone ("veli kertoi": my brother told), and bear names.
KIN = frozenset("veli sisko isä äiti mummo mummi ukki vaari pappa täti setä eno serkku".split())


def verb_next(msg: Message, i: int) -> bool:
    """A verb of saying or acting right after word i, or after an adverb after it."""
    words = msg.words
    if not msg.adjacent(i, i + 1):
        return False
    nxt = words[i + 1][2].casefold()
    if nxt in ADVERBS and msg.adjacent(i + 1, i + 2):
        nxt = words[i + 2][2].casefold()
    return nxt in PERSON_VERBS


def verb_after(text: str, tokens: list[Token], i: int) -> bool:
    """The same over tokens."""
    if i + 1 >= len(tokens) or not adjacent(text, tokens[i], tokens[i + 1]):
        return False
    nxt = tokens[i + 1].text.casefold()
    if nxt in ADVERBS and i + 2 < len(tokens) and adjacent(text, tokens[i + 1], tokens[i + 2]):
        nxt = tokens[i + 2].text.casefold()
    return nxt in PERSON_VERBS


def adjacent(text: str, left: Token, right: Token) -> bool:
    """Two tokens separated by one space only: parts of one phrase."""
    return text[left.end : right.start] == " "
