"""The vectorised scorer gives whoosh's own BM25F scores, and combines groups as documented."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import query as wq

from directory.search.scoring import evaluate
from tests.factories import make_organization, make_service

TEXTS = [
    ("Knit and natter", "Bring your knitting and have a natter over tea. Knitting needles provided."),
    ("Tuesday health walk", "A gentle walk around the park, walking at an easy pace for about an hour."),
    ("Walking football", "Slower football for the over 50s: no running, no tackling."),
    ("Community choir", "Sing together every week, no auditions. We sing pop, folk and gospel."),
    ("Crochet and craft club", "Crafts, crochet and a chat. Knitters welcome too."),
    ("Chair-based exercise", "Gentle exercise sitting down, good for knees and balance."),
]


@pytest.fixture
def snapshot(session, index):
    org = make_organization(session, name="Heaton Knitting Circle")
    for title, description in TEXTS:
        make_service(session, name=title, description=description, organization=org)
    make_service(session, name="Men's shed", description="Woodwork and a brew.")
    session.flush()
    return index.snapshot(session)


def _whoosh_scores(snap, q) -> dict[int, float]:
    with snap.lock:
        results = snap.searcher.search(q, limit=None)
        return {hit.docnum: hit.score for hit in results}


@pytest.mark.parametrize(
    "q",
    [
        wq.Term("title", "walk"),
        wq.Term("description", "knit", boost=2.5),
        wq.Or([wq.Term("title", "knit", boost=3.0), wq.Term("organisation", "knit", boost=1.5), wq.Term("description", "knit")]),
        wq.And([wq.Term("description", "sing"), wq.Term("title", "choir")]),
        wq.Or([wq.And([wq.Term("title", "walk"), wq.Term("title", "football")]), wq.Term("description", "gentl")], boost=0.5),
    ],
    ids=["term", "boosted-term", "or-fields", "and", "nested"],
)
def test_scores_equal_whoosh_bm25f(snapshot, q):
    ours = evaluate(q, snapshot)
    theirs = _whoosh_scores(snapshot, q)
    assert set(ours.rows.tolist()) == set(theirs)
    assert theirs, "the query should match something"
    for row, score in zip(ours.rows.tolist(), ours.scores.tolist()):
        assert score == pytest.approx(theirs[row], rel=1e-5)


def test_disjunction_max_takes_the_best_alternative(snapshot):
    walk, gentle = wq.Term("description", "walk"), wq.Term("description", "gentl")
    best = evaluate(wq.DisjunctionMax([walk, gentle]), snapshot)
    each = [evaluate(q, snapshot).dense(snapshot.size) for q in (walk, gentle)]
    expected = np.maximum(*each)
    assert np.allclose(best.dense(snapshot.size), expected)
    assert len(best) == int((expected > 0).sum())


def test_deleted_listings_never_score(session, index, snapshot):
    from directory.services import delete_service

    walk = next(r for r in range(snapshot.size) if snapshot.live[r] and "walk" in snapshot.names[r].lower())
    delete_service(session, "tester@example.org", snapshot.service_id(walk))
    session.flush()
    fresh = index.snapshot(session)
    found = evaluate(wq.Term("title", "walk"), fresh)
    assert fresh.service_id(walk) is not None and walk not in found.rows.tolist()
    assert all(fresh.live[found.rows])


def test_block_reading_equals_the_public_matcher(snapshot):
    from directory.search.segments import _read_one_by_one, read_postings

    part = snapshot.parts[0]
    terms = [(f, t.decode()) for f in ("title", "description", "organisation") for t in part.reader.lexicon(f)]
    assert len(terms) > 20
    for fieldname, text in terms:
        fast = read_postings(part.reader, fieldname, text)
        slow = _read_one_by_one(part.reader.postings(fieldname, text))
        assert fast[0].tolist() == slow[0].tolist() and fast[1].tolist() == slow[1].tolist(), (fieldname, text)
