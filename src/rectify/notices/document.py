"""The plain-Python form of a rectification notice (整改进展情况通报).

`NoticeDocument` sits between text and the database: the parser builds it from a .txt, .html or
.docx notice, the importer writes it to the ledger, and the generator builds it from the ledger to
render the public notice. Nothing here imports Django, so parsing stays pure and fast.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

# The party organ that signs a notice ends its name: 中共广州市交通运输局党组.
PARTY_ORGAN_RE = re.compile(r"(?:党组|党委|党工委|党总支|党支部)$")


class NoticeParseError(ValueError):
    """The input is not a rectification notice we can read; the message is Chinese, for the user."""


@dataclass
class NoticeMeasure:
    """One rectification measure (整改措施), without its 一是/二是 marker."""

    text: str


@dataclass
class NoticeProblem:
    """A numbered problem (问题) with its heading and its measures in order."""

    number: int
    title: str
    measures: list[NoticeMeasure] = field(default_factory=list)
    # The problem's body as it stood in the notice (all its paragraphs, markers included).
    source_text: str = ""


@dataclass
class NoticeArea:
    """An area (方面/类别) grouping problems; `title` is "" in notices that have no areas."""

    title: str
    problems: list[NoticeProblem] = field(default_factory=list)


@dataclass
class NoticeSubsection:
    """A (一)(二)… section of a narrative part: its lead-in title and the text that follows."""

    number: int
    title: str
    text: str


@dataclass
class NoticeSection:
    """A top-level part (一、二、三、) of the notice.

    Narrative parts keep their intro paragraphs and (一)(二)… subsections. The part that lists the
    problems has `holds_problems=True`; its problems live in `NoticeDocument.areas`, not here.
    """

    number: int
    title: str
    paragraphs: list[str] = field(default_factory=list)
    subsections: list[NoticeSubsection] = field(default_factory=list)
    holds_problems: bool = False


@dataclass
class InspectionFacts:
    """What the opening paragraph says of the inspection."""

    body: str = ""  # inspecting body: 市委第七巡察组
    inspected: str = ""  # inspected organisation: 市交通运输局党组
    theme: str = ""  # 优化营商环境促进民营经济发展壮大专项巡察
    kind: str = "patrol"  # tour (巡视) / patrol (巡察) / audit (审计)
    round: str = ""  # 十二届市委第六轮, when the notice names it
    start: date | None = None  # on-site start
    end: date | None = None  # on-site end
    feedback_date: date | None = None


@dataclass
class ContactBlock:
    """Where the public sends opinions: the closing paragraph of the notice."""

    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    address: str = ""
    postcode: str = ""
    text: str = ""  # the paragraph as written


@dataclass
class DisclosureMeta:
    """Government information disclosure metadata read from a portal page (政府信息公开)."""

    index_number: str = ""  # 索引号
    category: str = ""  # 分类
    publisher: str = ""  # 发布机构
    written_date: date | None = None  # 成文日期
    published_date: date | None = None  # 发布日期
    name: str = ""  # 名称
    document_number: str = ""  # 文号
    subject_terms: str = ""  # 主题词


@dataclass
class NoticeDocument:
    title: str
    issuer: str = ""  # the signature: 中共广州市交通运输局党组
    date: date | None = None  # the date under the signature
    opening: str = ""  # the opening paragraph, as written
    inspection: InspectionFacts = field(default_factory=InspectionFacts)
    sections: list[NoticeSection] = field(default_factory=list)
    areas: list[NoticeArea] = field(default_factory=list)
    contact: ContactBlock = field(default_factory=ContactBlock)
    meta: DisclosureMeta = field(default_factory=DisclosureMeta)

    @property
    def problems(self) -> list[NoticeProblem]:
        return [problem for area in self.areas for problem in area.problems]

    @property
    def measure_count(self) -> int:
        return sum(len(problem.measures) for problem in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: dates as ISO 8601 strings."""
        return _iso_dates(asdict(self))


def _iso_dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _iso_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso_dates(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def document_from_dict(data: dict[str, Any]) -> NoticeDocument:
    """The NoticeDocument that `NoticeDocument.to_dict()` gave (dates from ISO strings), tolerant of
    keys it does not know and of keys missing (their defaults apply)."""
    return _build(NoticeDocument, data or {})


_NESTED = {
    (NoticeDocument, "inspection"): InspectionFacts,
    (NoticeDocument, "contact"): ContactBlock,
    (NoticeDocument, "meta"): DisclosureMeta,
}
_LISTS = {
    (NoticeDocument, "sections"): NoticeSection,
    (NoticeDocument, "areas"): NoticeArea,
    (NoticeArea, "problems"): NoticeProblem,
    (NoticeProblem, "measures"): NoticeMeasure,
    (NoticeSection, "subsections"): NoticeSubsection,
}
_DATES = {"date", "start", "end", "feedback_date", "written_date", "published_date"}


def _build(cls, data: dict[str, Any]):
    values = {}
    for item in fields(cls):
        if item.name not in data:
            continue
        value = data[item.name]
        if (cls, item.name) in _NESTED and isinstance(value, dict):
            value = _build(_NESTED[(cls, item.name)], value)
        elif (cls, item.name) in _LISTS and isinstance(value, list):
            value = [
                _build(_LISTS[(cls, item.name)], entry) if isinstance(entry, dict) else entry
                for entry in value
            ]
        elif item.name in _DATES and isinstance(value, str):
            value = date.fromisoformat(value) if value else None
        values[item.name] = value
    return cls(**values)
