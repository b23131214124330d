"""Personal data masked out of what staff tools show (DESIGN: "never full phone numbers or addresses").

The case card feeds Slack, a third-party processor, and the /staff inbox, so e-mails, long numbers
(phones, accounts, cards), street addresses and postcodes are replaced before either sees the text.
Addresses are written differently in each supported language; the forms are below, one pattern each,
and a number alone or after an ordinary capitalised word ("May 5") is left as it is.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"\b([\w.+-])[\w.+-]*@([\w-]+\.)+[\w-]{2,}\b")
# Seven or more digits, possibly grouped with spaces, dots, dashes or brackets: phones, IBANs, card numbers.
LONG_NUMBER = re.compile(r"(?<![\w-])\+?\(?\d(?:[\s().-]*\d){6,}")
HOUSE = r"\d+[^\W\d_]?(?:\s?[/-]\s?\d+[^\W\d_]?)?\b"  # 5, 12a, 10/4, 22-3
# A street word, up to four words, and a house number ("ul. Długa 12", "Rruga e Kavajës 12", "вул. Хрещатик 22").
STREET = re.compile(
    r"(?<!\w)(?:ul\.|ulica|ulicy|al\.|aleja|alei|os\.|osiedle|pl\.|plac|street|st\.|road|rd\.|avenue|ave\.|"
    r"straße|strasse|str\.|gatan|vägen|rruga|rr\.|bulevardi|blv\.|"
    r"улица|ул\.|проспект|просп\.|пр-т|переулок|пер\.|бульвар|вулиця|вул\.|провулок|пров\.)"
    # The house word after a comma is how Russian, Ukrainian and Albanian addresses are usually written
    # ("ул. Ленина, д. 5", "вул. Шевченка, буд. 12", "Rruga e Kavajës, nr. 14"; issue-20 audit).
    rf"(?:\s+[^\s,;]+){{0,4}}?(?:,?\s*(?:д\.|дом|буд\.|будинок|nr\.|nr|no\.))?\s+{HOUSE}",
    re.IGNORECASE,
)
# English: the name before its street word, with the number after or before ("Main Street 5", "12 Baker Street").
EN_NAMED = re.compile(
    r"\b(?:[^\W\d_a-z][\w'-]*\s+){1,3}(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Drive|Boulevard|Blvd\.?|"
    rf"Court|Place|Square|Terrace|Crescent)\s+{HOUSE}"
)
STREET_NUMBER_FIRST = re.compile(
    r"\b\d+\w?\s+(?:[^\W\d_a-z][\w-]*\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Drive|Boulevard|Court|Place)\b"
)
# German and Swedish write the street word into the name: "Hauptstraße 5", "Storgatan 12", "Ringvägen 3".
COMPOUND = re.compile(r"\b[^\W\d_]*(?i:straße|strasse|gasse|weg|allee|platz|gatan|vägen|gränd|torget)\s+" + HOUSE)
# Polish names a street by an adjective, usually without "ul.": "Marszałkowska 10/4", "Długa 5/2", "Kościuszki 3/1".
PL_ADJECTIVE = re.compile(rf"\b[^\W\d_]+(?:ska|cka|owa|skiego|ckiego|owej)\s+{HOUSE}")
# Any capitalised word followed by a house-and-flat number ("Długa 5/2"): dates use a month word or dots.
FLAT = re.compile(r"\b[^\W\d_]{2,}\s+\d+[^\W\d_]?\s?/\s?\d+[^\W\d_]?\b")
POSTCODE = re.compile(r"\b\d{2}-\d{3}\b|\b\d{3}\s?\d{2}\b(?=\s+[A-ZÅÄÖ])")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "januar",
        "februar",
        "märz",
        "juni",
        "juli",
        "oktober",
        "dezember",
        "januari",
        "februari",
        "mars",
        "maj",
        "augusti",
    ]
)


def _capitalised(m: re.Match[str]) -> str:
    word = m.group(0).split()[0]
    if not word[0].isupper() or word.lower() in MONTHS:
        return m.group(0)
    return "[address]"


def mask_text(text: str) -> str:
    """The text with e-mails, long numbers (phones, accounts), street addresses and postcodes masked."""
    text = EMAIL.sub(lambda m: f"{m.group(1)}***@***", text)
    text = EN_NAMED.sub("[address]", text)
    text = STREET.sub("[address]", text)
    text = STREET_NUMBER_FIRST.sub("[address]", text)
    text = COMPOUND.sub(_capitalised_or_lower, text)
    text = PL_ADJECTIVE.sub(_capitalised, text)
    text = FLAT.sub(_capitalised, text)
    text = LONG_NUMBER.sub(lambda m: _mask_number(m.group(0)), text)
    return POSTCODE.sub("[postcode]", text)


def _capitalised_or_lower(m: re.Match[str]) -> str:
    """A compound street name is masked however it is typed ("storgatan 12" too)."""
    return "[address]" if m.group(0).split()[0].lower() not in MONTHS else m.group(0)


def _mask_number(number: str) -> str:
    if ISO_DATE.fullmatch(number.strip()):
        return number  # a date is not personal data, and staff need it
    digits = re.sub(r"\D", "", number)
    return "•••" + digits[-3:]  # the last three digits let staff tell two numbers apart, nothing more
