"""The whoosh query builder on its own: stemming, typos, synonyms and need phrases."""

from __future__ import annotations

from whoosh import query as wq

from directory.search.query import (
    NEED_WORD_WEIGHT,
    SYNONYM_FIELDS,
    analyse,
    build_text_query,
    closest_words,
)
from directory.search.schema import FIELD_BOOSTS
from directory.taxonomy_index import TaxonomyIndex, TermSpec

TAXONOMY = TaxonomyIndex.from_specs([
    TermSpec("crafts", "Crafts", synonyms=("knitting", "knit and natter", "crochet", "sewing")),
    TermSpec("health-walks", "Health walks", synonyms=("walking group", "rambling")),
    TermSpec("befriending", "Befriending", synonyms=("befriending", "someone to talk to"),
             need_phrases=("I'm lonely", "I feel lonely", "I have no one to talk to")),
])
INDEX_TERMS = {"write": 50, "knit": 40, "natter": 12, "crochet": 5, "sew": 3, "walk": 80, "group": 300, "rambl": 2,
               "befriend": 9, "talk": 20, "someon": 4, "lone": 3, "tea": 50, "danc": 7}
VOCABULARY = {"knitting": 30, "knit": 20, "natter": 12, "dancing": 7, "walking": 60, "befriending": 9, "bereavement": 4,
              "writing": 50}


def build(text, taxonomy=TAXONOMY):
    return build_text_query(text, document_frequency=lambda t: INDEX_TERMS.get(t, 0), vocabulary=VOCABULARY, taxonomy=taxonomy)


def test_words_are_stemmed_like_the_listings():
    assert analyse("knitting") == analyse("knit") == "knit"
    assert analyse("Café") == "cafe"
    assert analyse("the") is None
    query = build("Knitting and tea", taxonomy=None)
    assert [g.word for g in query.groups] == ["knitting", "tea"]
    assert [[a.term for a in g.alternatives] for g in query.groups] == [["knit"], ["tea"]]


def test_each_word_searches_every_field_with_its_boost():
    tree = build("tea", taxonomy=None).to_whoosh()
    assert isinstance(tree, wq.Or)
    assert {(t.fieldname, t.text, t.boost) for t in tree.subqueries} == {(f, "tea", b) for f, b in FIELD_BOOSTS.items()}


def test_an_unknown_word_is_corrected_and_suggested():
    query = build("kniting group", taxonomy=None)
    knit = query.groups[0]
    assert [(a.term, a.source, a.word) for a in knit.alternatives] == [("knit", "typo", "knitting")]
    assert knit.alternatives[0].weight < 1.0
    assert query.corrections == {"kniting": "knitting"}
    assert query.suggestion == "knitting group"
    assert build("danceing", taxonomy=None).suggestion is None  # the stemmer copes: "danc"
    assert build("danzing", taxonomy=None).suggestion == "dancing"
    assert build("zzzz", taxonomy=None).suggestion is None


def test_closest_words_prefer_fewer_edits_then_common_words():
    assert closest_words("walkign", VOCABULARY, list(VOCABULARY))[0] == ("walking", 2)
    assert closest_words("knit", VOCABULARY, list(VOCABULARY)) == []  # short words: one edit at most
    assert closest_words("bereavment", VOCABULARY, list(VOCABULARY))[0][0] == "bereavement"
    # "writing" is two edits from "kniting", "knitting" one: only the nearest are offered.
    assert closest_words("kniting", VOCABULARY, list(VOCABULARY)) == [("knitting", 1)]


def test_categories_found_in_the_text_add_their_synonyms_to_title_and_categories_only():
    query = build("knitting")
    assert list(query.categories) == ["crafts"]
    added = {tuple(a.term for a in words) for words in query.synonyms}
    assert ("crochet",) in added and ("sew",) in added
    assert ("knit", "natter") not in added  # contains a word the person typed already
    crochet = next(q for q in query.synonym_queries() if {t.text for t in q.subqueries} == {"crochet"})
    assert {t.fieldname for t in crochet.subqueries} == set(SYNONYM_FIELDS)


def test_several_word_synonyms_must_match_in_full():
    query = build("rambling")
    walking_group = [q for q in query.synonym_queries() if isinstance(q, wq.And)]
    assert walking_group and {t.text for sub in walking_group[0].subqueries for t in sub.subqueries} == {"walk", "group"}


def test_need_phrases_map_to_categories_and_quieten_the_raw_words():
    query = build("I feel so lonely these days with no one to talk to")
    assert "befriending" in query.categories and query.categories["befriending"] > 0.6
    assert query.word_weight == NEED_WORD_WEIGHT
    plain = build("knitting")
    assert plain.word_weight == 1.0


def test_empty_and_stopword_only_text():
    assert build("").is_empty
    assert build("the and of", taxonomy=None).is_empty
    assert build("", taxonomy=None).to_whoosh() is wq.NullQuery
