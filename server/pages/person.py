"""What a person's (or organisation's) page shows: names, life dates, letters in date order, mentions,
correspondents as a small network and a timeline of the letters, both drawn server-side as SVG."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from server.pages import queries
from server.pages.document import Document
from server.pages.iris import key_of, letter_iri, letter_key_of
from server.pages.present import iso_date
from server.pages.queries import Term

SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
OWL_SAME = "http://www.w3.org/2002/07/owl#sameAs"
WIKIDATA = "http://www.wikidata.org/entity/"


@dataclass
class LetterRow:
    iri: str
    role: str  # "sent", "received"
    date: Term | None
    no: str | None
    label: str
    others: list[tuple[str, str]] = field(default_factory=list)  # (iri, label)


@dataclass
class PersonView:
    iri: str
    label: str
    variants: list[tuple[str, str | None]] = field(default_factory=list)  # (name, language tag)
    born: Term | None = None
    died: Term | None = None
    wikidata: list[str] = field(default_factory=list)
    same_as: list[str] = field(default_factory=list)
    letters: list[LetterRow] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    correspondents: list[dict] = field(default_factory=list)
    network_svg: str | None = None
    timeline_svg: str | None = None


def letters_of(store, iri: str, base_uri: str) -> list[LetterRow]:
    """Letters sent or received, one row per letter and role, in date order (undated last)."""
    rows: dict[tuple[str, str], LetterRow] = {}
    for r in queries.select(store, "person_letters", this=iri):
        letter = letter_iri(base_uri, r["letter"].value)
        key = (letter, r["role"].value)
        row = rows.get(key)
        if row is None:
            row = rows[key] = LetterRow(letter, r["role"].value, r.get("date"),
                                        r["no"].value if "no" in r else None,
                                        r["label"].value if "label" in r else r["letter"].value)
        if "other" in r and r["other"].value not in {o for o, _ in row.others}:
            other = r["other"].value
            row.others.append((other, r["otherLabel"].value if "otherLabel" in r else other))
    return sorted(rows.values(), key=lambda x: (x.date is None, x.date.value if x.date else "", x.iri,
                                                x.role))


def mentions_of(store, iri: str, base_uri: str) -> list[dict]:
    """Letters whose text or notes mention ``iri``, in date order, with where the mention is."""
    where: dict[str, set[str]] = defaultdict(set)
    for r in queries.select(store, "mentions", this=iri):
        x = r["x"].value
        key = key_of(base_uri, x)
        letter_key = letter_key_of(key) if key else None
        if letter_key:
            part = key[len(letter_key):].strip("/")
            in_note = "/note/" in f"/{part}"
            where[f"{base_uri}/id/{letter_key}"].add("note " + part.rsplit("/", 1)[-1] if in_note else "text")
    if not where:
        return []
    info: dict[str, dict] = {}
    asked = sorted({*where, *(f"{letter}/text" for letter in where)})
    for r in queries.select(store, "letters_info", these=asked):
        letter = letter_iri(base_uri, r["letter"].value)
        entry = info.setdefault(letter, {"iri": letter, "date": None, "no": None, "label": None})
        for name in ("date", "no", "label"):
            if name in r and entry[name] is None:
                entry[name] = r[name] if name == "date" else r[name].value
    out = []
    for letter, places in where.items():
        entry = info.get(letter, {"iri": letter, "date": None, "no": None, "label": None})
        out.append({**entry, "where": sorted(places)})
    return sorted(out, key=lambda e: (e["date"] is None, e["date"].value if e["date"] else "", e["iri"]))


def build(doc: Document, store, base_uri: str) -> PersonView:
    iri = doc.iri
    view = PersonView(iri=iri, label=doc.label(iri) or iri)
    names: dict[str, str | None] = {}
    for p in (SKOS + "altLabel", SKOS + "hiddenLabel", SCHEMA + "alternateName",
              "http://www.w3.org/2000/01/rdf-schema#label", SCHEMA + "name"):
        for t in doc.values(iri, p):
            if t.kind == "literal" and t.value != view.label:
                names.setdefault(t.value, t.lang)
    view.variants = sorted(names.items(), key=lambda nl: (nl[0].casefold(), nl[0]))
    view.born = doc.value(iri, SCHEMA + "birthDate")
    view.died = doc.value(iri, SCHEMA + "deathDate")
    same = sorted({t.value for p in (OWL_SAME, SCHEMA + "sameAs", SKOS + "exactMatch")
                   for t in doc.values(iri, p) if t.is_iri})
    view.wikidata = [s for s in same if s.startswith(WIKIDATA)]
    view.same_as = [s for s in same if not s.startswith(WIKIDATA)]
    view.letters = letters_of(store, iri, base_uri)
    view.mentions = mentions_of(store, iri, base_uri)
    view.correspondents = correspondents(view.letters)
    if view.correspondents:
        view.network_svg = network_svg(view.label, view.correspondents)
    if view.letters:
        view.timeline_svg = timeline_svg(view.letters)
    return view


def correspondents(letters: list[LetterRow]) -> list[dict]:
    """Each correspondent with the number of letters written to and received from them, busiest first."""
    to, frm = Counter(), Counter()
    labels = {}
    for row in letters:
        for other, label in row.others:
            labels[other] = label
            (to if row.role == "sent" else frm)[other] += 1
    people = sorted(labels, key=lambda o: (-(to[o] + frm[o]), labels[o].casefold()))
    return [{"iri": o, "label": labels[o], "to": to[o], "from": frm[o]} for o in people]


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def network_svg(centre: str, people: list[dict], *, limit: int = 16,
                hrefs: dict[str, str] | None = None) -> str:
    """The person in the middle, up to ``limit`` correspondents on a circle; wider lines, more letters.

    Drawn here rather than in the browser so that the page needs no script; every text is escaped.
    The caller passes ``hrefs`` (IRI → link) so that names link to their pages on the serving host.
    """
    hrefs = hrefs or {}
    shown = people[:limit]
    w, h, r = 560, 360, 130
    cx, cy = w / 2, h / 2
    most = max(p["to"] + p["from"] for p in shown)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
             f'role="img" aria-labelledby="net-title" class="network">',
             f'<title id="net-title">Correspondents of {_esc(centre)}</title>']
    nodes = []
    for i, p in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * i / len(shown)
        x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
        width = 1.5 + 5 * (p["to"] + p["from"]) / most
        tip = f'{p["label"]}: {p["to"]} sent to, {p["from"]} received from'
        parts.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
                     f'stroke-width="{width:.1f}" class="edge"><title>{_esc(tip)}</title></line>')
        anchor = "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
        ty = y + (18 if math.sin(angle) > 0.3 else -10 if math.sin(angle) < -0.3 else 4)
        tx = x + (10 if anchor == "start" else -10 if anchor == "end" else 0)
        label = f'{p["label"]} ({p["to"] + p["from"]})'
        circle = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" class="node"/>'
        text = f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}">{_esc(label)}</text>'
        href = hrefs.get(p["iri"])
        nodes.append(f'<a href="{_esc(href)}">{circle}{text}</a>' if href else circle + text)
    parts += nodes
    parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="11" class="node centre"/>')
    parts.append(f'<text x="{cx:.1f}" y="{cy + 28:.1f}" text-anchor="middle" class="centre-label">'
                 f'{_esc(centre)}</text>')
    if len(people) > limit:
        parts.append(f'<text x="8" y="{h - 8}" class="note">and {len(people) - limit} more</text>')
    parts.append("</svg>")
    return "".join(parts)


def timeline_svg(letters: list[LetterRow]) -> str | None:
    """Letters per year (per month within two years): sent above the axis, received below."""
    dated = [(_year_month(r.date), r.role) for r in letters if r.date is not None]
    dated = [(d, role) for d, role in dated if d]
    if not dated:
        return None
    years = sorted({d[0] for d, _ in dated})
    monthly = years[-1] - years[0] <= 1
    buckets = ([(y, m) for y in range(years[0], years[-1] + 1) for m in range(1, 13)] if monthly
               else [(y, 0) for y in range(years[0], years[-1] + 1)])
    if monthly:
        used = [(d[0], d[1]) for d, _ in dated]
        buckets = [b for b in buckets if min(used) <= b <= max(used)]
    sent, received = Counter(), Counter()
    for d, role in dated:
        (sent if role == "sent" else received)[(d[0], d[1] if monthly else 0)] += 1
    most = max([*sent.values(), *received.values(), 1])
    w = max(240, 24 * len(buckets) + 40)
    h, mid, scale = 170, 80, 60 / most
    bar = 16
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
             'role="img" aria-labelledby="tl-title" class="timeline">',
             '<title id="tl-title">Letters per ' + ("month" if monthly else "year")
             + ': sent above the line, received below</title>',
             f'<line x1="20" y1="{mid}" x2="{w - 10}" y2="{mid}" class="axis"/>']
    for i, b in enumerate(buckets):
        x = 30 + 24 * i
        s, rcv = sent.get(b, 0), received.get(b, 0)
        name = f"{b[0]}-{b[1]:02d}" if monthly else str(b[0])
        if s:
            parts.append(f'<rect x="{x}" y="{mid - s * scale:.1f}" width="{bar}" height="{s * scale:.1f}" '
                         f'class="sent"><title>{name}: {s} sent</title></rect>')
        if rcv:
            parts.append(f'<rect x="{x}" y="{mid}" width="{bar}" height="{rcv * scale:.1f}" class="received">'
                         f'<title>{name}: {rcv} received</title></rect>')
        if not monthly or len(buckets) <= 12 or b[1] == 1 or i == 0:
            parts.append(f'<text x="{x + bar / 2}" y="{h - 6}" text-anchor="middle">'
                         f'{name if not monthly else f"{b[1]:02d}/{b[0]}"}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _year_month(term: Term | None) -> tuple[int, int] | None:
    """(year, month) of a date literal; month 1 for a bare year."""
    day = iso_date(term)
    if day:
        return (day.year, day.month)
    text = term.value if term else ""
    if len(text) >= 4 and text[:4].isdigit():
        month = int(text[5:7]) if len(text) >= 7 and text[5:7].isdigit() else 1
        return (int(text[:4]), month if 1 <= month <= 12 else 1)
    return None
