"""What the words around a run of digits say about it: a phone cue ("puh", "soita", "номер",
"رقم") before or after, or a label that makes it another number ("lasku", "asiakasnumero").

Never keeps the text; works only on the few words next to the number.
"""

from __future__ import annotations

import re

# Words that say the number next to them is a phone, in the languages residents write in
# (Finnish, Swedish, English, Russian, Ukrainian, Arabic, Persian, Somali, Turkish, Estonian,
# German), matched at the start of a word so that inflected forms count ("soittakaa",
# "numeroon", "телефону"). Arabic-script cues may carry prefixes ("ورقمي", "برقم", "الهاتف").
_STRONG_CUE = re.compile(
    r"^(?:puh$|puhel|puhnro|soit|tavoit|känny|kännykkä|matkapuhelin|gsm|tekstar|yhteystie|whats|watsap|"
    r"vatsap|viber|signal|telegram|tg$|wa$|tel$|tele?fo|telephon|ring|mobil|sms|phone|call|"
    r"cell|text$|reach|телеф|тел$|звон|позвон|дзвон|подзвон|зателеф|моб|сотов|ватсап|вотсап|"
    r"вайбер|телеграм|taleefan|telefoon|wac$|wacd|arayın|arayin|cep$|helista|handy|anruf|"
    r"tlf$|tfn$)"
    r"|هاتف|موبايل|جوال|تلفون|تليفون|اتصل|واتس|فايبر|تلفن|موبایل|تماس|زنگ|واتساپ",
)
# "number" alone: a phone only when the word before it does not name something else
# ("laskun numero", "order number"; "номер заказа" is caught by the negative list itself).
_WEAK_CUE = re.compile(r"^(?:numer|number|nummer|numret|номер|numara|lambar|numbri)|رقم|شماره")
# Labels of numbers that are not phones: invoices, references, orders, cases, customers,
# accounts, business ids, decisions, applications, flats and bus lines.
_NOT_PHONE = re.compile(
    r"^(?:lasku|viit|asiakas|tilau|varau|asia$|asian|diaari|dnro|päätö|hakemu|tili|kortin|kortti|"
    r"henkilö|potila|jäsen|sopimu|vakuutu|rekisteri|sarja|tuote|lähety|paketti|seuranta|"
    r"tapau|talon|huonee|asunno|rappu|bussi|linja$|linjan|raitio|juna|laituri|tunnu|"
    r"y-tunnu|ytunnu|sotu|hetu|passi|ref$|iban|bic$|faktura|kund|referens|ärende|beslut|"
    r"ansökan|konto|diarie|dnr$|bokning|medlem|lägenhet|buss$|linje|"
    r"(?:order|invoice|reference|case|customer|client|account|booking|reservation|ticket|"
    r"tracking|application|decision|policy|member|serial|room|flat|apartment|bus|route|"
    r"house|file|receipt|card|passport|permit)s?$|id$|"
    r"заказ|счет|счёт|договор|дел[оау]$|заявл|заявк|квитанц|клиент|лицев|карт[аыу]|паспорт|"
    r"полис|квартир|автобус|маршрут|снилс|инн$|замовлен|рахун|договір|справ|заяв|sipariş|"
    r"fatura|dosya|hesap|müşteri|referans|pasaport|kimlik|rechnung|kunden|bestell|akte|"
    r"vorgang|arve|tellimus)"
    r"|طلب|فاتور|ملف|قضية|حساب|هوية|جواز|مرجع|إقامة|اقامة|بطاقة|پرونده|فاکتور|سفارش|"
    r"پاسپورت|گذرنامه|کارت|پیگیری"
    # Finnish and Swedish compounds put the label first or last ("matkakortin", "kelakortti",
    # "asiakasnumero", "ordernummer"): these heads count anywhere in a word.
    r"|kortti|kortin|lasku|tilaus|viite|tunnus|tunnist|sopimus|vakuutus|päätös|rekisteri|"
    r"ärende|faktura|kundnummer|ordernummer|referens",
)
# After a number only a word that names a phone counts ("0770 123 4567 on numeroni", "...
# (WhatsApp)"): verbs there belong to the next clause ("vuosina 1976-1981 soittanut").
_AFTER_CUE = re.compile(
    r"^(?:puh$|puhel|känny|gsm|whats|watsap|viber|signal|telegram|tel$|tele?fo|phone|mobil|"
    r"cell|телеф|тел$|моб|ватсап|вайбер|телеграм|taleefan|telefoon|handy)"
    r"|هاتف|موبايل|جوال|واتس|تلفن|موبایل",
)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
_BEFORE = 48  # characters searched for a cue before a number: about four words
_AFTER = 32
_CUE, _NO_CUE, _VETO = 1, 0, -1
# Labels of short numbers (a bus line, a room, a flat): they veto a number that could be
# one, never a full Finnish mobile number ("route 040 123 4567" is a phone).
_SHORT_NUMBER_LABEL = re.compile(
    r"^(?:talon|huonee|asunno|rappu|bussi|linja$|linjan|raitio|juna|laituri|lägenhet|buss$|"
    r"linje|(?:room|flat|apartment|bus|route|house)s?$|квартир|автобус|маршрут)"
)


# A verb "to be" right before the number lets "number" stand one word further off: "isäni
# numero Irakissa on ...", "my number in Iraq is ...".
_COPULA = frozenset("on oli is was är var это є".split())


def _judge(words: list[str]) -> int:
    """The nearest cue or label among `words` (nearest first) decides; "number" counts only
    as one of the two words right before ("my number is ...", not "number of people ..."),
    or three after "is" ("numero Irakissa on ...")."""
    reach = 3 if words and words[0] in _COPULA else 2
    for k, word in enumerate(words):
        if _NOT_PHONE.search(word):
            return _VETO
        if _STRONG_CUE.search(word):
            return _CUE
        if k < reach and _WEAK_CUE.search(word):
            before = words[k + 1] if k + 1 < len(words) else ""
            return _VETO if before and _NOT_PHONE.search(before) else _CUE
    return _NO_CUE


def _context_before(text: str, start: int) -> int:
    words = _WORD.findall(text[max(0, start - _BEFORE) : start].lower())
    return _judge(words[:-5:-1])


def _context_after(text: str, end: int) -> int:
    words = _WORD.findall(text[end : end + _AFTER].lower())[:3]
    for k, word in enumerate(words):
        if _NOT_PHONE.search(word):
            return _VETO
        if _AFTER_CUE.search(word) or _WEAK_CUE.search(word):
            # "... on laskun numero": a weak cue after a label word is no cue.
            return _VETO if k and _NOT_PHONE.search(words[k - 1]) else _CUE
    return _NO_CUE


class PhoneContext:
    """What the words around one run of digits say, worked out only when a rule asks."""

    __slots__ = ("_after", "_before", "_end", "_start", "_text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text, self._start, self._end = text, start, end
        self._before: int | None = None
        self._after: int | None = None

    def vetoed(self) -> bool:
        """A label right before the number says it is an invoice, order, case ... number."""
        if self._before is None:
            self._before = _context_before(self._text, self._start)
        return self._before == _VETO

    def vetoed_as_long_number(self) -> bool:
        """A label of a number as long as a mobile one: not a bus line, room or flat."""
        if not self.vetoed():
            return False
        words = _WORD.findall(self._text[max(0, self._start - _BEFORE) : self._start].lower())
        label = next((w for w in reversed(words) if _NOT_PHONE.search(w)), "")
        return not _SHORT_NUMBER_LABEL.search(label)

    def says_phone(self) -> bool:
        """A phone cue before the number, or failing any word before it, one just after."""
        if self.vetoed():
            return False
        if self._before == _CUE:
            return True
        if self._after is None:
            self._after = _context_after(self._text, self._end)
        return self._after == _CUE
