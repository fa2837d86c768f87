"""A deterministic synthetic corpus of N letters, for measuring how every stage grows with the corpus.

The real edition holds a few hundred documents; a national archive holds hundreds of thousands. This module
writes N synthetic letters in exactly the page format of ``data/sources/`` (with the variations of
``../shared/spec/source-format.md``), the same letters as one CMIF file, and the authority files a build needs
to resolve every party. Same ``n`` and ``seed`` give byte-identical files, so two runs measure the same input.

Shape of the data, chosen to resemble the edition:

- a few hundred synthetic correspondents plus collective bodies, with power-law (Zipf) letter counts;
- dates 1912-1927 weighted towards the civil-war years, written in the Julian calendar up to 31 January 1918
  and in the Gregorian from 14 February 1918 (the days between never occur as written dates);
- one to four documents per page, compact and spaced layouts, about half of the documents with a printed
  ``No.``; headings ``A - B``, ``A — B``, ``A to B``, ``Telegram from/of A to B``; editorial, bracketed,
  qualified, ranged and Old/New Style dates; time/place lines; salutations; numbered notes with markers in the
  printed shapes; archival lines with ``RTSKHIDNI``, ``On.``/``Op.``, folio ranges, verso and copy types;
  mentions of persons, places and organisations drawn from the synthetic authority list.

API (``benchmarks/`` is a namespace package: with the project root on ``sys.path``,
``import benchmarks.corpus``)::

    generate_pages(n, out_dir, seed=1) -> list[Path]       # the edition pages, one file per page
    generate_cmif(n, out_file, seed=1) -> Path              # the same letters as TEI correspDesc
    generate_authorities(out_dir, seed=1) -> list[Path]     # persons/organisations/places/events.toml
    generate_corpus(n, out_dir, seed=1) -> CorpusPaths      # out_dir/{sources,authorities}/ + corpus.cmif.xml
    iter_records(n, seed=1) -> Iterator[LetterRecord]       # what a perfect parser returns, for tests
    iter_letters(n, seed=1) -> Iterator[SyntheticLetter]    # the generator's own truth (party keys, mentions)

CLI: ``python benchmarks/corpus.py N [--out DIR] [--cmif FILE] [--seed S]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``kg`` importable without installing the project
    sys.path.insert(0, str(ROOT))

EDITION = "bl1996"
BASE_URI = "https://kg.example.org"
GENERATOR_VERSION = "2"

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
# First New Style day; 1-13 February 1918 never existed as written dates.
GREGORIAN_SWITCH = dt.date(1918, 2, 14)
YEAR_WEIGHTS = {1912: 1, 1913: 1, 1914: 1, 1915: 1, 1916: 1, 1917: 3, 1918: 6, 1919: 6, 1920: 7, 1921: 7,
                1922: 6, 1923: 5, 1924: 5, 1925: 5, 1926: 4, 1927: 3}

HEADER_MENU = ["Marx-Engels | Lenin | Stalin | Home Page", "Marx-Engels  |  Lenin  |  Stalin  |  Home Page"]
HEADER_COLLECTION = ["Bolshevik leadership Correspondence. 1912-1927",
                     " Bolshevik leadership Correspondence. 1912-1927"]
HEADER_LINES = ["Collection of documents 1996.",
                "Compiled by: A.V.Kvashonkin, L.P.Kosheleva, L.A.Rogovaya, O.V.Khlevnyuk."]

COPY_TYPES = ["Autograph.", "Autograph.", "Autograph.", "Typewritten text.", "Typewritten text.",
              "Certified typewritten copy.", "Handwritten text.", "Handwritten text on a telegraph form.",
              "Autographs.", "Typewritten copy."]
JOURNALS = ["Istochnik", "Izvestiya TsK KPSS", "Voprosy istorii", "Istoricheskii arkhiv"]

# --------------------------------------------------------------------------------------------- authorities
FIRST_NAMES = [  # (name, printed initial variants): transliterations differ between translators
    ("Iosif", ["I.", "J."]), ("Grigory", ["G."]), ("Lev", ["L."]), ("Nikolai", ["N."]), ("Mikhail", ["M."]),
    ("Sergei", ["S."]), ("Aleksei", ["A."]), ("Vyacheslav", ["V."]), ("Kliment", ["K."]), ("Feliks", ["F."]),
    ("Anastas", ["A."]), ("Lazar", ["L."]), ("Valerian", ["V."]), ("Yakov", ["Ya.", "Ja."]), ("Avel", ["A."]),
    ("Georgy", ["G."]), ("Vladimir", ["V."]), ("Pyotr", ["P."]), ("Andrei", ["A."]), ("Dmitry", ["D."]),
    ("Semyon", ["S."]), ("Matvei", ["M."]), ("Yemelyan", ["E.", "Ye."]), ("Nadezhda", ["N."]),
    ("Aleksandra", ["A."]), ("Inessa", ["I."]), ("Yelena", ["E.", "Ye."]), ("Varvara", ["V."]),
    ("Yuri", ["Yu.", "Ju."]), ("Ivan", ["I."]), ("Konstantin", ["K."]), ("Boris", ["B."]),
]
FEMALE_NAMES = {"Nadezhda", "Aleksandra", "Inessa", "Yelena", "Varvara"}
PATRONYMICS = [("Vissarionovich", "V."), ("Ilyich", "I."), ("Konstantinovich", "K."), ("Davidovich", "D."),
               ("Mikhailovich", "M."), ("Yefremovich", "E."), ("Aronovich", "A."), ("Naumovich", "N."),
               ("Petrovich", "P."), ("Sergeyevich", "S."), ("Ivanovich", "I."), ("Moiseyevich", "M."),
               ("Grigoryevich", "G."), ("Fyodorovich", "F."), ("Andreyevich", "A."), ("Yakovlevich", "Ya.")]
SURNAME_ROOTS = ["Kras", "Bel", "Vol", "Gor", "Zel", "Mor", "Sol", "Lyub", "Dub", "Kam", "Pol", "Ryb", "Sok",
                 "Tver", "Yar", "Zhur", "Lip", "Ost", "Mel", "Chern", "Kuz", "Ber", "Glad", "Dor", "Fed",
                 "Khar", "Lom", "Nov", "Pet", "Ryaz", "Sed", "Tal", "Ush", "Vor", "Zar", "Grom", "Kol", "Mak",
                 "Sav"]
SURNAME_MIDDLES = ["", "an", "ol", "ish", "ev"]
SURNAME_ENDINGS = ["ov", "in", "sky", "enko", "idze", "yan", "ovich", "ashvili", "man", "ev"]
NICKNAMES = ["Koba", "Sergo", "Klim", "Vanya", "Grisha", "Misha", "Kolya", "Petya", "Yasha", "Seryozha"]

ORGANISATIONS = [  # key, label as printed, other names, type; labels never hold " to " or " - " (headings)
    ("cc-rcpb", "Central Committee of the RCP(b)", ["CC RCP(b)", "Central Committee"], "party"),
    ("politburo", "Politburo", ["Politburo of the Central Committee", "Political Bureau"], "party"),
    ("sovnarkom", "Council of People's Commissars", ["Sovnarkom", "SNK"], "government"),
    ("revvoensovet", "Revvoensovet of the Republic", ["Revolutionary Military Council", "RVSR"], "military"),
    ("orgburo", "Orgburo", ["Organisational Bureau"], "party"),
    ("kavburo", "Caucasian Bureau of the CC", ["Kavburo"], "party"),
    ("sto", "Council of Labor and Defense", ["STO"], "government"),
    ("narkomindel", "People's Commissariat for Foreign Affairs", ["NKID", "Narkomindel"], "government"),
    ("ccc", "Central Control Commission", ["CCC", "TsKK"], "party"),
    ("ecci", "Executive Committee of the Comintern", ["ECCI", "IKKI"], "body"),
    ("vtsik", "Presidium of the All-Russian Central Executive Committee", ["VTsIK"], "government"),
    ("ogpu", "OGPU", ["GPU", "Cheka"], "government"),
]
#: The archive every archival line cites (an organisation of type "archive", root of the archival hierarchy).
ARCHIVE = ("rgaspi", "RGASPI", ["RTsKhIDNI", "RTSHIDNI",
                                "Russian State Archive of Socio-Political History"], "archive")
PLACES = [  # key, label, other names (older spellings the translators use)
    ("moscow", "Moscow", []), ("petrograd", "Petrograd", ["St. Petersburg", "Leningrad"]),
    ("tiflis", "Tiflis", ["Tbilisi"]), ("baku", "Baku", []), ("kharkiv", "Kharkiv", ["Kharkov"]),
    ("kyiv", "Kyiv", ["Kiev"]), ("tsaritsyn", "Tsaritsyn", []), ("rostov", "Rostov", ["Rostov-on-Don"]),
    ("kazan", "Kazan", []), ("samara", "Samara", []), ("ufa", "Ufa", []), ("omsk", "Omsk", []),
    ("perm", "Perm", []), ("vyatka", "Vyatka", []), ("smolensk", "Smolensk", []), ("minsk", "Minsk", []),
    ("odessa", "Odessa", []), ("yekaterinburg", "Yekaterinburg", ["Ekaterinburg"]), ("tula", "Tula", []),
    ("orel", "Orel", []), ("kursk", "Kursk", []), ("voronezh", "Voronezh", []),
    ("astrakhan", "Astrakhan", []), ("kronstadt", "Kronstadt", []),
    ("brest-litovsk", "Brest-Litovsk", ["Brest"]), ("berlin", "Berlin", []),
    ("london", "London", []), ("genoa", "Genoa", []), ("tashkent", "Tashkent", []), ("batumi", "Batumi", []),
    ("erivan", "Erivan", ["Yerevan"]), ("krasnodar", "Krasnodar", ["Yekaterinodar"]), ("sochi", "Sochi", []),
    ("novorossiysk", "Novorossiysk", []), ("simbirsk", "Simbirsk", []),
    ("nizhny-novgorod", "Nizhny Novgorod", []),
]
EVENTS = [
    ("brest-peace", "Brest-Litovsk peace negotiations", ["peace talks in Brest"], 1918),
    ("kronstadt-rebellion", "Kronstadt rebellion", ["Kronstadt mutiny"], 1921),
    ("tenth-congress", "X Congress of the RCP(b)", ["Tenth Party Congress"], 1921),
    ("genoa-conference", "Genoa Conference", [], 1922),
    ("polish-campaign", "Polish campaign", ["war with Poland"], 1920),
    ("nep", "New Economic Policy", ["NEP"], 1921),
]

TOPICS = ["grain", "fuel", "locomotives", "cartridges", "the harvest", "the budget", "the trade agreement",
          "the concessions", "the railway", "the food detachments", "the party purge", "the newspaper",
          "the oil fields", "the textile mills", "the famine relief"]


@dataclass(frozen=True)
class Person:
    key: str
    first: str
    patronymic: str
    surname: str
    initials: tuple[str, ...]  # printed initial variants, e.g. ("I. V.", "J. V.")
    born: int
    died: int | None
    fond: int
    nickname: str | None

    @property
    def label(self) -> str:
        return f"{self.first} {self.surname}"

    def names(self) -> list[str]:
        full = f"{self.first} {self.patronymic} {self.surname}"
        out = [f"{i} {self.surname}" for i in self.initials] + [self.surname, self.label, full]
        if self.nickname:
            out.append(self.nickname)
        return out


@dataclass(frozen=True)
class Body:
    key: str
    label: str
    other_names: tuple[str, ...]

    def names(self) -> list[str]:
        return [self.label, *self.other_names]


@dataclass(frozen=True)
class Authorities:
    persons: tuple[Person, ...]
    organisations: tuple[Body, ...]
    org_types: dict[str, str]
    places: tuple[Body, ...]
    events: tuple[tuple[str, str, tuple[str, ...], int], ...]

    def parties(self) -> dict[str, Person | Body]:
        """Every possible sender or recipient by key."""
        return {p.key: p for p in self.persons} | {o.key: o for o in self.organisations}


N_PERSONS = 300


def build_authorities(seed: int = 1) -> Authorities:
    """The synthetic authority list: 300 persons, the collective bodies, places and events."""
    rng = random.Random(f"authorities:{seed}")
    surnames: list[str] = []
    seen: set[str] = set()
    while len(surnames) < N_PERSONS:
        name = rng.choice(SURNAME_ROOTS) + rng.choice(SURNAME_MIDDLES) + rng.choice(SURNAME_ENDINGS)
        if name.lower() not in seen:
            seen.add(name.lower())
            surnames.append(name)
    persons = []
    nicknames = list(NICKNAMES)
    for i, surname in enumerate(surnames):
        first, variants = rng.choice(FIRST_NAMES)
        patronymic, pat_initial = rng.choice(PATRONYMICS)
        if first in FEMALE_NAMES:
            patronymic = patronymic.replace("Ilyich", "Ilyinichna").replace("ich", "na")
        initials = tuple(f"{v} {pat_initial}" for v in variants)
        born = rng.randint(1860, 1900)
        died = rng.choice([None, rng.randint(1928, 1965)])
        nickname = nicknames.pop(0) if i < 40 and i % 4 == 0 and nicknames else None
        persons.append(Person(key=surname.lower(), first=first, patronymic=patronymic, surname=surname,
                              initials=initials, born=born, died=died, fond=rng.randint(3, 700),
                              nickname=nickname))
    return Authorities(
        persons=tuple(persons),
        organisations=tuple(Body(k, label, tuple(names)) for k, label, names, _ in ORGANISATIONS),
        org_types={k: kind for k, _, _, kind in ORGANISATIONS},
        places=tuple(Body(k, label, tuple(names)) for k, label, names in PLACES),
        events=tuple((k, label, tuple(names), year) for k, label, names, year in EVENTS),
    )


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def generate_authorities(out_dir: Path, seed: int = 1) -> list[Path]:
    """Write persons/organisations/places/events/editions.toml in the shape of ``data/authorities/``."""
    auth = build_authorities(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    head = f"# Synthetic authorities for the benchmark corpus (benchmarks/corpus.py, seed {seed}).\n"
    persons = [head]
    for p in auth.persons:
        persons.append(f"\n[{p.key}]\nlabel = {_toml_str(p.label)}\nnames = {_toml_list(p.names())}\n"
                       f'born = "{p.born}"\n' + (f'died = "{p.died}"\n' if p.died else ""))
    organisations = [head] + [f"\n[{o.key}]\nlabel = {_toml_str(o.label)}\nnames = {_toml_list(o.names())}\n"
                              f"type = {_toml_str(auth.org_types[o.key])}\n" for o in auth.organisations]
    key, label, names, kind = ARCHIVE
    organisations.append(f"\n[{key}]\nlabel = {_toml_str(label)}\nnames = {_toml_list([label, *names])}\n"
                         f'former_names = ["RTsKhIDNI"]\ntype = "{kind}"\n')
    places = [head] + [f"\n[{o.key}]\nlabel = {_toml_str(o.label)}\nnames = {_toml_list(o.names())}\n"
                       for o in auth.places]
    events = [head] + [f"\n[{k}]\nlabel = {_toml_str(label)}\nnames = {_toml_list([label, *names])}\n"
                       f'type = "event"\ndate = "{year}"\n' for k, label, names, year in auth.events]
    title = "Bolshevik leadership. Correspondence. 1912-1927. Collection of documents"
    editions = [head, f'\n[{EDITION}]\ntitle = "{title}"\nyear = "1996"\nlanguage = "ru"\n'
                      f'sources = ["{EDITION}-*", "*"]\n']
    written = []
    for name, parts in (("persons", persons), ("organisations", organisations), ("places", places),
                        ("events", events), ("editions", editions)):
        path = out_dir / f"{name}.toml"
        path.write_text("".join(parts), encoding="utf-8")
        written.append(path)
    return written


# --------------------------------------------------------------------------------------------- letters
@dataclass
class Dating:
    """A date as printed, with what a perfect parser reads from it."""

    text: str
    written: str
    written_end: str | None
    calendar: str
    gregorian: str
    gregorian_end: str | None
    editorial: bool
    qualifier: str | None


@dataclass
class SyntheticLetter:
    """One generated document: its printed lines and the truth behind them."""

    index: int
    doc_no: int
    number_printed: bool
    document_type: str
    sender_keys: list[str]
    recipient_keys: list[str]
    senders: list[str]  # as printed in the heading
    recipients: list[str]
    heading: str
    date: Dating
    sent: dt.date  # proleptic Gregorian day the letter was written
    place_key: str | None
    time_place: str | None
    address_lines: list[str]
    salutation: str | None
    body_lines: list[str]
    signatures: list[str]
    archival_line: str
    archival: dict
    notes: list[str]  # printed note lines (a note may continue on an unnumbered line)
    note_count: int
    mentions: list[str] = field(default_factory=list)  # person/org/place keys named in body and notes

    @property
    def key(self) -> str:
        return f"{EDITION}-{self.doc_no:03d}"

    def lines(self) -> list[str]:
        out = [f"No. {self.doc_no}"] if self.number_printed else []
        out.append(self.heading)
        out.append(self.date.text)
        if self.time_place:
            out.append(self.time_place)
        out.extend(self.address_lines)
        if self.salutation:
            out.append(self.salutation)
        out.extend(self.body_lines)
        out.extend(self.signatures)
        out.append(self.archival_line)
        if self.notes:
            out.extend(self.notes)
        return out


def _zipf_cum(n: int, s: float) -> list[float]:
    cum, total = [], 0.0
    for rank in range(1, n + 1):
        total += 1.0 / rank**s
        cum.append(total)
    return cum


def _julian(day: dt.date) -> tuple[int, int, int]:
    from convertdate import julian

    return julian.from_gregorian(day.year, day.month, day.day)


class _Generator:
    """Holds the random streams and the authority list; every choice comes from seeded ``random.Random``."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.auth = build_authorities(seed)
        self.rng = random.Random(f"letters:{seed}")
        # Parties: persons ranked by a seeded shuffle, collective bodies ranked among them.
        ranked: list[str] = [p.key for p in self.auth.persons]
        random.Random(f"ranks:{seed}").shuffle(ranked)
        self.party_rank = ranked
        self.party_cum = _zipf_cum(len(ranked), 1.05)
        self.org_keys = [o.key for o in self.auth.organisations]
        self.org_cum = _zipf_cum(len(self.org_keys), 1.0)
        self.place_keys = [p.key for p in self.auth.places]
        self.place_cum = _zipf_cum(len(self.place_keys), 0.9)
        self.persons = {p.key: p for p in self.auth.persons}
        self.orgs = {o.key: o for o in self.auth.organisations}
        self.places = {p.key: p for p in self.auth.places}
        self.unnumbered_seen: set[tuple] = set()

    # -- parties
    def person(self) -> str:
        return self.rng.choices(self.party_rank, cum_weights=self.party_cum)[0]

    def org(self) -> str:
        return self.rng.choices(self.org_keys, cum_weights=self.org_cum)[0]

    def place(self) -> str:
        return self.rng.choices(self.place_keys, cum_weights=self.place_cum)[0]

    def parties(self, count: int, org_share: float, exclude: set[str]) -> list[str]:
        keys: list[str] = []
        while len(keys) < count:
            key = self.org() if self.rng.random() < org_share else self.person()
            if key not in exclude and key not in keys:
                keys.append(key)
        return keys

    def printed_name(self, key: str) -> str:
        if key in self.orgs:
            return self.orgs[key].label
        p = self.persons[key]
        if self.rng.random() < 0.05:
            return p.surname
        variant = p.initials[0] if len(p.initials) == 1 or self.rng.random() < 0.8 else p.initials[1]
        return f"{variant} {p.surname}"

    # -- dates
    def dates(self, n: int) -> list[dt.date]:
        years = list(YEAR_WEIGHTS)
        cum = []
        total = 0
        for y in years:
            total += YEAR_WEIGHTS[y]
            cum.append(total)
        out = []
        for _ in range(n):
            year = self.rng.choices(years, cum_weights=cum)[0]
            length = 366 if year % 4 == 0 else 365
            out.append(dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(length)))
        out.sort()
        return out

    def dating(self, sent: dt.date) -> Dating:
        rng = self.rng
        julian = sent < GREGORIAN_SWITCH
        if julian:
            y, m, d = _julian(sent)
        else:
            y, m, d = sent.year, sent.month, sent.day
        cal = "julian" if julian else "gregorian"
        iso = f"{y:04d}-{m:02d}-{d:02d}"
        greg = sent.isoformat()
        month = MONTHS[m - 1]
        roll = rng.random()
        if julian and roll < 0.08:  # Old (New) on the date line itself
            if sent.month == m:
                text = f"{month} {d} ({sent.day}), {y}"
            elif sent.year == y:
                text = f"{month} {d} ({MONTHS[sent.month - 1]} {sent.day}), {y}"
            else:
                text = f"{month} {d}, {y}"
            return Dating(text, iso, None, cal, greg, None, False, None)
        if roll < 0.45:
            return Dating(f"{month} {d}, {y}", iso, None, cal, greg, None, False, None)
        if roll < 0.65:
            return Dating(f"{month} {d} [{y}]", iso, None, cal, greg, None, True, None)
        if roll < 0.75:
            return Dating(f"[{month} {d}, {y}]", iso, None, cal, greg, None, True, None)
        if roll < 0.82 and not julian:  # month precision only where both calendars agree on the month
            ym = f"{y:04d}-{m:02d}"
            return Dating(f"[{month} {y}]", ym, None, cal, ym, None, True, None)
        if roll < 0.92:
            qualifier, word = rng.choice([("before", "Previously"), ("not_before", "Later"),
                                          ("not_before", "Not earlier than"),
                                          ("not_after", "Not later than")])
            return Dating(f"[{word} {month} {d}, {y}]", iso, None, cal, greg, None, True, qualifier)
        # a range of days within one month, e.g. [5–7 March 1922]
        span = rng.randint(1, 3)
        end_greg = sent + dt.timedelta(days=span)
        if julian:
            ey, em, ed = _julian(end_greg)
            if end_greg >= GREGORIAN_SWITCH:
                ey, em, ed = y, m, d
                end_greg = sent
        else:
            ey, em, ed = end_greg.year, end_greg.month, end_greg.day
        if (ey, em) != (y, m) or ed == d:
            return Dating(f"{month} {d}, {y}", iso, None, cal, greg, None, False, None)
        return Dating(f"[{d}–{ed} {month} {y}]", iso, f"{ey:04d}-{em:02d}-{ed:02d}", cal, greg,
                      end_greg.isoformat(), True, None)

    def time_place(self, date: Dating, place_key: str | None) -> str | None:
        rng = self.rng
        if rng.random() > 0.4:
            return None
        y, m, d = (int(x) for x in (date.written + "-01-01").split("-")[:3])
        if len(date.written) < 10:
            return None
        roman = ROMAN[m - 1]
        yy = y % 100
        place = self.places[place_key].label if place_key else "Moscow"
        shape = rng.randrange(8)
        return [f"{d}/{roman}, {rng.randint(1, 11)} p.m.", f"{d}/{roman}", f"{d}/{roman}.",
                f"{d}/{roman} {y}", f"{d}/{roman}-{yy}", f"{d}.{roman}. {y}", f"{place} {d}/{roman}",
                f"{place}, {MONTHS[m - 1]} {d}, {y}"][shape]

    # -- text
    def mention_person(self, mentions: list[str]) -> str:
        key = self.person()
        mentions.append(key)
        return self.persons[key].surname

    def mention_place(self, mentions: list[str]) -> str:
        key = self.place()
        mentions.append(key)
        return self.places[key].label

    def mention_org(self, mentions: list[str]) -> str:
        key = self.org()
        mentions.append(key)
        return self.orgs[key].label

    def sentence(self, mentions: list[str]) -> str:
        rng = self.rng
        kind = rng.randrange(12)
        topic = rng.choice(TOPICS)
        if kind == 0:
            who = self.mention_person(mentions)
            return f"{who} reports from {self.mention_place(mentions)} that {topic} is late"
        if kind == 1:
            return f"The attack on {self.mention_place(mentions)} is underway"
        if kind == 2:
            return f"I had a meeting with {self.mention_person(mentions)} on the question of {topic}"
        if kind == 3:
            return f"The {self.mention_org(mentions)} must decide on {topic} (your signature is needed)"
        if kind == 4:
            return (f"Received an answer from {self.mention_person(mentions)}, evasive, but still quite "
                    f"compromising (our answer is needed)")
        if kind == 5:
            return f"We sent {rng.randint(2, 90)} thousand poods of {topic} to {self.mention_place(mentions)}"
        if kind == 6:
            return (f"{self.mention_person(mentions)} and {self.mention_person(mentions)} insist on moving "
                    f"{topic} to {self.mention_place(mentions)}")
        if kind == 7:
            return f"Your telegram No. {rng.randint(100, 9999)} about {topic} was received"
        if kind == 8:
            p = self.persons[self.person()]
            mentions.append(p.key)
            cut = max(1, len(p.surname) // 2)
            completed = f"{p.surname[:cut]}[{p.surname[cut:-1]}]{p.surname[-1:]}"  # Kal[edi]n
            return f"The situation with {completed} is [...] difficult"
        if kind == 9:
            return f"Please send [with] the courier the report on {topic}"
        if kind == 10:
            org = self.mention_org(mentions)
            return f"The {org} adopted a resolution on {topic} at {self.mention_place(mentions)}"
        return f"Come, then go back to {self.mention_place(mentions)}"

    def marker(self, n: int, sentence: str, end: str) -> str:
        roll = self.rng.random()
        if roll < 0.6:
            return f"{sentence} {n} {end}"
        if roll < 0.75:
            return f"{sentence}{n}{end}"
        if roll < 0.85:
            return f"{sentence}{end}{n} ."
        if roll < 0.9 and n == 1:
            return f"{sentence} one {end}"
        if roll < 0.95:
            return f"{sentence} {n}{end}"
        return f"{sentence}{end}"  # marker lost by the web page

    def note_line(self, n: int, text: str) -> str:
        roll = self.rng.random()
        if n == 1 and roll < 0.02:
            return text  # the first note printed without its number
        if roll < 0.3:
            return f"{n} . {text}"
        if roll < 0.8:
            return f"{n}. {text}"
        if roll < 0.9:
            return f"{n} {text}"
        return f"{n}{text}"  # glued: "2On December ..."

    def note_text(self, letter_sent: dt.date, mentions: list[str]) -> list[str]:
        rng = self.rng
        kind = rng.randrange(7)
        topic = rng.choice(TOPICS)
        if kind == 0 and letter_sent < GREGORIAN_SWITCH:
            day = letter_sent - dt.timedelta(days=rng.randint(1, 40))
            y, m, d = _julian(day)
            if (y, m) == (day.year, day.month):
                dual = f"{MONTHS[m - 1]} {d} ({day.day}), {y}"
            elif y == day.year:
                dual = f"{MONTHS[m - 1]} {d} ({MONTHS[day.month - 1]} {day.day}), {y}"
            else:
                dual = f"{MONTHS[m - 1]} {d} ({MONTHS[day.month - 1]} {day.day}, {day.year})"
            return [f"On {dual}, the {self.mention_org(mentions)} adopted a resolution on {topic}."]
        if kind == 1:
            p = self.persons[self.person()]
            mentions.append(p.key)
            role = f"in {rng.randint(1917, 1927)} member of the {self.mention_org(mentions)}"
            life = f"{p.born}-{p.died}" if p.died else f"{p.born}-?"
            return [f"{p.surname} {p.first} {p.patronymic} ({life}) - {role}."]
        if kind == 2:
            return [f"We are talking about {topic} in {self.mention_place(mentions)}."]
        if kind == 3:
            fond = rng.choice([17, 558, 85, 74])
            return [f"See the report of {self.mention_person(mentions)} (RTSKHIDNI. F. {fond}. Op. "
                    f"{rng.randint(1, 3)}. D. {rng.randint(1, 9000)}. L. {rng.randint(1, 40)}-"
                    f"{rng.randint(41, 60)}). The {self.mention_org(mentions)} did not consider it (Ibid. L. "
                    f"{rng.randint(61, 70)})."]
        if kind == 4:
            return [f"{self.mention_person(mentions)} was in {self.mention_place(mentions)} at this time.",
                    f"Then the discussion turned to {topic}."]
        if kind == 5:
            return ['On the letterhead: "People\'s Commissar for Nationalities Affairs."']
        return [f"Apparently, we are talking about the decree on {topic} signed by "
                f"{self.mention_person(mentions)}."]

    def archival(self, sender_key: str) -> tuple[str, dict]:
        rng = self.rng
        sender = self.persons.get(sender_key)
        fond = str(sender.fond if sender and rng.random() < 0.7 else rng.choice([17, 558, 2, 5, 85]))
        archive = "RTSKHIDNI" if rng.random() < 0.98 else "RTSHIDNI"
        opis_word = "On." if rng.random() < 0.7 else "Op."
        opis = rng.choice(["1", "1", "2", "3", "112", "3/S"])
        delo = str(rng.randint(1, 9000))
        lo = rng.randint(1, 200)
        folios = rng.choice([str(lo), str(lo), f"{lo}-{lo + rng.randint(1, 4)}", f"{lo}, {lo + 1}",
                             f"{lo} rev.", f"{lo} rev.-{lo + 1}"])
        copy = rng.choice(COPY_TYPES)
        leaves = folios if folios.endswith(".") else folios + "."  # "L. 1 rev. Autograph.", never "rev.."
        text = f"{archive}. F. {fond}. {opis_word} {opis}. D. {delo}. L. {leaves} {copy}"
        if rng.random() < 0.05:
            text += f' "{rng.choice(JOURNALS)}", {rng.randint(1989, 1996)}, No. {rng.randint(1, 12)}. ' \
                    f"S. {rng.randint(3, 250)}."
        return text, {"archive": archive, "fond": fond, "opis": opis, "delo": delo, "folios": folios,
                      "copy_type": copy.rstrip(".")}

    def signature(self, sender_keys: list[str]) -> list[str]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.2:
            return []
        people = [self.persons[k] for k in sender_keys if k in self.persons]
        if not people:
            return [f"Secretary of the CC {self.persons[self.person()].surname}"]
        if len(people) > 1:
            return [", ".join(p.surname for p in people)]
        p = people[0]
        if roll < 0.5:
            return [p.surname]
        if roll < 0.6:
            return [p.surname + "."]
        if roll < 0.7:
            return [f"Your {p.nickname or p.first}"]
        if roll < 0.8:
            return [f"I shake hands. {p.surname}"]
        if roll < 0.88:
            return [f"{p.initials[0][:2]} {p.surname[:3]}."]
        if roll < 0.94:
            return [f"CHAIRMAN OF THE COMMISSION {p.surname.upper()}"]
        return [f"[{p.surname}]"]

    def salutation(self, recipient_keys: list[str], with_marker: bool) -> str | None:
        rng = self.rng
        if rng.random() > 0.6:
            return None
        key = recipient_keys[0]
        if key in self.orgs or len(recipient_keys) > 1:
            text, end = "Comrades", "!"
        else:
            p = self.persons[key]
            text, end = rng.choice([(f"Comrade {p.surname}", "!"), (f"Dear Comrade {p.surname}", "!"),
                                    (f"Dear {p.first}", ","), (f"T[ovari]shch {p.surname}", "!"),
                                    (f"Hello, {p.first}", ".")])
        return f"{text} 1 {end}" if with_marker else f"{text}{end}"

    # -- a whole letter
    def letter(self, index: int, sent: dt.date) -> SyntheticLetter:
        rng = self.rng
        n_send = rng.choices([1, 2, 3], cum_weights=[88, 98, 100])[0]
        n_recv = rng.choices([1, 2, 3], cum_weights=[80, 95, 100])[0]
        sender_keys = self.parties(n_send, 0.05, set())
        recipient_keys = self.parties(n_recv, 0.15, set(sender_keys))
        senders = [self.printed_name(k) for k in sender_keys]
        recipients = [self.printed_name(k) for k in recipient_keys]
        a, b = ", ".join(senders), ", ".join(recipients)
        roll = rng.random()
        doc_type = "letter"
        if roll < 0.45:
            heading = f"{a} - {b}"
        elif roll < 0.5:
            heading = f"{a} - {b}."
        elif roll < 0.65:
            heading = f"{a} — {b}"
        elif roll < 0.8:
            heading = f"{a} to {b}"
        elif roll < 0.94:
            heading, doc_type = f"Telegram from {a} to {b}", "telegram"
        else:
            heading, doc_type = f"Telegram of {a} to {b}", "telegram"
        date = self.dating(sent)
        place_key = self.place() if rng.random() < 0.5 else None
        time_place = self.time_place(date, place_key)
        address: list[str] = []
        if doc_type == "telegram" and rng.random() < 0.4 and recipient_keys[0] in self.persons:
            address.append(f"Moscow - the Kremlin, only to {self.persons[recipient_keys[0]].surname}.")
            if rng.random() < 0.5:
                address.append("ON A DIRECT WIRE.")
        elif rng.random() < 0.03:
            address.append("Copy.")
        mentions: list[str] = []
        n_notes = rng.choices([0, 1, 2, 3, 4, 5, 6], cum_weights=[15, 35, 55, 72, 85, 94, 100])[0]
        marker_in_salutation = n_notes > 0 and rng.random() < 0.1
        salutation = self.salutation(recipient_keys, marker_in_salutation)
        if salutation is None:
            marker_in_salutation = False
        n_sentences = rng.randint(max(2, n_notes), max(3, n_notes + 4))
        sentences = [self.sentence(mentions) for _ in range(n_sentences)]
        # The unique sentence: a corpus is de-duplicated on heading + date + text; no two letters share all.
        sentences.insert(rng.randrange(len(sentences) + 1),
                         f"The account for {rng.choice(TOPICS)} shows {index + 1} roubles")
        first_marker = 2 if marker_in_salutation else 1
        marked = sorted(rng.sample(range(len(sentences)), max(0, n_notes - first_marker + 1)))
        rendered = []
        n = first_marker
        numbered = rng.random() < 0.15
        for i, s in enumerate(sentences):
            end = rng.choice([".", ".", ".", ";"]) if not numbered else ";"
            if i in marked:
                s = self.marker(n, s, end)
                n += 1
            else:
                s = s + end
            rendered.append(s)
        if numbered:
            body_lines = [f"{i + 1}) {s}" for i, s in enumerate(rendered)]
        else:
            body_lines, current = [], []
            for s in rendered:
                current.append(s)
                if rng.random() < 0.35:
                    body_lines.append(" ".join(current))
                    current = []
            if current:
                body_lines.append(" ".join(current))
        notes: list[str] = []
        for k in range(1, n_notes + 1):
            text_lines = self.note_text(sent, mentions)
            notes.append(self.note_line(k, text_lines[0]))
            notes.extend(text_lines[1:])
        if notes and rng.random() < 0.7:
            notes.insert(0, "Notes:")
        arch_line, arch = self.archival(sender_keys[0])
        number_printed = rng.random() < 0.5
        if not number_printed:
            # Letters without a printed No. get a key from date and parties: never let two such keys collide.
            ident = (date.written, tuple(sender_keys), tuple(recipient_keys))
            if ident in self.unnumbered_seen:
                number_printed = True
            else:
                self.unnumbered_seen.add(ident)
        return SyntheticLetter(
            index=index, doc_no=index + 1, number_printed=number_printed, document_type=doc_type,
            sender_keys=sender_keys, recipient_keys=recipient_keys, senders=senders, recipients=recipients,
            heading=heading, date=date, sent=sent, place_key=place_key, time_place=time_place,
            address_lines=address, salutation=salutation, body_lines=body_lines,
            signatures=self.signature(sender_keys), archival_line=arch_line, archival=arch, notes=notes,
            note_count=n_notes, mentions=mentions)


def iter_letters(n: int, seed: int = 1) -> Iterator[SyntheticLetter]:
    """The N letters in edition order (chronological, numbered 1..N), with the generator's truth."""
    gen = _Generator(seed)
    for index, sent in enumerate(gen.dates(n)):
        yield gen.letter(index, sent)


# --------------------------------------------------------------------------------------------- pages
@dataclass
class Page:
    name: str
    text: str
    letters: list[SyntheticLetter]
    start_lines: list[int]  # 1-based line where each document starts (its No. line or heading)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def iter_pages(n: int, seed: int = 1) -> Iterator[Page]:
    """The letters grouped into pages (1-4 documents each) and rendered, in file-name order."""
    rng = random.Random(f"pages:{seed}")
    letters = iter_letters(n, seed)
    page_no = 0
    pending: SyntheticLetter | None = next(letters, None)
    while pending is not None:
        page_no += 1
        size = rng.choices([1, 2, 3, 4], cum_weights=[55, 80, 92, 100])[0]
        group = [pending]
        pending = next(letters, None)
        while pending is not None and len(group) < size:
            group.append(pending)
            pending = next(letters, None)
        spaced = rng.random() < 0.3
        head: list[str] = []
        if rng.random() < 0.2:
            head.append("Bolshevik Leaders correspondence")
        head += [rng.choice(HEADER_MENU), rng.choice(HEADER_COLLECTION), *HEADER_LINES]
        if rng.random() < 0.2:
            head.append(f"{group[0].senders[0].split()[-1]} Correspondences")
        if rng.random() < 0.3:
            head.append(" ")
        body: list[str] = []
        starts: list[int] = []
        for i, letter in enumerate(group):
            if i and rng.random() < 0.4:
                body.append(" ")  # a separator line holding only a space
            starts.append(len(head) + len(body) + 1)
            body.extend(letter.lines())
        lines = head + body
        if spaced:  # blank lines between all lines
            lines = [x for line in lines for x in (line, "")][:-1]
            starts = [2 * s - 1 for s in starts]
        first = group[0]
        name = (f"{EDITION}-p{page_no:06d}-{first.sender_keys[0]}-to-{first.recipient_keys[0]}-"
                f"{first.sent.isoformat()}.txt")
        yield Page(name=name, text="\n".join(lines) + "\n", letters=group, start_lines=starts)


def generate_pages(n: int, out_dir: Path, seed: int = 1) -> list[Path]:
    """Write N synthetic letters as edition pages into ``out_dir``; return the files in name order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for page in iter_pages(n, seed):
        path = out_dir / page.name
        path.write_bytes(page.text.encode("utf-8"))
        written.append(path)
    return written


# --------------------------------------------------------------------------------------------- records
def iter_records(n: int, seed: int = 1, sources_dir: Path | str = "") -> Iterator:
    """What a perfect parser returns for the pages of ``generate_pages(n, sources_dir, seed)``.

    Yields ``kg.records.LetterRecord``. Fields whose reading the spec leaves to the parser (body offsets of
    markers, normalised text) are left empty; tests compare parties, dates, numbers, notes, archival fields.
    """
    from kg.records import ArchivalRef, LetterRecord, Note, SourceLocation

    for page in iter_pages(n, seed):
        path = str(Path(sources_dir) / page.name) if sources_dir else page.name
        for letter, line in zip(page.letters, page.start_lines, strict=True):
            d = letter.date
            a = letter.archival
            yield LetterRecord(
                doc_no=str(letter.doc_no) if letter.number_printed else None,
                heading=letter.heading, senders=list(letter.senders), recipients=list(letter.recipients),
                document_type=letter.document_type, date_text=d.text, date_written=d.written,
                date_written_end=d.written_end, date_calendar=d.calendar, date_gregorian=d.gregorian,
                date_gregorian_end=d.gregorian_end, date_editorial=d.editorial, date_qualifier=d.qualifier,
                time_place_text=letter.time_place, address_lines=list(letter.address_lines),
                salutation=letter.salutation, body_printed="\n".join(letter.body_lines),
                signatures=list(letter.signatures),
                archival_refs=[ArchivalRef(text=letter.archival_line, archive=a["archive"],
                                           archive_normalised="RGASPI", fond=a["fond"], opis=a["opis"],
                                           delo=a["delo"], folios=a["folios"], copy_type=a["copy_type"])],
                notes=[Note(n=k, text="") for k in range(1, letter.note_count + 1)],
                source=SourceLocation(path=path, line=line),
            )


# --------------------------------------------------------------------------------------------- CMIF
def _cmif_party(org_keys: set[str], key: str, printed: str) -> str:
    kind = "orgName" if key in org_keys else "persName"
    folder = "org" if kind == "orgName" else "person"
    return f"<{kind} ref={quoteattr(f'{BASE_URI}/id/{folder}/{key}')}>{escape(printed)}</{kind}>"


def generate_cmif(n: int, out_file: Path, seed: int = 1) -> Path:
    """Write the same N letters as one CMIF file (TEI ``correspDesc``), streamed so 100,000 letters fit."""
    auth = build_authorities(seed)
    org_keys = {o.key for o in auth.organisations}
    places = {p.key: p for p in auth.places}
    out_file = Path(out_file)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    with out_file.open("w", encoding="utf-8", newline="\n") as out:
        out.write(f"""<?xml version="1.0" encoding="utf-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0">
  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title>Synthetic benchmark corpus of {n} letters (seed {seed})</title>
        <editor>benchmarks/corpus.py<email>noreply@kg.example.org</email></editor>
      </titleStmt>
      <publicationStmt>
        <publisher><ref target="{BASE_URI}">kg benchmarks</ref></publisher>
        <idno type="url">{BASE_URI}/dumps/synthetic-{n}-{seed}.cmif.xml</idno>
        <date when="1996-01-01"/>
        <availability>
          <licence target="https://creativecommons.org/publicdomain/zero/1.0/">CC0 1.0</licence>
        </availability>
      </publicationStmt>
      <sourceDesc>
        <bibl type="print" xml:id="{EDITION}">Bolshevik leadership. Correspondence. 1912-1927.
          Collection of documents. Moscow, 1996 (synthetic pages).</bibl>
      </sourceDesc>
    </fileDesc>
    <profileDesc>
""")
        for letter in iter_letters(n, seed):
            d = letter.date
            attrs = f'when="{d.gregorian}"'
            if d.qualifier in ("before", "not_after"):
                attrs = f'notAfter="{d.gregorian}"'
            elif d.qualifier in ("after", "not_before"):
                attrs = f'notBefore="{d.gregorian}"'
            elif d.gregorian_end:
                attrs = f'from="{d.gregorian}" to="{d.gregorian_end}"'
            if d.editorial:
                attrs += ' cert="medium"'
            sent = [_cmif_party(org_keys, k, p)
                    for k, p in zip(letter.sender_keys, letter.senders, strict=True)]
            recv = [_cmif_party(org_keys, k, p)
                    for k, p in zip(letter.recipient_keys, letter.recipients, strict=True)]
            place = ""
            if letter.place_key:
                p = places[letter.place_key]
                uri = quoteattr(f"{BASE_URI}/id/place/{p.key}")
                place = f"\n          <placeName ref={uri}>{escape(p.label)}</placeName>"
            ref = f' ref="{BASE_URI}/id/letter/{letter.key}"' if letter.number_printed else ""
            out.write(f"""      <correspDesc key="{letter.doc_no}" source="#{EDITION}"{ref}>
        <correspAction type="sent">
          {"".join(sent)}
          <date {attrs}/>{place}
        </correspAction>
        <correspAction type="received">
          {"".join(recv)}
        </correspAction>
      </correspDesc>
""")
        out.write("    </profileDesc>\n  </teiHeader>\n  <text><body><p/></body></text>\n</TEI>\n")
    return out_file


# --------------------------------------------------------------------------------------------- whole corpus
@dataclass
class CorpusPaths:
    root: Path
    sources: Path
    authorities: Path
    cmif: Path
    pages: list[Path]


def generate_corpus(n: int, out_dir: Path, seed: int = 1, cmif: Path | None = None) -> CorpusPaths:
    """A corpus folder a build reads as it is: ``sources/`` pages, ``authorities/`` beside them, CMIF apart.

    ``kg build --sources OUT/sources`` finds ``OUT/authorities`` by itself (authorities live beside sources).
    """
    out_dir = Path(out_dir)
    pages = generate_pages(n, out_dir / "sources", seed)
    generate_authorities(out_dir / "authorities", seed)
    cmif_path = generate_cmif(n, cmif or out_dir / "corpus.cmif.xml", seed)
    (out_dir / "CORPUS").write_text(f"n={n}\nseed={seed}\ngenerator={GENERATOR_VERSION}\n", encoding="utf-8")
    return CorpusPaths(out_dir, out_dir / "sources", out_dir / "authorities", cmif_path, pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of letters")
    parser.add_argument("--out", type=Path, default=None,
                        help="corpus folder (default benchmarks/corpus/N): sources/, authorities/, "
                             "corpus.cmif.xml")
    parser.add_argument("--cmif", type=Path, default=None, help="where to write the CMIF file")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    out = args.out or ROOT / "benchmarks" / "corpus" / str(args.n)
    paths = generate_corpus(args.n, out, args.seed, args.cmif)
    print(f"{args.n} letters on {len(paths.pages)} pages in {paths.sources}; "
          f"authorities in {paths.authorities}; CMIF {paths.cmif}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
