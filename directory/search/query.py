"""What a person typed -> a whoosh query, widened with typo fixes, synonyms and needs.

The builder is pure: it needs the analyser, a way to ask how many listings hold a term, the
index's vocabulary of whole words and (optionally) the taxonomy. Nothing here reads the index
or the database, so it is tested on its own.

How a query is widened, in order:

1. Each word is analysed like the listings (stemmed: "knitting" -> ``knit``). One word is one
   *group*; a listing scores for a group through its best alternative, and a listing matching
   more of the groups ranks above one matching fewer (coordination).
2. A word no listing contains is probably a typo: the closest real words in the index (edit
   distance 1, or 2 for longer words) become alternatives at a lower weight, and the corrected
   query is offered back as "did you mean".
3. The taxonomy reads the (corrected) text for categories, by their names, synonyms and the
   need phrases people say ("I'm lonely", "I can't pay my bills"). Each category found adds its
   synonyms as optional alternatives, and listings filed under it or beneath it get a boost in
   proportion to how sure the taxonomy is. When the text is mostly a need statement the raw
   words count for less, so "I want to get out of the house" finds walks, not housing advice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Mapping, Protocol

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from whoosh import query as wq

from directory.search.schema import FIELD_BOOSTS, text_analyzer

MAX_QUERY_CHARS = 200
FUZZY_WEIGHTS = {1: 0.7, 2: 0.45}  # a typo fix counts for less than the word as typed
FUZZY_ALTERNATIVES = 3
SYNONYM_WEIGHT = 0.45  # a category's synonym, times the taxonomy's confidence
NEED_MIN_SCORE = 0.3  # taxonomy matches weaker than this are ignored
STRONG_NEED = 0.6  # a need phrase matched this well makes the raw words count for less
NEED_WORD_WEIGHT = 0.35
MAX_CATEGORIES = 4
SYNONYM_FIELDS = ("title", "categories")

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_ANALYZER = text_analyzer()


class TaxonomyLike(Protocol):
    """What query building needs from `directory.taxonomy_index.TaxonomyIndex`."""

    def terms_matching_text(self, text: str, limit: int = 5, min_score: float = 0.15) -> list[tuple[str, float]]: ...

    def synonyms_for(self, code: str, include_descendants: bool = False) -> list[str]: ...

    def name(self, code: str) -> str: ...


@dataclass(frozen=True)
class Alternative:
    """One analysed term standing in for a word, and how much it counts."""

    term: str
    weight: float
    source: str  # "typed", "typo" or "synonym"
    word: str  # the whole word it came from (shown in explanations)


@dataclass
class WordGroup:
    word: str
    alternatives: list[Alternative]

    @property
    def known(self) -> bool:
        return bool(self.alternatives)


@dataclass
class TextQuery:
    """The widened query, ready for whoosh or for the vectorised scorer."""

    text: str
    groups: list[WordGroup] = field(default_factory=list)
    synonyms: list[list[Alternative]] = field(default_factory=list)  # each: all of these words
    categories: dict[str, float] = field(default_factory=dict)  # code -> confidence 0..1
    corrections: dict[str, str] = field(default_factory=dict)
    word_weight: float = 1.0

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.categories and not self.synonyms

    @property
    def suggestion(self) -> str | None:
        """The query with typos fixed ("did you mean"), or None when nothing was fixed."""
        if not self.corrections:
            return None
        return _replace_words(self.text, self.corrections)

    def group_queries(self) -> list[wq.Query]:
        """One whoosh query per typed word: the best of its alternatives, over all fields."""
        out = []
        for group in self.groups:
            if group.alternatives:
                alts = [_fields_query(a.term, a.weight * self.word_weight) for a in group.alternatives]
                out.append(alts[0] if len(alts) == 1 else wq.DisjunctionMax(alts))
        return out

    def synonym_queries(self) -> list[wq.Query]:
        """Optional extras from the taxonomy; a several-word synonym must match in full.

        A synonym counts only where it names the activity - the title or the categories - not
        in passing in a description ("community" is in half of them).
        """
        out = []
        for words in self.synonyms:
            parts = [_fields_query(a.term, a.weight, SYNONYM_FIELDS) for a in words]
            out.append(parts[0] if len(parts) == 1 else wq.And(parts))
        return out

    def to_whoosh(self) -> wq.Query:
        """The whole text part as one whoosh query (what the scorer evaluates)."""
        parts = self.group_queries() + self.synonym_queries()
        if not parts:
            return wq.NullQuery
        return parts[0] if len(parts) == 1 else wq.Or(parts)


def _fields_query(term: str, weight: float, fields=tuple(FIELD_BOOSTS)) -> wq.Query:
    """BM25F over the listing's fields: the per-field scores add up, weighted by field."""
    return wq.Or([wq.Term(name, term, boost=FIELD_BOOSTS[name] * weight) for name in fields])


def fold(text: str) -> str:
    """Lower case, accents and curly quotes flattened: what both sides of a match compare."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'")).encode("ascii", "ignore").decode()
    return text.lower()


def analyse(word: str) -> str | None:
    """The index term for one word (None for a stop word)."""
    terms = [t.text for t in _ANALYZER(word)]
    return terms[0] if terms else None


def words_of(text: str, limit: int | None = MAX_QUERY_CHARS) -> list[str]:
    """Folded words of `text` (of its first `limit` characters; None for all of it)."""
    return _WORD.findall(fold(text[:limit] if limit else text))


def _replace_words(text: str, corrections: Mapping[str, str]) -> str:
    def swap(match: re.Match) -> str:
        return corrections.get(fold(match.group(0)), match.group(0))

    return re.sub(r"[^\W_]+(?:['\u2019][^\W_]+)?", swap, text[:MAX_QUERY_CHARS])


def closest_words(word: str, vocabulary: Mapping[str, int], choices: list[str]) -> list[tuple[str, int]]:
    """The nearest real words within edit distance 1 (2 for words of 7+ letters), commonest first."""
    limit = 2 if len(word) >= 7 else 1
    found = process.extract(word, choices, scorer=Levenshtein.distance, score_cutoff=limit, limit=25)
    ranked = sorted(((w, int(d)) for w, d, _ in found if w != word), key=lambda p: (p[1], -vocabulary.get(p[0], 0), p[0]))
    # Only the nearest words: with "knitting" one edit from "kniting", "writing" (two) is noise.
    return [p for p in ranked if p[1] == ranked[0][1]][:FUZZY_ALTERNATIVES] if ranked else []


def build_text_query(
    text: str,
    *,
    document_frequency: Callable[[str], int],
    vocabulary: Mapping[str, int],
    vocabulary_list: list[str] | None = None,
    taxonomy: TaxonomyLike | None = None,
) -> TextQuery:
    """Analyse and widen `text`.

    `document_frequency(term)` is how many listings hold an analysed term in any text field;
    `vocabulary` maps whole words to how many listings use them (for typo fixing).
    """
    text = (text or "").strip()[:MAX_QUERY_CHARS]
    result = TextQuery(text=text)
    choices = vocabulary_list if vocabulary_list is not None else list(vocabulary)
    seen_terms: set[str] = set()
    for word in dict.fromkeys(words_of(text)):
        term = analyse(word)
        if term is None or term in seen_terms:
            continue
        seen_terms.add(term)
        group = WordGroup(word, [])
        if document_frequency(term) > 0:
            group.alternatives.append(Alternative(term, 1.0, "typed", word))
        elif len(word) >= 4 and not word.isdigit():
            for candidate, distance in closest_words(word, vocabulary, choices):
                fixed = analyse(candidate)
                if fixed and fixed not in seen_terms and document_frequency(fixed) > 0:
                    group.alternatives.append(Alternative(fixed, FUZZY_WEIGHTS[distance], "typo", candidate))
                    result.corrections.setdefault(word, candidate)
                    seen_terms.add(fixed)  # the corrected word is searched; no synonym repeats it
        result.groups.append(group)

    if taxonomy is not None and text:
        corrected = result.suggestion or text
        matches = taxonomy.terms_matching_text(corrected, limit=MAX_CATEGORIES, min_score=NEED_MIN_SCORE)
        added: set[tuple[str, ...]] = set()
        for code, score in matches:
            result.categories[code] = score
            for synonym in [taxonomy.name(code), *taxonomy.synonyms_for(code)]:
                terms = tuple(dict.fromkeys(t for w in words_of(synonym) if (t := analyse(w))))
                # Skip what the person already typed, repeats, and synonyms no listing can match
                # in full (a several-word synonym counts only when all its words are there).
                if not terms or terms in added or any(t in seen_terms for t in terms):
                    continue
                if any(document_frequency(t) == 0 for t in terms):
                    continue
                added.add(terms)
                result.synonyms.append([Alternative(t, SYNONYM_WEIGHT * score, "synonym", synonym) for t in terms])
        if matches and matches[0][1] >= STRONG_NEED and len(result.groups) >= 3:
            result.word_weight = NEED_WORD_WEIGHT
    return result
