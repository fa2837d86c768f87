"""Dump time and size as the corpus grows, and rdflib's Turtle writer beside ours where it can still finish.

Why: rdflib's Turtle serializer is super-linear (seconds at 1,000 letters, minutes at 10,000), so a publisher
that used it would stop publishing at archive scale. ``kg.dumps`` writes canonical sorted N-Triples lines once
and streams every format from them with pyoxigraph's writers; this script shows that it stays linear.

The input is synthetic rdflib graphs shaped like kg.mapping's output (44 triples a letter: the E22 sheet, its
E33 text and English translation, the E7 sending with its E52 time-span, an E42 shelfmark, an editorial note;
two letters per source graph, 300 correspondents), made here so the benchmark runs without the mapping. Each
size runs in a fresh child process, so *peak* is that size's own maximum resident memory (input included).

    .venv/bin/python benchmarks/dumps.py                          # 1,000 / 3,000 / 10,000 / 100,000 letters
    .venv/bin/python benchmarks/dumps.py --sizes 1000,10000 --rdflib-max 3000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BASE = "https://kg.example.org"
WORDS = ("the commissar telegram front question answer delegation decree rada congress bridge attack report "
         "negotiations peace grain coal cossacks council party committee comrade urgent tomorrow noon "
         "petrograd moscow kharkov kiev brest smolny regiment truce assembly elections bank land").split()


def synthetic_graphs(n: int, seed: int = 1):
    """``n`` CRM-shaped letters as (graph IRI, rdflib Graph) pairs, two letters per source graph."""
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import PROV, RDF, RDFS, XSD

    crm = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
    schema = Namespace("https://schema.org/")
    kgo = Namespace("https://kg.example.org/ontology#")
    kgt = Namespace("https://kg.example.org/ontology/types#")
    ids = f"{BASE}/id/"
    rng = random.Random(seed)
    people = [URIRef(f"{ids}person/p{i:03d}") for i in range(300)]
    places = [URIRef(f"{ids}place/pl{i:03d}") for i in range(80)]
    edition = URIRef(f"{ids}edition/bl1996")
    keeper = URIRef(f"{ids}org/rgaspi")

    def prose(words: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."

    graphs = []
    graph = None
    for i in range(n):
        if i % 2 == 0:
            graph = Graph()
            graphs.append((URIRef(f"{BASE}/graph/source/bl1996-page{i // 2:06d}"), graph))
        add = graph.add
        key = f"bl1996-{i:06d}"
        letter = URIRef(f"{ids}letter/{key}")
        text, english = URIRef(f"{letter}/text"), URIRef(f"{letter}/text/en")
        sending, span = URIRef(f"{letter}/sending"), URIRef(f"{letter}/sending/time-span")
        shelfmark, note = URIRef(f"{letter}/identifier/shelfmark"), URIRef(f"{letter}/note/1")
        delo = URIRef(f"{ids}archive/rgaspi/f558/op1/d{5000 + i % 900}")
        sender, recipient = rng.sample(people, 2)
        day = f"{1912 + i % 16}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        # the sheet (11)
        add((letter, RDF.type, crm["E22_Human-Made_Object"]))
        add((letter, RDF.type, schema.ArchiveComponent))
        add((letter, RDFS.label, Literal(f"Letter {key}", lang="en")))
        add((letter, crm.P2_has_type, kgt.letter))
        add((letter, crm.P2_has_type, kgt.autograph))
        add((letter, crm.P128_carries, text))
        add((letter, crm.P46i_forms_part_of, delo))
        add((letter, crm.P50_has_current_keeper, keeper))
        add((letter, crm.P1_is_identified_by, shelfmark))
        add((letter, PROV.wasDerivedFrom, edition))
        add((letter, schema.holdingArchive, keeper))
        # the text (15) and its translation (3)
        add((text, RDF.type, crm.E33_Linguistic_Object))
        add((text, RDF.type, schema.Message))
        add((text, RDFS.label, Literal(f"Text of letter {key}", lang="en")))
        add((text, crm.P72_has_language, URIRef(f"{ids}language/ru")))
        add((text, crm.P73_has_translation, english))
        for place in rng.sample(places, 3):
            add((text, crm.P67_refers_to, place))
        add((text, schema.sender, sender))
        add((text, schema.recipient, recipient))
        add((text, schema.dateSent, Literal(day, datatype=XSD.date)))
        add((text, schema.isPartOf, edition))
        add((text, schema.position, Literal(str(i))))
        add((text, crm.P190_has_symbolic_content, Literal(prose(60), lang="ru")))
        add((english, RDF.type, crm.E33_Linguistic_Object))
        add((english, crm.P73i_is_translation_of, text))
        add((english, crm.P190_has_symbolic_content, Literal(prose(60), lang="en")))
        # the sending (6) and its time-span (4)
        add((sending, RDF.type, crm.E7_Activity))
        add((sending, crm.P2_has_type, kgt.sending))
        add((sending, crm.P14_carried_out_by, sender))
        add((sending, kgo.addressee, recipient))
        add((sending, crm.P16_used_specific_object, letter))
        add((sending, crm["P4_has_time-span"], span))
        add((span, RDF.type, crm["E52_Time-Span"]))
        add((span, crm.P82a_begin_of_the_begin, Literal(f"{day}T00:00:00", datatype=XSD.dateTime)))
        add((span, crm.P82b_end_of_the_end, Literal(f"{day}T23:59:59", datatype=XSD.dateTime)))
        add((span, RDFS.label, Literal(day, lang="en")))
        # the shelfmark (2) and a note (3)
        add((shelfmark, RDF.type, crm.E42_Identifier))
        add((shelfmark, crm.P190_has_symbolic_content, Literal(f"RGASPI, f. 558, op. 1, d. {5000 + i % 900}")))
        add((note, RDF.type, crm.E33_Linguistic_Object))
        add((note, crm.P2_has_type, kgt["editorial-note"]))
        add((note, crm.P3_has_note, Literal(prose(40), lang="en")))
    return graphs


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(n: int, rdflib_turtle: bool) -> dict:
    """One size, in this process: our path format by format, the whole release, and rdflib's Turtle."""
    from kg.dumps import DUMP_FORMATS, CanonicalDataset, prefixes_for, write_lines_file
    from kg.publish import publish_release

    result: dict = {"letters": n}
    started = time.perf_counter()
    graphs = synthetic_graphs(n)
    result["generate_s"] = time.perf_counter() - started
    result["triples"] = sum(len(g) for _, g in graphs)
    result["input_peak"] = _peak()

    work = Path(tempfile.mkdtemp(prefix="kg-dumps-bench-"))
    try:
        started = time.perf_counter()
        dataset = CanonicalDataset.from_rdflib(graphs)
        result["canonical_s"] = time.perf_counter() - started
        started = time.perf_counter()
        union = dataset.union_lines()
        result["union_s"] = time.perf_counter() - started
        started = time.perf_counter()
        result["dataset.nq_bytes"] = write_lines_file(work / "dataset.nq", dataset.nquads_lines())[0]
        result["dataset.nq_s"] = time.perf_counter() - started
        prefixes = prefixes_for(BASE)
        for key, fmt in DUMP_FORMATS.items():
            started = time.perf_counter()
            with (work / fmt.filename).open("wb") as out:
                dataset.write(fmt, out, prefixes=prefixes, union=union)
            result[f"{key}_s"] = time.perf_counter() - started
            result[f"{key}_bytes"] = (work / fmt.filename).stat().st_size
        del dataset, union

        started = time.perf_counter()
        release = publish_release(graphs, work / "build", base_uri=BASE,
                                  sources=[{"path": "synthetic", "sha256": "0" * 64, "documents": n}])
        result["publish_s"] = time.perf_counter() - started
        result["release_bytes"] = sum(p.stat().st_size for p in release.rglob("*") if p.is_file())

        if rdflib_turtle:
            from rdflib import Graph

            union_graph = Graph()
            for _, graph in graphs:
                union_graph += graph
            started = time.perf_counter()
            data = union_graph.serialize(format="turtle", encoding="utf-8")
            result["rdflib_ttl_s"] = time.perf_counter() - started
            result["rdflib_ttl_bytes"] = len(data)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["peak"] = _peak()
    return result


def _fmt_s(value: float | None) -> str:
    return "—" if value is None else (f"{value:.2f} s" if value < 10 else f"{value:.1f} s")


def _fmt_b(value: int | None) -> str:
    if value is None:
        return "—"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(value)


def table(rows: list[dict]) -> str:
    """Markdown tables: time per format (ours vs rdflib Turtle), sizes, the whole release."""
    lines = ["| letters | triples | canonical | ttl (ours) | ttl (rdflib) | nt.gz | jsonld | trig | nq.gz "
             "| dataset.nq | whole publish | peak RSS |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['letters']:,} | {r['triples']:,} | {_fmt_s(r['canonical_s'])} | {_fmt_s(r['ttl_s'])} "
                     f"| {_fmt_s(r.get('rdflib_ttl_s'))} | {_fmt_s(r['nt_s'])} | {_fmt_s(r['jsonld_s'])} "
                     f"| {_fmt_s(r['trig_s'])} | {_fmt_s(r['nq_s'])} | {_fmt_s(r['dataset.nq_s'])} "
                     f"| {_fmt_s(r['publish_s'])} | {_fmt_b(r['peak'])} |")
    lines += ["", "| letters | kg.ttl | rdflib Turtle | kg.nt.gz | kg.jsonld | kg.trig | kg.nq.gz | dataset.nq "
              "| whole release |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['letters']:,} | {_fmt_b(r['ttl_bytes'])} | {_fmt_b(r.get('rdflib_ttl_bytes'))} "
                     f"| {_fmt_b(r['nt_bytes'])} | {_fmt_b(r['jsonld_bytes'])} | {_fmt_b(r['trig_bytes'])} "
                     f"| {_fmt_b(r['nq_bytes'])} | {_fmt_b(r['dataset.nq_bytes'])} "
                     f"| {_fmt_b(r['release_bytes'])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,3000,10000,100000", help="letters per run, comma-separated")
    parser.add_argument("--rdflib-max", type=int, default=3000,
                        help="largest size at which rdflib's Turtle writer is also timed")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--with-rdflib", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.with_rdflib)))
        return 0
    rows = []
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        command = [sys.executable, __file__, "--child", str(n)]
        if n <= args.rdflib_max:
            command.append("--with-rdflib")
        done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"{n:>7,} letters: publish {_fmt_s(row['publish_s'])}, ttl {_fmt_s(row['ttl_s'])}"
              + (f" (rdflib {_fmt_s(row['rdflib_ttl_s'])})" if "rdflib_ttl_s" in row else ""),
              file=sys.stderr, flush=True)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
