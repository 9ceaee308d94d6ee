"""Chinese text similarity for the ledger: TF-IDF over character n-grams, cosine similarity, and a
phrase that says why two texts match.

Chinese has no spaces, so words are not split: single characters and bigrams stand in for words
(非法营运 → 非, 法, 营, 运, 非法, 法营, 营运), which needs no dictionary and copes with paraphrase
(黑车 and 非法营运车辆 share 车; 处罚 and 罚款 share 罚).
Before that the text is normalised: full-width forms folded (NFKC), and digits, ordinals (一是、（二）),
punctuation and the boilerplate words every rectification document repeats (问题、整改、加强…) turned
into breaks, so no n-gram spans them. N-grams are taken inside the pieces between breaks.

Nothing here touches the database: `Corpus` is fitted on (key, text) pairs and answers many queries;
`CorpusCache` keeps fitted corpora per scope until their signature (what the texts were built from)
changes, so a page view does not refit.
"""

from __future__ import annotations

import operator
import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

# Measured on the labelled sets (recurrence/evaluation.py), similar problems P@5 / routing top-3:
# (1, 2) 0.93 / 0.93, (1, 3) 0.90 / 0.93, (2, 2) 0.82 / 0.89, (2, 3) 0.68 / 0.87 (the score floors
# in recurrence.services were then set for (1, 2); before them, (2, 3) reached 0.80 / 0.89). Single
# characters help most where people and documents use different words for one thing.
NGRAM_RANGE = (1, 2)

# Words every rectification document repeats whatever it is about: the inspection's own vocabulary
# (问题、整改、巡察、反馈), the stock verbs of measures (加强、推进、落实、完善、开展…) and the stock
# verdicts of findings (不够、不到位、不力、存在、薄弱环节). Measured on the labelled sets
# (recurrence/bench.py), the ranking is about as good with or without them (TF-IDF weighs common
# words down by itself); they are removed because otherwise they come up as "shared key terms" in
# explanations, and because a small corpus (one inspection of 17 problems) gives IDF little to go by.
STOP_TERMS: tuple[str, ...] = (
    "问题",
    "整改",
    "巡察",
    "巡视",
    "反馈",
    "存在",
    "方面",
    "不够",
    "不到位",
    "到位",
    "不力",
    "不严",
    "不足",
    "薄弱环节",
    "加强",
    "推进",
    "落实",
    "进一步",
    "完善",
    "健全",
    "强化",
    "严格",
    "开展",
    "切实",
    "持续",
    "着力",
    "积极",
    "全面",
    "深入",
    "有关",
    "相关",
    "关于",
    "情况",
)

# Characters trimmed from the ends of a shared term: function words and negations, which begin or
# end a common substring without being part of a term (“的非法营运” → “非法营运”, “采购未” → “采购”).
EDGE_CHARACTERS = frozenset("的了和与及等对在为是把将从向由并或以其各之也就都而还所被给这那个不未无没较很多")
# A shared term whose bigrams are, on average, in more than this share of the corpus (and in more
# than GENERIC_MIN_TEXTS texts, so a small corpus's few repeats do not count) says nothing about the
# subject (管理、规范、部分、工作) and is not offered as an explanation.
GENERIC_SHARE = 0.25
GENERIC_MIN_TEXTS = 5

# How long a shared term may be, and how many a match explains itself with.
MAX_TERM_LENGTH = 12
EXPLAINED_TERMS = 4
# How many of the best-scored candidates a ranking examines for shared terms, per result asked: when
# the texts are all alike (nothing but generic terms in common) it gives up instead of reading all.
EXAMINED_PER_RESULT = 20

_BREAK = " "
_CHINESE_NUMERALS = "一二三四五六七八九十"
# 一是、二是… at the start of a clause (not 统一是), and (一)、（十二）… markers.
_ORDINAL = re.compile(
    rf"(?:^|(?<=[。；;，,：:\s]))[{_CHINESE_NUMERALS}]{{1,3}}是|[(（][{_CHINESE_NUMERALS}\d]{{1,3}}[)）]"
)
_STOP = re.compile("|".join(sorted(map(re.escape, STOP_TERMS), key=len, reverse=True)))
# Anything that is not a CJK ideograph or a Latin letter breaks the text: digits, punctuation, space.
_NOT_WORD = re.compile(r"[^\u4e00-\u9fffA-Za-z]+")


def normalise(text: str) -> str:
    """The text as the similarity sees it: pieces of meaningful characters separated by one space."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _STOP.sub(_BREAK, text)
    text = _ORDINAL.sub(_BREAK, text)
    return _NOT_WORD.sub(_BREAK, text).strip().lower()


def pieces(text: str) -> list[str]:
    """The runs of characters between breaks of the normalised text."""
    return [piece for piece in normalise(text).split(_BREAK) if piece]


def char_ngrams(text: str, ngram_range: tuple[int, int] = NGRAM_RANGE) -> list[str]:
    """Character n-grams taken inside each piece, never across a break (the vectorizer's analyzer)."""
    low, high = ngram_range
    grams: list[str] = []
    for piece in pieces(text):
        for size in range(low, high + 1):
            if size == 1:
                grams.extend(piece)
            elif size == 2:  # the common case, done in C: a fit reads every text of the ledger
                grams.extend(map(operator.add, piece, piece[1:]))
            else:
                grams.extend(piece[start : start + size] for start in range(len(piece) - size + 1))
    return grams


def _substrings(text_pieces: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for piece in text_pieces:
        for start in range(len(piece) - 1):
            for end in range(start + 2, min(len(piece), start + MAX_TERM_LENGTH) + 1):
                found.add(piece[start:end])
    return found


def _trim(term: str) -> str:
    start, end = 0, len(term)
    while start < end and term[start] in EDGE_CHARACTERS:
        start += 1
    while end > start and term[end - 1] in EDGE_CHARACTERS:
        end -= 1
    return term[start:end]


def common_terms(first: str, second: str) -> list[str]:
    """The maximal common substrings (two characters or more) of two texts after normalisation,
    trimmed of function characters at their ends, longest first. Unranked: see Corpus.shared_terms."""
    common = _substrings(pieces(first)) & _substrings(pieces(second))
    # A common substring is maximal when no common substring one character longer contains it.
    covered = {longer[:-1] for longer in common} | {longer[1:] for longer in common}
    terms = {_trim(term) for term in common - covered}
    return sorted((term for term in terms if len(term) >= 2), key=lambda term: (-len(term), term))


def describe_terms(terms: Sequence[str]) -> str:
    """共同关键词：非法营运、网约车 — or "" when there is none."""
    return f"共同关键词：{'、'.join(terms)}" if terms else ""


@dataclass(frozen=True)
class Match:
    """One text of a corpus that resembles a query: its key, the cosine score (0..1) and why."""

    key: Hashable
    score: float
    terms: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return describe_terms(self.terms)


class NgramCounts:
    """How often each n-gram occurs in each text: a sparse matrix (texts × n-grams, the n-grams in
    alphabetical order, each row's in that order), kept with the corpus so that texts added later are
    counted alone. Counting is the slow part of a fit (a province's 20,000 problems: seconds); the
    counts of a corpus extended by new texts are exactly those of the whole set counted afresh."""

    def __init__(self, texts: Sequence[str], ngram_range: tuple[int, int], *, vocabulary=None, matrix=None):
        self.ngram_range = ngram_range
        if vocabulary is None:
            counted = [Counter(char_ngrams(text, ngram_range)) for text in texts]
            vocabulary = {term: n for n, term in enumerate(sorted(set().union(*counted)))}
            matrix = self._rows(counted, vocabulary)
        self.vocabulary: dict[str, int] = vocabulary
        self.matrix = matrix

    @staticmethod
    def _rows(counted: Sequence[Counter], vocabulary: dict[str, int]):
        """The rows of these texts' counts over `vocabulary` (n-grams not in it left out)."""
        # scipy is imported where it is used: loading it takes a while, which every process (commands,
        # the tick, workers) would otherwise pay at start-up through the import-signal receiver.
        from scipy import sparse

        indices: list[int] = []
        data: list[int] = []
        indptr = [0]
        for counter in counted:
            row = sorted((vocabulary[term], n) for term, n in counter.items() if term in vocabulary)
            indices.extend(column for column, _ in row)
            data.extend(n for _, n in row)
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.asarray(data, dtype=np.int32), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
            shape=(len(counted), len(vocabulary)),
        )

    def counted(self, texts: Sequence[str]):
        """The rows of other texts over this vocabulary (for queries: n-grams it lacks are left out)."""
        return self._rows([Counter(char_ngrams(text, self.ngram_range)) for text in texts], self.vocabulary)

    def extended(self, texts: Sequence[str]) -> NgramCounts:
        """The counts with `texts` added as new rows. The new n-grams take their places in the
        alphabetical order, the columns after them move along (in order: each row stays sorted)."""
        from scipy import sparse

        counted = [Counter(char_ngrams(text, self.ngram_range)) for text in texts]
        new_terms = set().union(*counted) - self.vocabulary.keys()
        if not new_terms:
            vocabulary, moved = self.vocabulary, self.matrix
        else:
            vocabulary = {term: n for n, term in enumerate(sorted([*self.vocabulary, *new_terms]))}
            place = np.empty(len(self.vocabulary), dtype=np.int32)
            for term, column in self.vocabulary.items():
                place[column] = vocabulary[term]
            moved = sparse.csr_matrix(
                (self.matrix.data, place[self.matrix.indices], self.matrix.indptr),
                shape=(self.matrix.shape[0], len(vocabulary)),
            )
        added = self._rows(counted, vocabulary)
        return NgramCounts(
            [], self.ngram_range, vocabulary=vocabulary, matrix=sparse.vstack([moved, added], format="csr")
        )


class Corpus:
    """TF-IDF vectors of a set of texts, fitted once, answering many queries.

    `keys` name the texts (problem ids, for instance); results carry them back. `extended` fits the
    corpus of these texts and more without counting these again.
    """

    def __init__(
        self,
        keys: Sequence[Hashable],
        texts: Sequence[str],
        *,
        ngram_range: tuple[int, int] = NGRAM_RANGE,
        counts: NgramCounts | None = None,
    ):
        if len(keys) != len(texts):
            raise ValueError("keys and texts differ in length")
        self.keys = list(keys)
        self.texts = list(texts)
        self._position = {key: position for position, key in enumerate(self.keys)}
        self._counts = counts or NgramCounts(self.texts, ngram_range)
        # An empty corpus (or one of texts with nothing left after normalisation) answers nothing.
        self._fitted = bool(self._counts.vocabulary)
        if self._fitted:
            # Smoothed IDF, as scikit-learn's TfidfVectorizer computes it: ln((1 + n) / (1 + df)) + 1.
            count = len(self.texts)
            in_texts = np.bincount(self._counts.matrix.indices, minlength=len(self._counts.vocabulary))
            self._idf_vector = np.log((1 + count) / (1 + in_texts)) + 1
            self._idf = dict(zip(self._counts.vocabulary, self._idf_vector.tolist(), strict=True))
            self._max_idf = float(self._idf_vector.max())
            # The IDF of an n-gram found in that many texts.
            generic_count = max(GENERIC_SHARE * count, GENERIC_MIN_TEXTS)
            self._generic_idf = float(np.log((1 + count) / (1 + generic_count)) + 1)

    def _vectors_of(self, counts):
        """TF-IDF vectors of rows of counts: (1 + ln tf) × idf, each row scaled to length 1, as
        TfidfVectorizer(sublinear_tf=True) makes them. Row by row, so a row's vector is the same
        whether it is made alone or with the whole corpus."""
        from scipy import sparse

        data = np.log(counts.data.astype(np.float64)) + 1
        data *= self._idf_vector[counts.indices]
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        lengths = np.sqrt(np.bincount(rows, weights=data * data, minlength=counts.shape[0]))
        lengths[lengths == 0] = 1
        data /= lengths[rows]
        return sparse.csr_matrix((data, counts.indices.copy(), counts.indptr.copy()), shape=counts.shape)

    @cached_property
    def _matrix(self):
        """Every text's vector, made at the first query that needs them all: an import that only
        compares its problems with some (pair_scores) does not pay for the rest."""
        return self._vectors_of(self._counts.matrix)

    def extended(self, keys: Sequence[Hashable], texts: Sequence[str]) -> Corpus:
        """This corpus with more texts (under new keys): only those are counted, and the result is
        the corpus of all of them fitted afresh, to the last bit."""
        return Corpus(
            [*self.keys, *keys],
            [*self.texts, *texts],
            ngram_range=self._counts.ngram_range,
            counts=self._counts.extended(texts),
        )

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._position

    def text_of(self, key: Hashable) -> str:
        return self.texts[self._position[key]]

    @cached_property
    def _columns(self):
        """The transposed matrix in row form, made once: `x @ matrix.T` made it again on every query
        (a copy of the whole corpus, most of a query's time at city scale). The same arithmetic,
        so the same scores to the last bit; it costs a second copy of the matrix in memory."""
        return self._matrix.T.tocsr()

    def score_matrix(self, texts: Sequence[str]) -> np.ndarray:
        """Cosine similarity of each query text (rows) to each text of the corpus (columns)."""
        if not self._fitted or not texts:
            return np.zeros((len(texts), len(self.keys)))
        queries = self.vectors(texts)
        return np.asarray((queries @ self._columns).todense())

    def vectors(self, texts: Sequence[str]):
        """The TF-IDF vectors of other texts in this corpus's terms (rows, as the corpus's own)."""
        return self._vectors_of(self._counts.counted(texts))

    def pair_scores(self, rows: Sequence[Hashable], columns: Sequence[Hashable]) -> np.ndarray:
        """Cosine similarity of texts of the corpus to other texts of it, by key: one sparse product
        for all pairs (rows × columns), of only these texts' vectors."""
        if not self._fitted or not rows or not columns:
            return np.zeros((len(rows), len(columns)))
        matrix = self._counts.matrix
        first = self._vectors_of(matrix[[self._position[key] for key in rows]])
        second = self._vectors_of(matrix[[self._position[key] for key in columns]])
        return np.asarray((first @ second.T).todense())

    def scores(self, text: str | None = None, *, key: Hashable | None = None) -> np.ndarray:
        """Similarity of one query to every text of the corpus: the query is a new text, or a text of
        the corpus named by its key (then its own vector is used, nothing is re-read)."""
        if key is not None:
            if not self._fitted:
                return np.zeros(len(self.keys))
            row = self._matrix[self._position[key]]
            return np.asarray((row @ self._columns).todense()).ravel()
        return self.score_matrix([text or ""])[0]

    def rank(
        self,
        text: str | None = None,
        *,
        key: Hashable | None = None,
        limit: int = 5,
        min_score: float = 0.0,
        with_terms: bool = True,
        allowed: Callable[[Sequence[Hashable]], Iterable[Hashable]] | None = None,
    ) -> list[Match]:
        """The texts most similar to the query, best first, with their shared terms.

        With `with_terms`, a text is a match only if it shares at least one key term with the query:
        single characters in common lift the score of unrelated short texts a little, and a match
        nobody can explain is not offered. `allowed` filters candidates in batches (e.g. by what a user
        may see, in one query per batch): it receives keys in ranked order and returns those that may
        be shown. The query's own key is never among the results.
        """
        query_text = self.text_of(key) if key is not None else (text or "")
        scores = self.scores(query_text if key is None else None, key=key)
        order = np.argsort(-scores, kind="stable")
        order = order[scores[order] > min_score][: max(limit * EXAMINED_PER_RESULT, 100)]
        found: list[Match] = []
        batch = max(limit * 4, 50)
        for start in range(0, len(order), batch):
            candidates = [self.keys[position] for position in order[start : start + batch]]
            candidates = [candidate for candidate in candidates if candidate != key]
            if allowed is not None:
                permitted = set(allowed(candidates))
                candidates = [candidate for candidate in candidates if candidate in permitted]
            for candidate in candidates:
                terms = self.shared_terms(query_text, self.text_of(candidate))
                if with_terms and not terms:
                    continue
                found.append(Match(candidate, round(float(scores[self._position[candidate]]), 4), terms))
                if len(found) == limit:
                    return found
        return found

    def _bigram_idfs(self, term: str) -> list[float]:
        # Bigrams the corpus never saw count as the rarest.
        return [self._idf.get(gram, self._max_idf) for gram in char_ngrams(term, (2, 2))]

    def term_weight(self, term: str) -> float:
        """How telling a term is: the summed IDF of its bigrams in this corpus, so longer and rarer
        terms weigh more."""
        return sum(self._bigram_idfs(term)) if self._fitted else 0.0

    def is_generic(self, term: str) -> bool:
        idfs = self._bigram_idfs(term) if self._fitted else []
        return not idfs or sum(idfs) / len(idfs) < self._generic_idf

    def shared_terms(self, first: str, second: str, limit: int = EXPLAINED_TERMS) -> list[str]:
        """The key terms two texts share, most telling first. Generic terms are left out, and so is a
        term overlapping a better one (sharing a bigram with it), so the phrase names different things."""
        chosen: list[str] = []
        seen: set[str] = set()
        for term in sorted(common_terms(first, second), key=lambda term: -self.term_weight(term)):
            grams = set(char_ngrams(term, (2, 2)))
            if grams & seen or self.is_generic(term):
                continue
            chosen.append(term)
            seen |= grams
            if len(chosen) == limit:
                break
        return chosen


class CorpusCache:
    """Fitted corpora per scope, each kept until its signature changes (a new signature refits).

    The signature is whatever identifies the texts a corpus was built from (e.g. count, largest id
    and total length of the rows). A corpus whose texts were only added to is extended rather than
    refitted, when the caller says how. Bounded: the least recently used scope goes first.
    """

    def __init__(self, size: int = 32):
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[Hashable, Corpus]] = OrderedDict()
        self._lock = threading.Lock()

    def signature_of(self, scope: Hashable) -> Hashable | None:
        """The signature of the scope's corpus in the cache, None when there is none."""
        with self._lock:
            entry = self._entries.get(scope)
        return entry[0] if entry is not None else None

    def get(
        self,
        scope: Hashable,
        signature: Hashable,
        build: Callable[[], Corpus],
        extend: Callable[[Hashable, Corpus], Corpus | None] | None = None,
    ) -> Corpus:
        """The scope's corpus while its signature holds; else `extend(old signature, old corpus)` when
        given and it can (texts were only added: it returns the corpus of all of them, else None), else
        `build()`."""
        with self._lock:
            entry = self._entries.get(scope)
            if entry is not None and entry[0] == signature:
                self._entries.move_to_end(scope)
                return entry[1]
        corpus = extend(*entry) if entry is not None and extend is not None else None
        if corpus is None:
            corpus = build()
        with self._lock:
            self._entries[scope] = (signature, corpus)
            self._entries.move_to_end(scope)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return corpus

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
