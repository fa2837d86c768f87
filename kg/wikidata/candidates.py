"""Finding Wikidata candidates for our entities, and saying why each one might be the same.

Search is by exact label or alias (``rdfs:label``, ``skos:altLabel``) in English and Russian — the two
languages of the edition — constrained to the classes of the entity's kind (a human, a settlement, an
organisation, an event), and batched: one query asks for many names at once through ``VALUES``. Answers are
cached per name, so a rerun only asks about names it has never asked about.

Scoring weighs what the letters tell against what Wikidata says: a person must be alive in the letters' years
(P569/P570), dates in our authority must agree, a place should lie in the country the authority names (P17),
an organisation should exist then (P571/P576). The score is a reading aid for the curator, never a decision:
every candidate is written as ``proposed`` with its evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from rdflib import Literal

from kg.wikidata.cache import AnswerCache, now_iso
from kg.wikidata.client import SparqlClient, term_value
from kg.wikidata.sssom import LEXICAL, LINKER, TOOL, Mapping, subject_curie
from kg.wikidata.targets import LinkTarget
from kg.wikidata.vocab import KIND_CLASSES, KIND_NAMES, qid_of

MIN_SCORE = 0.3
MAX_CANDIDATES = 5

PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# P31 instance of, P279 subclass of, P569/P570 birth/death, P571 inception, P576 dissolved, P580/P582
# start/end
# time, P585 point in time, P17 country.
SEARCH_QUERY = PREFIXES + """SELECT ?name ?how ?item ?class ?born ?died ?start ?end ?country ?countryLabel
  ?labelEn ?labelRu
WHERE {
  VALUES ?name { %(names)s }
  { ?item rdfs:label ?name . BIND("label" AS ?how) }
  UNION { ?item skos:altLabel ?name . BIND("alias" AS ?how) }
  ?item wdt:P31 ?type .
  ?type wdt:P279* ?class .
  VALUES ?class { %(classes)s }
  OPTIONAL { ?item wdt:P569 ?born }
  OPTIONAL { ?item wdt:P570 ?died }
  OPTIONAL { ?item wdt:P571|wdt:P580|wdt:P585 ?start }
  OPTIONAL { ?item wdt:P576|wdt:P582 ?end }
  OPTIONAL { ?item wdt:P17 ?country .
             OPTIONAL { ?country rdfs:label ?countryLabel . FILTER(LANG(?countryLabel) = "en") } }
  OPTIONAL { ?item rdfs:label ?labelEn . FILTER(LANG(?labelEn) = "en") }
  OPTIONAL { ?item rdfs:label ?labelRu . FILTER(LANG(?labelRu) = "ru") }
}"""


def name_literal(name: str) -> Literal:
    """A name as Wikidata stores it: Cyrillic names are Russian labels, others English ones."""
    cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in name)
    return Literal(name, lang="ru" if cyrillic else "en")


def question(kind: str, literal: Literal) -> str:
    """The cache key of one search: the kind (its classes constrain the answer) and the exact name."""
    return f"search|{kind}|{literal.n3()}"


def search_query(kind: str, literals: Sequence[Literal]) -> str:
    names = " ".join(lit.n3() for lit in literals)
    classes = " ".join(f"wd:{q}" for q in KIND_CLASSES[kind])
    return SEARCH_QUERY % {"names": names, "classes": classes}


def fetch_answers(targets: Iterable[LinkTarget], client: SparqlClient, cache: AnswerCache,
                  batch_size: int = 20) -> int:
    """Ask the endpoint about every name not yet in the cache, ``batch_size`` names per query.

    Returns the number of names asked. Each batch is cached as soon as it is answered, so a run that fails
    half
    way keeps what it learned.
    """
    pending: dict[str, dict[str, Literal]] = defaultdict(dict)
    for target in targets:
        for name in target.search_names():
            literal = name_literal(name)
            q = question(target.kind, literal)
            if q not in cache:
                pending[target.kind][q] = literal
    asked = 0
    for kind in sorted(pending):
        items = sorted(pending[kind].items())
        for start in range(0, len(items), max(1, batch_size)):
            batch = dict(items[start:start + batch_size])
            when = now_iso()
            rows = client.select(search_query(kind, list(batch.values())))
            answers: dict[str, list[dict]] = {q: [] for q in batch}
            for row in rows:
                name = row.get("name")
                if not name:
                    continue
                q = question(kind, Literal(name["value"], lang=name.get("xml:lang")))
                if q in answers:
                    answers[q].append({k: v for k, v in row.items() if k != "name"})
            cache.put_many(answers, asked=when)
            asked += len(batch)
    return asked


@dataclass
class Candidate:
    """One Wikidata item found for one of our entities, with everything the search learned about it."""

    qid: str
    label_en: str = ""
    label_ru: str = ""
    matches: set[tuple[str, str]] = field(default_factory=set)  # (name as N3, "label" | "alias")
    classes: set[str] = field(default_factory=set)
    born: set[int] = field(default_factory=set)
    died: set[int] = field(default_factory=set)
    start: set[int] = field(default_factory=set)
    end: set[int] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return self.label_en or self.label_ru


def candidates_for(target: LinkTarget, cache: AnswerCache) -> list[Candidate]:
    """The items the cached answers hold for this entity's names, merged per item."""
    found: dict[str, Candidate] = {}
    for name in target.search_names():
        literal = name_literal(name)
        for row in cache.get(question(target.kind, literal)) or []:
            qid = qid_of(term_value(row, "item") or "")
            if qid is None:
                continue
            c = found.setdefault(qid, Candidate(qid))
            c.matches.add((literal.n3(), term_value(row, "how") or "label"))
            c.label_en = c.label_en or (term_value(row, "labelEn") or "")
            c.label_ru = c.label_ru or (term_value(row, "labelRu") or "")
            if (cls := qid_of(term_value(row, "class") or "")):
                c.classes.add(cls)
            for attr in ("born", "died", "start", "end"):
                if (year := _year(term_value(row, attr))) is not None:
                    getattr(c, attr).add(year)
            if (country := term_value(row, "countryLabel") or term_value(row, "country")):
                c.countries.add(country)
    return [found[q] for q in sorted(found, key=lambda q: int(q[1:]))]


def _year(value: str | None) -> int | None:
    """The year of an ``xsd:dateTime``/``xsd:date`` value (``1878-12-18T00:00:00Z``, ``-0044-03-15``)."""
    if not value:
        return None
    sign = -1 if value.startswith("-") else 1
    digits = value.lstrip("+-").split("-", 1)[0]
    return sign * int(digits) if digits.isdigit() else None


def score(target: LinkTarget, candidate: Candidate, years: Sequence[int]) -> tuple[float, list[str]]:
    """A confidence in [0, 1] and the evidence behind it, one short sentence per fact."""
    evidence: list[str] = []
    labels = sorted(n for n, how in candidate.matches if how == "label")
    aliases = sorted(n for n, how in candidate.matches if how == "alias")
    value = 0.5 if labels else 0.35
    if labels:
        evidence.append("label " + ", ".join(labels))
    if aliases:
        evidence.append("alias " + ", ".join(aliases))
    value += min(0.15, 0.05 * (len({n for n, _ in candidate.matches}) - 1))
    classes = ", ".join(f"wd:{q}" for q in sorted(candidate.classes, key=lambda q: int(q[1:])))
    evidence.append(f"instance of {classes or '?'} ({KIND_NAMES[target.kind]})")
    first, last = (min(years), max(years)) if years else (None, None)
    when = _span(first, last)

    if target.kind == "person":
        value += _person_dates(target, candidate, first, last, when, evidence)
    elif target.kind in ("org", "event") and first is not None and last is not None:
        if candidate.start and min(candidate.start) > last + 1:
            value -= 0.3
            evidence.append(f"began {min(candidate.start)}, after the letters ({when})")
        elif target.kind == "org" and candidate.end and max(candidate.end) < first:
            value -= 0.3
            evidence.append(f"dissolved {max(candidate.end)}, before the letters ({when})")
        elif candidate.start:
            value += 0.1
            evidence.append(f"began {min(candidate.start)}, consistent with the letters ({when})")
    if target.kind == "place" and (target.countries or target.within):
        have = {c.casefold() for c in candidate.countries}
        places = ", ".join(sorted(candidate.countries))
        if {c.casefold() for c in (*target.countries, *target.within)} & have:
            value += 0.25
            evidence.append(f"country {places} as in our authority")
        elif target.countries and candidate.countries:
            value -= 0.3
            evidence.append(f"country {places}, our authority says {', '.join(target.countries)}")
    return round(max(0.0, min(1.0, value)), 2), evidence


def _person_dates(target: LinkTarget, c: Candidate, first: int | None, last: int | None, when: str,
                  evidence: list[str]) -> float:
    value = 0.0
    born, died = (min(c.born) if c.born else None), (max(c.died) if c.died else None)
    life = f"born {born if born is not None else '?'}, died {died if died is not None else '?'}"
    if first is not None and last is not None:
        if died is not None and died < first:
            value -= 0.6
            evidence.append(f"{life}: dead before the letters ({when})")
        elif born is not None and born > last:
            value -= 0.6
            evidence.append(f"{life}: not yet born at the letters ({when})")
        elif born is not None or died is not None:
            value += 0.2
            evidence.append(f"{life}: alive in {when}")
    elif born is not None or died is not None:
        evidence.append(life)
    for ours, theirs, what in ((target.born, c.born, "born"), (target.died, c.died, "died")):
        if ours is None or not theirs:
            continue
        if ours in theirs:
            value += 0.15
            evidence.append(f"{what} {ours} as in our authority")
        else:
            value -= 0.25
            evidence.append(f"{what} {', '.join(map(str, sorted(theirs)))}, our authority says {ours}")
    return value


def _span(first: int | None, last: int | None) -> str:
    if first is None or last is None:
        return "?"
    return str(first) if first == last else f"{first}-{last}"


def propose(target: LinkTarget, cache: AnswerCache, years: Sequence[int], *, endpoint: str,
            exclude: set[tuple[str, str]], today: date | None = None) -> list[Mapping]:
    """One entity's proposals: candidates scoring ``MIN_SCORE`` or more, best first, decided pairs out."""
    scored = []
    for candidate in candidates_for(target, cache):
        if (target.path, candidate.qid) in exclude:
            continue
        value, evidence = score(target, candidate, years)
        if value >= MIN_SCORE:
            scored.append((value, candidate, evidence))
    scored.sort(key=lambda item: (-item[0], int(item[1].qid[1:])))
    day = (today or date.today()).isoformat()
    asked = {cache.asked_at(question(target.kind, name_literal(n))) for n in target.search_names()} - {None}
    searched = f"searched {endpoint} at {max(asked)}" if asked else f"searched {endpoint}"
    out = []
    for value, candidate, evidence in scored[:MAX_CANDIDATES]:
        comment = "; ".join(evidence) + f" | {searched}"
        out.append(Mapping(subject_id=subject_curie(target.path), subject_label=target.label,
                           object_id=f"wd:{candidate.qid}", object_label=candidate.label,
                           mapping_justification=LEXICAL, confidence=f"{value:.2f}", author_id=LINKER,
                           mapping_date=day, mapping_tool=TOOL, comment=comment, review_status="proposed"))
    return out
