"""Topic fit: from a person's own words (or chosen categories) to how well each listing fits.

Keyword overlap alone scores zero for "I can't pay my bills" against "Money and debt advice".
Two scikit-learn TF-IDF models close that gap:

* Need phrases, synonyms and names of every taxonomy category are vectorised with character
  n-grams (robust to "paint"/"painting", "can't"/"cant", typos) and with words (stemmed by the
  taxonomy's own tokenizer). Each clause of what the person said is compared with every phrase;
  a category's relevance is its best phrase's cosine similarity, calibrated to 0..1.
* Each listing's own words (name, organisation, description, who it helps) are vectorised with
  the same word model, so a listing that never got the right category can still be found.

A listing's text "expanded with the synonyms and need phrases of its categories" is scored in
factorised form: the category side is computed once per category (not once per listing) and
joined through the listing-category matrix, which keeps 100,000 listings in memory and fast.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Protocol, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from directory.taxonomy_index import STOPWORDS
from directory.taxonomy_index import tokens as taxonomy_tokens
from matching.config import TopicConfig


class TermLike(Protocol):
    """What matching needs of a category (`directory.taxonomy_index.TermSpec` has it)."""

    code: str
    name: str
    parent_code: str | None
    synonyms: Sequence[str]
    need_phrases: Sequence[str]


# Clauses: "I'm lonely since my wife died and I used to love painting" holds two needs.
_CLAUSE_SPLIT = re.compile(r"[.;!?\n]+|\s+(?:and|but|also|plus)\s+", re.IGNORECASE)


def clauses(text: str) -> list[str]:
    """The text and its clauses (the whole first, so a phrase spanning a comma still counts)."""
    parts = [p.strip() for p in _CLAUSE_SPLIT.split(text) if p and len(p.strip()) > 2]
    return list(dict.fromkeys([text.strip(), *parts]))


# Words that frame a need rather than name it: "I used to love painting" and "I used to love
# walking" share three words but no topic. Dropped before both models compare anything.
FRAME_WORDS = frozenset(
    """
    used use love loved loving like liked enjoy enjoyed miss missed try tried trying start started
    again would want wanted wish always help helps helped better new find found make made keep stay
    way ways bit lot day days week weeks time times year years ago since go went come came around
    people person somebody anybody everybody talk talking round here there
    monday mondays tuesday tuesdays wednesday wednesdays thursday thursdays friday fridays
    saturday saturdays sunday sundays weekend weekends morning mornings afternoon evening night
    two three four five six seven eight nine ten twenty thirty forty fifty
    """.split()
)
_FRAME_STEMS = frozenset(taxonomy_tokens(" ".join(FRAME_WORDS)))
_WORD = re.compile(r"[a-z0-9]+")


def content_tokens(text: str) -> list[str]:
    """Stemmed topic words: the taxonomy's tokens without the framing words."""
    return [t for t in taxonomy_tokens(text) if t not in _FRAME_STEMS]


def content_text(text: str) -> str:
    """The words of `text` that carry its topic, unstemmed, for character n-grams."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower().replace("'", "")
    return " ".join(w for w in _WORD.findall(folded) if w not in STOPWORDS and w not in FRAME_WORDS)


def _word_tokens(text: str) -> list[str]:
    return content_tokens(text)


def word_vectorizer() -> TfidfVectorizer:
    """Word TF-IDF with the taxonomy's folding, stop words and light stemming."""
    return TfidfVectorizer(
        tokenizer=_word_tokens, lowercase=False, token_pattern=None, sublinear_tf=True, dtype=np.float32
    )


CACHE_SIZE = 4096


@dataclass
class Interest:
    """One thing the person named, with how relevant each category is to it."""

    label: str  # their words, or the chosen category's name
    text: str  # what is compared with listing text
    relevance: np.ndarray  # per category, 0..1, after widening through the hierarchy
    evidence: dict[int, str] = field(default_factory=dict)  # category -> the phrase that matched
    chosen_category: str | None = None


class TopicModel:
    """Maps free text and chosen categories onto the taxonomy; built once, reused per request."""

    def __init__(self, terms: Iterable[TermLike], config: TopicConfig | None = None):
        if config is None:
            from matching.config import load_config

            config = load_config().topic
        self.config = config
        self.terms = list(terms)
        self.codes = [t.code for t in self.terms]
        self.position = {code: n for n, code in enumerate(self.codes)}
        self.names = [t.name for t in self.terms]
        self.parent = np.array(
            [self.position.get(t.parent_code, -1) if t.parent_code else -1 for t in self.terms], dtype=np.int32
        )
        phrases: list[str] = []
        owners: list[int] = []
        for n, term in enumerate(self.terms):
            # Need phrases first: on a tie the reason quotes what people say, not a label.
            for phrase in (*term.need_phrases, *term.synonyms, term.name):
                phrases.append(phrase)
                owners.append(n)
        self.phrases = phrases
        self.owners = np.array(owners, dtype=np.int32)
        # Character n-grams within word boundaries: "painting" shares most of its n-grams with
        # "paint", and a misspelt "lonley" still meets "lonely".
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32)
        self.char_matrix = self.char.fit_transform([content_text(p) for p in phrases])
        self.word = word_vectorizer()
        self.word_matrix = self.word.fit_transform(phrases).tocsr()
        # For "how much of this phrase did they say": each phrase's share of TF-IDF mass per word
        # (rows sum to 1) and which words it has, to weigh the matched words' rarity (idf).
        self._word_share = self.word_matrix.multiply(self.word_matrix).tocsr()
        self._word_has = (self.word_matrix > 0).astype(np.float32).tocsr()
        self._idf = self.word.idf_.astype(np.float32)
        # One-hot phrase -> category, for "best phrase per category" as a sparse max.
        # A classifier trained on the same phrases, labelled with their category: it weighs all
        # the words of a sentence together ("lost" + "son" is bereavement even though no single
        # phrase says "we lost our son"), where phrase matching only sees the best single phrase.
        features = sparse.hstack([self.word_matrix, self.char_matrix]).tocsr()
        # newton-cg reaches the same optimum as the default solver several times faster here.
        self.classifier = LogisticRegression(C=self.config.classifier_c, max_iter=1000, solver="newton-cg")
        self.classifier.fit(features, self.owners)
        self._class_columns = self.classifier.classes_
        self._cache: dict[str, tuple[np.ndarray, dict[int, str]]] = {}

    def __len__(self) -> int:
        return len(self.terms)

    # -- text -> categories --------------------------------------------------------------------
    def phrase_similarity(self, text: str) -> np.ndarray:
        """How well `text` (its best clause) matches every phrase, 0..1.

        The best of three views: word cosine; character n-gram cosine (discounted: shared
        letters are weaker evidence than shared words, but they rescue "painting"/"paint" and
        typos); and containment - how much of the phrase the person said, weighted by how rare
        the shared words are - so "allotment" in a long sentence still meets "allotment".
        """
        best = np.zeros(len(self.phrases), dtype=np.float32)
        for clause in clauses(text):
            by_char = (self.char_matrix @ self.char.transform([content_text(clause)]).T).toarray().ravel()
            query = self.word.transform([clause])
            by_word = (self.word_matrix @ query.T).toarray().ravel()
            said = np.zeros(len(self._idf), dtype=np.float32)
            said[query.indices] = 1.0
            coverage = self._word_share @ said
            information = self._word_has @ (said * self._idf)
            # Squared coverage: half a phrase is much weaker evidence than all of it.
            contained = coverage**2 * (1.0 - np.exp(-information / self.config.information_scale))
            sim = np.maximum.reduce([by_word, contained, self.config.char_discount * by_char])
            np.maximum(best, sim, out=best)
        return best

    def category_relevance(self, text: str) -> tuple[np.ndarray, dict[int, str]]:
        """Per category: calibrated relevance 0..1 of `text`, and the phrase that matched best.

        Cached per text (people say the same things, and training replays many referrals); the
        returned array is read-only so a caller cannot spoil the cache.
        """
        cached = self._cache.get(text)
        if cached is None:
            cached = self._category_relevance(text)
            cached[0].setflags(write=False)
            if len(self._cache) >= CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))  # oldest first: dicts keep insertion order
            self._cache[text] = cached
        return cached[0], dict(cached[1])

    def class_probability(self, text: str) -> np.ndarray:
        """Per category: the classifier's probability for the text's most telling clause."""
        best = np.zeros(len(self.terms), dtype=np.float32)
        for clause in clauses(text):
            features = sparse.hstack([self.word.transform([clause]), self.char.transform([content_text(clause)])])
            probability = self.classifier.predict_proba(features.tocsr())[0]
            np.maximum.at(best, self._class_columns, probability.astype(np.float32))
        return best

    def _category_relevance(self, text: str) -> tuple[np.ndarray, dict[int, str]]:
        sims = self.phrase_similarity(text)
        per_category = np.zeros(len(self.terms), dtype=np.float32)
        np.maximum.at(per_category, self.owners, sims)
        cfg = self.config
        by_phrase = self._calibrate(per_category)
        by_class = np.clip((self.class_probability(text) - cfg.class_floor) / (cfg.class_full - cfg.class_floor), 0, 1)
        relevance = (cfg.phrase_weight * by_phrase + (1 - cfg.phrase_weight) * by_class).astype(np.float32)
        evidence = {}
        for n in np.flatnonzero(by_phrase > 0):
            mask = self.owners == n
            evidence[int(n)] = self.phrases[int(np.flatnonzero(mask)[np.argmax(sims[mask])])]
        return self._widen(relevance), evidence

    def _calibrate(self, sims: np.ndarray) -> np.ndarray:
        low, high = self.config.phrase_floor, self.config.phrase_full
        return np.clip((sims - low) / (high - low), 0.0, 1.0)

    def _widen(self, relevance: np.ndarray) -> np.ndarray:
        """Share relevance along the hierarchy.

        A parent gets a share of its best child ("debt" says something about money advice in
        general) and children get most of their parent's ("I want to get fitter" suits every kind
        of being active). Siblings therefore meet at parent_share x child_share.
        """
        widened = relevance.copy()
        for child in np.flatnonzero(self.parent >= 0):
            parent = self.parent[child]
            widened[parent] = max(widened[parent], self.config.parent_share * relevance[child])
        base = widened.copy()
        for child in np.flatnonzero(self.parent >= 0):
            widened[child] = max(widened[child], self.config.child_share * base[self.parent[child]])
        return widened

    def interests(self, what_matters: Sequence[str], categories: Sequence[str]) -> list[Interest]:
        """One `Interest` per thing the person said and per category they chose."""
        found = []
        for words in what_matters:
            relevance, evidence = self.category_relevance(words)
            found.append(Interest(label=words, text=words, relevance=relevance, evidence=evidence))
        for code in categories:
            if code not in self.position:
                continue  # validated at the edge; an unknown code simply matches nothing
            n = self.position[code]
            relevance = np.zeros(len(self.terms), dtype=np.float32)
            relevance[n] = 1.0
            for child in self.descendants(n):
                relevance[child] = 1.0  # choosing "Being active" means any kind of it
            relevance = np.maximum(relevance, self._widen(relevance) * self.config.chosen_widen)
            relevance[n] = 1.0
            found.append(
                Interest(label=self.names[n], text=" ".join([self.names[n], *self.terms[n].synonyms]),
                         relevance=relevance, evidence={n: self.names[n]}, chosen_category=code)
            )
        return found

    def descendants(self, n: int) -> list[int]:
        found, todo = [], [n]
        while todo:
            current = todo.pop()
            for child in np.flatnonzero(self.parent == current):
                found.append(int(child))
                todo.append(int(child))
        return found


def listing_category_matrix(model: TopicModel, categories: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """Listings x categories, 1 where the listing carries the category (unknown codes ignored)."""
    rows, cols = [], []
    for row, codes in enumerate(categories):
        for code in codes:
            col = model.position.get(code)
            if col is not None:
                rows.append(row)
                cols.append(col)
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(categories), len(model.terms)))


def category_fit(matrix: sparse.csr_matrix, relevance: np.ndarray) -> np.ndarray:
    """For each listing, the best relevance among its categories (0 with no category).

    A per-row max over the listing-category matrix, done with `np.maximum.reduceat` on the CSR
    arrays (fast enough for 100,000 listings per request).
    """
    best = np.zeros(matrix.shape[0], dtype=np.float32)
    if matrix.nnz == 0:
        return best
    values = relevance[matrix.indices].astype(np.float32)
    starts = matrix.indptr[:-1]
    filled = matrix.indptr[1:] > starts
    best[filled] = np.maximum.reduceat(values, starts[filled])
    return best
