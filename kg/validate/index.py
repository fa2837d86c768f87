"""A data graph as two plain dicts, for the compiled SHACL engine (``kg.validate.compiled``).

Why not an rdflib ``Graph``: a batch is written once and then read by a few hundred thousand constraint checks;
rdflib's store pays for contexts, generic triple patterns and generators on every read, and copying a batch into
it cost about a third of the time the compiled engine needs in total. Here a triple costs two dict lookups to
add and a check costs one ``dict.get``.

``spo`` maps subject → predicate → its objects: a 1-tuple while there is one (most subject-predicate pairs;
a tuple costs a quarter of a set's memory, and needs no hash: an rdflib literal's hash is Python code), a set
from the second on. ``reverse(predicates)`` maps object → predicate → set of
subjects for the few predicates read backwards (inverse paths, class targets), built in one pass when a
validation starts rather than on every ``add``; the provenance lookups of ``kg.validate.provenance`` (``subjects``)
get a full reverse index, built on first use. ``isinstance`` against rdflib's term classes goes through the ABC
machinery (about 1 µs a call), so term kinds are told apart by ``type`` (``kind``). The few read methods of
``rdflib.Graph`` that ``kg.validate.batches`` and ``kg.validate.provenance`` call are offered with the same
answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import RDF, BNode, Literal, URIRef
from rdflib.exceptions import UniquenessError
from rdflib.term import Node

_EMPTY: dict = {}
#: The one ``rdf:type`` instance the index and the compiled shapes use.
TYPE = RDF.type

IRI, BLANK, LITERAL, OTHER = 0, 1, 2, 3
_KINDS: dict[type, int] = {URIRef: IRI, BNode: BLANK, Literal: LITERAL}


def kind(node: object) -> int:
    """``IRI``, ``BLANK``, ``LITERAL`` or ``OTHER``, by the node's type (subclasses looked up once)."""
    found = _KINDS.get(type(node))
    if found is None:
        found = _KINDS[type(node)] = (IRI if isinstance(node, URIRef) else BLANK if isinstance(node, BNode)
                                      else LITERAL if isinstance(node, Literal) else OTHER)
    return found


class TripleIndex:
    """Subject- and object-keyed indexes of a set of triples (duplicates are stored once, as in rdflib)."""

    __slots__ = ("spo", "_count", "_reverse", "_canonical", "_by_id")

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]] = (),
                 canonical: dict[Node, Node] | None = None,
                 by_id: dict[int, tuple[Node, Node]] | None = None) -> None:
        #: One instance per predicate IRI and per class (object of ``rdf:type``), shared with the compiled shapes.
        #: rdflib mints a new ``URIRef`` for every ``CRM["P2_has_type"]``, and a dict lookup with an equal but
        #: distinct key calls rdflib's Python-level ``__eq__``; with the shapes' own instances as keys, the
        #: lookups of the compiled checks succeed on identity.
        self._canonical: dict[Node, Node] = {TYPE: TYPE} if canonical is None else dict(canonical)
        #: ``id(term)`` → ``(term, its canonical instance)``, for predicates and classes. The mapping names each
        #: vocabulary term with one instance of its own (``kg.mapping.namespaces.TermNamespace``), so looking its
        #: id up is an integer comparison where ``_canonical`` would call ``__eq__`` for every triple. The entry
        #: holds the term, so its id cannot be reused while the entry lives; a runner shares one such memo among
        #: all its batches.
        self._by_id: dict[int, tuple[Node, Node]] = {} if by_id is None else by_id
        self.spo: dict[Node, dict[Node, tuple[Node] | set[Node]]] = {}
        self._count = 0
        #: Object → predicate → subjects, per set of predicates asked for (``None``: all of them).
        self._reverse: dict[frozenset | None, dict[Node, dict[Node, set[Node]]]] = {}
        self.add_all(triples)

    def _resolve(self, term: Node) -> Node:
        """The canonical instance of a predicate or class (remembered by id for the next triple)."""
        canonical = self._canonical.setdefault(term, term)
        self._by_id[id(term)] = (term, canonical)
        return canonical

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        self.add_all((triple,))

    def add_all(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        """Add many triples (one loop with its lookups bound once: this is where a batch's load time goes)."""
        spo, by_id, resolve = self.spo, self._by_id.get, self._resolve
        spo_get, added = spo.get, 0
        for s, p, o in triples:
            entry = by_id(id(p))
            p = entry[1] if entry is not None and entry[0] is p else resolve(p)
            if p is TYPE:
                entry = by_id(id(o))
                o = entry[1] if entry is not None and entry[0] is o else resolve(o)
            po = spo_get(s)
            if po is None:
                spo[s] = {p: (o,)}
            else:
                objects = po.get(p)
                if objects is None:
                    po[p] = (o,)
                elif type(objects) is tuple:
                    if o in objects:
                        continue
                    po[p] = {objects[0], o}
                elif o in objects:
                    continue
                elif type(objects) is frozenset:  # borrowed from a sealed index (``add_described``)
                    po[p] = {o, *objects}
                else:
                    objects.add(o)
            added += 1
        if added:
            self._count += added
            self._reverse = {}

    def seal(self) -> TripleIndex:
        """Make every collection of objects immutable, so that other indexes can borrow them (``add_described``)."""
        for po in self.spo.values():
            for p, objects in po.items():
                if type(objects) is set:
                    po[p] = frozenset(objects)
        return self

    def add_described(self, other: TripleIndex, subjects: Iterable[Node]) -> None:
        """Add every triple ``other`` has about ``subjects``, a subject at a time: a subject this index does not
        describe yet gets a copy of ``other``'s predicate dict, whose collections of objects it borrows (1-tuples
        and, ``other`` being sealed, frozensets; the first object added here replaces the collection with a set of
        its own). ``other`` must share this index's predicate instances (the same runner's ``new_data``)."""
        spo, theirs, added = self.spo, other.spo, False
        for s in subjects:
            po = theirs.get(s)
            if po is None:
                continue
            added = True
            mine = spo.get(s)
            if mine is None:
                spo[s] = po.copy()
                self._count += sum(map(len, po.values()))
            else:
                self.add_all((s, p, o) for p, objects in po.items() for o in objects)
        if added:
            self._reverse = {}

    def canonical(self, term: Node) -> Node:
        """The instance of ``term`` this index uses as a predicate key (``term`` itself when it has none)."""
        return self._canonical.get(term, term)

    def reverse(self, predicates: frozenset[Node] | None) -> dict[Node, dict[Node, set[Node]]]:
        """Object → predicate → subjects, for ``predicates`` only (``None``: all), kept until the next ``add``."""
        found = self._reverse.get(predicates)
        if found is None:
            found = self._reverse[predicates] = {}
            for s, po in self.spo.items():
                for p in po.keys() if predicates is None else po.keys() & predicates:
                    for o in po[p]:
                        ps = found.get(o)
                        if ps is None:
                            found[o] = {p: {s}}
                        else:
                            subjects = ps.get(p)
                            if subjects is None:
                                ps[p] = {s}
                            else:
                                subjects.add(s)
        return found

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        for s, po in self.spo.items():
            for p, objects in po.items():
                for o in objects:
                    yield s, p, o

    def __contains__(self, triple: tuple[Node, Node, Node]) -> bool:
        s, p, o = triple
        return o in self.spo.get(s, _EMPTY).get(p, ())

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        yield from self.spo.get(subject, _EMPTY).get(predicate, ())

    def subjects(self, predicate: Node | None = None, obj: Node | None = None) -> Iterator[Node]:
        """Subjects with ``predicate`` (any when ``None``) to ``obj`` (required)."""
        if obj is None:
            raise ValueError("TripleIndex.subjects needs an object")
        ps = self.reverse(None).get(obj, _EMPTY)
        if predicate is not None:
            yield from ps.get(predicate, ())
            return
        seen: set[Node] = set()
        for subjects in ps.values():
            for s in subjects:
                if s not in seen:
                    seen.add(s)
                    yield s

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        for p, objects in self.spo.get(subject, _EMPTY).items():
            for o in objects:
                yield p, o

    def value(self, subject: Node, predicate: Node, default: Node | None = None, any: bool = True) -> Node | None:
        objects = self.spo.get(subject, _EMPTY).get(predicate)
        if not objects:
            return default
        if not any and len(objects) > 1:
            raise UniquenessError(list(objects))
        return next(iter(objects))
