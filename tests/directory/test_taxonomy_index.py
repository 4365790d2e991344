"""The in-memory taxonomy index: lookups, widening and mapping people's words to categories.

No database here: `TaxonomyIndex` is what `matching` uses, so it must work from specs alone.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from directory.errors import NotFound, ValidationError
from directory.taxonomy_index import TaxonomyIndex, TermSpec, read_wayfinder_taxonomy, tokens


@pytest.fixture(scope="module")
def index() -> TaxonomyIndex:
    return TaxonomyIndex.from_specs(read_wayfinder_taxonomy())


def top_codes(index: TaxonomyIndex, text: str, n: int = 2) -> list[str]:
    return [code for code, _score in index.terms_matching_text(text)[:n]]


# -- the needs the foundation issue names ----------------------------------------------------


def test_cant_pay_my_bills_is_money_advice(index):
    assert set(top_codes(index, "I can't pay my bills")) == {"debt-advice", "welfare-benefits"}


def test_lonely_is_befriending_or_meeting_people(index):
    ranked = index.terms_matching_text("I'm lonely")
    assert ranked[0][0] in {"befriending", "social-connection"}
    assert {"befriending", "social-connection"} <= {code for code, _ in ranked}


def test_sore_knees_is_pain_or_gentle_activity(index):
    best = top_codes(index, "my knees hurt", 1)[0]
    assert best == "pain-management" or best in index.expand("physical-activity")


def test_lost_my_husband_is_bereavement(index):
    assert top_codes(index, "I've lost my husband", 1) == ["bereavement"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("I want to get out of the house", {"health-walks", "befriending", "lunch-clubs", "community-groups", "social-connection"}),
        ("I used to love painting", {"arts"}),
        ("I'm caring for my mum", {"carers-support"}),
        ("I feel low", {"peer-support-mental-health"}),
        ("I can't use a computer", {"digital-skills"}),
        ("I don't speak much English", {"english-classes"}),
        ("I need a job", {"employment-support"}),
        ("I'm going to lose my flat", {"housing-advice"}),
        ("I've no food in", {"food-banks"}),
        ("my wife died and I'm on my own", {"bereavement"}),
        ("I've got COPD", {"long-term-conditions"}),
        ("my husband has dementia", {"dementia-support"}),
        ("the bailiffs are coming", {"debt-advice"}),
        ("knit and natter", {"crafts"}),
        ("walking football", {"walking-sports"}),
        ("I'd like to join a choir", {"music-choirs"}),
        ("I've just retired and miss my mates from work", {"mens-sheds"}),
        ("I'm scared of falling", {"chair-exercise"}),
        ("I want to lose weight", {"weight-cooking", "gym-exercise"}),
    ],
)
def test_everyday_needs_find_the_right_category(index, text, expected):
    assert top_codes(index, text, 1)[0] in expected


def test_two_needs_in_one_sentence_find_both(index):
    codes = {code for code, _ in index.terms_matching_text("I'm lonely since my husband died and I can't pay my bills", limit=6)}
    assert "bereavement" in codes
    assert codes & {"debt-advice", "welfare-benefits"}
    assert codes & {"befriending", "social-connection"}


def test_scores_are_sorted_bounded_and_limited(index):
    ranked = index.terms_matching_text("I'm lonely and I want to get out of the house", limit=3)
    assert len(ranked) == 3
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


def test_matching_is_deterministic_and_ignores_typography(index):
    plain = index.terms_matching_text("I can't pay my bills")
    assert index.terms_matching_text("I can't pay my bills") == plain
    assert index.terms_matching_text("I CAN’T PAY MY BILLS!!") == plain


def test_text_with_no_need_matches_nothing(index):
    assert index.terms_matching_text("") == []
    assert index.terms_matching_text("the and of it") == []
    assert index.terms_matching_text("xyzzy plugh") == []


def test_min_score_filters_weak_matches(index):
    weak = index.terms_matching_text("I want to get out of the house", min_score=0.0, limit=50)
    strong = index.terms_matching_text("I want to get out of the house", min_score=0.8, limit=50)
    assert len(strong) < len(weak)
    assert all(score >= 0.8 for _, score in strong)


def test_explain_names_the_matching_phrases(index):
    assert "I can't pay my bills" in index.explain("i cant pay my bills", "debt-advice")
    assert index.explain("I'm lonely", "food-banks") == []


# -- lookups and widening --------------------------------------------------------------------


def test_names_icons_and_parents(index):
    assert index.name("debt-advice") == "Money and debt advice"
    assert index.name("health-walks") == "Health walks"
    assert index.icon("health-walks") == "walking"
    assert index.parent("health-walks") == "physical-activity"
    assert index.parent("physical-activity") is None
    assert index.ancestors("bereavement") == ["emotional-support"]
    assert index.depth("bereavement") == 1


def test_expand_returns_the_term_and_everything_beneath(index):
    assert index.expand("money-housing") == {
        "money-housing", "welfare-benefits", "debt-advice", "housing-advice", "food-banks",
    }
    assert index.expand("food-banks") == {"food-banks"}
    # green-gym sits under nature-gardening and is also listed under physical-activity.
    assert "green-gym" in index.expand("physical-activity")
    assert "green-gym" in index.expand("nature-gardening")
    assert "health-walks" not in index.expand("nature-gardening")


def test_unknown_codes_are_not_found(index):
    with pytest.raises(NotFound, match="no-such-thing"):
        index.expand("no-such-thing")
    with pytest.raises(NotFound):
        index.name("no-such-thing")
    assert "no-such-thing" not in index
    assert "crafts" in index


def test_synonyms_widen_a_search(index):
    crafts = index.synonyms_for("crafts")
    assert {"knitting", "knit and natter", "sewing", "crochet", "quilting"} <= set(crafts)
    assert {"singing", "choir", "ukulele"} <= set(index.synonyms_for("music-choirs"))
    # A broad category borrows its children's names and words when asked.
    assert "aqua aerobics" not in index.synonyms_for("physical-activity")
    wide = index.synonyms_for("physical-activity", include_descendants=True)
    assert {"aqua aerobics", "Health walks", "walking football"} <= set(wide)
    assert len(wide) == len(set(wide))


def test_roots_and_codes_follow_source_order(index):
    assert index.roots() == [
        "physical-activity", "nature-gardening", "arts-creativity", "social-connection",
        "health-conditions", "emotional-support", "learning-work", "money-housing",
    ]
    assert index.codes[0] == "physical-activity"
    assert len(index) == len(index.codes)


# -- building an index from any specs -----------------------------------------------------------


def test_index_refuses_a_broken_hierarchy():
    with pytest.raises(ValidationError, match="used twice"):
        TaxonomyIndex.from_specs([TermSpec("a", "A"), TermSpec("a", "A again")])
    with pytest.raises(ValidationError, match="'missing', which is not a term"):
        TaxonomyIndex.from_specs([TermSpec("a", "A", parent_code="missing")])
    with pytest.raises(ValidationError, match="circle"):
        TaxonomyIndex.from_specs([TermSpec("a", "A", parent_code="b"), TermSpec("b", "B", parent_code="a")])
    with pytest.raises(ValidationError, match="circle"):
        TaxonomyIndex.from_specs(
            [TermSpec("a", "A"), TermSpec("b", "B", parent_code="a", extra_parent_codes=["c"]),
             TermSpec("c", "C", parent_code="b")]
        )


def test_spec_sequences_are_immutable_tuples():
    spec = TermSpec("a", "A", synonyms=["x", "y"], need_phrases=["I want x"])
    assert spec.synonyms == ("x", "y")
    assert spec.need_phrases == ("I want x",)
    with pytest.raises(AttributeError):
        spec.name = "B"  # frozen


def test_tokens_fold_accents_apostrophes_and_endings():
    assert tokens("Dementia Café") == tokens("dementia cafe")
    assert tokens("I can’t walk") == tokens("I can't walk") == ["walk"]
    assert tokens("walks walking walked") == ["walk", "walk", "walk"]
    assert tokens("swimming") == ["swim"]
    assert tokens("lonely loneliness") == ["loneli", "loneli"]
    assert tokens("I've lost my husband") == tokens("losing husbands")


def test_index_module_imports_neither_sqlalchemy_nor_flask():
    # matching/ builds on this module and must stay free of the database and web stacks.
    code = (
        "import sys, directory.taxonomy_index as t; "
        "t.TaxonomyIndex.from_specs(t.read_wayfinder_taxonomy()); "
        "bad = [m for m in ('sqlalchemy', 'flask') if m in sys.modules]; "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, f"imported {result.stdout.strip()} {result.stderr}"
