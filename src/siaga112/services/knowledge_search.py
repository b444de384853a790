"""Type-ahead search of the quick answers, tolerant of typos and Indonesian spelling variants.

Every entry's words (title, keywords, question, answer, referral names and numbers) and the
query go through the same keys (domain/knowledge_text.py); RapidFuzz then bridges the typos
that are left ("listrk" ~ "listrik"). A query word counts by its best match in the entry,
weighted by where it matched (a keyword or the title more than the answer); the last word is
still being typed, so a prefix counts as a match. The index is rebuilt only when a version
was written (the repository's revision), so a keystroke costs one cheap query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from siaga112.domain.knowledge import KnowledgeVersion
from siaga112.domain.knowledge_text import search_words, words
from siaga112.services.quick_answer_ports import KnowledgeUnitOfWork

MIN_WORD_SIMILARITY = 75.0  # below: not the same word ("air" vs "aer" is 67: not enough)
MIN_SCORE = 30.0  # a third of the query: "jam buka dukcapil" still finds Dukcapil
PREFIX_SIMILARITY = 90.0  # the last word, still being typed: "listr" for "listrik"
AFFIX_SIMILARITY = 85.0
UNKNOWN_WORD_WEIGHT = 0.25
# Where a word of the entry stands: what the topic is called counts most.
WEIGHTS = {"keyword": 1.0, "title": 1.0, "question": 0.85, "referral": 0.8, "answer": 0.6}


@dataclass(frozen=True)
class Hit:
    entry: KnowledgeVersion
    score: float


@dataclass(frozen=True)
class _Indexed:
    entry: KnowledgeVersion
    weights: dict[str, float]  # word key -> its best weight in this entry
    names: tuple[str, ...]  # the title's and each keyword's words, joined


def _index(entry: KnowledgeVersion) -> _Indexed:
    c = entry.content
    fields = [("title", c.title), ("question", c.question), ("answer", c.answer),
              *(("keyword", k) for k in c.keywords),
              *(("referral", f"{r.name} {r.phone or ''}") for r in c.referrals)]
    weights: dict[str, float] = {}
    for kind, text in fields:
        for key in words(text):
            weights[key] = max(weights.get(key, 0.0), WEIGHTS[kind])
    names = tuple(" ".join(words(n)) for n in (c.title, *c.keywords))
    return _Indexed(entry, weights, names)


class KnowledgeIndex:
    def __init__(self, entries: Sequence[KnowledgeVersion]) -> None:
        self.items = [_index(e) for e in entries]
        self.vocabulary = sorted({k for item in self.items for k in item.weights})

    def _similar(self, query_word: str, *, typing: bool) -> dict[str, float]:
        """Words of the base like this one, with their similarity (0-100)."""
        found = {word: score for word, score, _ in process.extract(
            query_word, self.vocabulary, scorer=fuzz.ratio, limit=None,
            score_cutoff=MIN_WORD_SIMILARITY)}
        if len(query_word) <= 2:  # "kk", "rs": only the word itself
            return {w: s for w, s in found.items() if w == query_word}
        for word in self.vocabulary:
            if found.get(word, 0.0) >= AFFIX_SIMILARITY:
                continue
            if typing and word.startswith(query_word):
                found[word] = PREFIX_SIMILARITY
            elif len(query_word) >= 4 and word.endswith(query_word):
                found[word] = AFFIX_SIMILARITY  # "urus" in "mengurus", "buat" in "dibuat"
        return found

    def search(self, text: str, *, limit: int = 8) -> list[Hit]:
        query = search_words(text)
        if not query:
            return []
        typing = not text[-1:].isspace()
        similar = [self._similar(q, typing=typing and i == len(query) - 1)
                   for i, q in enumerate(query)]
        # A word the base does not know at all ("jam", "tolong") is the caller's own
        # wording, not a topic the entries lack: it weighs less.
        weights = [1.0 if matches else UNKNOWN_WORD_WEIGHT for matches in similar]
        phrase = " ".join(query)
        hits = []
        for item in self.items:
            total = sum(max((s * item.weights[w] for w, s in matches.items()
                             if w in item.weights), default=0.0) for matches in similar)
            score = total / sum(weights)
            if score >= MIN_SCORE:
                hits.append((Hit(item.entry, round(min(score, 100.0), 1)),
                             max((fuzz.ratio(phrase, n) for n in item.names), default=0.0)))
        # Equal scores: the entry whose keyword or title reads most like the whole query.
        hits.sort(key=lambda h: (-h[0].score, -h[1], h[0].entry.content.title))
        return [hit for hit, _ in hits[:limit]]


class KnowledgeSearch:
    """One per running center: the index of the current entries, rebuilt on a new version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: tuple[int, KnowledgeIndex] | None = None

    def index(self, uow: KnowledgeUnitOfWork) -> KnowledgeIndex:
        with uow:
            revision = uow.knowledge.revision()
            built = self._built
            if built is not None and built[0] == revision:
                return built[1]
            entries = uow.knowledge.all_current()
        index = KnowledgeIndex(entries)
        with self._lock:
            if self._built is None or self._built[0] <= revision:
                self._built = (revision, index)
        return index

    def search(self, uow_factory: Callable[[], KnowledgeUnitOfWork], text: str, *,
               limit: int = 8) -> list[Hit]:
        return self.index(uow_factory()).search(text, limit=limit)
