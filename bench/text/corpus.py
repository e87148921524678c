"""A labeled PII corpus, generated reproducibly (seeded) for bench/text: chat-sized messages and long documents
with e-mails, phone numbers, cards, IBANs, IP addresses, US SSNs and UK NINOs at known offsets, person names and
street addresses from Faker (en_US, en_GB, de_DE; Faker's own name and street lists, which Rampart's gazetteer does
not use), plus distractors (order numbers, versions, dates, hashes, capitalized non-names, numbered non-addresses)
that are not PII.

Usage: python3 bench/text/corpus.py OUT.jsonl [--seed 7] [--messages 4000] [--documents 60]
Each line: {"id": …, "text": "…", "entities": [{"type": "EMAIL", "start": 3, "end": 20}, …]} (Python str offsets).
"""
import argparse
import json
import random
import string

from faker import Faker

FAKERS = {locale: Faker(locale) for locale in ("en_US", "en_GB", "de_DE")}

FIRST = ["Anna", "Ben", "Chloé", "Deniz", "Emil", "Fatima", "Grace", "Hiro", "Ines", "Jonas", "Kofi", "Lena", "Mateo", "Nora", "Omar", "Priya"]
DOMAINS = ["example.com", "mail.example.org", "firma.example.de", "uni.example.ac.uk", "shop.example.fr", "example.co.jp"]


def luhn_complete(prefix, length, rnd):
    digits = [int(c) for c in prefix] + [rnd.randrange(10) for _ in range(length - len(prefix) - 1)]
    for check in range(10):
        total = 0
        for i, d in enumerate(reversed(digits + [check])):
            if i % 2 == 1:
                d *= 2
                d = d - 9 if d > 9 else d
            total += d
        if total % 10 == 0:
            return "".join(map(str, digits + [check]))


def group(number, sizes, sep):
    out, i = [], 0
    for s in sizes:
        out.append(number[i:i + s])
        i += s
    if i < len(number):
        out.append(number[i:])
    return sep.join(out)


def card(rnd):
    prefix, length, sizes = rnd.choice([("4", 16, [4, 4, 4, 4]), ("51", 16, [4, 4, 4, 4]), ("2221", 16, [4, 4, 4, 4]), ("37", 15, [4, 6, 5]),
                                        ("6011", 16, [4, 4, 4, 4]), ("3530", 16, [4, 4, 4, 4]), ("4", 19, [4, 4, 4, 4, 3])])
    number = luhn_complete(prefix, length, rnd)
    return group(number, sizes, rnd.choice([" ", "-", ""])) if rnd.random() < 0.8 else number


IBAN_LENGTHS = {"DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24, "IT": 27, "CH": 21, "AT": 20, "BE": 16, "PL": 28}


def iban(rnd):
    country = rnd.choice(list(IBAN_LENGTHS))
    length = IBAN_LENGTHS[country]
    if country in ("GB", "NL"):
        bban = "".join(rnd.choice(string.ascii_uppercase) for _ in range(4)) + "".join(rnd.choice(string.digits) for _ in range(length - 8))
    else:
        bban = "".join(rnd.choice(string.digits) for _ in range(length - 4))
    rearranged = bban + country + "00"
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    check = 98 - int(numeric) % 97
    value = f"{country}{check:02d}{bban}"
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4)) if rnd.random() < 0.5 else value


def phone(rnd):
    return rnd.choice([
        lambda: f"+1 {rnd.randint(201, 989)} {rnd.randint(200, 999)} {rnd.randint(1000, 9999)}",
        lambda: f"({rnd.randint(201, 989)}) {rnd.randint(200, 999)}-{rnd.randint(1000, 9999)}",
        lambda: f"+44 20 {rnd.randint(7000, 8999)} {rnd.randint(1000, 9999)}",
        lambda: f"07700 {rnd.randint(900000, 900999)}",
        lambda: f"+49 30 {rnd.randint(1000000, 99999999)}",
        lambda: f"030 {rnd.randint(1000000, 99999999)}",
        lambda: f"+33 1 {rnd.randint(10, 99)} {rnd.randint(10, 99)} {rnd.randint(10, 99)} {rnd.randint(10, 99)}",
        lambda: f"+91 {rnd.randint(70000, 99999)} {rnd.randint(10000, 99999)}",
        lambda: f"+61 4{rnd.randint(10, 99)} {rnd.randint(100, 999)} {rnd.randint(100, 999)}",
    ])()


def ssn(rnd):
    area = rnd.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rnd.randint(1, 99):02d}-{rnd.randint(1, 9999):04d}"


def nino(rnd):
    first = rnd.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = rnd.choice("ABCEGHJKLMNPRSTWXYZ")
    if first + second in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
        first, second = "A", "B"
    digits = "".join(rnd.choice(string.digits) for _ in range(6))
    return f"{first}{second}{digits}{rnd.choice('ABCD')}" if rnd.random() < 0.5 else f"{first}{second} {digits[:2]} {digits[2:4]} {digits[4:]} {rnd.choice('ABCD')}"


def ip(rnd):
    if rnd.random() < 0.7:
        return ".".join(str(rnd.randint(1, 254)) for _ in range(4))
    groups = [f"{rnd.randint(0, 0xffff):x}" for _ in range(8)]
    return ":".join(groups) if rnd.random() < 0.5 else "2001:db8::" + ":".join(groups[:3])


def email(rnd):
    name = rnd.choice(FIRST).lower().replace("é", "e")
    return f"{name}{rnd.choice(['.', '_', ''])}{rnd.randint(1, 999)}@{rnd.choice(DOMAINS)}"


def person(rnd):
    fake = FAKERS[rnd.choice(list(FAKERS))]
    return f"{fake.first_name()} {fake.last_name()}"


def address(rnd):
    fake = FAKERS[rnd.choice(list(FAKERS))]
    return fake.address() if rnd.random() < 0.6 else fake.street_address()


ENTITIES = {"PERSON": person, "STREET_ADDRESS": address, "EMAIL": email, "PHONE_NUMBER": phone, "CREDIT_CARD": card, "IBAN_CODE": iban, "IP_ADDRESS": ip, "US_SSN": ssn, "UK_NINO": nino}
TEMPLATES = {
    "PERSON": ["Please forward this to {} today.", "{} called about the delivery.", "Meeting with {} on Monday.",
               "Sehr geehrte Damen und Herren, {} hat angerufen.", "Best regards, {}", "The ticket was opened by {}."],
    "STREET_ADDRESS": ["Ship it to {} please.", "Our office:\n{}\n", "Lieferadresse: {}.", "She moved to {} last year."],
    "EMAIL": ["Please write to {} about the invoice.", "My address is {}, thanks!", "cc {} on the thread"],
    "PHONE_NUMBER": ["Call me at {} tomorrow.", "Telefon: {}", "You can reach the office on {}."],
    "CREDIT_CARD": ["I paid with card {} last week.", "Kartennummer {} bitte belasten.", "card no. {} expired"],
    "IBAN_CODE": ["Transfer it to IBAN {} please.", "Überweisung an {} bis Freitag.", "account {}"],
    "IP_ADDRESS": ["The login came from {} at midnight.", "blocked host {}", "Server IP: {}"],
    "US_SSN": ["My SSN is {}.", "social security number {} on the form", "SSN: {}"],
    "UK_NINO": ["National Insurance number {}.", "NI number: {}", "my NINO is {}"],
}
FILLER = ["The meeting moved to Thursday.", "Order 4512-8871 shipped on 2024-03-12.", "Version 2.14.1 fixes the crash.",
          "Can you summarize the attached report?", "The hash is 9f86d081884c7d659a2feaa0c55ad015.", "Total: 1,234.56 EUR.",
          "Wir sehen uns um 14:30 Uhr.", "Room 221B, floor 3.", "Ticket #88213 was closed.", "The build took 12:41 minutes.",
          "The Apple Watch Series 9 ships in New York.", "We read Chapter 12 Section 4 again.", "Grand Central Station was busy.",
          "Will you send the Quarterly Report by Friday?", "The 3 Little Pigs Story is a classic.", "Main Street Bank approved it.",
          "Die Deutsche Bahn fährt ab Gleis 7.", "Mark the Summer Sale in the calendar."]


def message(rnd, count):
    parts, entities, text = [], [], ""
    for _ in range(count):
        if rnd.random() < 0.55:
            kind = rnd.choice(list(ENTITIES))
            value = ENTITIES[kind](rnd)
            template = rnd.choice(TEMPLATES[kind])
            before, after = template.split("{}")
            prefix = (text + " " if text else "") + before
            entities.append({"type": kind, "start": len(prefix), "end": len(prefix) + len(value)})
            text = prefix + value + after
        else:
            text = (text + " " if text else "") + rnd.choice(FILLER)
    return text, entities


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--documents", type=int, default=60)
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    for i, fake in enumerate(FAKERS.values()):
        fake.seed_instance(args.seed + i)
    with open(args.out, "w", encoding="utf-8") as f:
        for i in range(args.messages):
            text, entities = message(rnd, rnd.randint(1, 4))
            f.write(json.dumps({"id": f"m{i}", "text": text, "entities": entities}, ensure_ascii=False) + "\n")
        for i in range(args.documents):
            text, entities = message(rnd, rnd.randint(150, 400))
            f.write(json.dumps({"id": f"d{i}", "text": text, "entities": entities}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
