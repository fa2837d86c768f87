"""Measure every stage at several corpus sizes and print one table (also written as JSON).

    python benchmarks/run.py --sizes 1000,10000[,100000] [--seed 1] [--quiet] [--skip rdflib,http,...]

For each size N: a synthetic corpus (``benchmarks/corpus.py``), then parse, map, validate and publish — each
in a fresh child process, so its seconds and peak memory are its own (the inputs a stage needs are prepared in
the child before the clock starts; "input" memory is reported beside the peak) — plus ``kg build`` end to end;
the sizes of the published dumps; six typical SPARQL queries on the embedded pyoxigraph store, side by side
with rdflib's own engine and the Oxigraph server over HTTP on the same quads; and a bounded HTTP load (a
SPARQL lookup and a dereferenced letter page) against ``kg serve`` (Granian) and the same lookup against the
Oxigraph server.

A stage whose module is not importable is reported as ``n/a (not available: <reason>)``: the run goes on with
what exists. Without a published release, the queries run on the mapped graphs; without a mapping, on a small
schema.org graph made from the generator's truth (said so in the table).

Every comparison is also a ratio: ``×`` = the other engine's time / ours (above 1: we are faster); for HTTP
throughput, ours / the Oxigraph server's (above 1: we serve more requests per second). Stage rows carry a
growth ratio instead: time at this size / time at the previous size.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import sys
import time
import traceback
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "benchmarks")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from benchmarks import common  # noqa: E402
from benchmarks.common import (  # noqa: E402
    Server,
    fmt_bytes,
    fmt_ratio,
    fmt_seconds,
    free_port,
    load_test,
    run_child,
    time_repeated,
    write_report,
)

OUT = ROOT / "benchmarks" / "out"
BASE_URI = "https://kg.example.org"
RDFLIB_LIMIT = 600.0  # seconds: rdflib is skipped at a size where it is predicted to take longer
STAGES = ("parse", "map", "validate", "publish")
TEXT_WORD = "locomotives"

# --------------------------------------------------------------------------------------------- the queries
PREFIXES = """PREFIX schema: <https://schema.org/>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX kgo: <https://kg.example.org/ontology#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
"""

#: The six typical queries (schema.org mirrors of the CRM model, as DESIGN.md promises them). ``{sender}``,
#: ``{letter}``, ``{a}``, ``{b}`` are IRIs chosen from the corpus truth; the word is a topic of ~1/3 of
#: letters.
QUERIES: dict[str, str] = {
    "letters by sender": """SELECT ?letter ?date WHERE {{
  ?letter schema:sender <{sender}> . OPTIONAL {{ ?letter schema:dateSent ?date }}
}} ORDER BY ?date ?letter""",
    "letters per year": """SELECT ?year (COUNT(DISTINCT ?letter) AS ?n) WHERE {{
  ?letter a schema:Message ; schema:dateSent ?d . BIND(SUBSTR(STR(?d), 1, 4) AS ?year)
}} GROUP BY ?year ORDER BY ?year""",
    "letter page (CONSTRUCT)": """CONSTRUCT {{ <{letter}> ?p ?o . ?o ?p2 ?o2 . ?x ?p3 <{letter}> }} WHERE {{
  {{ <{letter}> ?p ?o OPTIONAL {{ ?o ?p2 ?o2 FILTER(isBlank(?o) || STRSTARTS(STR(?o), "{letter}/")) }} }}
  UNION {{ ?x ?p3 <{letter}> }}
}}""",
    "correspondent network": """SELECT ?s ?r (COUNT(DISTINCT ?letter) AS ?n) WHERE {{
  ?letter schema:sender ?s ; schema:recipient ?r .
}} GROUP BY ?s ?r ORDER BY DESC(?n) ?s ?r""",
    "text search (CONTAINS)": """SELECT DISTINCT ?x WHERE {{
  VALUES ?p {{ schema:text crm:P190_has_symbolic_content }}
  ?x ?p ?t . FILTER(CONTAINS(LCASE(STR(?t)), "{word}"))
}}""",
    # The same answers, read from what the build precomputed (kg.statistics, graph {base}/graph/statistics).
    "letters per year (precomputed)": """SELECT ?year ?n WHERE {{
  ?o a kgo:LettersPerYearObservation ; sdmx-dimension:refPeriod ?year ; kgo:letterCount ?n .
}} ORDER BY ?year""",
    "correspondent network (precomputed)": """SELECT ?s ?r ?n WHERE {{
  ?o a kgo:CorrespondenceObservation ; kgo:sender ?s ; kgo:recipient ?r ; kgo:letterCount ?n .
}} ORDER BY DESC(?n) ?s ?r""",
    "letters mentioning two persons": """SELECT DISTINCT ?letter WHERE {{
  ?letter a schema:Message .
  ?letter (schema:mentions|crm:P67_refers_to|schema:hasPart/schema:mentions) <{a}> .
  ?letter (schema:mentions|crm:P67_refers_to|schema:hasPart/schema:mentions) <{b}> .
}}""",
}


def query_params(n: int, seed: int, base_uri: str = BASE_URI) -> dict[str, str]:
    """IRIs for the queries: the busiest correspondent, the two most named persons, a numbered letter."""
    from benchmarks.corpus import _Generator, iter_letters

    gen = _Generator(seed)
    top = gen.party_rank
    letter_key = None
    for letter in iter_letters(n, seed):  # the corpus of size n itself: another n is another corpus
        if letter.number_printed and letter.index >= min(n, 200) // 2:
            letter_key = letter.key
            break
    return {"sender": f"{base_uri}/id/person/{top[0]}", "a": f"{base_uri}/id/person/{top[0]}",
            "b": f"{base_uri}/id/person/{top[1]}", "letter": f"{base_uri}/id/letter/{letter_key}",
            "letter_key": letter_key or "", "word": TEXT_WORD}


def render_queries(params: dict[str, str]) -> dict[str, str]:
    return {name: PREFIXES + text.format(**params) for name, text in QUERIES.items()}


# --------------------------------------------------------------------------------------------- child tasks
class NotAvailable(Exception):
    """A stage's module does not exist (yet) or lacks the function we call."""


def _need(module: str, *names: str):
    """Import ``names`` from ``module`` or raise NotAvailable saying why."""
    import importlib

    try:
        mod = importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 - any import failure means the stage cannot be measured
        raise NotAvailable(f"{module}: {type(exc).__name__}: {exc}") from exc
    missing = [n for n in names if not hasattr(mod, n)]
    if missing:
        raise NotAvailable(f"{module} has no {', '.join(missing)}")
    found = [getattr(mod, n) for n in names]
    return found[0] if len(found) == 1 else found


def _records(spec: dict):
    """Parsed records: from the parse stage's pickle when there is one, else parsed here (untimed)."""
    cache = Path(spec["work"]) / "records.pickle"
    if cache.exists():
        with cache.open("rb") as handle:
            return pickle.load(handle)
    read_sources = _need("kg.sources", "read_sources")
    return read_sources([Path(spec["sources"])]).records


def _source_info(spec: dict, records) -> tuple[dict, list[dict]]:
    from collections import Counter

    from kg.files import sha256_file

    files = sorted(Path(spec["sources"]).glob("*.txt"))
    digests = {str(p): sha256_file(p) for p in files}
    per_file = Counter(r.source.path for r in records if r.source)
    info = [{"path": p, "sha256": d, "documents": per_file.get(p, 0)} for p, d in sorted(digests.items())]
    return digests, info


def _mapped(spec: dict, records):
    """Named graphs as ``kg build`` assembles them (letters per source, ontology, Wikidata links)."""
    load_authorities = _need("kg.authorities", "load_authorities")
    map_corpus, ontology_graph = _need("kg.mapping", "map_corpus", "ontology_graph")
    from rdflib import URIRef

    digests, _ = _source_info(spec, records)
    authorities = load_authorities(Path(spec["authorities"]))
    graphs = list(map_corpus(records, authorities, spec["base_uri"], digests))
    graphs.append((URIRef(f"{spec['base_uri']}/graph/ontology"), ontology_graph()))
    return graphs


def child_parse(spec: dict) -> dict:
    read_sources = _need("kg.sources", "read_sources")
    start = time.perf_counter()
    result = read_sources([Path(spec["sources"])])
    seconds = time.perf_counter() - start
    records = result.records
    with (Path(spec["work"]) / "records.pickle").open("wb") as handle:
        pickle.dump(records, handle, protocol=pickle.HIGHEST_PROTOCOL)
    warnings = sum(len(r.warnings) for r in records)
    return {"seconds": seconds, "records": len(records), "files": len(result.read),
            "errors": len(result.errors),
            "first_error": str(result.errors[0]) if result.errors else "", "warnings": warnings,
            "incomplete": sum(1 for r in records if not r.complete)}


def child_map(spec: dict) -> dict:
    records = _records(spec)
    input_rss = common.self_peak_rss()
    start = time.perf_counter()
    graphs = _mapped(spec, records)
    seconds = time.perf_counter() - start
    triples = sum(len(g) for _, g in graphs)
    if spec.get("write_nquads"):
        _write_graphs_nquads(graphs, Path(spec["work"]) / "mapped.nq")
    return {"seconds": seconds, "input_rss": input_rss, "graphs": len(graphs), "triples": triples,
            "triples_per_letter": triples / max(1, len(records))}


def _write_graphs_nquads(graphs, path: Path) -> None:
    import pyoxigraph as ox

    def quads():
        for name, graph in graphs:
            g = ox.NamedNode(str(name))
            for s, p, o in graph:
                yield ox.Quad(_ox_term(s), ox.NamedNode(str(p)), _ox_term(o), g)

    with path.open("wb") as out:
        ox.serialize(quads(), out, ox.RdfFormat.N_QUADS)


def _ox_term(term):
    import pyoxigraph as ox
    from rdflib import BNode, Literal

    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    return ox.NamedNode(str(term))


def child_validate(spec: dict) -> dict:
    validate_graphs = _need("kg.validate", "validate_graphs")
    graphs = _mapped(spec, _records(spec))
    input_rss = common.self_peak_rss()
    start = time.perf_counter()
    outcome = validate_graphs(graphs)
    seconds = time.perf_counter() - start
    results = getattr(outcome, "results", None)
    return {"seconds": seconds, "input_rss": input_rss, "conforms": bool(outcome.conforms),
            "results": len(results) if results is not None else None,
            "report": "" if outcome.conforms else outcome.report_text()[:400]}


def child_publish(spec: dict) -> dict:
    publish_release = _need("kg.publish", "publish_release")
    records = _records(spec)
    graphs = _mapped(spec, records)
    _, info = _source_info(spec, records)
    input_rss = common.self_peak_rss()
    start = time.perf_counter()
    release = publish_release(graphs, Path(spec["build"]), base_uri=spec["base_uri"], sources=info)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "input_rss": input_rss, "release": str(release)}


def child_engine(spec: dict) -> dict:
    """Load the quads into one engine and time the six queries; return latencies and result sizes."""
    engine, data = spec["engine"], Path(spec["data"])
    queries = spec["queries"]
    start = time.perf_counter()
    if engine == "pyoxigraph":
        import pyoxigraph as ox

        store = ox.Store()
        store.load(path=str(data), format=ox.RdfFormat.N_QUADS)  # as kg.store serves it (benchmarks/store_load.py)
        size = len(store)

        def run(q: str) -> int:
            result = store.query(q, use_default_graph_as_union=True)
            return sum(1 for _ in result)
    elif engine == "rdflib":
        from rdflib import Dataset

        store = Dataset(default_union=True)
        store.parse(str(data), format="nquads")
        size = len(store)

        def run(q: str) -> int:
            return sum(1 for _ in store.query(q))
    else:
        raise ValueError(engine)
    load_seconds = time.perf_counter() - start
    load_rss = common.self_peak_rss()
    out = {"load_seconds": load_seconds, "load_rss": load_rss, "quads": size, "queries": {}}
    budget = spec.get("budget", 5.0)
    for name, text in queries.items():
        try:
            latency, count = time_repeated(lambda text=text: run(text), min_runs=3, max_runs=200,
                                           budget=budget)
            out["queries"][name] = {**latency.to_dict(), "results": count}
        except Exception as exc:  # noqa: BLE001 - one failing query must not hide the others
            out["queries"][name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return out


CHILD_TASKS = {"parse": child_parse, "map": child_map, "validate": child_validate, "publish": child_publish,
               "engine": child_engine}


def child_main(task: str, spec_text: str) -> int:
    spec = json.loads(spec_text)
    try:
        report = CHILD_TASKS[task](spec)
        report["status"] = "ok"
    except NotAvailable as exc:
        report = {"status": "n/a", "reason": str(exc)}
    except Exception as exc:  # noqa: BLE001 - reported as the stage's failure, with its traceback in the log
        traceback.print_exc()
        report = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:500]}
    report["peak_rss_self"] = common.self_peak_rss()
    write_report(report)
    return 0


# --------------------------------------------------------------------------------------------- the parent
class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.results: dict = {"machine": _machine(), "seed": args.seed, "sizes": {}}
        self.previous: dict = {}
        if args.reuse and (OUT / "results.json").exists():
            self.previous = json.loads((OUT / "results.json").read_text(encoding="utf-8")).get("sizes", {})
        self.say = (lambda *_a: None) if args.quiet else (lambda msg: print(f"bench: {msg}", file=sys.stderr,
                                                                              flush=True))

    def child(self, task: str, spec: dict, timeout: float) -> dict:
        result = run_child([sys.executable, __file__, "--child", task, "--spec", json.dumps(spec)],
                           timeout=timeout, quiet=True)
        report = dict(result.report)
        report.setdefault("status", "ok" if result.ok else "failed")
        if not result.ok and report["status"] == "ok":
            report["status"] = "failed"
        if result.error and report["status"] == "failed":
            report.setdefault("error", result.error)
        report["peak_rss"] = result.peak_rss
        report["wall_seconds"] = result.seconds
        return report

    # -- one size
    def run_size(self, n: int) -> dict:
        args = self.args
        res: dict = {"n": n}
        corpus_dir = OUT / f"corpus-{n}-s{args.seed}"
        work = OUT / f"work-{n}-s{args.seed}"
        work.mkdir(parents=True, exist_ok=True)
        for stale in ("records.pickle", "mapped.nq", "fallback.nq"):
            (work / stale).unlink(missing_ok=True)
        res["corpus"] = self.corpus(n, corpus_dir)
        spec = {"sources": str(corpus_dir / "sources"), "authorities": str(corpus_dir / "authorities"),
                "work": str(work), "build": str(work / "build"), "base_uri": BASE_URI}
        timeout = args.stage_timeout
        stages: dict = {}
        for stage in STAGES:
            if stage in args.skip:
                stages[stage] = {"status": "skipped"}
                continue
            self.say(f"{n}: {stage}")
            stage_spec = dict(spec)
            if stage == "map" and ("publish" in args.skip):
                stage_spec["write_nquads"] = True
            stages[stage] = self.child(stage, stage_spec, timeout)
            if stage == "parse" and stages[stage].get("status") == "ok":
                stages[stage]["letters_expected"] = n
        # The map stage writes N-Quads only when no release will exist; ask for them now if publish failed.
        if stages.get("publish", {}).get("status") != "ok" and stages.get("map", {}).get("status") == "ok" \
                and not (work / "mapped.nq").exists():
            self.say(f"{n}: writing the mapped graphs as N-Quads for the query benchmarks")
            self.child("map", {**spec, "write_nquads": True}, timeout)
        if args.reuse:
            self.carry_over(n, stages)
        res["stages"] = stages
        if "build" not in args.skip:
            self.say(f"{n}: kg build (end to end)")
            res["build"] = self.kg_build(corpus_dir, work / "build-e2e", timeout)
        elif args.reuse and self.previous.get(str(n), {}).get("build"):
            res["build"] = {**self.previous[str(n)]["build"], "earlier_run": True}
        data, release, origin = self.dataset(n, work, stages)
        res["data"] = {"path": str(data) if data else None, "origin": origin, "release": str(release or "")}
        res["dumps"] = _dump_sizes(release) if release else {}
        params = {**query_params(n, args.seed), "n": n}
        res["params"] = params
        queries = render_queries(params)
        engines: dict = {}
        if data:
            for engine in ("pyoxigraph", "rdflib"):
                if engine in args.skip:
                    engines[engine] = {"status": "skipped", "reason": "--skip"}
                    continue
                predicted = self.predict_rdflib(n) if engine == "rdflib" else None
                if predicted and predicted > RDFLIB_LIMIT:
                    engines[engine] = {"status": "skipped",
                                       "reason": f"predicted {predicted:.0f} s > {RDFLIB_LIMIT / 60:.0f} min"}
                    continue
                self.say(f"{n}: queries on {engine}")
                limit = RDFLIB_LIMIT if engine == "rdflib" else timeout
                engine_spec = {"engine": engine, "data": str(data), "queries": queries,
                               "budget": args.query_budget}
                engines[engine] = self.child("engine", engine_spec, limit)
            if "oxigraph-server" not in args.skip:
                self.say(f"{n}: Oxigraph server")
                engines["oxigraph-server"] = self.oxigraph_server(data, queries, params)
        res["engines"] = engines
        index = release / "search.sqlite" if release else None
        if index is not None and index.is_file():
            res["fts"] = self.text_index(index)
        if "http" not in args.skip and data:
            self.say(f"{n}: kg serve under load")
            res["http"] = self.our_server(release, data, queries, params)
        return res

    def text_index(self, index: Path) -> dict:
        """The release's full-text index (kg.textindex, SQLite FTS5): the same word as the CONTAINS query, the
        50 best letters with snippets, as the search page asks for them."""
        search = _need("kg.textindex", "search")
        latency, hits = time_repeated(lambda: len(search(index, TEXT_WORD, limit=50)), min_runs=3, max_runs=200,
                                      budget=self.args.query_budget)
        return {**latency.to_dict(), "results": hits}

    def corpus(self, n: int, folder: Path) -> dict:
        from benchmarks.corpus import GENERATOR_VERSION, generate_corpus

        stamp = f"n={n}\nseed={self.args.seed}\ngenerator={GENERATOR_VERSION}\n"
        marker = folder / "CORPUS"
        start = time.perf_counter()
        if not (marker.exists() and marker.read_text(encoding="utf-8") == stamp):
            self.say(f"{n}: generating the corpus in {folder}")
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            generate_corpus(n, folder, self.args.seed)
        seconds = time.perf_counter() - start
        pages = sorted((folder / "sources").glob("*.txt"))
        return {"path": str(folder), "pages": len(pages), "bytes": sum(p.stat().st_size for p in pages),
                "cmif_bytes": (folder / "corpus.cmif.xml").stat().st_size, "seconds": seconds}

    def kg_build(self, corpus_dir: Path, out: Path, timeout: float) -> dict:
        try:
            _need("kg.build", "run_build")
            for module, name in (("kg.sources", "read_sources"), ("kg.mapping", "map_corpus"),
                                 ("kg.validate", "validate_graphs"), ("kg.publish", "publish_release")):
                _need(module, name)
        except NotAvailable as exc:
            return {"status": "n/a", "reason": str(exc)}
        import shutil

        shutil.rmtree(out, ignore_errors=True)
        result = run_child([sys.executable, "-m", "kg.cli", "build", "--sources", str(corpus_dir / "sources"),
                            "--out", str(out), "--quiet"], timeout=timeout)
        return {"status": "ok" if result.ok else "failed", "seconds": result.seconds,
                "peak_rss": result.peak_rss, "peak_tree_pss": result.peak_tree_pss, "error": result.error}

    def dataset(self, n: int, work: Path, stages: dict) -> tuple[Path | None, Path | None, str]:
        """The quads the queries load: the release's dataset.nq, else the mapped graphs, else the fallback."""
        current = work / "build" / "current"
        if stages.get("publish", {}).get("status") == "ok" and (current / "dataset.nq").exists():
            release = current.resolve()
            return release / "dataset.nq", release, "published release (dataset.nq)"
        if (work / "mapped.nq").exists():
            return work / "mapped.nq", None, "mapped graphs (no published release)"
        path = work / "fallback.nq"
        write_fallback_dataset(n, self.args.seed, path)
        return path, None, "FALLBACK schema.org graph from the generator (mapping n/a)"

    def carry_over(self, n: int, stages: dict) -> None:
        """With --reuse: a skipped stage keeps its figures from the previous results.json (marked as such)."""
        before = self.previous.get(str(n), {}).get("stages", {})
        for stage, result in stages.items():
            if result.get("status") == "skipped" and before.get(stage, {}).get("status") == "ok":
                stages[stage] = {**before[stage], "earlier_run": True}

    def predict_rdflib(self, n: int) -> float | None:
        """rdflib's time at size n, extrapolated linearly (+30%) from the largest smaller size measured."""
        smaller = [(m, r) for m, r in self.results["sizes"].items() if int(m) < n]
        for m, r in sorted(smaller, key=lambda x: -int(x[0])):
            rd = r.get("engines", {}).get("rdflib", {})
            if rd.get("status") == "ok":
                return rd.get("wall_seconds", 0) * n / int(m) * 1.3
        return None

    def oxigraph_server(self, data: Path, queries: dict[str, str], params: dict) -> dict:
        exe = Path(sys.executable).parent / "oxigraph"
        if not exe.exists():
            return {"status": "n/a", "reason": f"{exe} not installed (pip install oxigraph)"}
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        out: dict = {"status": "ok", "queries": {}}
        try:
            with Server([str(exe), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                        health_url=f"{base}/query?query=ASK%7B%7D") as server:
                start = time.perf_counter()
                with data.open("rb") as body:
                    request = urllib.request.Request(f"{base}/store", data=body, method="POST", headers={
                        "Content-Type": "application/n-quads", "Content-Length": str(data.stat().st_size)})
                    urllib.request.urlopen(request, timeout=3600).read()
                out["load_seconds"] = time.perf_counter() - start
                for name, text in queries.items():
                    accept = ("application/n-triples" if "CONSTRUCT" in text
                              else "application/sparql-results+json")
                    url = f"{base}/query?" + urllib.parse.urlencode({"query": text})

                    def call(url=url, accept=accept) -> int:
                        req = urllib.request.Request(url, headers={"Accept": accept})
                        with urllib.request.urlopen(req, timeout=600) as response:
                            return len(response.read())
                    try:
                        latency, size = time_repeated(call, budget=self.args.query_budget)
                        out["queries"][name] = {**latency.to_dict(), "bytes": size}
                    except Exception as exc:  # noqa: BLE001
                        out["queries"][name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
                out["load"] = {}
                for label, count in (("sparql lookup", self.args.http_requests), ("sparql lookup (repeated)", 0)):
                    out["load"][label] = self.load(base, _lookup_paths("/query", self.args.seed, count),
                                                   {"Accept": "application/sparql-results+json"})
                page = "/query?" + urllib.parse.urlencode({"query": queries["letter page (CONSTRUCT)"]})
                out["load"]["letter page"] = self.load(base, [page], {"Accept": "text/turtle"})
                out["peak_rss"] = server.peak_rss()
        except Exception as exc:  # noqa: BLE001
            return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:400]}
        return out

    def load(self, base: str, paths: list[str], headers: dict[str, str]) -> dict:
        a = self.args
        return load_test(base, paths, headers=headers, threads=a.threads, max_requests=a.http_requests,
                         max_seconds=a.http_seconds).to_dict()

    def our_server(self, release: Path | None, data: Path, queries: dict[str, str], params: dict) -> dict:
        try:
            _need("server.wsgi", "run_server")
            _need("server.config", "ServerConfig")
        except NotAvailable as exc:
            return {"status": "n/a", "reason": str(exc)}
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        source = ["--build", str(release.parent.parent)] if release else ["--data", str(data)]
        argv = [sys.executable, "-m", "kg.cli", "serve", *source, "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(self.args.workers), "--base-uri", BASE_URI]
        out: dict = {"status": "ok", "serving": "build" if release else "data file", "load": {}}
        try:
            with Server(argv, health_url=f"{base}/sparql?query=ASK%7B%7D", startup_timeout=600) as server:
                for label, count in (("sparql lookup", self.args.http_requests), ("sparql lookup (repeated)", 0)):
                    out["load"][label] = self.load(base, _lookup_paths("/sparql", self.args.seed, count),
                                                   {"Accept": "application/sparql-results+json"})
                letters = _letter_paths(params["n"], self.args.seed, params)
                out["load"]["letter page"] = self.load(base, letters, {"Accept": "text/html"})
                if release is not None:
                    out["network"] = self.network_file(base)
                out["peak_rss"] = server.peak_rss()
        except Exception as exc:  # noqa: BLE001
            return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:400]}
        return out

    def network_file(self, base: str) -> dict:
        """``GET /statistics/network`` as a user's script or browser gets it: one request at a time on a new
        connection (as the Oxigraph server's queries are timed), the whole body read; JSON and CSV."""
        out: dict = {}
        for key, accept in (("json", "application/json"), ("csv", "text/csv")):
            request = urllib.request.Request(f"{base}/statistics/network", headers={"Accept": accept})

            def call(request=request) -> bytes:
                with urllib.request.urlopen(request, timeout=600) as response:
                    return response.read()
            try:
                latency, body = time_repeated(call, budget=self.args.query_budget)
            except Exception as exc:  # noqa: BLE001 - a failed measurement is a figure, not a crash
                out[key] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
                continue
            edges = len(json.loads(body)["links"]) if key == "json" else body.count(b"\n") - 1
            out[key] = {**latency.to_dict(), "bytes": len(body), "results": edges}
        return out

    def run(self) -> dict:
        for n in self.args.sizes:
            started = time.perf_counter()
            self.results["sizes"][str(n)] = self.run_size(n)
            self.results["sizes"][str(n)]["seconds"] = time.perf_counter() - started
            self.save()
        return self.results

    def save(self) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "results.json").write_text(json.dumps(self.results, indent=2, default=str), encoding="utf-8")


def _lookup_paths(endpoint: str, seed: int, distinct: int = 0) -> list[str]:
    """"Letters by sender" for 60 different correspondents in turn. ``distinct`` > 0: that many requests, each
    a different query text (a ``LIMIT`` no answer can reach), so that no answer cache can serve one (``kg serve``
    normalises spaces and comments away, so they would not make a query new); 0: the 60 queries, repeated as
    popular queries are."""
    from benchmarks.corpus import _Generator

    params = query_params(1, seed)  # only the word and the query shape; the sender is replaced
    texts = []
    for key in _Generator(seed).party_rank[:60]:
        texts.append(render_queries({**params, "sender": f"{BASE_URI}/id/person/{key}"})["letters by sender"])
    if distinct:
        texts = [f"{texts[i % len(texts)]} LIMIT {10_000_000 + i}" for i in range(distinct)]
    return [f"{endpoint}?" + urllib.parse.urlencode({"query": text}) for text in texts]


def _letter_paths(n: int, seed: int, params: dict) -> list[str]:
    """Paths of up to 50 numbered letters (the page benchmark cycles through them, so no page is cached)."""
    from benchmarks.corpus import iter_letters

    keys = []
    for letter in iter_letters(n, seed):
        if letter.number_printed:
            keys.append(letter.key)
        if len(keys) == 50:
            break
    return [f"/id/letter/{k}" for k in keys] or [f"/id/letter/{params['letter_key']}"]


def _dump_sizes(release: Path) -> dict[str, int]:
    sizes = {}
    for path in sorted([release / "dataset.nq", *sorted((release / "dumps").glob("*"))]):
        if path.is_file():
            sizes[path.name] = path.stat().st_size
    return sizes


def _machine() -> dict:
    try:
        import pyoxigraph
        import rdflib

        versions = {"pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__}
    except ImportError:
        versions = {}
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "memory": mem,
            "platform": platform.platform(), **versions}


# --------------------------------------------------------------------------------------------- fallback data
def write_fallback_dataset(n: int, seed: int, path: Path, base_uri: str = BASE_URI) -> None:
    """A small schema.org graph straight from the generator, used only while the mapping is not available.

    It carries what the six queries touch (sender, recipient, dateSent, text, mentions, labels), one named
    graph per page, so the engines can be compared before the real mapping exists.
    """
    import pyoxigraph as ox

    from benchmarks.corpus import build_authorities, iter_pages

    schema = "https://schema.org/"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    xsd_date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    auth = build_authorities(seed)
    orgs = {o.key for o in auth.organisations}

    def party(key: str) -> ox.NamedNode:
        return ox.NamedNode(f"{base_uri}/id/{'org' if key in orgs else 'person'}/{key}")

    def quads():
        authorities = ox.NamedNode(f"{base_uri}/graph/authorities")
        for p in auth.persons:
            yield ox.Quad(party(p.key), label, ox.Literal(p.label), authorities)
        for o in auth.organisations:
            yield ox.Quad(party(o.key), label, ox.Literal(o.label), authorities)
        for page in iter_pages(n, seed):
            graph = ox.NamedNode(f"{base_uri}/graph/source/{page.name.removesuffix('.txt')}")
            for letter in page.letters:
                s = ox.NamedNode(f"{base_uri}/id/letter/{letter.key}")
                yield ox.Quad(s, rdf_type, ox.NamedNode(schema + "Message"), graph)
                yield ox.Quad(s, label, ox.Literal(letter.heading), graph)
                yield ox.Quad(s, ox.NamedNode(schema + "position"), ox.Literal(str(letter.doc_no)), graph)
                yield ox.Quad(s, ox.NamedNode(schema + "dateSent"),
                              ox.Literal(letter.sent.isoformat(), datatype=xsd_date), graph)
                for k in letter.sender_keys:
                    yield ox.Quad(s, ox.NamedNode(schema + "sender"), party(k), graph)
                for k in letter.recipient_keys:
                    yield ox.Quad(s, ox.NamedNode(schema + "recipient"), party(k), graph)
                for k in sorted(set(letter.mentions) & ({p.key for p in auth.persons} | orgs)):
                    yield ox.Quad(s, ox.NamedNode(schema + "mentions"), party(k), graph)
                text = ox.Literal("\n".join(letter.body_lines))
                yield ox.Quad(s, ox.NamedNode(schema + "text"), text, graph)

    with path.open("wb") as out:
        ox.serialize(quads(), out, ox.RdfFormat.N_QUADS)


# --------------------------------------------------------------------------------------------- the table
def _stage_cell(r: dict) -> str:
    status = r.get("status")
    if status == "n/a":
        return f"n/a (not available: {r.get('reason', '')})"
    if status == "skipped":
        return "skipped"
    if status != "ok":
        return f"FAILED: {r.get('error', '')}"
    cell = f"{fmt_seconds(r.get('seconds'))}, peak {fmt_bytes(r.get('peak_rss'))}"
    if r.get("earlier_run"):
        cell = "(earlier run) " + cell
    if r.get("input_rss"):
        cell += f" (input {fmt_bytes(r['input_rss'])})"
    return cell


def _lat(q: dict | None) -> str:
    if not q:
        return "-"
    if "error" in q:
        return "error: " + q["error"][:60]
    return f"{fmt_seconds(q['p50'])} / {fmt_seconds(q['p99'])}"


def _http(load: dict | None) -> str:
    if not load:
        return "-"
    lat = load["latency"]
    cell = f"{load['throughput']:.0f} req/s, p50 {fmt_seconds(lat['p50'])}, p99 {fmt_seconds(lat['p99'])}"
    if load.get("errors"):
        cell += f", {load['errors']} errors ({load.get('first_error', '')[:50]})"
    return cell


def _network_file_rows(n: str, r: dict, sparql: dict | None, server: dict | None) -> list[tuple[str, ...]]:
    """The precomputed network files over HTTP (``kg serve``), beside the SPARQL rows that read the same counts:
    ``×`` = the in-process SPARQL p50 / this, and the Oxigraph server's SPARQL (over HTTP too) p50 / this."""
    rows = []
    for key, name in (("json", "JSON"), ("csv", "CSV")):
        got = (r.get("http") or {}).get("network", {}).get(key)
        if not got:
            continue
        label = f"correspondent network (precomputed file, HTTP GET /statistics/network, {name}) p50/p99"
        if "results" in got:
            label += f" [{got['results']:,} edges, {fmt_bytes(got['bytes'])}]"
        vs_sparql = common.ratio(got.get("p50"), (sparql or {}).get("p50"))
        vs_server = common.ratio(got.get("p50"), (server or {}).get("p50"))
        rows.append((n, label, _lat(got), "", fmt_ratio(vs_sparql) + " vs SPARQL" if vs_sparql else "",
                     f"{_lat(server)} (SPARQL)" if server else "", fmt_ratio(vs_server)))
    return rows


def render_table(results: dict) -> str:
    """One table: a block of rows per size; columns ours | rdflib | × | Oxigraph server | ×."""
    rows: list[tuple[str, ...]] = [("size", "measure", "ours", "rdflib", "×", "Oxigraph server", "×")]
    previous: dict | None = None
    for size, r in results["sizes"].items():
        n = f"{int(size):,}"
        c = r.get("corpus", {})
        rows.append((n, "corpus", f"{c.get('pages', 0):,} pages, {fmt_bytes(c.get('bytes'))}; "
                                  f"CMIF {fmt_bytes(c.get('cmif_bytes'))}", "", "", "", ""))
        for stage in STAGES:
            s = r.get("stages", {}).get(stage, {})
            growth = ""
            if previous and s.get("status") == "ok":
                before = previous.get("stages", {}).get(stage, {})
                if before.get("status") == "ok" and before.get("seconds"):
                    growth = f"growth {fmt_ratio(s['seconds'] / before['seconds'])}"
            extra = ""
            if stage == "parse" and s.get("status") == "ok":
                extra = f"; {s['records']:,} records"
                if s.get("errors"):
                    extra += f", {s['errors']} file errors"
            if stage == "map" and s.get("status") == "ok":
                extra = f"; {s['triples']:,} triples ({s['triples_per_letter']:.0f}/letter)"
            if stage == "validate" and s.get("status") == "ok":
                extra = "; conforms" if s.get("conforms") else "; DOES NOT CONFORM"
            rows.append((n, stage, _stage_cell(s) + extra, "", growth, "", ""))
        b = r.get("build")
        if b:
            cell = _stage_cell(b)
            if b.get("peak_tree_pss"):
                cell += f"; all processes together {fmt_bytes(b['peak_tree_pss'])} (PSS)"
            rows.append((n, "kg build (end to end)", cell, "", "", "", ""))
        if r.get("dumps"):
            dumps = ", ".join(f"{k} {fmt_bytes(v)}" for k, v in r["dumps"].items())
            rows.append((n, "dump sizes", dumps, "", "", "", ""))
        d = r.get("data", {})
        rows.append((n, "query data", d.get("origin") or "-", "", "", "", ""))
        e = r.get("engines", {})
        ox_, rd, srv = e.get("pyoxigraph", {}), e.get("rdflib", {}), e.get("oxigraph-server", {})

        def other(x: dict, cell: str) -> str:
            if x.get("status") in ("skipped", "n/a"):
                return f"{x['status']} ({x.get('reason', '')})"
            if x.get("status") == "failed":
                return f"FAILED: {x.get('error', '')[:60]}"
            return cell

        if ox_:
            rows.append((n, "load quads (s, peak)",
                         other(ox_, f"{fmt_seconds(ox_.get('load_seconds'))}, "
                                    f"{fmt_bytes(ox_.get('load_rss'))}"
                                    + (f", {ox_.get('quads', 0):,} quads" if ox_.get("quads") else "")),
                         other(rd, f"{fmt_seconds(rd.get('load_seconds'))}, {fmt_bytes(rd.get('load_rss'))}"),
                         fmt_ratio(common.ratio(ox_.get("load_seconds"), rd.get("load_seconds"))),
                         other(srv, f"{fmt_seconds(srv.get('load_seconds'))}, "
                                    f"{fmt_bytes(srv.get('peak_rss'))}"),
                         fmt_ratio(common.ratio(ox_.get("load_seconds"), srv.get("load_seconds")))))
            for name in QUERIES:
                qo = ox_.get("queries", {}).get(name)
                qr = rd.get("queries", {}).get(name)
                qs = srv.get("queries", {}).get(name)
                label = f"{name} p50/p99"
                if qo and qr and "results" in qo and "results" in qr and qo["results"] != qr["results"]:
                    label += f" [results differ: {qo['results']} vs {qr['results']}]"
                elif qo and "results" in qo:
                    label += f" [{qo['results']:,} results]"
                rows.append((n, label, _lat(qo), other(rd, _lat(qr)),
                             fmt_ratio(common.ratio((qo or {}).get("p50"), (qr or {}).get("p50"))),
                             other(srv, _lat(qs)),
                             fmt_ratio(common.ratio((qo or {}).get("p50"), (qs or {}).get("p50")))))
                if name == "correspondent network (precomputed)":
                    rows.extend(_network_file_rows(n, r, qo, qs))
        fts = r.get("fts")
        if fts:
            contains = (ox_ or {}).get("queries", {}).get("text search (CONTAINS)") or {}
            rows.append((n, f"text search (FTS5 index, best 50) p50/p99 [{fts['results']} results]", _lat(fts),
                         "", fmt_ratio(common.ratio(fts.get("p50"), contains.get("p50"))) + " vs CONTAINS",
                         "", ""))
        h = r.get("http")
        if h:
            srv_load = srv.get("load", {}) if srv else {}
            if h.get("status") != "ok":
                rows.append((n, "HTTP (kg serve)", other(h, _stage_cell(h)), "", "", "", ""))
            else:
                for name, label in (("sparql lookup", "HTTP SPARQL lookup (distinct)"),
                                    ("sparql lookup (repeated)", "HTTP SPARQL lookup (60 repeated)"),
                                    ("letter page", "HTTP letter page (303 + HTML)")):
                    ours, theirs = h["load"].get(name), srv_load.get(name)
                    tp = (ours["throughput"] / theirs["throughput"]) if ours and theirs and \
                        theirs.get("throughput") else None
                    their_label = _http(theirs) + (" (CONSTRUCT)" if name == "letter page" and theirs else "")
                    rows.append((n, label, _http(ours), "", "", their_label, fmt_ratio(tp)))
        previous = r
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for i, row in enumerate(rows):
        lines.append(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(results: dict) -> str:
    """The same table as GitHub markdown, for benchmarks/README.md."""
    text = render_table(results).splitlines()
    out = []
    for i, line in enumerate(text):
        if i == 1:
            out.append("|" + "|".join("---" for _ in text[0].split(" | ")) + "|")
            continue
        out.append("| " + " | ".join(cell.strip() for cell in line.split(" | ")) + " |")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------- CLI
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes (letters)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet", action="store_true", help="print only the table")
    parser.add_argument("--skip", default="", help="comma list among: parse,map,validate,publish,build,"
                                                   "pyoxigraph,rdflib,oxigraph-server,http")
    parser.add_argument("--stage-timeout", type=float, default=1800.0, help="seconds per stage child")
    parser.add_argument("--query-budget", type=float, default=3.0,
                        help="seconds of repetitions per query and engine (slow queries run 3 times)")
    parser.add_argument("--threads", type=int, default=4, help="HTTP client threads")
    parser.add_argument("--workers", type=int, default=2, help="kg serve worker processes")
    parser.add_argument("--http-requests", type=int, default=2000, help="at most this many requests per test")
    parser.add_argument("--http-seconds", type=float, default=10.0, help="at most this long per HTTP test")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the previous results.json figures of skipped stages (marked) and their release")
    parser.add_argument("--table", type=Path, default=None,
                        help="print the table of an existing results.json and exit")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--spec", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args.child, args.spec)
    if args.table:
        results = json.loads(args.table.read_text(encoding="utf-8"))
        print(render_markdown(results) if args.markdown else render_table(results))
        return 0
    runner = Runner(args)
    results = runner.run()
    print(render_markdown(results) if args.markdown else render_table(results))
    print(f"\n(JSON: {OUT / 'results.json'}; × = other/ours for times, ours/other for throughput)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
