"""Names of people from the residents' countries of origin, invented (first names and
surnames drawn at random from each country's common ones, so no real person is meant), in
Finnish, Swedish and English sentences, some in lower case, and clean sentences that must stay
readable. Prints the share of names masked whole, per country, and what was touched wrongly.

usage: python bench/foreign_names.py [--seed 17] [--show N]

Never prints a sentence unless asked with --show (they are invented, but the habit holds).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from privacy.redaction import Kind, Redactor

# Country or script: (first names, surnames), space-separated.
COUNTRIES = {
    "so": (
        "Abdirahman Hodan Ubah Faadumo Cabdi Sahra Hamse Ilhaan Mustaf Nimco",
        "Warsame Jama Guuleed Cumar Xasan Ismaaciil Dualeh Gacal Samatar Cilmi",
    ),
    "iq": (
        "Zainab Haider Rania Bashar Lujain Qusay Marwa Ammar Dunya Sajjad",
        "Al-Tamimi Haddad Khoury Al-Jabouri Sabbagh Darwish Al-Obaidi Kubba Shammari Jawad",
    ),
    "af": (
        "Gulalai Farid Zarmina Wahidullah Habiba Nasrin Shafiq Mursal Basir Freshta",
        "Popalzai Hotak Sultani Noorzai Rahimi Wardak Stanikzai Amiri Ghafoori Safi",
    ),
    "ir": (
        "Shirin Kourosh Parisa Babak Niloofar Arash Mahsa Dariush Golnar Behrouz",
        "Moradi Ghorbani Tehrani Karimi Jafari Rezaei Sadeghi Hosseini Abbasi Shirazi",
    ),
    "ru": (
        "Svetlana Dmitri Yevgeniya Anatoly Lyudmila Vsevolod Nadezhda Gennady Olesya Stanislav",
        "Kuznetsova Volkov Sokolova Morozov Lebedeva Zaitsev Pavlova Semyonov Golubeva Vinogradov",
    ),
    "ua": (
        "Oksana Bohdan Taras Halyna Mykola Solomiya Yaroslav Iryna Vasyl Khrystyna",
        "Shevchenko Bondarenko Melnyk Tkachuk Kovalchuk Hrytsenko Savchuk Lysenko Kravets Boyko",
    ),
    "ee": (
        "Kadri Tõnu Maarja Priit Ülle Rein Triin Margus Liis Jaanus",
        "Tamm Kask Sepp Mägi Rebane Ilves Pärn Kukk Lepik Kõiv",
    ),
    "tr": (
        "Emre Elif Burak Zeynep Mehmet Gökhan Büşra Onur Esra Tuğba",
        "Yılmaz Kaya Demir Çelik Aydın Öztürk Arslan Doğan Kılıç Şahin",
    ),
    "vn": (
        "Minh Lan Trang Tuan Huong Quang Thuy Dung Phuong Hieu",
        "Nguyen Tran Pham Hoang Huynh Vo Dang Bui Duong Ngo",
    ),
    "cn": (
        "Xiaoming Jianguo Meiling Zhiwei Xiuying Yuxuan Haoran Jing Lihua Wenjun",
        "Wang Zhang Liu Chen Huang Zhao Zhou Xu Sun Guo",
    ),
    "in": (
        "Priya Arjun Lakshmi Rohit Ananya Vikram Deepika Sanjay Kavitha Rajesh",
        "Sharma Patel Iyer Reddy Nair Chatterjee Gupta Menon Banerjee Pillai",
    ),
    "ng": (
        "Chinedu Ngozi Oluwaseun Adebayo Chiamaka Emeka Funmilayo Tunde Ifeoma Babatunde",
        "Okafor Adeyemi Okonkwo Eze Balogun Nwosu Obi Adeleke Ogunleye Chukwu",
    ),
    "cd": (
        "Dieudonné Mireille Jean-Pierre Grâce Patience Fiston Nsimba Bienvenu Chantal Kabila",
        "Mbuyi Kabasele Tshimanga Ilunga Mukendi Kalonji Mutombo Tshisekedi Lukusa Nzuzi",
    ),
    "er": (
        "Tesfaye Yonas Selam Mehret Abeba Dawit Senait Mulugeta Helen Tsegay",
        "Gebremedhin Haile Tekle Berhane Woldemariam Ghebreyesus Kidane Tesfamariam Negash Asfaw",
    ),
    "ma": (
        "Youssef Hicham Khadija Said Nadia Rachid Samira Mehdi Houda Yassine",
        "El-Amrani Benali Bouzid Tazi Alaoui Benjelloun Chraibi Berrada Idrissi Lahlou",
    ),
    "ph": (
        "Maricel Jericho Rowena Jun Marites Rodel Analyn Jomar Lovely Arnel",
        "Bautista Villanueva Macaraeg Santos Mendoza Dimaculangan Pangilinan Manalo Tolentino"
        " Aquino",
    ),
    "th": (
        "Somchai Niran Kanya Pornthip Siriporn Anan Wichai Malee Supaporn Kittisak",
        "Saetang Wongsawat Chaiyaporn Srisuk Thongchai Rattanakorn Boonmee Suwannarat Jaidee"
        " Phromma",
    ),
    "es": (
        "Alejandro Guadalupe Yesenia Joaquín Marisol Esteban Ximena Rodrigo Lourdes Mateo",
        "Gutiérrez Ramírez Vázquez Quispe Mamani Hernández Fernández Castillo Morales Jiménez",
    ),
    "pl": (
        "Grzegorz Agnieszka Katarzyna Wojciech Małgorzata Krzysztof Zbigniew Beata Przemysław"
        " Dorota",
        "Wiśniewski Kowalczyk Zielińska Wójcik Kamiński Lewandowska Szymański Dąbrowski Woźniak"
        " Kozłowska",
    ),
    "ro": (
        "Ionuț Mihaela Bogdan Florentina Cătălin Alina Răzvan Loredana Sorin Roxana",
        "Popescu Ionescu Dumitrescu Constantinescu Stoica Munteanu Radu Moldovan Ciobanu Lungu",
    ),
    "ru_cyr": (
        "Светлана Дмитрий Евгения Анатолий Людмила Тарас Оксана Богдан Галина Ярослав",
        "Кузнецова Волков Соколова Морозов Лебедева Шевченко Бондаренко Мельник Ткачук Лысенко",
    ),
    "ar": (
        "زينب حيدر رانيا بشار مروة عمار عبدالرحمن هدى يوسف خديجة",
        "الحداد التميمي خوري الجبوري صباغ درويش العبيدي الشمري جواد العمري",
    ),
    "fa": (
        "نیلوفر کوروش پریسا بابک مهسا آرش شیرین داریوش گلنار بهروز",
        "قربانی مرادی تهرانی کریمی جعفری رضایی صادقی حسینی عباسی شیرازی",
    ),
}

# {n}: the name as written; {l}: the name in lower case.
TEMPLATES = [
    "Tapasin eilen {n} kirjastossa.",
    "{n} soitti minulle.",
    "Asiakkaani {n} ei päässyt tulemaan.",
    "Naapurini {n} auttoi muutossa.",
    "Voisitko välittää viestin, että {n} on sairaana?",
    "Jag träffade {n} på biblioteket.",
    "{n} ringde mig igår.",
    "Min granne heter {n}.",
    "I talked to {n} about the rent.",
    "{n} called me yesterday.",
    "My caseworker {n} is on holiday.",
    "tapasin eilen {l} kirjastossa",
    "{l} soitti mulle",
    "my friend {l} needs help",
    "jag pratade med {l} idag",
]
CLEAN = [
    "Tapasin eilen ystäväni kirjastossa.",
    "Soitin Kelaan ja jonotin tunnin.",
    "Vuokra on myöhässä tässä kuussa.",
    "Jag träffade min granne på biblioteket.",
    "I talked to my landlord about the rent.",
    "Bussi oli taas myöhässä.",
    "Lapseni koulu alkaa maanantaina.",
    "Can you help me with the housing application?",
    "Hur ansöker jag om bostadsbidrag?",
    "Sain kirjeen sosiaalitoimistosta.",
    "Minulla on huomenna aika terveysasemalla.",
    "We moved to a new apartment in March.",
    "Tarvitsen tulkin ensi viikolla.",
    "My son has a fever and I cannot come.",
    "Kiitos avusta, tämä selvisi.",
]


def sentences(seed: int) -> list[tuple[str, str, tuple[int, int] | None]]:
    """(group, text, span of the name or None) for 8 names a group and the clean sentences."""
    rng = random.Random(seed)
    out: list[tuple[str, str, tuple[int, int] | None]] = []
    i = 0
    for group, (firsts, surnames) in COUNTRIES.items():
        for k in range(8):
            first, surname = rng.choice(firsts.split()), rng.choice(surnames.split())
            # Vietnamese and Chinese names are also written surname first.
            name = f"{surname} {first}" if group in ("vn", "cn") and k % 2 else f"{first} {surname}"
            template = TEMPLATES[i % len(TEMPLATES)]
            i += 1
            shown = name.lower() if "{l}" in template else name
            start = template.index("{")
            out.append(
                (
                    group,
                    template.replace("{n}", shown).replace("{l}", shown),
                    (start, start + len(shown)),
                )
            )
    out += [("clean", text, None) for text in CLEAN]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--show", type=int, default=0, help="print up to N missed names")
    args = parser.parse_args()
    redactor = Redactor()
    by_group: dict[str, list[int]] = {}
    masked_chars = wrong_chars = clean_touched = clean = 0
    missed: list[str] = []
    for group, text, span in sentences(args.seed):
        mask = [False] * len(text)
        for finding in redactor.redact(text).findings:
            if finding.kind is Kind.PERSON_NAME:
                for j in range(finding.start, finding.end):
                    mask[j] = True
        inside = set(range(*span)) if span else set()
        masked_chars += sum(mask)
        wrong_chars += sum(1 for j, m in enumerate(mask) if m and j not in inside)
        if span is None:
            clean += 1
            clean_touched += any(mask)
            continue
        whole = all(mask[j] for j in inside if not text[j].isspace())
        counts = by_group.setdefault(group, [0, 0])
        counts[0] += whole
        counts[1] += 1
        if not whole and len(missed) < args.show:
            missed.append(text)
    names = sum(n for _, n in by_group.values())
    whole = sum(m for m, _ in by_group.values())
    print(f"names masked whole: {whole / names:.3f} ({whole} of {names})")
    print(f"name characters that were no name: {wrong_chars / max(masked_chars, 1):.3f}")
    print(f"clean sentences touched: {clean_touched} of {clean}")
    print("  ".join(f"{group} {m}/{n}" for group, (m, n) in by_group.items()))
    for text in missed:
        print("  missed:", text)


if __name__ == "__main__":
    main()
