"""The pure side of the taxonomy: term specs, the Wayfinder TOML reader and an in-memory index.

Nothing here imports SQLAlchemy or Flask, so `matching` (and a notebook) can read the
categories and map a person's own words onto them without a database. `directory.taxonomy`
adds the storage side and re-exports these names.

Text matching is deliberately simple and deterministic: words are folded to plain lower-case
ASCII, common words dropped and light suffixes stripped, then each category is scored by how
much of its best need phrases, synonyms and name the text covers, with rare words counting for
more than common ones. Later matching work can layer a learned model on top; this gives a
baseline that is explainable ("you said 'lonely'") and needs no training data.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from directory.errors import NotFound, ValidationError

WAYFINDER_TOML = Path(__file__).resolve().parents[1] / "data" / "taxonomy" / "wayfinder.toml"

# Slugs only: codes appear in URLs, query strings and the database.
_CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TERM_KEYS = {"code", "name", "description", "parent", "also_under", "icon", "synonyms", "need_phrases", "uri"}


@dataclass(frozen=True)
class TermSpec:
    """One category as read from a source, before it is stored.

    `parent_code` is the tree parent; `extra_parent_codes` are other broader terms (SKOS
    allows several). Lists given for the sequence fields are kept as tuples so a spec is
    immutable and can be shared between an index and a loader.
    """

    code: str
    name: str
    description: str | None = None
    parent_code: str | None = None
    synonyms: tuple[str, ...] = ()
    need_phrases: tuple[str, ...] = ()
    uri: str | None = None
    extra_parent_codes: tuple[str, ...] = ()
    icon: str | None = None

    def __post_init__(self) -> None:
        for name in ("synonyms", "need_phrases", "extra_parent_codes"):
            object.__setattr__(self, name, tuple(getattr(self, name) or ()))


# ----------------------------------------------------------------------------------------------
# Validation and the Wayfinder TOML
# ----------------------------------------------------------------------------------------------


def validate_specs(specs: Iterable[TermSpec], source: str = "taxonomy") -> list[TermSpec]:
    """Check a set of specs forms a proper hierarchy; return them as a list.

    Refuses duplicate codes, parents that do not exist and cycles (following both the tree
    parent and any extra parents), each as a `ValidationError` naming the term concerned.
    """
    specs = list(specs)
    seen: dict[str, TermSpec] = {}
    for spec in specs:
        if spec.code in seen:
            raise ValidationError(f"{source}.code", f"The code {spec.code!r} is used twice.")
        seen[spec.code] = spec
    for spec in specs:
        for parent in _parents(spec):
            if parent == spec.code:
                raise ValidationError(f"{source}.parent", f"Term {spec.code!r} is its own parent.")
            if parent not in seen:
                raise ValidationError(
                    f"{source}.parent", f"Term {spec.code!r} has parent {parent!r}, which is not a term."
                )
    cycle = _find_cycle(specs)
    if cycle:
        raise ValidationError(f"{source}.parent", "The parents go round in a circle: " + " -> ".join(cycle) + ".")
    return specs


def _parents(spec: TermSpec) -> tuple[str, ...]:
    return ((spec.parent_code,) if spec.parent_code else ()) + spec.extra_parent_codes


def _find_cycle(specs: list[TermSpec]) -> list[str] | None:
    # Iterative depth-first search (the Activity List is 768 terms; recursion is fine, but a
    # hand-edited file should never be able to blow the stack). 1 = on the path, 2 = done.
    parents = {s.code: _parents(s) for s in specs}
    state: dict[str, int] = {}
    for start in parents:
        if state.get(start):
            continue
        path, stack = [start], [iter(parents[start])]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(parents[nxt]))
    return None


def _string_list(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(where, "must be a list of non-empty text values.")
    # Keep the author's order but drop repeats, so a copy-paste slip does not double-weight.
    return tuple(dict.fromkeys(v.strip() for v in value))


def read_wayfinder_file(path: str | Path | None = None) -> tuple[dict, list[TermSpec]]:
    """The `[taxonomy]` header (name, title, version, description) and the validated specs."""
    path = Path(path) if path else WAYFINDER_TOML
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ValidationError("taxonomy", f"There is no taxonomy file at {path}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError("taxonomy", f"{path} is not valid TOML: {exc}") from None
    terms = data.get("term")
    if not isinstance(terms, list) or not terms:
        raise ValidationError("taxonomy", f"{path} has no [[term]] entries.")
    specs = []
    for n, raw in enumerate(terms, start=1):
        where = f"{path.name} term {n}"
        unknown = set(raw) - _TERM_KEYS
        if unknown:
            raise ValidationError(where, f"unknown field(s): {', '.join(sorted(unknown))}.")
        code, name = raw.get("code"), raw.get("name")
        if not isinstance(code, str) or not _CODE_RE.match(code):
            raise ValidationError(where, f"needs a code made of lower-case letters, digits and hyphens (got {code!r}).")
        where = f"{path.name} term {code!r}"
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(where, "needs a name.")
        parent = raw.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise ValidationError(where, "parent must be a single code.")
        specs.append(
            TermSpec(
                code=code,
                name=name.strip(),
                description=(raw.get("description") or "").strip() or None,
                parent_code=parent or None,
                synonyms=_string_list(raw.get("synonyms"), f"{where} synonyms"),
                need_phrases=_string_list(raw.get("need_phrases"), f"{where} need_phrases"),
                uri=raw.get("uri"),
                extra_parent_codes=_string_list(raw.get("also_under"), f"{where} also_under"),
                icon=raw.get("icon"),
            )
        )
    header = dict(data.get("taxonomy") or {})
    return header, validate_specs(specs, source=path.name)


def read_wayfinder_taxonomy(path: str | Path | None = None) -> list[TermSpec]:
    """Wayfinder's own categories from `data/taxonomy/wayfinder.toml` (or `path`), validated.

    Raises `ValidationError` for a missing or malformed file, a duplicate code, a parent that
    does not exist or parents that form a cycle; the message names the file and term.
    """
    return read_wayfinder_file(path)[1]


# ----------------------------------------------------------------------------------------------
# Text normalisation
# ----------------------------------------------------------------------------------------------

# Words that say nothing about which kind of help is wanted. Negations are here too: "I can't
# pay my bills" and "help paying bills" point at the same category.
STOPWORDS = frozenset(
    """
    a about after again all also am an and any anyone anything are arent as at be been being bit
    but by can cant could couldnt did didnt do does doesnt doing done dont even ever every
    everyone feel feeling felt for from get gets getting go goes going got had hadnt has hasnt
    have havent having he her here hers him his how i id if ill im in into is isnt it its ive
    just know like little lot lots may me might mine more most much must my myself need needs
    never no nobody nor not nothing now of on one only or our own please quite really same
    she should so some someone something still such than that the their them then there these
    they thing things this those to too up us very want wanted was wasnt we were what when where
    which who why will with wont would wouldnt you your youre
    """.split()
)

# A few irregular forms people use all the time in need statements.
_IRREGULAR = {
    "lost": "lose", "losing": "lose", "loses": "lose",
    "died": "die", "dying": "die", "dies": "die", "dead": "die", "passed": "pass",
    "children": "child", "kids": "kid", "men": "man", "women": "woman", "wives": "wife",
    "feet": "foot", "teeth": "tooth",
}


def _fold(text: str) -> str:
    # "Café" and "cafe", "can’t" and "can't" must meet: strip accents, unify apostrophes.
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return text.lower().replace("'", "")


def _stem(word: str) -> str:
    """A light, predictable stemmer: walks/walking/walked -> walk, lonely/loneliness -> loneli."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, min_len in (("ing", 6), ("ed", 5)):
        if word.endswith(suffix) and len(word) >= min_len:
            word = word[: -len(suffix)]
            if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # swimming -> swimm -> swim
            break
    if word.endswith("ness") and len(word) > 6:
        word = word[:-4]
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    return word


def tokens(text: str) -> list[str]:
    """The meaningful, stemmed words of `text`, in order (stopwords removed)."""
    return [_stem(w) for w in re.findall(r"[a-z0-9]+", _fold(text)) if w not in STOPWORDS]


# ----------------------------------------------------------------------------------------------
# The index
# ----------------------------------------------------------------------------------------------

# How much each kind of vocabulary counts: a need phrase is what people say, a synonym names
# the activity, the display name is often broad ("Meeting people").
_WEIGHTS = {"need": 1.0, "synonym": 0.9, "name": 0.8}
_STRENGTH_SCALE = 2.5  # information (summed idf) at which a match is ~63% convincing
_TOP_ENTRIES = 3  # corroborating phrases that may add to a term's score
_TEXT_SHARE_WEIGHT = 0.3  # how much leaving part of the text unexplained costs


@dataclass
class _Entry:
    weight: float
    words: frozenset[str]
    text: str


class TaxonomyIndex:
    """A read-only view of one taxonomy for lookups, widening and text-to-category matching.

    Build it with `TaxonomyIndex.from_specs(specs)`. Codes that are not in the taxonomy raise
    `NotFound`. Children include terms that list the code as an extra parent, so `expand` on
    "physical-activity" also returns "green-gym".
    """

    def __init__(self, specs: Iterable[TermSpec]) -> None:
        self.specs = validate_specs(specs)
        self._by_code = {s.code: s for s in self.specs}
        self._order = {s.code: n for n, s in enumerate(self.specs)}
        self._children: dict[str, list[str]] = defaultdict(list)
        for spec in self.specs:
            for parent in _parents(spec):
                self._children[parent].append(spec.code)
        self._entries: dict[str, list[_Entry]] = {}
        self._postings: dict[str, set[str]] = defaultdict(set)
        for spec in self.specs:
            # One entry per distinct set of words: "walk" and "walking" are the same evidence
            # and must not count twice. Need phrases come first, so they win a tie.
            entries: dict[frozenset[str], _Entry] = {}
            for kind, texts in (("need", spec.need_phrases), ("synonym", spec.synonyms), ("name", (spec.name,))):
                for text in texts:
                    words = frozenset(tokens(text))
                    if words and words not in entries:
                        entries[words] = _Entry(_WEIGHTS[kind], words, text)
            self._entries[spec.code] = list(entries.values())
            for word in frozenset().union(*entries):
                self._postings[word].add(spec.code)
        n = len(self.specs)
        # A word shared by many categories ("out", "house") tells us little; a rare one
        # ("bailiff", "widow") tells us a lot.
        self._idf = {w: math.log((n + 1) / (len(codes) + 1)) + 1.0 for w, codes in self._postings.items()}

    @classmethod
    def from_specs(cls, specs: Iterable[TermSpec]) -> "TaxonomyIndex":
        """An index over `specs` (validated: duplicate codes, unknown parents, cycles)."""
        return cls(specs)

    def __repr__(self) -> str:
        return f"<TaxonomyIndex {len(self.specs)} terms>"

    # -- lookups -----------------------------------------------------------------------------

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self.specs)

    @property
    def codes(self) -> list[str]:
        """Every code, in source order (parents before their children for Wayfinder)."""
        return [s.code for s in self.specs]

    def spec(self, code: str) -> TermSpec:
        """The spec for `code`; `NotFound` when there is none."""
        try:
            return self._by_code[code]
        except KeyError:
            raise NotFound(f"There is no category {code!r}.") from None

    def name(self, code: str) -> str:
        """The plain-English name shown to people."""
        return self.spec(code).name

    def icon(self, code: str) -> str | None:
        """The icon slug, if the source gives one."""
        return self.spec(code).icon

    def parent(self, code: str) -> str | None:
        """The tree parent's code, or None for a top-level category."""
        return self.spec(code).parent_code

    def children(self, code: str) -> list[str]:
        """Direct children, including terms that list `code` as an extra parent."""
        self.spec(code)
        return list(self._children.get(code, []))

    def roots(self) -> list[str]:
        """Top-level categories (no tree parent), in source order."""
        return [s.code for s in self.specs if s.parent_code is None]

    def ancestors(self, code: str) -> list[str]:
        """The tree parents from the nearest up to the top (extra parents not followed)."""
        chain, parent = [], self.spec(code).parent_code
        while parent:
            chain.append(parent)
            parent = self._by_code[parent].parent_code
        return chain

    def depth(self, code: str) -> int:
        """0 for a top-level category, 1 for its children, and so on."""
        return len(self.ancestors(code))

    def expand(self, code: str) -> set[str]:
        """`code` and every category beneath it, at any depth."""
        self.spec(code)
        found, todo = {code}, [code]
        while todo:
            for child in self._children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def synonyms_for(self, code: str, include_descendants: bool = False) -> list[str]:
        """Other words for the category, to widen a search.

        With `include_descendants`, also the names and synonyms of everything beneath it
        (searching "Being active" should find a listing that only says "aqua aerobics").
        """
        words = list(self.spec(code).synonyms)
        if include_descendants:
            for child in sorted(self.expand(code) - {code}, key=self._order.__getitem__):
                spec = self._by_code[child]
                words.append(spec.name)
                words.extend(spec.synonyms)
        return list(dict.fromkeys(words))

    # -- text matching -----------------------------------------------------------------------

    def _entry_score(self, entry: _Entry, words: set[str]) -> tuple[float, bool]:
        """(score, whether every word of the entry is in the text)."""
        matched = entry.words & words
        if not matched:
            return 0.0, False
        info = sum(self._idf[w] for w in matched)
        coverage = info / sum(self._idf[w] for w in entry.words)
        # Squared coverage: half a phrase is much weaker evidence than all of it.
        score = entry.weight * coverage**2 * (1.0 - math.exp(-info / _STRENGTH_SCALE))
        return score, matched == entry.words

    def score_text(self, text: str) -> dict[str, float]:
        """Every category that shares a meaningful word with `text`, with its score (0..1)."""
        words = {w for w in tokens(text) if w in self._idf}
        candidates = set().union(*(self._postings[w] for w in words)) if words else set()
        text_info = sum(self._idf[w] for w in words)
        scores = {}
        for code in candidates:
            scored = sorted((self._entry_score(e, words) for e in self._entries[code]), reverse=True)
            best = scored[0][0]
            if best <= 0:
                continue
            # Noisy-or with the next few phrases that the text matches in full: several phrases
            # agreeing is stronger evidence than one, but it can never pass 1. Partial matches
            # do not add up, or a common word ("lose") would pile up weak evidence for every
            # category that uses it ("lose weight", "lose my flat", "lost my husband").
            miss = 1.0 - best
            for score, full in scored[1:_TOP_ENTRIES]:
                if full:
                    miss *= 1.0 - score
            # A category that accounts for more of what was said beats one that accounts for
            # less: "walking football" is walking sports, not just walking.
            explained = {w for w in words if code in self._postings[w]}
            share = sum(self._idf[w] for w in explained) / text_info
            scores[code] = (1.0 - miss) * (1.0 - _TEXT_SHARE_WEIGHT * (1.0 - share))
        return scores

    def terms_matching_text(self, text: str, limit: int = 5, min_score: float = 0.15) -> list[tuple[str, float]]:
        """Which categories a free-text need most likely refers to, best first.

        Returns up to `limit` pairs of (code, score) with score in 0..1 and at least
        `min_score`. Ties go to the more specific category, then to source order, so the result
        is the same on every run. "I can't pay my bills" gives debt and benefits advice.
        """
        scores = self.score_text(text)
        ranked = sorted(
            ((code, round(score, 6)) for code, score in scores.items() if score >= min_score),
            key=lambda item: (-item[1], -self.depth(item[0]), self._order[item[0]]),
        )
        return ranked[:limit]

    def explain(self, text: str, code: str) -> list[str]:
        """The phrases of `code` that matched `text`, strongest first (for "why this?")."""
        words = set(tokens(text))
        scored = [(self._entry_score(e, words)[0], e.text) for e in self._entries[self.spec(code).code]]
        return [t for s, t in sorted(scored, key=lambda p: -p[0]) if s > 0]
