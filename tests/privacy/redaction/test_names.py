"""Person names in text nobody tuned on: each miss class of issue 17 with fresh examples.

Never prints message text beyond these made-up examples; the names are invented combinations.
"""

from __future__ import annotations

import pytest

from privacy.redaction import Kind
from tests.support.redaction import REDACTOR, names_in


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a full name in mid-sentence with no cue
        ("Kokoukseen osallistui myös Hannele Kuusisto viime viikolla.", ["Hannele Kuusisto"]),
        ("Asiaa selvittää nyt Arto Mäkelä yhdessä muiden kanssa.", ["Arto Mäkelä"]),
        # an inflected surname, Finnish and foreign
        ("Lähetin hakemuksen Lehtiselle jo maanantaina.", ["Lehtiselle"]),
        ("Soitin eilen Heikkilälle uudestaan.", ["Heikkilälle"]),
        ("Kävin Nurmen toimistolla kysymässä.", ["Nurmen"]),
        # a surname opening a sentence
        ("Heikkinen kertoi, että päätös tulee ensi viikolla.", ["Heikkinen"]),
        ("Laaksonen ei vastannut puhelimeen.", ["Laaksonen"]),
        # a name after a title or a role
        ("Kansanedustaja Lehtola vastasi kysymykseen.", ["Lehtola"]),
        ("Sosiaaliohjaaja Kivelä soitti minulle.", ["Kivelä"]),
        # a first name that is also an everyday word
        ("Lumi Kettunen muutti Vantaalle.", ["Lumi Kettunen"]),
        ("Eilen Onni Laaksonen tuli käymään.", ["Onni Laaksonen"]),
        # names of people from abroad, in Finnish text
        ("Puhuin eilen Abdirahman Warsamen kanssa.", ["Abdirahman Warsamen"]),
        ("Tapasin Svetlana Ivanovan kirjastossa.", ["Svetlana Ivanovan"]),
        # a name after a compound title, or beside a verb of saying
        ("Asiasta tiedotti valmentaja Kalle Hyvönen.", ["Kalle Hyvönen"]),
        ("Korhonen kertoi, ettei hakemus ole valmis.", ["Korhonen"]),
        ("Tästä ei tiedetty mitään, sanoi Lehtinen.", ["Lehtinen"]),
        ("Myöhemmin Takeshima kertoi asiasta lehdelle.", ["Takeshima"]),
        ("Lindroos asuu nykyään Espoossa.", ["Lindroos"]),
        # a first name that is a word, made a name by the surname beside it, at a sentence start
        ("Meri Salonen soitti minulle.", ["Meri Salonen"]),
        ("Taito Aaltonen lupasi soittaa.", ["Taito Aaltonen"]),
        # an initial in the middle ends no sentence
        ("Liisa K. Harju lupasi soittaa.", ["Liisa K. Harju"]),
        # an unlisted surname after a name, names joined by "and"
        ("Asiasta kertoi tiedottaja Kenji Moritaka.", ["Kenji Moritaka"]),
        ("Omar ja Aino asuvat samassa rapussa.", ["Omar", "Aino"]),
        ("Tapasin eilen Anjali Raon kirjastossa.", ["Anjali Raon"]),
        # two capitals no list knows, also opening a sentence
        ("Farzad Khorrami soitti minulle eilen.", ["Farzad Khorrami"]),
        ("Oluwaseun Adebayo called me yesterday.", ["Oluwaseun Adebayo"]),
        # a name in the writer's own script inside a Finnish or Swedish message
        ("Voisitko kertoa, että سعيد الخطيب on sairaana?", ["سعيد الخطيب"]),
        ("Jag träffade نرگس احمدی på biblioteket.", ["نرگس احمدی"]),
        # Russian and Ukrainian names in their own script and inflected
        ("Вчера я встретилась с Натальей Ивановой.", ["Натальей Ивановой"]),
        ("Я говорив з Остапом Коваленком.", ["Остапом Коваленком"]),
        # Swedish and English messages
        # the commonest surnames, which the dictionary also lists as rare words, opening a
        # sentence alone
        ("Lehtinen soitti minulle aamulla.", ["Lehtinen"]),
        ("Tuominen lupasi hoitaa asian.", ["Tuominen"]),
        ("Koskinen ei vastannut viestiin.", ["Koskinen"]),
        ("Per Holmberg ringde i morse.", ["Per Holmberg"]),
        ("Jag pratade med Karin Lindgren igår.", ["Karin Lindgren"]),
        ("Yesterday I talked to Michael Brennan about the flat.", ["Michael Brennan"]),
    ],
)
def test_names_without_a_cue_are_found(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("moi oon jussi ja tarvitsen apua", ["jussi"]),
        ("mun kaveri petteri korhonen lupasi auttaa", ["petteri korhonen"]),
        ("hej jag heter sofia", ["sofia"]),
    ],
)
def test_names_written_in_lower_case_are_found(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("olin eilen riikan ja tapion kanssa kaupungilla", ["riikan", "tapion"]),
        ("Yhteystietoni on: Kivistö.", ["Kivistö"]),
        # a listed first name and surname in a message without capitals
        ("kiitos avusta, terveisin raija kemppainen", ["raija kemppainen"]),
        # a name from abroad in a message without capitals, one half of it listed
        ("tapasin eilen farida haddadin kirjastossa", ["farida haddadin"]),
        ("soitin eilen irmeli pietiläiselle", ["irmeli pietiläiselle"]),
        # a first name or surname that is also a place or a cue word
        ("Tapasin Hans Hovi kirjastossa.", ["Hans Hovi"]),
        ("Tapasin Salla Kolari kirjastossa.", ["Salla Kolari"]),
        ("Aura Huhtala soitti eilen.", ["Aura Huhtala"]),
    ],
)
def test_a_name_joined_to_another_or_after_contact_details_is_found(
    text: str, names: list[str]
) -> None:
    assert names_in(text) == names


def test_several_names_in_one_message_are_all_found() -> None:
    text = "Lapseni ovat Eelis ja Venla, ja heidän isänsä on Mikko Rantanen."
    assert names_in(text) == ["Eelis", "Venla", "Mikko Rantanen"]


def test_a_name_next_to_an_address_is_masked_apart_from_it() -> None:
    text = "Terveisin Oona Heikkinen, Kanervatie 5 B 12"
    findings = REDACTOR.redact(text).findings
    assert [(f.kind, text[f.start : f.end]) for f in findings] == [
        (Kind.PERSON_NAME, "Oona Heikkinen"),
        (Kind.STREET_ADDRESS, "Kanervatie 5 B 12"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # organisations and companies, inflected
        "Valion maitoa ei ollut kaupassa.",
        "Fazerin tehdas on Vantaalla.",
        # places, inflected
        "Kainuun kunnat tekevät yhteistyötä.",
        "Muutimme Pohjanmaalta Helsinkiin.",
        # ordinary words that are also surnames, at the start of a sentence
        "Mäki oli liian jyrkkä pyörällä.",
        "Koski kuohui keväällä.",
        "Onni oli matkassa mukana.",
        # a word in -nen in everyday use and a demonym, where a surname is spelled the same
        "Tiainen lensi ikkunaan.",
        "Venäläinen yritys osti talon.",
        # places and institutions joined by "and"
        "Suomi ja Ruotsi pelasivat eilen.",
        "Kaupunki ja Kela sopivat asiasta.",
        "Kela kertoi päätöksestä eilen.",
        # greetings and thanks in Arabic script inside a Finnish message
        "Hei, السلام عليكم, tarvitsen apua vuokran kanssa.",
        "شكرا kiitos paljon avusta!",
        # products and titles
        "Tilasin Margherita-pizzan ja kolajuoman.",
        "Katsoimme eilen Frozen-elokuvan.",
        # English words in a Finnish sentence
        "Sovelluksessa lukee Help ja Cancel.",
    ],
)
def test_organisations_places_products_and_words_stay_readable(text: str) -> None:
    assert names_in(text) == []


@pytest.mark.parametrize(
    ("text", "names"), [("Helen Peura", ["Helen Peura"]), ("Max Kautto", ["Max Kautto"])]
)
def test_a_bare_listed_first_name_and_surname_are_a_name(text: str, names: list[str]) -> None:
    # A contact line, a signature: nothing around the two words but each other.
    assert names_in(text) == names


# ("Päivikki Suomi" was here while "päivikki" counted as a dictionary word: a common first
# name and a listed surname side by side are a name, as "Salla Kolari" is.)
@pytest.mark.parametrize("text", ["Uusi Suomi", "Anna Palaute", "Tuuli Suomi"])
def test_a_capitalised_pair_that_is_no_full_name_keeps_its_words(text: str) -> None:
    assert text.split()[-1] in REDACTOR.redact(text).text


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a message that is nothing but a listed name: the answer to "what is your name?"
        ("Marjatta", ["Marjatta"]),
        ("Korhonen", ["Korhonen"]),
        ("Riikka Salonen", ["Riikka Salonen"]),
        ("Pertti J. Ahonen", ["Pertti J. Ahonen"]),
        # the writer's name beside "here" opening a chat
        ("Jaana tässä, tarvitsisin neuvoa vuokrasta.", ["Jaana"]),
        ("Hei, Jaana Laitinen tässä. Saisiko apua?", ["Jaana Laitinen"]),
        ("moi täällä ville", ["ville"]),
        ("Fatuma här, jag behöver hjälp med ansökan.", ["Fatuma"]),
        ("Bashir here, can someone call me?", ["Bashir"]),
        # a surname that is also a dictionary word, before a verb of saying
        ("Nurminen kertoi, että hakemus on käsittelyssä.", ["Nurminen"]),
    ],
)
def test_names_in_short_messages_and_self_introductions(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    "text",
    [
        # a dictionary word alone that is also a surname, or a place alone
        "Kangas",
        "ruotsalainen",
        "Kemi",
        "Kiitos",
        # "here" beside words that are no names
        "Apua tässä asiassa, kiitos.",
        "Kysymys tässä: mihin soitan?",
        "Minä tässä odottelen vastausta.",
        "Olen täällä Helsingissä nyt.",
    ],
)
def test_words_alone_and_beside_here_stay_readable(text: str) -> None:
    assert names_in(text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a function word that some surname list holds is never part of a name
        ("jag heter erik och bor i vanda", ["erik"]),
        ("Jag heter Lars och jag behöver hjälp.", ["Lars"]),
        ("my name is peter and i need help", ["peter"]),
    ],
)
def test_function_words_listed_as_surnames_stay_readable(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a nickname or a name that is also a word inside a list of names
        ("Kettu, Marika ja Janne lähtivät jo kotiin.", ["Kettu", "Marika", "Janne"]),
        ("Tiina, Paju, Heikki och Sanna kom också.", ["Tiina", "Paju", "Heikki", "Sanna"]),
    ],
)
def test_an_item_in_a_list_of_names_is_a_name(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    "text",
    [
        "Omena, Päärynä ja Luumu ovat hedelmiä.",  # no name in the list
        "Espoo, Vantaa ja Kauniainen kuuluvat pääkaupunkiseutuun.",
    ],
)
def test_a_list_without_names_stays_readable(text: str) -> None:
    assert names_in(text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a first name that is also a word, opening a sentence before a verb of saying or
        # calling: things and institutions do not ask, call or promise
        ("Satu kysyi minulta eilen neuvoa.", ["Satu"]),
        ("Sulo soitti äsken uudestaan.", ["Sulo"]),
        ("Toivo lupasi tulla huomenna.", ["Toivo"]),
    ],
)
def test_a_first_name_that_is_a_word_before_a_verb_of_saying_is_a_name(
    text: str, names: list[str]
) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    "text", ["Posti soitti äsken.", "Kela lupasi maksaa.", "Sää lupasi sadetta."]
)
def test_institutions_and_things_before_such_verbs_stay_readable(text: str) -> None:
    assert names_in(text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Kalle J. Nieminen", ["Kalle J. Nieminen"]),
        ("Aino M. Lehtonen soitti eilen.", ["Aino M. Lehtonen"]),
    ],
)
def test_a_first_name_that_is_a_word_before_an_initial_and_a_surname(
    text: str, names: list[str]
) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    "text",
    [
        "Sörkan Vilhonvuorenkadulla on meteliä.",  # a district by its nickname and a street
        "Fredrik Pacius'n kadun varrella on puisto.",  # a street named after a person
        "Eino Leinon tiellä on monttu.",
    ],
)
def test_streets_and_streets_named_after_people_are_no_person_names(text: str) -> None:
    assert names_in(text) == []


def test_a_surname_that_ends_like_a_street_after_a_first_name_is_a_name() -> None:
    assert names_in("Kirsi Kotitie voitti vaalit.") == ["Kirsi Kotitie"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # an institution or a thing written as a compound stays out of the name beside it
        ("Asumme Pelastusarmeijan-kodissa Sanna Virolaisen kanssa.", ["Sanna Virolaisen"]),
        ("Tapasin Nuorisoasemalla Heikki Salmisen eilen.", ["Heikki Salmisen"]),
        ("Kävin Kela-toimistossa Tarja Lindholmin kanssa.", ["Tarja Lindholmin"]),
        # and alone it is no name at all
        ("Soitin Perheneuvolaan ja Lastenvalvojalle.", []),
        ("Huomenna menen Työvoimatoimistoon.", []),
    ],
)
def test_a_compound_of_a_dictionary_word_is_no_persons_name(text: str, names: list[str]) -> None:
    assert names_in(text) == names


def test_the_lexicon_marks_compounds_but_not_foreign_names_that_end_like_a_word() -> None:
    from privacy.redaction.lexicon import evidence

    assert evidence("Jätkäsaarenkirjastossa").compound_head
    assert evidence("Kela-toimistossa").compound_head
    # "Ardui|nolla", "Hypati|alle": a short word at the end of a foreign name is chance
    assert not evidence("Gianninolla").compound_head
    assert not evidence("Cassandralle").compound_head
    # listed names and dictionary words are what they are, not compounds
    assert not evidence("Kivimäki").compound_head
    assert not evidence("työvoimatoimisto").compound_head


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # only people hold opinions: a capitalised genitive before "mielestä"
        ("Karppisen mielestä päätös oli väärä.", ["Karppisen"]),
        ("Hallituksen mielestä päätös oli oikea.", []),
        ("Kelan mielestä hakemus tuli myöhässä.", []),
        # a word that is no Finnish word form before a verb of saying, asking or urging,
        # however often news text writes it
        ("Tsvetkova kehotti kaikkia rauhoittumaan.", ["Tsvetkova"]),
        ("Okonkwo ehdotti uutta aikaa tapaamiselle.", ["Okonkwo"]),
        # an inflected surname that is no word opening a sentence
        ("Kettusen ehdotus hyväksyttiin kokouksessa.", ["Kettusen"]),
        ("Lindholmin mukaan asia ratkeaa pian.", ["Lindholmin"]),
        ("Kosken kuohut kuuluivat kauas.", []),
        ("Saaren rannalla oli vene.", []),
        # an ordinary word there stays readable
        ("Opettaja kehotti kaikkia rauhoittumaan.", []),
        ("Ihmiset nauroi vitsille.", []),
    ],
)
def test_opinions_sayers_and_inflected_surnames_are_people(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # the words of a cue are never half of a name, though no dictionary here knows them
        ("меня зовут ольга", ["ольга"]),
        ("мене звати тарас", ["тарас"]),
        # Arabic script has no capitals: only listed names go on a name, the verb after it
        # stays readable; inside a message in Latin letters the run of Arabic script is the name
        ("اسمي مريم حسن وأريد المساعدة", ["مريم حسن"]),
        ("أخي عمر يهددني", ["عمر"]),
        # a word with the article after the name is the family name, unless it is "today",
        # "now" or "God"
        ("اسمي يوسف الزعبي وأحتاج مساعدة", ["يوسف الزعبي"]),
        ("زوجتي ليلى التميمي تركتني", ["ليلى التميمي"]),
        ("أخي عمر اليوم هددني", ["عمر"]),
        ("أنا هدى الآن في فانتا", ["هدى"]),
        ("My neighbour سلمى الحداد helped me.", ["سلمى الحداد"]),
        # a message is in Latin letters by its words, not its letters: a long name in Arabic
        # script in a short sentence
        ("Min granne heter عبدالرحمن التميمي.", ["عبدالرحمن التميمي"]),
        ("مهسا حسینی soitti mulle", ["مهسا", "حسینی"]),
        # a role a resident names a worker by, in lower case
        ("sossu lindqvist ei vastaa puhelimeen", ["lindqvist"]),
        ("virkailija hakala sanoi että odotan", ["hakala"]),
        ("sossu purhonen ei ole soittanut", ["purhonen"]),
        ("sossu koljonen ei vastaa", ["koljonen"]),  # in the word-form filter, rare in text
        ("sossu ranta on kiva paikka", []),
        ("kävin kelassa ja virkailija sanoi että odotan", []),
        # a common name in mid-sentence whatever the digits beside it; a verb is no first name
        ("Minulla on velkaa Tarjalle 500e", ["Tarjalle"]),
        ("Juttelin Heikin kanssa eilen", ["Heikin"]),
        ("Luen Raamattua ja Koraania iltaisin", []),
        # a common first name inflected in a message without capitals, also one whose forms
        # the word-form filter holds (Wiktionary inflects "Ritva"), unless Finnish text uses
        # the form as a word
        ("sain viestin tuomakselta eilen", ["tuomakselta"]),
        # after a relative in lower case, a first name that is a word too, before a verb
        ("mun tyttö lumi on kipeä", ["lumi"]),
        ("mun mies toivo ei tule kotiin", ["toivo"]),
        ("mun poika on kipeä", []),
        # a rarer first name inflected, when it is no word form and no text uses it
        ("lähetin viestin fionalle ja karolinalle", ["fionalle", "karolinalle"]),
        ("the roses and the stars", []),
        # after a closing, a first name that is a word too, then a listed surname
        ("kiitos avusta! terveisin arvo nyholm", ["arvo nyholm"]),
        ("terveisin hans mehtälä", ["hans mehtälä"]),
        ("olen matti kotona nyt", ["matti"]),
        # a word no list and no text knows after a cue's name is its other half
        ("my friend chen wenjun needs help", ["chen wenjun"]),
        ("sain viestin ritvalta eilen", ["ritvalta"]),
        ("lupasin soittaa eevalle huomenna", ["eevalle"]),
        ("tuulella on tänään kova", []),
        ("annan sinulle numeron huomenna", []),
        ("onnella ei ole tekemistä tämän kanssa", []),
    ],
)
def test_chat_in_lower_case(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("I talked to Mrs. Lindgren about the deposit", ["Lindgren"]),  # a title with a dot
        ("Van der Meer kertoi asiasta.", ["Van der Meer"]),  # "der" after "van" only
        ("Mark told me to write here", ["Mark"]),  # English text writes "Mark" often too
        ("Keräsin eilen pulloja rannalta", []),  # a verb that de-inflects to a surname
        ("Juna Helsingistä Pietariin lähtee aamulla", []),  # the model is sure: a city
    ],
)
def test_titles_particles_and_word_forms(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # the words before a company form are the firm's name, not a person's
        ("Sain kirjeen Intrum Ab:lta eilen.", []),
        ("Perintäkirje tuli Lindorff Oyj:ltä.", []),
        ("Tein töitä Saarinen & Kuusela Ky:lle keväällä.", []),
        ("Laskun lähetti Brightwell Ltd ja Marko Leinonen soitti perään.", ["Marko Leinonen"]),
        # the person named with the firm stays masked
        ("Vuokranantaja on Kotikulma Oy ja isännöitsijä Riikka Mäntylä.", ["Riikka Mäntylä"]),
        ("Palkan maksoi Hannu Kettunen Rakennus Vallila Oy:n puolesta.", ["Hannu Kettunen"]),
    ],
)
def test_a_firm_before_its_company_form_is_no_person(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a long compound of Finnish word forms opening a sentence is a noun, also beside
        # another capitalised word
        ("Kuntouttavatyötoiminta Hertsikassa loppuu.", []),
        ("Päihdekuntoutusjakso Kivikoskella alkaa maanantaina.", []),
        ("Velkaneuvontajonot ovat nyt pitkät.", []),
        ("Vuokravakuusasiat hoitaa Kaisa Ylönen.", ["Kaisa Ylönen"]),
        # a word shaped like a Finnish surname is still a name when the lists miss it
        ("Tapasin Ilkka Pyöräkosken kirjastossa.", ["Ilkka Pyöräkosken"]),
    ],
)
def test_long_compounds_stay_readable(text: str, names: list[str]) -> None:
    assert names_in(text) == names


def test_long_compounds_are_told_from_names() -> None:
    from privacy.redaction.lexicon import long_compound

    assert long_compound("Luottotietomerkinnästä")
    assert long_compound("päihdekuntoutusjakso")  # three parts
    # foreign names that merely contain word-like pieces, and surname-shaped words
    assert not long_compound("Tsvetkovalle")
    assert not long_compound("Jarzembowskia")
    assert not long_compound("Pyöräkoskelle")  # ends in "koski", as thousands of surnames do
    assert not long_compound("Hakkaraiselle")  # a listed surname


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a role or title before a name, also with a possessive ending
        ("Kiitän esittelijä Wrzesniewskia hyvästä työstä.", ["Wrzesniewskia"]),
        ("Tapasin kollegani Nwosun kahvilla.", ["Nwosun"]),
        ("Soitin sosionomi Pietiläiselle.", ["Pietiläiselle"]),
        ("Kysyin tulkki Haidarilta neuvoa.", ["Haidarilta"]),
        ("Isännöitsijä Brandtilta ei kuulu mitään.", ["Brandtilta"]),
        ("Min handläggare Lundqvist svarar inte.", ["Lundqvist"]),
        # a compound after a role is where the person works, not who they are
        ("Esimies Palvelukeskuksesta soitti.", []),
    ],
)
def test_a_name_after_a_role(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a nickname in quotes between the parts of a name is part of it
        ("Mikko ”Mige” Virtanen lupasi auttaa.", ["Mikko ”Mige” Virtanen"]),
        ('Robert "Bobby" Lindfors soitti eilen.', ['Robert "Bobby" Lindfors']),
        # a quotation between a verb and a name is not
        ('Sanoin "Ei käy" Virtaselle suoraan.', ["Virtaselle"]),
        ('Kirjoitin "Hei" ja Matti vastasi.', ["Matti"]),
    ],
)
def test_a_nickname_in_quotes_inside_a_name(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # an unknown word before a verb only people do is the one acting
        ("Okonkwo muutti Suomeen viime vuonna.", ["Okonkwo"]),
        ("Sitten Ravelotti tuli kotiin myöhään.", ["Ravelotti"]),
        ("Szymborski törmäsi minuun käytävällä.", ["Szymborski"]),
        # a listed first name before such a verb, a common one even when it is a word too
        ("Kauko yritti soittaa sinulle.", ["Kauko"]),
        ("Lempi muutti Tampereelle.", ["Lempi"]),
        ("Onni tuli koulusta itkien.", ["Onni"]),
        # a common first name that only an inflection makes a word ("ja" -> "Jan")
        ("Jan etsii asuntoa Vantaalta.", ["Jan"]),
        ("Niina tahtoo puhua kanssasi.", ["Niina"]),
    ],
)
def test_a_word_before_a_verb_of_acting_is_a_person(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    "text",
    [
        # services and firms act too: a common one, a listed one or a named service
        "Lidl avasi uuden myymälän.",
        "Netflix otti maksun tililtä.",
        "Vamos auttoi minua työnhaussa.",
        "Hirundo auttaa paperittomia.",
        "Wolt toi ruoan.",
        "Kela maksoi tuen.",
        # a place or a word in a local case is where something came from, not who acted
        "Tuuli puhalsi kovaa.",
        # a dictionary word acts as what it means, even when some people bear it as a name,
        # and so does kin
        "Siili nukkuu pihan alla.",
        "Valo tuli ikkunasta.",
        "Kettu juoksi metsään.",
        "Veli tuli kotiin myöhään.",
        "Jyväskylästä tuli kirje.",
        "Asuntotoimistolta sai vastauksen.",
        "Helsinki avasi uuden palvelupisteen.",
    ],
)
def test_services_places_and_words_before_such_verbs_stay_readable(text: str) -> None:
    assert names_in(text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # without capitals, a common first name before a verb of saying is the speaker,
        # even one that is a word too: a fairy tale does not ask
        ("satu kysyi multa rahaa eilen", ["satu"]),
        ("korhonen sanoi että hakemus on kesken", ["korhonen"]),  # a common surname too
        ("toivo soitti ja lupasi tulla", ["toivo"]),
        # kin speak as often as anyone, and a word acting is still the word
        ("veli kertoi että asunto meni", []),
        ("tuuli puhalsi koko yön", []),
    ],
)
def test_a_speaker_in_a_message_without_capitals(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a first name inflected opening a sentence, no word in any form, even a rarer one
        ("Vilhon kissa on kadonnut.", ["Vilhon"]),
        ("Sylvian kanssa sovittiin uusi aika.", ["Sylvian"]),
        ("Alviinan asunto on liian pieni.", ["Alviinan"]),
    ],
)
def test_a_first_name_inflected_opening_a_sentence(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    "text",
    [
        # openers of chat that de-inflect to nothing or to a name only by chance
        "Mulle asia on vielä kesken.",
        "Kelan kanssa on ongelmia.",
        "Stadin asunnot ovat kalliita.",
        "Salin penkit ovat kovat.",
        "Helman pitää olla pidempi.",
    ],
)
def test_openers_that_only_look_inflected_stay_readable(text: str) -> None:
    assert names_in(text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a rarer listed first name, inflected, capitalised mid-sentence
        ("Kävin eilen Airikin kanssa kaupassa.", ["Airikin"]),
        ("Lainasin rahaa Abdiwahabille viime kuussa.", ["Abdiwahabille"]),
        ("Muutin pois Anmarin luota.", ["Anmarin"]),
    ],
)
def test_a_rarer_listed_name_in_mid_sentence(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a name from abroad opening a sentence, whose surname English text also uses
        ("Xiaoling Guo soitti minulle.", ["Xiaoling Guo"]),
        ("Haoran Guo tuli käymään.", ["Haoran Guo"]),
        ("Analyn Mendoza ringde.", ["Analyn Mendoza"]),
        # two capitalised words English uses as words stay readable
        ("Happy Hour alkaa kuudelta.", []),
        ("Black Friday on huomenna.", []),
    ],
)
def test_a_name_from_abroad_whose_surname_english_text_uses(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # without capitals, two words no list knows before a verb of saying or acting
        ("somchai rattanakorn soitti eilen", ["somchai rattanakorn"]),
        ("mukendi kabongo tuli käymään", ["mukendi kabongo"]),
        # ... or after a word of meeting or talking with
        ("tapasin eilen kwabena osei kirjastossa", ["kwabena osei"]),
        ("jag pratade med yohannes tesfamariam idag", ["yohannes tesfamariam"]),
        # chat words before such a verb stay readable
        ("mun mutsi tuli kotiin", []),
        ("kelan täti soitti", []),
        ("ihan sikana tuli laskuja", []),
        ("tapasin eilen sossun kanssa", []),
    ],
)
def test_unknown_names_before_a_verb_without_capitals(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a first name joined by "and" to a name in the same case
        ("Meillä oli kokous Svetlanan ja Igorin kanssa.", ["Svetlanan", "Igorin"]),
        ("Puhuin Annan ja Pekan kanssa.", ["Annan", "Pekan"]),
        # places joined stay readable
        ("Kävin Tampereella ja Turussa.", []),
    ],
)
def test_first_names_joined_in_the_same_case(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a common first name the word list holds as a rare word, opening a sentence
        ("Tuomas on ollut poissa töistä.", ["Tuomas"]),
        ("Jorma ei ole maksanut vuokraa.", ["Jorma"]),
        ("Martta on ollut sairaana.", ["Martta"]),
        # names that are everyday words keep needing a cue or a verb
        ("Tuuli on ollut kova koko päivän.", []),
    ],
)
def test_first_names_that_are_rare_words_open_sentences(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # thanks before a listed name, as a greeting is
        ("Tack Maria!", ["Maria"]),
        ("Thanks Joanna, that helped.", ["Joanna"]),
        ("Kiitos Riikka!", ["Riikka"]),
        # thanks before an institution or a word
        ("Tack Kela!", []),
        ("Kiitos avusta!", []),
        ("Thanks again.", []),
    ],
)
def test_thanks_before_a_name(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a town that is a common first name too, in the genitive before "kanssa"
        ("Kävin Kaarinan kanssa kaupassa.", ["Kaarinan"]),
        ("Inarin kanssa sovittiin uusi aika.", ["Inarin"]),
        # the town elsewhere, and a country before "kanssa", stay readable
        ("Kävin Sallan kunnassa viime kesänä.", []),
        ("Intian kanssa käydään kauppaa.", []),
    ],
)
def test_a_town_that_is_a_first_name_before_kanssa(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # an adverb between the person and the verb of saying or acting
        ("Ali sitten soitti minulle.", ["Ali"]),
        ("Satu eilen kysyi neuvoa.", ["Satu"]),
        ("Okonkwo myös muutti pois.", ["Okonkwo"]),
        # pronouns, words and institutions stay readable
        ("Se sitten tuli.", []),
        ("Tuuli sitten puhalsi.", []),
        ("Kela sitten maksoi.", []),
    ],
)
def test_an_adverb_between_the_person_and_the_verb(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # what an abuser or a thief does, told by the one it was done to
        ("Nwachukwu löi minua eilen.", ["Nwachukwu"]),
        ("Hakulinen uhkailee minua viesteillä.", ["Hakulinen"]),
        ("Ravindran varasti rahani.", ["Ravindran"]),
        ("Theodorakis tajusi virheensä.", ["Theodorakis"]),
        # a thing that hits or leaves stays readable
        ("Salama löi puuhun.", []),
        ("Juna jätti minut asemalle.", []),
    ],
)
def test_a_word_before_what_an_abuser_does_is_a_person(text: str, names: list[str]) -> None:
    assert names_in(text) == names


def test_a_compound_after_a_common_first_name_is_the_surname() -> None:
    # Called directly: the shipped model already takes most such pairs, the rule holds them
    # where a model trained on other documents does not.
    from privacy.redaction.lexicon import evidence
    from privacy.redaction.name_context import _compound_surname

    first = evidence("Joonas")
    assert _compound_surname(first, "Myllyveräjä", evidence("Myllyveräjä"))
    assert _compound_surname(first, "Hiekkataival", evidence("Hiekkataival"))
    # a place or an institution in a local case, and a dictionary word, are not
    assert not _compound_surname(first, "Kansalaistorilla", evidence("Kansalaistorilla"))
    assert not _compound_surname(first, "Kirjasto", evidence("Kirjasto"))
    # after a word that is no common first name, nothing
    assert not _compound_surname(evidence("Kokous"), "Myllyveräjä", evidence("Myllyveräjä"))


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a listed name in the allative after the writer's verb of calling, writing or paying
        ("Soitin Oksanalle eilen illalla", ["Oksanalle"]),
        ("Maksoin Dmitrille vuokran käteisellä", ["Dmitrille"]),
        ("Soitin Kelalle ja Vantaalle eilen", []),
        ("Soitin Telialle liittymästä", []),
        # and in the ablative after the writer's verb of asking or getting
        ("Sain Dmitriltä rahaa lainaksi", ["Dmitriltä"]),
        ("Sain Kelalta päätöksen eilen", []),
        # a first name fewer bear here, joined by "and" to a found one
        ("Bashir ja Halima tulivat Somaliasta", ["Bashir", "Halima"]),
        ("Patience and Blessing are my sisters", ["Patience", "Blessing"]),
        ("Rose works with me at the cleaning company", ["Rose"]),
        ("– Vi tog ut det sista vi hade.", []),  # "we", not a person called Vi
        # a verb form as common as "olin" (I was) opening a sentence is no first name, even
        # though a foreign list holds it; a dictionary word may be ("Aina Korhonen")
        ("Olin Lindan luona yötä", ["Lindan"]),
        ("Olin Virtasen kanssa kaupassa", ["Virtasen"]),
        ("Aina Korhonen soitti eilen", ["Aina Korhonen"]),
    ],
)
def test_people_told_joined_and_after_a_common_verb(text: str, names: list[str]) -> None:
    assert names_in(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # the author's genitive before what a person writes, composes or proposes
        ("Luin eilen Waltarin romaanin loppuun", ["Waltarin"]),
        ("Jäsen Koskisen mietinnössä on hyviä kohtia", ["Koskisen"]),
        ("Se on kuvattu Ovidiuksen teoksessa", ["Ovidiuksen"]),
        ("Ahmedin ehdotus oli paras", ["Ahmedin"]),
        ("Teos on Sohkasen päiväkirja sodan ajalta", ["Sohkasen"]),
        ("Yhtiön kirje tuli eilen", []),
        # the agent participle of what someone did; not the infinitive, seven or a station
        ("Se on Sipilän viittaama tutkimus", ["Sipilän"]),
        ("Kun Bogomoloffin ehdottamista korjauksista ei jaksettu", ["Bogomoloffin"]),
        ("Olin sitaisemassa narua kiinni", []),
        ("Vain seitsemän prosenttia ei usko", []),
        ("Larnakan lentoasema on Kyproksen tärkein", []),
        # not a word, a place, an institution or an abbreviation
        ("Yhtiön ehdotus hylättiin", []),
        ("Kelan ehdotus oli huono", []),
        ("Nokian ehdotus tuli myöhään", []),
        ("Hyväksyn EU:n aloitteet", []),
        # a listed name that is no word, in the genitive before "mukaan" (according to)
        ("Aunesluoman mukaan rajat tulivat vastaan", ["Aunesluoman"]),
        ("Reutersin mukaan hinnat nousivat", []),
        ("Suunnitelman mukaan muutamme keväällä", []),
        ("Kelan mukaan hakemus on kesken", []),
        # a genitive before a word for family: its possessor is a person
        ("Shirazin vaimo soitti eilen", ["Shirazin"]),
        ("Karjalaisen perhe muutti Espooseen", ["Karjalaisen"]),
        ("Eilen äitini soitti", []),
        ("Talon isäntä avasi oven", []),
        ("Jumalan poika", []),
        # after a verb of saying, the one told in the allative only when a name list holds it
        ("Asia on selvä, rehtori kertoi Ylelle.", []),
        ("Joka aamu Jan sanoo Pääskyselle, että on kiire", ["Jan", "Pääskyselle"]),
        # a first name that de-inflects to a cue word opening a sentence ("Olena" -> "olen")
        ("Olena ja hänen tyttärensä asuvat Kontulassa", ["Olena"]),
        # a listed first name right before a found name, also opening a sentence; not a word
        # that opens the names of places
        ("Beata Zielińska called me yesterday.", ["Beata Zielińska"]),
        ("Rauha solmittiin San Stefanossa", []),
        # a list joined by commas alone, most of whose items are names
        (
            "Paikalla: Juan, Hernandes, Pablo, Lisa, Mayerly.",
            ["Juan", "Hernandes", "Pablo", "Lisa", "Mayerly"],
        ),
        # two capitalised words between found names in a list
        (
            "Paikalla olivat Paul Newman, Burt Reynolds, Liza Minnelli ja James Caan",
            ["Paul Newman", "Burt Reynolds", "Liza Minnelli", "James Caan"],
        ),
        # an initial goes with the name after it; a surname in capitals after an initial,
        # as signatures print it, but no heading
        ("Puheenjohtaja J. Virtanen kertoi asiasta", ["J. Virtanen"]),
        ("Neuvoston puolesta J. FARNLEITNER Puheenjohtaja", ["J. FARNLEITNER"]),
        ("Luku A. NORMAALIARVO alkaa tästä", []),
        # a maiden name after "o.s." (née) or "född"
        ("Helle Aro (o.s. Saadlo) muutti Viroon", ["Helle Aro", "Saadlo"]),
        ("Anna Svensson, född Karlsson, bor i Esbo", ["Anna Svensson", "Karlsson"]),
        ("Jag är född i Syrien", []),
        # a verb of acting in the perfect tense
        ("Baldato on voittanut etappeja kolmessa kisassa", ["Baldato"]),
        ("Nimitys Köklot on syntynyt kauan sitten", []),
        # a country or continent, in any case, is no person
        ("Venäjän ja Georgian neuvottelut jäivät kesken", []),
        ("Israel pitää käyntejä tärkeinä", []),
        ("Kiina luovutti Taiwanin Japanille", []),
        ("Maa otti vastaan Yhdysvaltojen tarjoamaa apua", []),
        # a point of the compass joined to a name makes a region or a paper
        ("Junavuoro jää ajamatta, Etelä-Saimaa kirjoittaa.", []),
        ("Maa liittyi Pohjois-Atlantin Puolustussopimukseen", []),
        # a genus before its Latin species is no person; a Finnish compound after a name is
        # no species
        ("Pellolla kasvaa Vicia sativa ja Brassica napus", []),
        ("Tapaus todentaa Berlusconin naisskandaalia", ["Berlusconin"]),
        # a make of car opening a run is the car or its maker; after a first name, a surname
        ("Autoja kuten Kia Picanto ja Renault Twingo", []),
        ("Nissan on ketterämpi kuin Opel", []),
        ("Elokuvassa näytteli Harrison Ford", ["Harrison Ford"]),
        ("Tapasin Kia Siltalan kirjastossa", ["Kia Siltalan"]),  # a first name too
        # an abbreviation with a case ending glued on
        ("Asia siirrettiin GATTin komitealle", []),
        ("CERNin mukaan vaaraa ei ole", []),
        # letters and digits together are a code or a model, not a name
        ("Aluksella Gemini-12 laskeutui turvallisesti", []),
        ("Seuraamme rahamäärää eli M3:sen kasvua", []),
    ],
)
def test_an_authors_genitive_before_a_work_is_a_person(text: str, names: list[str]) -> None:
    assert names_in(text) == names
