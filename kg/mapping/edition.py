"""The published edition: the 1996 collection, its compilers, and the English web translation of it.

The edition is a text (``crm:E33_Linguistic_Object``, ``schema:Book``), not a physical object: printed copies
are
many, the published text is one. It was created (E65, typed "compilation") by its four compilers in its year
of
publication. Our source pages are its English translation, a second E33 (``P73i_is_translation_of``). Letter
texts are *incorporated* in the edition (``P165``: the edition publishes documents it did not author); the
editorial notes *form part* of it (``P106``: the compilers wrote them).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from kg.authorities import Authorities, Edition
from kg.mapping.appellations import en, make_label, ru
from kg.mapping.dates import make_e52_for_entity
from kg.mapping.namespaces import CRM, KGT, RDF, RDFS, SCHEMA, XSD, new_graph
from kg.mapping.uris import Uris

LANGUAGES = {"ru": KGT["language-ru"], "en": KGT["language-en"]}
#: ``schema:inLanguage`` values, made once.
LANGUAGE_CODES = {"ru": Literal("ru"), "en": Literal("en")}


def edition_uri(uris: Uris, key: str) -> URIRef:
    return uris.edition(key)


def translation_uri(uris: Uris, key: str) -> URIRef:
    """The English web translation of the edition, whose pages are our sources."""
    return uris.edition(key, "en")


def make_e33_edition(edition: Edition, uris: Uris, authorities: Authorities, *,
                     into: Graph | None = None) -> Graph:
    graph = new_graph() if into is None else into
    book = edition_uri(uris, edition.key)
    graph.add((book, RDF.type, CRM["E33_Linguistic_Object"]))
    graph.add((book, RDF.type, SCHEMA.Book))
    make_label(book, edition.title, edition.title_ru, into=graph)
    graph.add((book, CRM["P2_has_type"], KGT["documentary-edition"]))
    graph.add((book, SCHEMA.name, en(edition.title)))
    if edition.title_ru:
        graph.add((book, SCHEMA.name, ru(edition.title_ru)))
    for lang, title in (("en", edition.title), ("ru", edition.title_ru)):
        if title:
            title_uri = uris.edition(edition.key, "title", lang)
            graph.add((book, CRM["P102_has_title"], title_uri))
            graph.add((title_uri, RDF.type, CRM["E35_Title"]))
            graph.add((title_uri, CRM["P190_has_symbolic_content"], Literal(title, lang=lang)))
            graph.add((title_uri, RDFS.label, Literal(title, lang=lang)))
    if edition.language in LANGUAGES:
        graph.add((book, CRM["P72_has_language"], LANGUAGES[edition.language]))
        graph.add((book, SCHEMA.inLanguage, Literal(edition.language)))
    if edition.note:
        graph.add((book, CRM["P3_has_note"], en(edition.note)))
    compilation = uris.edition(edition.key, "compilation")
    graph.add((book, CRM["P94i_was_created_by"], compilation))
    graph.add((compilation, RDF.type, CRM["E65_Creation"]))
    graph.add((compilation, CRM["P2_has_type"], KGT.compilation))
    graph.add((compilation, RDFS.label, en(f"Compilation of the edition {edition.key}")))
    for key in edition.compilers:
        compiler = authorities.get(key)
        if compiler is not None:
            person = uris.entity(compiler.uri_kind, compiler.key)
            graph.add((compilation, CRM["P14_carried_out_by"], person))
            graph.add((book, SCHEMA.editor, person))
    if edition.year:
        span = uris.edition(edition.key, "compilation", "time-span")
        graph.add((compilation, CRM["P4_has_time-span"], span))
        make_e52_for_entity(span, edition.year, edition.year, into=graph)
        graph.add((book, SCHEMA.datePublished, Literal(edition.year, datatype=XSD.gYear)))
    if edition.language not in LANGUAGES or edition.language == "en":
        return graph  # only a Russian edition has our English web translation (a CMIF edition has none)
    english = translation_uri(uris, edition.key)
    graph.add((book, CRM["P73_has_translation"], english))
    graph.add((english, RDF.type, CRM["E33_Linguistic_Object"]))
    graph.add((english, RDF.type, SCHEMA.CreativeWork))
    graph.add((english, RDFS.label, en(f"{edition.title} (English web translation)")))
    graph.add((english, CRM["P73i_is_translation_of"], book))
    graph.add((english, SCHEMA.translationOfWork, book))
    graph.add((english, CRM["P72_has_language"], LANGUAGES["en"]))
    graph.add((english, SCHEMA.inLanguage, LANGUAGE_CODES["en"]))
    return graph
