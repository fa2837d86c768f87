"""``kg.mapping.literals`` makes the very literals rdflib's constructor makes, only faster."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.mapping.literals import plain, tagged


def _fields(literal: Literal) -> tuple:
    return (type(literal), str(literal), literal.language, literal.datatype, literal.value, literal.ill_typed,
            hash(literal), literal.n3())


@given(st.text())
def test_plain_equals_rdflib(text: str) -> None:
    made = plain(text)
    assert _fields(made) == _fields(Literal(text))
    assert made == Literal(text) and made.eq(Literal(text, datatype=XSD.string))


@given(st.text(), st.sampled_from(["en", "ru", "de-CH", "EN", "zh-Hant-TW"]))
def test_tagged_equals_rdflib(text: str, lang: str) -> None:
    for _ in range(2):  # the first call checks the tag, the second takes the short way
        made = tagged(text, lang)
        assert _fields(made) == _fields(Literal(text, lang=lang))
        assert made == Literal(text, lang=lang)


def test_other_values_go_to_rdflib() -> None:
    assert _fields(plain(7)) == _fields(Literal(7))  # an int keeps its datatype
    uri = URIRef("https://example.org/x")
    assert _fields(plain(uri)) == _fields(Literal(uri))  # a str subclass: rdflib decides
    assert _fields(tagged("", "en")) == _fields(Literal("", lang="en"))


def test_malformed_tags_are_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="not a valid language tag"):
            tagged("text", "not a tag")
    assert tagged("x", "") == Literal("x")  # rdflib drops an empty tag; so does the slow path, always
    assert tagged("x", "").language is None
