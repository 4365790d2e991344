"""The index's analysis: stemming that finds "knit" in "knitting", and a fast path that is exact."""

from __future__ import annotations

from pathlib import Path

from whoosh import fields

from directory.search.schema import build_schema, text_analyzer

ROOT = Path(__file__).resolve().parents[3]


def test_english_stemming_and_accent_folding():
    terms = lambda text: [t.text for t in text_analyzer()(text)]  # noqa: E731
    assert terms("knitting knit knits") == ["knit", "knit", "knit"]
    assert terms("Café cafe") == ["cafe", "cafe"]
    assert terms("swimming walking befriending") == ["swim", "walk", "befriend"]
    assert terms("the and a of") == []


def test_cached_text_indexes_exactly_like_whoosh_text():
    fast = build_schema()["description"]
    plain = fields.TEXT(analyzer=text_analyzer(), phrase=False)
    corpus = (ROOT / "data" / "taxonomy" / "wayfinder.toml").read_text().splitlines()
    corpus += ["Knit & natter: bring your knitting (and crochet!) to the Café - £3.50, e.g. tea.", "ÉLAN über naïve 12:30pm A-Z", ""]
    for line in corpus:
        assert sorted(fast.index(line)) == sorted(plain.index(line)), line
        assert sorted(fast.index(line)) == sorted(plain.index(line)), line  # and again, from the cache
