"""Chinese text for the search index, without a segmenter: tokens, queries and highlighting.

No Django here, so both database backends (and the tests) share one definition of a token.

- The text is normalised first: full-width forms folded (NFKC: Ｇ１０７ → G107) and case folded.
- It is cut into runs: a run of ideographs (汉字 and other scripts written without spaces) or a run
  of letters and digits (Latin words, numbers such as 12345 or G107). Everything else separates runs.
- An ideograph run becomes its overlapping bigrams followed by its last character alone
  (打击非法营运 → 打击 击非 非法 法营 营运 运); a letter/digit run is one whole word (g107).
  The last character lets a one-character query match at the end of a run (运* finds 营运) and lets
  a phrase continue into the next run (营运g107).
- A query word (the text between spaces) becomes a phrase of the same tokens, so 非法营运 →
  "非法 法营 营运" finds 打击非法营运 and 非法营运车辆 but not 非法…营运 far apart. The last run of a
  word drops its trailing character (the document's run may go on: 非法营运车辆), and a last run of
  one ideograph is a prefix (营 → 营*: every occurrence of 营 begins a bigram or ends a run).
- Words are ANDed. The backends turn a `Query` into FTS5 or tsquery syntax; the tokens hold only
  letters and digits, so no operator or quote can reach either engine from what a user typed.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from rectify.errors import InvalidInput

MAX_QUERY_LENGTH = 50
IDEOGRAPH, WORD = "ideograph", "word"


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _class_of(char: str) -> str | None:
    if not char.isalnum():
        return None
    # Lo: Han, kana, Hangul… written without spaces; Nl: 〇 among Chinese numerals.
    return IDEOGRAPH if unicodedata.category(char) in ("Lo", "Nl") else WORD


def runs(text: str) -> list[tuple[str, str]]:
    """(class, text) for each run of ideographs or of letters and digits in normalised `text`."""
    found: list[tuple[str, str]] = []
    current_class, start = None, 0
    for position, char in enumerate(text):
        char_class = _class_of(char)
        if char_class != current_class:
            if current_class is not None:
                found.append((current_class, text[start:position]))
            current_class, start = char_class, position
    if current_class is not None:
        found.append((current_class, text[start:]))
    return found


def _run_tokens(run_class: str, run: str, *, trailing: bool = True) -> list[str]:
    if run_class == WORD or len(run) == 1:
        return [run]
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    return [*bigrams, run[-1]] if trailing else bigrams


def index_tokens(text: str) -> str:
    """The token stream stored in the index: space-separated, in the order of the text."""
    return " ".join(
        token for run_class, run in runs(normalise(text)) for token in _run_tokens(run_class, run)
    )


@dataclass(frozen=True)
class Phrase:
    """One query word: its tokens in order; `prefix` when the last token is a one-character prefix."""

    tokens: tuple[str, ...]
    prefix: bool
    terms: tuple[str, ...]  # the runs to highlight in the stored text


@dataclass(frozen=True)
class Query:
    text: str
    phrases: tuple[Phrase, ...]
    whole: Phrase  # all words as one phrase: a hit with the exact phrase ranks above scattered words

    @property
    def single_character(self) -> bool:
        return any(phrase.prefix for phrase in self.phrases)

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(term for phrase in self.phrases for term in phrase.terms)


def _phrase(word: str) -> Phrase | None:
    word_runs = runs(normalise(word))
    if not word_runs:
        return None
    tokens: list[str] = []
    for position, (run_class, run) in enumerate(word_runs):
        tokens += _run_tokens(run_class, run, trailing=position < len(word_runs) - 1)
    last_class, last_run = word_runs[-1]
    prefix = last_class == IDEOGRAPH and len(last_run) == 1
    return Phrase(tokens=tuple(tokens), prefix=prefix, terms=tuple(run for _, run in word_runs))


def parse_query(text: str) -> Query:
    """The query a user typed, or InvalidInput with a Chinese message saying what to type instead."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("请输入检索词。")
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            f"检索词过长（{len(text)} 个字符），请精简到 {MAX_QUERY_LENGTH} 个字符以内，或只保留关键词。"
        )
    phrases = tuple(phrase for word in text.split() if (phrase := _phrase(word)) is not None)
    if not phrases:
        raise InvalidInput("检索词中没有可检索的文字或数字，请输入关键词，例如“非法营运”。")
    whole = _phrase("".join(text.split())) if len(phrases) > 1 else phrases[0]
    return Query(text=text, phrases=phrases, whole=whole)


# ------------------------------------------------------------------ highlighting


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """`text` normalised character by character, and for each normalised character the index of
    the original character it came from (NFKC may turn one character into several)."""
    pieces, origins = [], []
    for index, char in enumerate(text):
        folded = normalise(char)
        pieces.append(folded)
        origins.extend([index] * len(folded))
    return "".join(pieces), origins


def _spans(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Merged (start, end) spans of the original `text` where any term occurs. Letter/digit terms
    match whole words only, as the index does (12345 does not light up inside 123456)."""
    if not terms:
        return []
    normalised, origins = _normalised_with_map(text)
    found = []
    for term in set(terms):
        whole_word = _class_of(term[0]) == WORD
        for match in re.finditer(re.escape(term), normalised):
            start, end = match.span()
            if whole_word and (_is_word_at(normalised, start - 1) or _is_word_at(normalised, end)):
                continue
            found.append((origins[start], origins[end - 1] + 1))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _is_word_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and _class_of(text[index]) == WORD


def _marked(text: str, spans: list[tuple[int, int]], offset: int = 0) -> str:
    out, position = [], 0
    for start, end in spans:
        start, end = start - offset, end - offset
        if end <= 0 or start >= len(text):
            continue
        start, end = max(start, 0), min(end, len(text))
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def snippet(text: str, terms: tuple[str, ...], width: int = 120) -> str:
    """About `width` characters of `text` around its first hit (or its beginning), escaped and marked,
    with an ellipsis where text was cut."""
    text = " ".join(text.split())
    spans = _spans(text, terms)
    if len(text) <= width:
        return _marked(text, spans)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 4, len(text) - width))
    end = start + width
    inside = [(s, e) for s, e in spans if s < end and e > start]
    return (
        ("…" if start else "")
        + _marked(text[start:end], inside, offset=start)
        + ("…" if end < len(text) else "")
    )
