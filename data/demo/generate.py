#!/usr/bin/env python3
"""Generate data/demo/reviews.jsonl for the demo shop (Nordlys Home & Outdoor).

Deterministic (fixed seed), standard library only:

    python3 data/demo/generate.py            # writes data/demo/reviews.jsonl

Review texts are hand-written per language in the banks below (not translated
from one bank). Each bank line is "rating|topic|category|gender|text":
  topic     positive, mixed, late[:days], lost[:days], damaged, wrong_size, defective,
            rude_support, double_charge, hidden_costs, checkout_bug, return_refused,
            impulsive, troll, black_pr (the last two: no order, verified_purchase false)
  category  catalogue category (or one exact SKU) the review is about ("-" = any); the order contains it
  gender    f / m when the text is grammatically gendered (pl, ru, uk, cs), else "-"
"""

from __future__ import annotations

import json
import random
import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEED = 20261120
PLATFORM = "demo-reviews"
EDIT_URL = "https://reviews.example/demo/reviews/{external_id}/edit"
HERE = Path(__file__).resolve().parent
OUT = HERE / "reviews.jsonl"

START = datetime(2026, 8, 1, 6, 0, tzinfo=UTC)
LAST_ORDER = datetime(2026, 10, 25, 20, 0, tzinfo=UTC)
END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# ---------------------------------------------------------------- catalogue (EUR)
CATALOGUE = [
    # sku, name, category, price EUR, bulky
    ("NL-TNT-2P", "Trailhead 2-person tent", "tent", "189.00", False),
    ("NL-TNT-4P", "Fjellheim 4-person family tent", "tent", "349.00", True),
    ("NL-TNT-1P", "Ultralight solo tent", "tent", "229.00", False),
    ("NL-SLB-200", "Down sleeping bag -5°C", "sleeping_bag", "159.00", False),
    ("NL-SLB-100", "Summer sleeping bag +10°C", "sleeping_bag", "59.90", False),
    ("NL-MAT-01", "Self-inflating sleeping mat", "sleeping_bag", "49.90", False),
    ("NL-JKT-RM", "Rainshell jacket, men", "jacket", "129.00", False),
    ("NL-JKT-RW", "Rainshell jacket, women", "jacket", "129.00", False),
    ("NL-JKT-DN", "Down jacket", "jacket", "219.00", False),
    ("NL-FLC-01", "Fleece midlayer", "jacket", "59.90", False),
    ("NL-BOT-HK", "Waterproof hiking boots", "boots", "149.00", False),
    ("NL-BOT-WN", "Lined winter boots", "boots", "119.00", False),
    ("NL-BOT-TR", "Trail running shoes", "boots", "99.00", False),
    ("NL-KTL-SS", "Stainless steel electric kettle 1.7 l", "kettle", "44.90", False),
    ("NL-KTL-GL", "Glass electric kettle with LED", "kettle", "39.90", False),
    ("NL-KTL-CP", "Camping kettle 1 l", "cookware", "24.90", False),
    ("NL-LMP-DSK", "Oak desk lamp", "lamp", "69.90", False),
    ("NL-LMP-FLR", "Floor lamp with linen shade", "lamp", "119.00", True),
    ("NL-LMP-LNT", "Rechargeable camping lantern", "lamp", "34.90", False),
    ("NL-HDL-01", "Headlamp 400 lm", "lamp", "29.90", False),
    ("NL-BED-DUV", "Linen duvet cover set 200x220", "bedding", "89.90", False),
    ("NL-BED-SHT", "Cotton fitted sheet 160x200", "bedding", "29.90", False),
    ("NL-BED-PIL", "Pillow 50x60", "bedding", "24.90", False),
    ("NL-BED-DUW", "Winter duvet 200x220", "bedding", "129.00", False),
    ("NL-BLK-WL", "Wool throw blanket", "textiles", "79.90", False),
    ("NL-TWL-SET", "Bath towel set, 4 pcs", "textiles", "49.90", False),
    ("NL-RUG-JT", "Jute rug 160x230", "rug", "139.00", True),
    ("NL-CKW-PAN", "Cast iron skillet 28 cm", "cookware", "54.90", False),
    ("NL-CKW-POT", "Camping cookware set", "cookware", "39.90", False),
    ("NL-MUG-EN", "Enamel mug set, 4 pcs", "cookware", "24.90", False),
    ("NL-STV-GAS", "Gas camping stove", "stove", "44.90", False),
    ("NL-THR-1L", "Vacuum flask 1 l", "thermos", "32.90", False),
    ("NL-CHR-FLD", "Folding camp chair", "chair", "49.90", False),
    ("NL-TBL-FLD", "Folding camp table", "chair", "69.90", True),
    ("NL-BPK-45", "Trekking backpack 45 l", "backpack", "119.00", False),
    ("NL-BPK-20", "Daypack 20 l", "backpack", "59.90", False),
    ("NL-HMK-01", "Hammock with tree straps", "hammock", "44.90", False),
    ("NL-CND-SET", "Scented candle set, 3 pcs", "decor", "29.90", False),
    ("NL-CSH-LN", "Linen cushion covers, 2 pcs", "decor", "34.90", False),
    ("NL-GLV-WL", "Merino gloves", "clothing", "29.90", False),
    ("NL-HAT-WL", "Merino beanie", "clothing", "24.90", False),
    ("NL-SCK-HK", "Hiking socks, 3 pairs", "clothing", "27.90", False),
]

# currency: (rate from EUR, style, shipping fee, free-shipping threshold, bulky-item fee)
CURRENCIES = {
    "EUR": (Decimal("1"), "cents", Decimal("4.90"), Decimal("100"), Decimal("14.90")),
    "GBP": (Decimal("0.86"), "99", Decimal("4.49"), Decimal("85"), Decimal("12.99")),
    "PLN": (Decimal("4.30"), "90", Decimal("19.90"), Decimal("430"), Decimal("59.90")),
    "SEK": (Decimal("11.30"), "int", Decimal("59.00"), Decimal("1100"), Decimal("149.00")),
    "CZK": (Decimal("25.00"), "int9", Decimal("129.00"), Decimal("2500"), Decimal("349.00")),
    "UAH": (Decimal("46.00"), "int9", Decimal("199.00"), Decimal("4600"), Decimal("599.00")),
}
Q = Decimal("0.01")


def local_price(eur: str, cur: str) -> Decimal:
    rate, style = CURRENCIES[cur][0], CURRENCIES[cur][1]
    v = Decimal(eur) * rate
    if style == "cents":
        return v.quantize(Q)
    if style == "99":
        return (v.quantize(Decimal("1"), ROUND_HALF_UP) - Decimal("0.01")).quantize(Q)
    if style == "90":
        return (v.quantize(Decimal("1"), ROUND_HALF_UP) - Decimal("0.10")).quantize(Q)
    if style == "int":
        return v.quantize(Decimal("1"), ROUND_HALF_UP).quantize(Q)
    # int9: round to tens, minus one (e.g. 4699)
    return ((v / 10).quantize(Decimal("1"), ROUND_HALF_UP) * 10 - 1).quantize(Q)


# ---------------------------------------------------------------- buyers per language
# fmt: off  (tables: one row per line reads better than one value per line)
# country: (currency, timezones, e-mail domain, phone country code, mobile prefixes, national number length)
COUNTRIES = {
    "GB": ("GBP", ["Europe/London"], "example.co.uk", "44", ["74", "75", "77", "78", "79"], 10),
    "IE": ("EUR", ["Europe/Dublin"], "example.ie", "353", ["83", "85", "86", "87", "89"], 9),
    "PL": (
        "PLN",
        ["Europe/Warsaw"],
        "example.pl",
        "48",
        ["501", "512", "535", "572", "601", "664", "693", "721", "784", "797", "881"],
        9,
    ),
    "SE": ("SEK", ["Europe/Stockholm"], "example.se", "46", ["70", "72", "73", "76"], 9),
    "DE": ("EUR", ["Europe/Berlin"], "example.de", "49", ["170", "171", "176", "179"], 10),
    "AT": ("EUR", ["Europe/Vienna"], "example.at", "43", ["664", "660", "676", "699"], 10),
    "LV": ("EUR", ["Europe/Riga"], "example.lv", "371", ["20", "22", "26", "27", "29"], 8),
    "EE": ("EUR", ["Europe/Tallinn"], "example.ee", "372", ["5"], 8),
    "AL": ("EUR", ["Europe/Tirane"], "example.al", "355", ["672", "675", "682", "684", "686", "688", "69"], 9),
    "XK": ("EUR", ["Europe/Belgrade"], "example.com", "383", ["44", "45", "49"], 8),
    "UA": ("UAH", ["Europe/Kyiv"], "example.com.ua", "380", ["50", "66", "67", "68", "73", "93", "97", "98"], 9),
    "CZ": (
        "CZK",
        ["Europe/Prague"],
        "example.cz",
        "420",
        ["601", "603", "604", "605", "608", "720", "724", "731", "736", "777", "774"],
        9,
    ),
    "FR": (
        "EUR",
        ["Europe/Paris"],
        "example.fr",
        "33",
        ["61", "62", "63", "64", "65", "66", "67", "68", "75", "76", "77", "78"],
        9,
    ),
}
LANG_COUNTRIES = {
    "en": ["GB", "GB", "IE"],
    "pl": ["PL"],
    "sv": ["SE"],
    "de": ["DE", "DE", "AT"],
    "ru": ["LV", "EE"],
    "sq": ["AL", "XK"],
    "uk": ["UA"],
    "cs": ["CZ"],
    "fr": ["FR"],
}
# (male first names, female first names, surnames as "male/female" or one form)
NAMES = {
    "en": (
        "James Oliver Harry Liam Sean Daniel Tom Conor",
        "Emily Sophie Chloe Aoife Sarah Grace Hannah Niamh",
        "Smith Jones Taylor Brown Murphy O'Brien Walsh Evans Wilson Kelly Hughes Byrne",
    ),
    "pl": (
        "Piotr Tomasz Krzysztof Paweł Michał Marcin Jakub Łukasz Grzegorz Adam",
        "Anna Katarzyna Magdalena Agnieszka Joanna Monika Ewa Natalia Aleksandra Karolina",
        "Kowalski/Kowalska Nowak Wiśniewski/Wiśniewska Wójcik Kamiński/Kamińska Lewandowski/Lewandowska "
        "Zieliński/Zielińska Szymański/Szymańska Dąbrowski/Dąbrowska Mazur Kaczmarek Piotrowski/Piotrowska",
    ),
    "sv": (
        "Erik Lars Johan Anders Karl Oskar Nils",
        "Emma Anna Maria Sara Elin Linnea Karin",
        "Andersson Johansson Karlsson Nilsson Eriksson Larsson Lindqvist Berg Holm Sjöberg",
    ),
    "de": (
        "Lukas Jonas Felix Stefan Thomas Markus Florian",
        "Julia Laura Sabine Katharina Lena Anja Miriam",
        "Müller Schmidt Schneider Fischer Weber Becker Hoffmann Wagner Huber Gruber Krause",
    ),
    "ru": (
        "Алексей Дмитрий Сергей Андрей Игорь Николай Максим",
        "Ольга Наталья Елена Ирина Татьяна Светлана Мария",
        "Иванов/Иванова Смирнов/Смирнова Кузнецов/Кузнецова Попов/Попова Соколов/Соколова "
        "Волков/Волкова Лебедев/Лебедева Козлов/Козлова Морозов/Морозова",
    ),
    "sq": (
        "Arben Besnik Driton Ermal Fatos Luan Gentian",
        "Arta Blerina Elira Fjolla Mimoza Drita Erjona",
        "Hoxha Krasniqi Berisha Gashi Shehu Leka Dervishi Kelmendi Bytyqi Çela",
    ),
    "uk": (
        "Олександр Андрій Тарас Богдан Дмитро",
        "Оксана Олена Ірина Наталія Юлія",
        "Шевченко Коваленко Бондаренко Ткаченко Кравченко Мельник Бойко",
    ),
    "cs": (
        "Jan Petr Tomáš Martin Jakub",
        "Jana Petra Lucie Tereza Eva",
        "Novák/Nováková Svoboda/Svobodová Dvořák/Dvořáková Černý/Černá Procházka/Procházková Veselý/Veselá",
    ),
    "fr": (
        "Lucas Hugo Thomas Nicolas Julien",
        "Camille Léa Manon Chloé Sophie",
        "Martin Bernard Dubois Moreau Lefebvre Laurent Girard Roux",
    ),
}
CYR = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
            "i",
            "yi",
            "ye",
            "g",
        ],
        strict=False,
    )
)
# fmt: on


def ascii_name(s: str) -> str:
    s = s.lower()
    s = "".join(CYR.get(c, c) for c in s)
    s = s.replace("ł", "l").replace("ß", "ss").replace("'", "")
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if c.isascii() and c.isalnum())


# ---------------------------------------------------------------- review banks
BANKS: dict[str, str] = {}

BANKS["en"] = """
1|lost:21|NL-TNT-4P|-|Ordered the 4-person tent three weeks ago for our camping trip. Tracking has said "in transit" for 12 days, the trip came and went, and nobody answers my emails. Absolutely useless.
1|impulsive|-|-|NEVER AGAIN!!! Worst shop ever.
2|damaged|NL-LMP-FLR|-|Floor lamp arrived with the box crushed and the shade dented. The courier clearly dropped it. I'd like a replacement, not excuses.
2|wrong_size|jacket|-|Ordered a medium rain jacket, got an XL. Sleeves down to my knees. Return label still hasn't arrived.
1|double_charge|-|-|I was charged twice for the same order. My bank shows two identical payments and support told me to "wait 10 working days". It's my money, not yours.
3|late:9|boots|-|Boots are fine, comfortable out of the box. But delivery took 9 days instead of the promised 2-3, so I missed the hike I bought them for. Three stars.
1|defective|kettle|-|Kettle stopped switching itself off after a week. Water kept boiling until I noticed. This is a fire hazard.
2|rude_support|-|-|The product might be fine but your support agent was condescending and basically called me a liar about the missing part. Not how you treat customers.
2|hidden_costs|bulky|-|Price at checkout jumped because of a "bulky item fee" that was nowhere on the product page. Felt like a bait and switch.
1|checkout_bug|-|-|Checkout crashed twice after I entered my card details, then I got an order confirmation AND an error. Now I have no idea if I paid once, twice or not at all.
1|return_refused|backpack|-|Returned an unused backpack within 14 days, tags still on. Return refused because the box was "damaged". It was YOUR box and YOUR courier.
3|mixed|sleeping_bag|-|Sleeping bag is warm and packs small. The zip snags every single time though, and it smelled of chemicals for days. Okay for the price, I guess.
2|late:6|-|-|Said next-day delivery. It was 6 days. No email, no apology.
1|impulsive|-|-|Rubbish. Total rubbish. Don't bother.
3|damaged|NL-CKW-PAN+NL-MUG-EN|-|The skillet was fine but two of the four enamel mugs were chipped. Customer service sent replacements eventually, took a while.
1|troll|-|-|lol who even buys from these clowns. bunch of scammers, hope you go bust 🤡
1|black_pr|-|-|Don't waste your money here. The same tents are 30% cheaper at CampKing24 and they actually ship on time. Go there instead.
5|positive|NL-TNT-2P|-|Pitched the 2-person tent in the garden in under ten minutes. Survived a proper Welsh downpour, bone dry inside. Great value.
5|positive|NL-BED-DUV|-|Lovely linen duvet set, gets softer with every wash. Arrived in two days.
4|positive|jacket|-|Good jacket, properly waterproof. Runs slightly small, size up.
5|positive|-|-|Fast delivery, well packed, exactly as described. Will order again.
4|positive|NL-LMP-DSK|-|Desk lamp looks great on my oak desk. Cable is a bit short, otherwise perfect.
5|positive|NL-BOT-HK|-|Broke in these hiking boots on a 20 km walk with zero blisters. Impressed.
5|positive|kettle|-|Quiet, fast, looks nice. The kettle does exactly what it should.
4|positive|-|-|Order arrived a day later than estimated but everything was in perfect condition, and support answered my question within an hour.
5|positive|thermos|-|Flask keeps tea hot for a full day on the hill. Brilliant.
4|positive|NL-CHR-FLD|-|Camp chair is sturdy and comfy. A bit heavy for backpacking but fine for car camping.
5|positive|NL-BLK-WL|-|The wool throw is gorgeous. Bought a second one as a gift.
5|positive|-|-|Had a missing screw, emailed support and they posted one the same day. That's how it's done.
4|positive|backpack|-|Solid backpack, comfortable hip belt. Wish it had one more outside pocket.
5|positive|stove|-|Stove boils a litre in about 4 minutes. Compact and easy to use.
4|positive|rug|-|Rug is nice and thick. Smelled a bit for the first few days but that's jute for you.
5|positive|-|-|Great shop. Easy checkout, tracking worked, parcel came early.
4|positive|hammock|-|Hammock is comfy and goes up quickly. Straps could be longer.
5|positive|clothing|-|Merino socks and beanie are top quality. Warm and no itch.
5|positive|NL-SLB-200|-|Used the down bag at -3°C in the Cairngorms and was toasty all night. Recommended.
4|positive|decor|-|Candles smell lovely and burn evenly. Packaging was a bit excessive.
5|positive|-|-|Third order from Nordlys, never a problem. Keep it up.
"""

BANKS["pl"] = """
1|lost:20|NL-TNT-4P|f|Zamówiłam namiot 4-osobowy na urlop, paczka od dwóch tygodni "w drodze". Urlop minął, namiotu nie ma, a na maile nikt nie odpowiada. Porażka.
1|impulsive|-|-|NIGDY WIĘCEJ!!! Omijajcie ten sklep szerokim łukiem!!!
2|damaged|NL-LMP-FLR|-|Lampa stojąca przyszła z pogniecionym kloszem, karton wyglądał, jakby ktoś po nim skakał. Proszę o wymianę.
2|wrong_size|boots|m|Zamówiłem buty w rozmiarze 43, przyszły 41. Na pudełku naklejka 43, w środku 41. Jak to w ogóle możliwe?
1|double_charge|-|-|Pobraliście z mojego konta dwa razy tę samą kwotę. Bank potwierdza dwie transakcje. Chcę zwrotu od razu, a nie "prosimy o cierpliwość".
3|late:10|jacket|f|Kurtka ok, ciepła i dobrze uszyta. Ale czekałam 10 dni zamiast 3, więc trzy gwiazdki.
1|defective|kettle|-|Czajnik przecieka od spodu po tygodniu używania. Woda na blacie przy gniazdku, to jest niebezpieczne!
2|rude_support|-|-|Konsultantka na czacie była po prostu niegrzeczna. Zamiast pomóc, wysłała mi link do regulaminu i zakończyła rozmowę.
2|hidden_costs|bulky|-|Na stronie jedna cena, a przy płatności nagle "opłata za gabaryt" prawie 60 zł. Nigdzie wcześniej o tym nie było.
1|checkout_bug|-|-|Strona wywaliła błąd przy płatności BLIKiem, a pieniądze zeszły z konta. Zamówienie niby nie istnieje. Co teraz?
1|return_refused|backpack|m|Odesłałem plecak po 5 dniach, nieużywany, z metkami. Zwrot odrzucony, bo "brak oryginalnego opakowania". Przecież mam 14 dni na odstąpienie od umowy!
3|mixed|sleeping_bag|-|Śpiwór ciepły, ale zamek się zacina i przez kilka dni śmierdział chemią. Za tę cenę mogłoby być lepiej.
2|late:8|-|-|Miało być 2 dni robocze, było 8. Zero informacji.
1|impulsive|-|-|Dno. Szkoda gadać.
2|defective|NL-LMP-LNT|-|Lampka kempingowa nie trzyma nawet godziny na baterii, a w opisie 20 godzin. Wygląda na wadę fabryczną.
1|troll|-|-|Co za banda oszustów, nic tu nie kupiłem i nie kupię, żałosne 🤡
1|black_pr|-|-|Nie kupujcie tutaj. W GórSklep24 te same kurtki są o 100 zł taniej i wysyłka w 24h. Polecam tam zamiast tego.
5|positive|tent|-|Namiot rozbity w 10 minut, przetrwał burzę na Mazurach bez kropli w środku. Polecam!
5|positive|NL-BED-DUV|-|Pościel lniana piękna, po praniu jeszcze bardziej miękka. Dostawa na drugi dzień.
4|positive|jacket|-|Kurtka naprawdę nie przemaka. Rozmiarówka trochę mała, warto wziąć większy.
5|positive|-|-|Szybko, dobrze zapakowane, zgodne z opisem. Na pewno jeszcze zamówię.
4|positive|kettle|-|Czajnik ładny i cichy, tylko kabel mógłby być dłuższy.
5|positive|NL-BOT-HK|-|Buty trekkingowe wygodne od pierwszego dnia, zero otarć po 25 km w Tatrach.
5|positive|thermos|-|Termos trzyma ciepło cały dzień. Super.
4|positive|-|-|Paczka przyszła dzień później, niż zapowiadano, ale wszystko w idealnym stanie, a obsługa odpisała w godzinę.
5|positive|NL-BLK-WL|f|Koc wełniany cudowny, kupiłam drugi na prezent dla mamy.
5|positive|NL-CHR-FLD|m|Brakowało jednej śrubki do krzesła, napisałem do obsługi i dosłali tego samego dnia. Tak to się robi.
4|positive|NL-CHR-FLD|-|Krzesło turystyczne solidne, trochę ciężkie, ale na kemping autem idealne.
5|positive|NL-CKW-PAN|-|Patelnia żeliwna rewelacja, steki wychodzą jak z restauracji.
4|positive|rug|-|Dywan z juty ładny, na początku lekko pachniał, ale to normalne.
5|positive|stove|-|Kuchenka gazowa zagotowuje litr wody w 4 minuty. Kompaktowa, polecam.
5|positive|clothing|-|Skarpety merino i czapka: jakość super, nie gryzą.
4|positive|backpack|-|Plecak wygodny, dobry pas biodrowy. Przydałaby się jeszcze jedna kieszeń.
"""

BANKS["de"] = """
1|lost:16|tent|-|Zelt vor 16 Tagen bestellt, die Sendungsverfolgung zeigt seit einer Woche nichts mehr. Der Urlaub ist vorbei, das Zelt nie angekommen. Antwort vom Kundenservice: keine.
1|impulsive|-|-|NIE WIEDER!!! Finger weg von diesem Laden!
2|damaged|NL-LMP-FLR|-|Stehlampe kam mit eingedrücktem Karton und verbeultem Schirm an. Bitte um Ersatz.
2|wrong_size|jacket|-|Regenjacke in M bestellt, L geliefert. Das Rücksendeetikett soll per Mail kommen, darauf warte ich seit 5 Tagen.
1|double_charge|-|-|Mir wurde der Betrag doppelt abgebucht. Die Bank bestätigt zwei Buchungen. Ich erwarte eine sofortige Rückerstattung.
3|late:9|NL-BOT-HK|-|Die Wanderschuhe sind gut, aber statt 2–3 Tagen hat die Lieferung 9 Tage gedauert. Deshalb nur drei Sterne.
1|defective|kettle|-|Wasserkocher schaltet nicht mehr automatisch ab. Nach einer Woche! Das ist gefährlich.
2|rude_support|-|-|Der Mitarbeiter an der Hotline war unfreundlich und hat mir unterstellt, ich hätte das Teil selbst kaputt gemacht.
2|hidden_costs|bulky|-|Versandkosten und eine "Sperrgutpauschale" wurden erst im letzten Schritt angezeigt. Das ist unseriös.
1|return_refused|backpack|-|Rucksack ungetragen innerhalb von 14 Tagen zurückgeschickt. Rückgabe abgelehnt, weil der Karton beschädigt sei. Den hat Ihr Paketdienst beschädigt!
3|mixed|sleeping_bag|-|Schlafsack warm und klein verpackbar, aber der Reißverschluss hakt ständig. Für den Preis okay.
2|checkout_bug|-|-|Beim Bezahlen mit PayPal kam eine Fehlermeldung, trotzdem wurde abgebucht. Eine Bestellbestätigung habe ich erst zwei Tage später bekommen.
1|impulsive|-|-|Katastrophe. Einfach nur Katastrophe.
1|troll|-|-|Was für ein Saftladen. Hab hier nie was gekauft und werd's auch nie. Alles Betrüger.
1|black_pr|-|-|Kauft lieber bei OutdoorProfi-Shop, dort gibt es die gleichen Jacken 40 € günstiger und Versand am selben Tag. Hier nur Ärger.
5|positive|tent|-|Zelt in zehn Minuten aufgebaut, hat ein Gewitter im Allgäu problemlos überstanden. Top!
5|positive|NL-BED-DUV|-|Die Leinenbettwäsche ist traumhaft und wird mit jeder Wäsche weicher.
4|positive|jacket|-|Jacke hält dicht. Fällt etwas klein aus, lieber eine Nummer größer nehmen.
5|positive|-|-|Schnelle Lieferung, gut verpackt, alles wie beschrieben. Gerne wieder.
4|positive|NL-LMP-DSK|-|Schreibtischlampe sieht super aus, nur das Kabel ist etwas kurz.
5|positive|NL-BOT-WN|-|Winterstiefel sind warm und rutschfest. Endlich keine kalten Füße mehr.
5|positive|kettle|-|Leise, schnell, schick. Der Wasserkocher macht genau, was er soll.
4|positive|-|-|Lieferung einen Tag später als angekündigt, aber alles einwandfrei, und der Service hat sich vorher gemeldet.
5|positive|thermos|-|Die Thermoskanne hält den Tee den ganzen Tag heiß.
5|positive|NL-CKW-PAN|-|Die Gusseisenpfanne ist der Hammer. Brät wie beim Profi.
4|positive|NL-CHR-FLD|-|Campingstuhl stabil und bequem, für Wanderungen aber etwas schwer.
5|positive|NL-TWL-SET|-|Handtuchset flauschig und saugstark. Farbe genau wie auf den Fotos.
4|positive|hammock|-|Hängematte bequem und schnell aufgehängt. Die Gurte könnten länger sein.
5|positive|chair|-|Es fehlte eine Schraube, der Kundenservice hat sie noch am selben Tag verschickt. Vorbildlich.
5|positive|NL-BPK-20|-|Daypack perfekt für Tagestouren, viele Fächer, sitzt gut.
"""

BANKS["sv"] = """
1|lost:21|tent|-|Beställde tältet för tre veckor sedan. Spårningen har stått still i tio dagar och ingen svarar på mejl. Semestern är slut nu.
1|impulsive|-|-|ALDRIG MER!!! Värsta butiken jag handlat från.
2|damaged|NL-LMP-FLR|-|Golvlampan kom med krossad kartong och bucklig skärm. Vill ha en ny, inte ursäkter.
2|wrong_size|boots|-|Beställde kängor i 42 men fick 40. Returetiketten har inte kommit än.
1|double_charge|-|-|Ni har dragit pengarna två gånger för samma order. Banken bekräftar det. Jag vill ha tillbaka pengarna nu.
3|late:8|jacket|-|Jackan är bra och varm, men leveransen tog 8 dagar istället för 2. Tre stjärnor.
1|defective|kettle|-|Vattenkokaren slutade stänga av sig själv efter en vecka. Det är ju livsfarligt.
2|rude_support|-|-|Kundtjänst var otrevlig och avbröt mig hela tiden. Fick ingen hjälp alls.
2|hidden_costs|bulky|-|Frakten var gratis enligt sidan, men i kassan tillkom 149 kr för "skrymmande gods". Inte okej.
1|return_refused|backpack|-|Skickade tillbaka ryggsäcken oanvänd inom 14 dagar. Returen nekades utan förklaring. Varför?
3|mixed|sleeping_bag|-|Sovsäcken är varm men luktade kemikalier i flera dagar och dragkedjan hakar upp sig.
2|late:7|-|-|Leveransen var fyra dagar sen och ingen sa något. Dålig kommunikation.
1|troll|-|-|Haha vilka clowner. Har aldrig handlat här och kommer aldrig göra det. Skräpbutik.
5|positive|tent|-|Tältet uppe på tio minuter och helt torrt efter en natt med ösregn i fjällen. Grymt!
5|positive|bedding|-|Underbara linnelakan, blir bara mjukare för varje tvätt.
4|positive|jacket|-|Skaljackan håller tätt. Liten i storleken, ta en större.
5|positive|-|-|Snabb leverans, bra förpackat och precis som beskrivet. Handlar gärna igen.
4|positive|NL-LMP-DSK|-|Skrivbordslampan är snygg, sladden är bara lite kort.
5|positive|NL-BOT-WN|-|Vinterkängorna är varma och greppar bra på isen.
5|positive|thermos|-|Termosen håller kaffet varmt hela dagen på tur.
4|positive|-|-|Paketet kom en dag sent men allt var i perfekt skick och kundtjänst svarade snabbt.
5|positive|NL-BLK-WL|-|Ullfilten är så mysig. Köpte en till som present.
4|positive|NL-CHR-FLD|-|Stolen är stabil och skön, lite tung bara.
5|positive|stove|-|Köket kokar upp en liter på fyra minuter. Kompakt och smidigt.
5|positive|NL-CKW-PAN|-|Gjutjärnspannan är fantastisk.
4|positive|rug|-|Fin jutematta. Luktade lite i början men det gick över.
5|positive|chair|-|En skruv saknades, kundtjänst skickade en samma dag. Toppen!
5|positive|clothing|-|Merinosockorna är värda varenda krona.
"""

BANKS["ru"] = """
1|lost:20|tent|m|Заказал палатку почти три недели назад, трек-номер не обновляется уже десять дней. Отпуск прошёл, палатки нет, на письма никто не отвечает.
1|impulsive|-|-|БОЛЬШЕ НИКОГДА!!! Худший магазин!!!
2|damaged|NL-LMP-FLR|-|Торшер пришёл в мятой коробке, абажур помят. Прошу заменить.
2|wrong_size|jacket|f|Заказывала куртку размера M, прислали XL. Этикетку для возврата обещали ещё неделю назад.
1|double_charge|-|-|С карты списали деньги дважды за один заказ. Банк подтверждает две операции. Верните деньги!
3|late:10|boots|-|Ботинки хорошие, удобные. Но доставка заняла 10 дней вместо обещанных трёх.
1|defective|kettle|-|Чайник через неделю перестал выключаться сам. Это же опасно!
2|rude_support|-|-|Оператор в чате разговаривал грубо и фактически назвал меня лжецом. Так с клиентами не обращаются.
2|hidden_costs|bulky|-|При оформлении заказа внезапно добавили сбор за «крупногабаритный товар». На странице товара об этом ни слова.
1|return_refused|backpack|m|Вернул рюкзак через 5 дней, с бирками, ни разу не пользовался. В возврате отказали. Почему?
3|mixed|sleeping_bag|-|Спальник тёплый, но молния заедает, и несколько дней он пах химией.
1|checkout_bug|-|-|Сайт выдал ошибку при оплате, а деньги списались. Заказа в личном кабинете нет.
1|troll|-|m|Ну и помойка. Ничего тут не покупал и не буду, вы все жулики 🤡
1|black_pr|-|-|Не тратьте здесь деньги. В ТурМаркет24 те же палатки на треть дешевле и доставка за день. Идите туда.
5|positive|tent|-|Палатку поставили за десять минут, ночью был ливень, а внутри сухо. Отлично!
5|positive|NL-BED-DUV|-|Льняное постельное бельё очень приятное, после стирки стало ещё мягче.
4|positive|jacket|-|Куртка не промокает. Маломерит, берите на размер больше.
5|positive|-|-|Быстрая доставка, хорошая упаковка, всё как в описании. Закажу ещё.
4|positive|kettle|-|Чайник красивый и тихий, только шнур коротковат.
5|positive|NL-BOT-HK|m|Трекинговые ботинки удобные с первого дня, прошёл 20 км без мозолей.
5|positive|thermos|-|Термос держит чай горячим весь день.
4|positive|-|-|Посылка пришла на день позже, но всё целое, а поддержка ответила за час.
5|positive|NL-BLK-WL|f|Шерстяной плед чудесный, купила второй в подарок.
5|positive|NL-CKW-PAN|-|Чугунная сковорода просто находка.
4|positive|NL-CHR-FLD|-|Стул крепкий и удобный, но тяжеловат для походов.
5|positive|chair|m|Не хватало винтика, написал в поддержку, прислали в тот же день. Спасибо!
5|positive|stove|-|Горелка кипятит литр воды за четыре минуты. Компактная.
4|positive|hammock|-|Гамак удобный, вешается быстро. Стропы могли бы быть длиннее.
"""

BANKS["sq"] = """
1|lost:21|tent|-|Porosita çadrën para tre javësh dhe ende nuk ka ardhur. Gjurmimi nuk lëviz prej dhjetë ditësh dhe askush nuk më përgjigjet.
1|impulsive|-|-|KURRË MË!!! Dyqani më i keq që kam parë!!!
2|damaged|NL-LMP-FLR|-|Llamba erdhi me kutinë të shtypur dhe abazhurin të thyer. Dua një zëvendësim.
2|wrong_size|boots|-|Porosita këpucë numër 42 dhe më erdhën 40. Etiketa e kthimit ende s'ka ardhur.
1|double_charge|-|-|Më keni tërhequr paratë dy herë për të njëjtën porosi. Banka e konfirmon. Dua paratë mbrapsht menjëherë.
3|late:9|jacket|-|Xhaketa është e mirë dhe e ngrohtë, por dorëzimi zgjati 9 ditë në vend të 3.
1|defective|kettle|-|Çajniku elektrik pas një jave nuk fiket më vetë. Kjo është e rrezikshme!
2|rude_support|-|-|Punonjësi i shërbimit të klientit ishte i pasjellshëm dhe nuk më ndihmoi fare.
2|hidden_costs|bulky|-|Në faqe çmimi ishte një, në arkë u shtua një tarifë "për mall të madh". Kjo nuk shkruhej askund.
1|return_refused|backpack|-|E ktheva çantën e shpinës brenda 14 ditëve, të papërdorur. Kthimi u refuzua pa asnjë arsye të qartë.
3|mixed|sleeping_bag|-|Thesi i gjumit është i ngrohtë, por zinxhiri ngec dhe kishte erë kimikatesh për disa ditë.
1|troll|-|-|Çfarë mashtruesish. Nuk kam blerë kurrë gjë këtu dhe nuk do blej. Turp!
1|black_pr|-|-|Mos blini këtu. Te MaliShop i keni të njëjtat çadra 30% më lirë dhe me dërgesë brenda ditës. Shkoni atje.
5|positive|tent|-|E ngritëm çadrën për dhjetë minuta dhe natën me shi brenda ishte krejt thatë. Shkëlqyeshëm!
5|positive|NL-BED-DUV|-|Çarçafët prej liri janë shumë të butë, pas larjes edhe më mirë.
4|positive|jacket|-|Xhaketa nuk lë ujë të kalojë. Është pak e vogël, merrni një masë më të madhe.
5|positive|-|-|Dërgesë e shpejtë, paketim i mirë, gjithçka si në përshkrim. Do porosis përsëri.
4|positive|kettle|-|Çajniku është i bukur dhe i qetë, vetëm kablloja është pak e shkurtër.
5|positive|NL-BOT-HK|-|Këpucët e malit janë të rehatshme që nga dita e parë.
5|positive|thermos|-|Termosi e mban çajin të nxehtë gjithë ditën.
4|positive|-|-|Pakoja erdhi një ditë me vonesë, por gjithçka ishte në rregull dhe shërbimi u përgjigj shpejt.
5|positive|NL-BLK-WL|-|Batanija prej leshi është e mrekullueshme. Bleva edhe një si dhuratë.
4|positive|NL-CHR-FLD|-|Karrigia e kampingut është e fortë dhe e rehatshme, pak e rëndë.
5|positive|NL-CKW-PAN|-|Tigani prej gize është fantastik.
5|positive|chair|-|Mungonte një vidë, shërbimi i klientit ma dërgoi të njëjtën ditë. Faleminderit!
4|positive|NL-LMP-DSK|-|Llamba e tavolinës duket shumë bukur në dhomë.
5|positive|stove|-|Sobë e vogël dhe praktike, uji vlon shpejt.
"""

BANKS["uk"] = """
1|lost:21|tent|f|Замовила намет три тижні тому, посилка досі «в дорозі». На листи ніхто не відповідає.
1|impulsive|-|-|БІЛЬШЕ НІКОЛИ!!! Жахливий магазин.
2|damaged|NL-LMP-DSK|-|Лампа прийшла в пом'ятій коробці, плафон тріснув. Прошу заміну.
2|wrong_size|jacket|m|Замовив куртку розміру L, а прийшла S. Як таке можливо?
1|double_charge|-|-|Гроші зняли двічі за одне замовлення. Поверніть, будь ласка, зайві кошти.
3|late:12|boots|-|Черевики хороші, але доставка тривала 12 днів замість 5.
5|positive|tent|m|Намет легкий і не протікає. Дуже задоволений.
5|positive|NL-BED-DUV|-|Лляна білизна чудова, м'яка і приємна.
4|positive|kettle|-|Чайник гарний, швидко закипає. Кришка трохи туго відкривається.
5|positive|-|-|Усе прийшло швидко й добре запаковане. Дякую!
5|positive|NL-BLK-WL|-|Вовняний плед дуже теплий, рекомендую.
4|positive|jacket|-|Куртка тепла, але рукави трохи задовгі.
5|positive|thermos|-|Термос тримає тепло цілий день у горах.
4|positive|-|-|Доставка трохи затрималася, але підтримка попередила заздалегідь. Приємно.
"""

BANKS["cs"] = """
1|lost:21|tent|m|Stan jsem objednal před třemi týdny a pořád nedorazil. Na e-maily nikdo neodpovídá.
2|damaged|NL-LMP-FLR|-|Lampa dorazila v rozmačkané krabici a s prasklým stínidlem.
1|defective|kettle|-|Rychlovarná konvice po týdnu teče. Nebezpečné!
2|hidden_costs|bulky|-|Doprava zdarma jen na webu, v košíku se objevil příplatek za nadrozměrné zboží.
3|mixed|boots|-|Boty pohodlné, ale po měsíci se začíná odlepovat podrážka.
1|black_pr|-|-|Tady nekupujte. V HoryShop.cz mají stejné bundy o 800 Kč levněji a doručí do druhého dne.
5|positive|tent|-|Stan postavený za deset minut, v noci pršelo a uvnitř sucho. Paráda!
5|positive|-|-|Rychlé dodání, vše v pořádku. Doporučuji.
4|positive|jacket|-|Bunda nepromokavá, jen trochu menší. Doporučuji o číslo větší.
5|positive|NL-CKW-PAN|-|Litinová pánev je skvělá.
4|positive|NL-CHR-FLD|-|Kempinková židle pevná, trochu těžší.
5|positive|thermos|-|Termoska drží teplotu celý den.
5|positive|NL-BED-DUV|-|Lněné povlečení je krásné a příjemné na spaní.
"""

BANKS["fr"] = """
1|lost:21|tent|-|Tente commandée il y a trois semaines, le suivi n'a pas bougé depuis dix jours. Aucune réponse du service client.
2|wrong_size|boots|-|J'ai commandé du 42, reçu du 40. L'étiquette de retour n'est jamais arrivée.
1|impulsive|-|-|PLUS JAMAIS !!! Boutique nulle.
2|rude_support|-|-|Le conseiller au téléphone était désagréable et m'a raccroché au nez.
3|late:9|NL-LMP-DSK|-|Jolie lampe, mais livrée avec une semaine de retard sans explication.
5|positive|NL-BED-DUV|-|Parure de lit en lin magnifique, encore plus douce après lavage.
5|positive|-|-|Livraison rapide, colis bien emballé. Je recommande.
4|positive|jacket|-|Veste vraiment imperméable, taille un peu petit.
5|positive|kettle|-|Bouilloire silencieuse et rapide, très jolie.
4|positive|rug|-|Beau tapis en jute, légère odeur au début.
5|positive|NL-SLB-200|-|Sac de couchage très chaud, parfait pour le bivouac en montagne.
5|positive|stove|-|Réchaud compact et efficace.
"""

LANG_ORDER = ["en", "pl", "de", "sv", "ru", "sq", "uk", "cs", "fr"]


def parse_bank(lang: str):
    for line in BANKS[lang].strip().splitlines():
        rating, topic, cat, gender, text = line.split("|", 4)
        days = None
        if ":" in topic:
            topic, d = topic.split(":")
            days = int(d)
        yield {
            "lang": lang,
            "rating": int(rating),
            "topic": topic,
            "days": days,
            "cat": None if cat == "-" else cat,
            "gender": None if gender == "-" else gender,
            "text": text.strip(),
        }


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def main() -> None:
    rng = random.Random(SEED)
    used_emails: set[str] = set()
    used_phones: set[str] = set()

    def make_buyer(entry, no_phone: bool):
        lang = entry["lang"]
        country = rng.choice(LANG_COUNTRIES[lang])
        cur, tzs, domain, cc, prefixes, nlen = COUNTRIES[country]
        male, female, surnames = NAMES[lang]
        gender = entry["gender"] or rng.choice("mf")
        first = rng.choice((male if gender == "m" else female).split())
        sur = rng.choice(surnames.split())
        if "/" in sur:
            sur = sur.split("/")[0 if gender == "m" else 1]
        name = f"{first} {sur}"
        base = rng.choice(
            [
                f"{ascii_name(first)}.{ascii_name(sur)}",
                f"{ascii_name(first)}.{ascii_name(sur)[0]}",
                f"{ascii_name(first)[0]}{ascii_name(sur)}",
            ]
        )
        email = f"{base}@{domain}"
        while email in used_emails:
            email = f"{base}{rng.randint(2, 99)}@{domain}"
        used_emails.add(email)
        phone = None
        if not no_phone:
            while phone is None or phone in used_phones:
                prefix = rng.choice(prefixes)
                phone = "+" + cc + prefix + "".join(str(rng.randint(0, 9)) for _ in range(nlen - len(prefix)))
            used_phones.add(phone)
        buyer = {
            "name": name,
            "email": email,
            "phone": phone,
            "timezone": rng.choice(tzs),
            "consent": {
                "sms": phone is not None and rng.random() < 0.8,
                "telegram": rng.random() < 0.45,
                "webchat": rng.random() < 0.85,
            },
        }
        return buyer, cur

    def pick_items(entry, cur):
        chosen = []
        cat = entry["cat"]
        if cat and cat.startswith("NL-"):  # the text names exact products ("SKU+SKU")
            chosen.extend(c for c in CATALOGUE if c[0] in cat.split("+"))
        elif cat == "bulky":
            chosen.append(rng.choice([c for c in CATALOGUE if c[4]]))
        elif cat == "jacket" and entry["gender"]:  # men's / women's cut matches the writer
            chosen.append(
                rng.choice(
                    [
                        c
                        for c in CATALOGUE
                        if c[2] == cat and c[0] != ("NL-JKT-RW" if entry["gender"] == "m" else "NL-JKT-RM")
                    ]
                )
            )
        elif cat:
            chosen.append(rng.choice([c for c in CATALOGUE if c[2] == cat]))
        n_more = rng.choices([0, 1, 2], weights=[55, 33, 12])[0] if chosen else rng.choice([1, 1, 2, 3])
        while len(chosen) < 1 + n_more - (0 if cat else 1):
            c = rng.choice(CATALOGUE)
            if c not in chosen and not c[4]:
                chosen.append(c)
        items = []
        for sku, name, _cat, eur, _bulky in chosen:
            qty = 2 if Decimal(eur) < 35 and rng.random() < 0.3 else 1
            price = local_price(eur, cur)
            items.append({"sku": sku, "name": name, "qty": qty, "price": f"{price:.2f}"})
        subtotal = sum(Decimal(i["price"]) * i["qty"] for i in items)
        _rate, _style, ship, free_from, bulky_fee = CURRENCIES[cur]
        total = subtotal + (Decimal(0) if subtotal >= free_from else ship)
        if entry["topic"] == "hidden_costs":
            total += bulky_fee
        return items, total.quantize(Q)

    entries = [e for lang in LANG_ORDER for e in parse_bank(lang)]
    rng.shuffle(entries)
    no_phone_idx = set(rng.sample(range(len(entries)), 8))
    span = int((LAST_ORDER - START).total_seconds())

    records = []
    for idx, e in enumerate(entries):
        no_order = e["topic"] in ("troll", "black_pr")
        buyer, cur = make_buyer(e, no_phone=idx in no_phone_idx or (no_order and rng.random() < 0.5))
        rec = {
            "platform": PLATFORM,
            "external_id": None,
            "rating": e["rating"],
            "text": e["text"],
            "created_at": None,
            "verified_purchase": not no_order,
            "edit_url": None,
            "buyer": buyer,
            "order": None,
        }
        if no_order:
            created = START + timedelta(seconds=rng.randint(86400 * 3, int((END - START).total_seconds())))
            rec["created_at"] = created
            records.append((created, None, rec))
            continue
        ordered = START + timedelta(seconds=rng.randint(0, span))
        shipped = ordered + timedelta(hours=rng.uniform(4, 40))
        topic, days = e["topic"], e["days"]
        if topic == "lost":
            delivered = None
            created = ordered + timedelta(days=days or rng.randint(18, 23), hours=rng.uniform(0, 10))
        else:
            if topic == "late":
                delivered = ordered + timedelta(days=days or rng.randint(7, 11), hours=rng.uniform(0, 8))
            else:
                delivered = shipped + timedelta(hours=rng.uniform(18, 80))
            if topic == "wrong_size":
                lag = rng.uniform(24 * 2, 24 * 7)  # waited for the return label first
            elif topic in ("impulsive", "damaged", "late"):
                lag = rng.uniform(0.5, 30)  # hours: written soon after delivery
            elif topic in ("return_refused", "defective", "mixed"):
                lag = rng.uniform(24 * 7, 24 * 16)
            else:
                lag = rng.uniform(3, 24 * 10)
            created = delivered + timedelta(hours=lag)
        created = min(created, END)
        items, total = pick_items(e, cur)
        rec["order"] = {
            "id": None,
            "total": f"{total:.2f}",
            # What the buyer paid for delivery (and a bulky-item fee): the base of a shipping refund.
            "shipping_cost": f"{total - sum(Decimal(i['price']) * i['qty'] for i in items):.2f}",
            "currency": cur,
            "ordered_at": iso(ordered),
            "shipped_at": iso(shipped),
            "delivered_at": iso(delivered) if delivered else None,
            "items": items,
        }
        rec["created_at"] = created
        records.append((created, ordered, rec))

    # order ids follow order time, external ids follow review time
    next_order = 10118
    for _c, _ordered, rec in sorted((r for r in records if r[1]), key=lambda r: r[1]):
        rec["order"]["id"] = f"NL-2026-{next_order:05d}"
        next_order += rng.randint(3, 41)
    next_ext = 100412
    records.sort(key=lambda r: r[0])
    with OUT.open("w", encoding="utf-8") as f:
        for created, _o, rec in records:
            ext = f"dr-{next_ext:06d}"
            next_ext += rng.randint(1, 29)
            rec["external_id"] = ext
            rec["edit_url"] = EDIT_URL.format(external_id=ext)
            rec["created_at"] = iso(created)
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} reviews to {OUT}")


if __name__ == "__main__":
    main()
