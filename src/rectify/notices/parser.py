"""Read a rectification notice (巡视/巡察/审计整改进展情况的通报) into a `NoticeDocument`.

Notices follow a house style that every organisation bends a little: a title, an opening paragraph
that names the inspection, numbered parts (一、二、三、), one of which lists the problems (usually in
areas (一)(二)… holding numbered problems 1. 2. …, each with its measures), a closing paragraph with
contact details and a signature with a date. Nobody publishes a schema, so this parser reads
*structure* rather than exact wording:

* every paragraph is classified by its number marker (一、 / (一) / 1. / (1) / ①), half- or full-width;
* the paragraphs are arranged in a tree by marker level;
* the part that holds problems is the one whose tree reads like problems (short headings with a body,
  problem-like wording, a title about 问题/反馈意见), and within it a heading whose children are
  problems is an area, a heading whose children are prose is a problem;
* a part that tells how the work was led (组织领导, 提高政治站位, 整改落实总体情况…) is narrative even
  when its (一)(二)… read like headings; parts named "XX问题的整改情况" (audit reports) are areas;
* areas nest one level: sub-items (1)(2) under a problem stay inside it (their measures are its own);
* measures are the problem's paragraphs, split on 一是/二是…, 第一，/第二，… or 1./(1)/① lists when
  those markers stand at a sentence boundary; a paragraph that opens with a later ordinal (三是…)
  continues the list and loses its ordinal too.

Text is kept as written: nothing is rewritten to half- or full-width, only markers and labels that
the data model holds separately are removed. Facts the notice does not state stay empty.

Pure Python, no Django: the importer, the CLI and the tests call it alike.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from itertools import pairwise
from pathlib import Path

from .document import (
    ContactBlock,
    DisclosureMeta,
    InspectionFacts,
    NoticeArea,
    NoticeDocument,
    NoticeMeasure,
    NoticeParseError,
    NoticeProblem,
    NoticeSection,
    NoticeSubsection,
)
from .readers import extract_paragraphs, text_paragraphs

__all__ = ["parse", "parse_bytes", "parse_file"]

Span = tuple[int, int]

EMPTY_MESSAGE = "文件为空：没有可读取的内容。"
NO_PROBLEMS_MESSAGE = "未识别到整改问题：该文件不是巡察整改通报，或格式无法识别。"


def parse(text: str) -> NoticeDocument:
    """Parse a notice given as text (plain text, or HTML markup pasted as text).

    Raises NoticeParseError, with a Chinese message for the user, when the text is empty or no
    rectification problems can be found: a half-read notice would import a wrong ledger.
    """
    if not text or not text.strip():
        raise NoticeParseError(EMPTY_MESSAGE)
    return _parse_paragraphs(text_paragraphs(text))


def parse_bytes(data: bytes, filename: str | None = None) -> NoticeDocument:
    """Parse an uploaded notice: .docx, HTML or text (UTF-8 or GB18030/GBK), detected by content.

    `filename` is only a hint (a .html name makes loose markup count as HTML). Raises
    NoticeParseError for unreadable files and for files that are not rectification notices.
    """
    return _parse_paragraphs(extract_paragraphs(data, filename))


def parse_file(path: str | os.PathLike[str]) -> NoticeDocument:
    """Parse a notice file from disk. OSError (missing file, no permission) propagates unchanged."""
    source = Path(path)
    return parse_bytes(source.read_bytes(), filename=source.name)


# ------------------------------------------------------------------------------------------ numbers

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_CN_ORDINAL_DIGITS = "零一二三四五六七八九"


def _cn_int(token: str) -> int | None:
    """一 → 1, 十二 → 12, 二十八 → 28, 二〇二五 → 2025 (digit by digit, as years are written)."""
    if not token:
        return None
    if token.isascii() and token.isdigit():
        return int(token)
    if all(char in _CN_DIGITS for char in token):
        value = 0
        for char in token:
            value = value * 10 + _CN_DIGITS[char]
        return value
    total = current = 0
    for char in token:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _cn_ordinal(number: int) -> str | None:
    """The Chinese numeral written before 是 in 一是/十一是/二十是; None past 99."""
    if number < 1 or number > 99:
        return None
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _CN_ORDINAL_DIGITS[ones]
    prefix = "十" if tens == 1 else _CN_ORDINAL_DIGITS[tens] + "十"
    return prefix + (_CN_ORDINAL_DIGITS[ones] if ones else "")


# ------------------------------------------------------------------------------------------- dates

_Y = r"[0-9]{4}|[〇○零一二三四五六七八九]{4}"
_M = r"[0-9]{1,2}|十[一二]?|[一二三四五六七八九]"
_D = r"[0-9]{1,2}|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九]"


def _date_token(prefix: str) -> str:
    return rf"(?:(?P<{prefix}y>{_Y})\s*年\s*)?(?:(?P<{prefix}m>{_M})\s*月\s*)?(?P<{prefix}d>{_D})\s*日"


_DATE_TOKEN_RE = re.compile(_date_token(""))
_DATE_RANGE_RE = re.compile(_date_token("a") + r"\s*(?:起\s*)?(?:至|到|—+|－|-|–|~|～)\s*" + _date_token("b"))
_FULL_DATE = rf"(?P<y>{_Y})\s*年\s*(?P<m>{_M})\s*月\s*(?P<d>{_D})\s*日"
_YEAR_RE = re.compile(rf"({_Y})\s*年")
_LOOSE_DATE_RE = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})")


def _make_date(year: int | None, month: int | None, day: int | None) -> date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:  # 2月30日 and the like: a typo is not a date
        return None


def _loose_date(text: str) -> date | None:
    """2025-03-20, 2025/3/20, 2025.03.20 or 2025年3月20日, as portals print them."""
    match = _LOOSE_DATE_RE.search(text.translate(_FULLWIDTH_DIGITS))
    if not match:
        return None
    return _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def _last_year_before(text: str, position: int) -> int | None:
    """The last year written before `position`: the year a 9月28日 without one carries over from."""
    years = [_cn_int(match.group(1)) for match in _YEAR_RE.finditer(text, 0, position)]
    return years[-1] if years else None


# ------------------------------------------------------------------------------------- paragraphs

_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"([一二三四五六七八九十]{1,3})\s*[、.．]\s*")),
    (2, re.compile(r"[(（]\s*([一二三四五六七八九十]{1,3})\s*[)）]\s*[、.．]?\s*")),
    (3, re.compile(r"([0-9]{1,4})\s*[.．、](?![0-9])\s*")),
    (4, re.compile(r"[(（]\s*([0-9]{1,4})\s*[)）]\s*[、.．]?\s*")),
    (5, re.compile(r"([\u2460-\u2473])\s*")),
)
_FAMILY = {3: "dot", 4: "paren", 5: "circled"}

_BOUNDARY = "。；;！!？?：:"
_SENTENCE_RE = re.compile(r"[。！？!?]")

_CHROME_RE = re.compile(
    r"^(?:【[^】]{0,12}】\s*)+|浏览次数|访问次数|阅读次数|点击数|浏览量|ICP备|公网安备|网站标识码|版权所有"
    r"|主办单位|承办单位|技术支持|扫一扫|分享到|打印本页|关闭窗口|返回顶部|上一篇|下一篇|网站地图|无障碍"
    r"|长者助手|^当前位置|^您的位置|^首页\s*[>＞»›]"
)

_META_FIELDS = {
    "索引号": "index_number",
    "信息索引号": "index_number",
    "主题分类": "category",
    "信息分类": "category",
    "分类": "category",
    "发布机构": "publisher",
    "发文机关": "publisher",
    "发文机构": "publisher",
    "发布单位": "publisher",
    "公开机构": "publisher",
    "成文日期": "written_date",
    "生成日期": "written_date",
    "发文日期": "written_date",
    "名称": "name",
    "信息名称": "name",
    "标题": "name",
    "发文字号": "document_number",
    "文号": "document_number",
    "发布日期": "published_date",
    "发布时间": "published_date",
    "公开日期": "published_date",
    "公开时间": "published_date",
    "主题词": "subject_terms",
    "关键词": "subject_terms",
}
# Labels we do not keep but must recognise, so that they end the value before them.
_META_OTHER = (
    "浏览次数",
    "信息来源",
    "来源",
    "有效性",
    "公开方式",
    "公开形式",
    "公开范围",
    "公开时限",
    "公开责任部门",
    "体裁分类",
    "组配分类",
    "服务对象分类",
    "生效日期",
    "废止日期",
    "字号",
)
# Portals write labels letter-spaced (名　　称) and in table cells ("信息索引号 | …"): the label
# allows spaces between its characters, and table rules count as spaces.
_META_TABLE_RULE_RE = re.compile(r"\s*[|｜│┃]\s*")
_META_LABEL_RE = re.compile(
    r"(?:(?<=\s)|^)("
    + "|".join(
        r"[ \t\u3000]*".join(map(re.escape, label))
        for label in sorted((*_META_FIELDS, *_META_OTHER), key=len, reverse=True)
    )
    + r")(?:\s*[:：]\s*|\s+|$)"
)
_SPACES_RE = re.compile(r"[ \t\u3000]+")


def _meta_text(text: str) -> str:
    return _META_TABLE_RULE_RE.sub(" ", text).strip()


_TITLE_RE = re.compile(r"(?:整改|巡视|巡察|审计).{0,60}(?:通报|公告|公示|报告)$")
_ORG_LINE_RE = re.compile(
    r"^\S{2,40}(?:党组|党委|委员会|党工委|工委|局|厅|委|办公室|政府|公司|集团|大学|学院|医院|中心)$"
)


def _marker(text: str) -> tuple[int, int, str] | None:
    """(level, number, rest) of a numbered paragraph; None for an unnumbered one."""
    normal = text.translate(_FULLWIDTH_DIGITS)
    for level, pattern in _MARKERS:
        match = pattern.match(normal)
        if not match:
            continue
        token = match.group(1)
        number = ord(token) - 0x245F if level == 5 else _cn_int(token)
        if number is None or number < 1:
            continue
        return level, number, text[match.end() :].strip()
    return None


def _is_chrome(text: str) -> bool:
    """A line of the web page around the notice (counters, share links, footers). Portals never
    number those, so a numbered line (“1.无障碍设施建设滞后”) is always the notice's own."""
    return len(text) <= 120 and "。" not in text and bool(_CHROME_RE.search(text)) and _marker(text) is None


def _is_meta_line(text: str) -> bool:
    return bool(_META_LABEL_RE.match(_meta_text(text)))


def _read_meta(text: str, meta: DisclosureMeta) -> bool:
    """Fill `meta` from a portal line such as "索引号: … 分类: …"; the first value seen wins."""
    text = _meta_text(text)
    labels = list(_META_LABEL_RE.finditer(text))
    if not labels or labels[0].start() != 0:
        return False
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        value = text[label.end() : end].strip()
        name = _META_FIELDS.get(_SPACES_RE.sub("", label.group(1)))
        if name is None:
            continue
        if name in ("written_date", "published_date"):
            if getattr(meta, name) is None:
                setattr(meta, name, _loose_date(value))
        elif not getattr(meta, name):
            setattr(meta, name, value)
    return True


# ------------------------------------------------------------------------------------------- tree


@dataclass(eq=False)
class _Node:
    """A numbered paragraph with the unnumbered paragraphs and deeper numbered ones that follow it."""

    level: int  # 0 root, 1 一、, 2 (一), 3 1., 4 (1), 5 ①; one below its problem for a measure list
    number: int | None
    text: str  # the paragraph as written
    rest: str  # the paragraph without its marker
    kind: str = "prose"  # heading (a short line), inline (heading sentence + body), prose
    title: str = ""
    inline_body: str = ""
    body: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)
    closing_at: int | None = None  # index in body where the notice's closing words begin
    marker_level: int | None = None  # the marker's own level, for a measure nested below its problem

    @property
    def family(self) -> str | None:
        return _FAMILY.get(self.marker_level or self.level)

    @property
    def has_content(self) -> bool:
        return bool(self.inline_body or self.body or self.children)

    def own_body(self) -> list[str]:
        return self.body if self.closing_at is None else self.body[: self.closing_at]


# Labels that introduce the measures ("整改情况：一是…"); the label is dropped from the measure.
_LABEL_WORDS = (
    r"(?:(?:具体)?整改(?:落实|推进)?(?:情况|措施|举措|进展(?:情况)?|成效|结果|完成情况)?"
    r"|主要(?:整改)?(?:措施|做法)|采取(?:的)?措施|落实情况|完成情况|进展情况|工作措施)"
)
_LABEL_RE = re.compile(rf"^{_LABEL_WORDS}\s*[:：]\s*")
_LABEL_ONLY_RE = re.compile(rf"{_LABEL_WORDS}\s*[:：]?")
_LABEL_INSIDE_RE = re.compile(rf"(?<=[。；;！!？?\s]){_LABEL_WORDS}\s*[:：]")
_DESCRIPTION_RE = re.compile(
    r"^(?:问题(?:表现|描述|内容|情况)?|存在(?:的)?问题|反馈(?:的)?问题|主要问题|具体问题|(?:巡视|巡察)(?:反馈)?问题)"
    r"\s*[:：]"
)
_PROBLEM_LIKE_RE = re.compile(
    r"^关于|问题|整改$|方面$|不够|不到位|不足|不严|不力|不规范|不及时|不高|不强|不深|不实|不全|不完善|不健全"
    r"|不明显|不充分|不精准|不平衡|滞后|薄弱|欠缺|缺乏|缺失|短板|差距|偏差|偏弱|较弱|较低|有待|未能|未按|没有"
    r"|弱化|虚化|淡化|落实不|执行不"
)
_AREA_TITLE_RE = re.compile(r"方面$")
_AREA_PART_RE = re.compile(r"^关于.{0,40}方面|方面(?:的|存在的)?问题(?:整改(?:落实|进展)?情况)?$|方面$")
_PROBLEM_PART_RE = re.compile(
    r"问题|反馈意见|整改(?:落实|进展|完成)?情况|真改实改|立行立改|整改事项|逐条|逐项"
)
_NARRATIVE_RE = re.compile(
    r"下一步|下步|今后|打算|长效|常态|工作安排|政治站位|政治责任|主体责任|组织领导|思想认识|提高认识|总体情况"
    r"|基本情况|总体进展|整改工作(?:开展|推进)?情况|加强领导|强化领导|高位推动|压实(?:整改)?责任"
)
_CLOSING_RE = re.compile(r"^(?:下一步|下步|今后|接下来|下阶段|下一阶段)")


# A title that names the problems it lists, even when it also speaks of leadership or duty.
_LISTS_PROBLEMS_RE = re.compile(
    r"反馈|查出|指出|发现的|方面|问题(?:的)?(?:整改)?(?:落实|进展|完成)?(?:情况)?$|问题(?:的)?整改"
)


def _is_narrative_title(title: str) -> bool:
    """A part that tells how the work was led (组织领导, 提高政治站位, 整改落实总体情况…), not what was
    found. "坚持问题导向，强化组织领导" is narrative; "落实主体责任不到位的问题" lists a problem."""
    return bool(_NARRATIVE_RE.search(title)) and not _LISTS_PROBLEMS_RE.search(title)


def _starts_with_list(text: str) -> bool:
    normal = text.translate(_FULLWIDTH_DIGITS)
    return normal.startswith(("一是", "①")) or bool(
        re.match(r"(?:1\s*[.．、](?![0-9])|[(（]\s*1\s*[)）])", normal)
    )


def _classify(node: _Node) -> None:
    """Decide whether a numbered paragraph is a heading line, a heading sentence with body, or prose."""
    text = node.rest
    core = text.rstrip("。.：:；; ")
    if (
        core
        and len(core) <= 100
        and not re.search(r"[。！？!?；;]", core)
        and not text.endswith(("，", ",", "、"))
    ):
        node.kind, node.title = "heading", core
        return
    match = _SENTENCE_RE.search(text)
    if match:
        head, remainder = text[: match.start()].strip(), text[match.end() :].strip()
        if (
            head
            and remainder
            and len(head) <= 60
            and (_LABEL_RE.match(remainder) or _starts_with_list(remainder) or _PROBLEM_LIKE_RE.search(head))
        ):
            node.kind, node.title, node.inline_body = "inline", head, remainder
            return
    node.kind = "prose"


@dataclass(eq=False)
class _MeasureList:
    """Measures each in a paragraph of its own, numbered like the headings above them (（一）（二）… or
    1. 2. under a problem "1.…的问题"): the list hangs below its problem, and goes on while the numbers
    follow one another and each paragraph is a sentence."""

    problem: _Node
    marker_level: int
    next_number: int


def _is_sentence(text: str) -> bool:
    return text.rstrip().endswith(("。", "；", ";", "！", "？"))


def _starts_measure_list(problem: _Node, node: _Node) -> bool:
    """Whether `node`, numbered 1 at the level of `problem` or above it, is the first measure of a list
    under that problem rather than a heading of its own: the problem is a heading naming a fault, and
    the paragraph is a sentence that does not name a problem itself."""
    return (
        node.number == 1
        and 0 < node.level <= problem.level
        and problem.kind == "heading"
        and not problem.children
        and bool(_PROBLEM_LIKE_RE.search(problem.title))
        and _is_sentence(node.text)
        and not (node.kind == "heading" and _PROBLEM_TITLE_RE.search(node.title))
    )


def _build_tree(paragraphs: list[str]) -> _Node:
    root = _Node(level=0, number=None, text="", rest="")
    stack = [root]
    measures: _MeasureList | None = None
    for text in paragraphs:
        found = _marker(text)
        if found is None:
            stack[-1].body.append(text)
            continue
        level, number, rest = found
        node = _Node(level=level, number=number, text=text, rest=rest)
        _classify(node)
        follows = (
            measures is not None
            and level == measures.marker_level
            and number == measures.next_number
            and _is_sentence(text)
        )
        if not follows:
            measures = None
            if _starts_measure_list(stack[-1], node):
                measures = _MeasureList(stack[-1], level, 1)
        if measures is not None:
            while stack[-1] is not measures.problem:
                stack.pop()
            node.marker_level, node.level = level, measures.problem.level + 1
            measures.next_number += 1
        while stack[-1].level >= node.level:
            stack.pop()
        stack[-1].children.append(node)
        stack.append(node)
    return root


def _descendants(node: _Node) -> list[_Node]:
    out: list[_Node] = []
    stack = list(reversed(node.children))
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(current.children))
    return out


def _lead_in(text: str) -> tuple[str, str]:
    """Split "深化思想认识,切实增强政治自觉。召开…" into its lead-in sentence and the rest."""
    match = _SENTENCE_RE.search(text)
    if match:
        return text[: match.start()].strip(), text[match.end() :].strip()
    return text.strip().rstrip("：:；;，,").strip(), ""


def _mark_closing(container: _Node) -> list[str]:
    """Find the notice's closing words (下一步…) that ended up in the last problem's body.

    In a notice without a separate closing part, the paragraph after the last problem is read as
    that problem's body; it is not a measure. Returns those paragraphs and marks them on the node.
    """
    nodes = _descendants(container)
    if not nodes:
        return []
    last = nodes[-1]
    for index, text in enumerate(last.body):
        if _CLOSING_RE.match(text):
            last.closing_at = index
            return last.body[index:]
    return []


# ------------------------------------------------------------------------------- problems and areas


@dataclass(eq=False)
class _Found:
    """A problem found in the tree, with the area it belongs to (None when it stands alone)."""

    node: _Node
    title: str
    inline_body: str
    area: _Node | None = None


def _problem_items(node: _Node, *, top: bool) -> list[_Found] | None:
    """Read `node`'s numbered children as problems (or areas of problems); None if they are not.

    Children are problems when at least half of them are headings with something under them, or
    when `node` is titled like an area (…方面). Otherwise they are measures or narrative prose.
    """
    kids = node.children
    if not kids:
        return None
    capable = sum(1 for kid in kids if kid.kind != "prose" and kid.has_content)
    forced = (
        not top and node.kind != "prose" and (_AREA_TITLE_RE.search(node.title) or _is_area_part(node.title))
    )
    if not forced and (capable == 0 or 2 * capable < len(kids)):
        return None
    found: list[_Found] = []
    for kid in kids:
        below = _problem_items(kid, top=False) if _may_hold_problems(kid, top) else None
        if below is not None:
            for item in below:
                if item.area is None:
                    item.area = kid
            found.extend(below)
        elif kid.kind != "prose":
            if not kid.has_content and _AREA_TITLE_RE.search(kid.title):
                continue  # an area heading with nothing under it
            found.append(_Found(kid, kid.title, kid.inline_body))
        else:
            title, rest = _lead_in(kid.rest)
            found.append(_Found(kid, title, rest))
    return found


_PROBLEM_TITLE_RE = re.compile(r"问题$")


def _may_hold_problems(node: _Node, top: bool) -> bool:
    """Whether the numbered children of `node` may be problems (making `node` an area).

    Areas nest one level only: under an area, a problem's numbered children — sub-items (1)(2) that
    tell how the problem shows — stay inside it, and so do those of a problem numbered 1. 2. whose
    heading names it as a problem ("…不到位的问题"), since areas are headed in Chinese numerals.
    """
    if node.kind == "prose" or not top:
        return False
    return not (
        node.level >= 3 and _PROBLEM_TITLE_RE.search(node.title) and not _AREA_PART_RE.search(node.title)
    )


def _part_score(part: _Node, found: list[_Found]) -> int:
    score = sum(3 if _PROBLEM_LIKE_RE.search(item.title) else 1 for item in found)
    if _PROBLEM_PART_RE.search(part.title):
        score += 6
    if _is_narrative_title(part.title):
        score -= 6
    return score


def _areas(found: list[_Found], default_title: str) -> list[NoticeArea]:
    areas: list[NoticeArea] = []
    current: _Node | None = None
    for item in found:
        if not areas or item.area is not current:
            current = item.area
            areas.append(NoticeArea(title=current.title if current is not None else default_title))
        areas[-1].problems.append(_problem(item))
    return areas


def _problem(item: _Found) -> NoticeProblem:
    """A problem with its measures; `number` is set later, once all problems are known."""
    node = item.node
    source: list[str] = []
    measures: list[NoticeMeasure] = []

    def add(text: str, family: str | None, number: int | None) -> None:
        measures.extend(NoticeMeasure(text=part) for part in _measures_of(text, family, number))

    if item.inline_body:
        source.append(item.inline_body)
        add(item.inline_body, None, None)
    for text in node.own_body():
        source.append(text)
        add(text, None, None)
    children = _descendants(node)
    # Once one sub-item is seen to describe the problem, the headings numbered alike do too, even
    # when the 整改情况 comes only after the last of them: "（1）…不经常。（2）…不深入。整改情况：…".
    describing = {child.level for child in children if _describes(child)}
    for child in children:
        source.append(child.text)
        if _describes(child) or (child.kind == "heading" and child.level in describing):
            # A sub-item that tells how the problem shows: its words are not a measure, what
            # follows them is ("（2）培训覆盖面不广。整改情况：组织…").
            if child.inline_body:
                add(child.inline_body, None, None)
        else:
            add(child.rest, child.family, child.number)
        for text in child.own_body():
            source.append(text)
            add(text, None, None)
    return NoticeProblem(
        number=node.number or 0, title=item.title, measures=measures, source_text="\n".join(source)
    )


def _describes(child: _Node) -> bool:
    """Whether a numbered paragraph under a problem describes a part of it rather than a measure:
    a heading sentence followed by its 整改情况, or a problem-like heading with measures under it."""
    if child.kind == "inline":
        return bool(_LABEL_RE.match(child.inline_body))
    return child.kind == "heading" and bool(child.body or child.children) and _is_fault(child.title)


def _is_fault(title: str) -> bool:
    return bool(_PROBLEM_LIKE_RE.search(title)) and not title.startswith("关于")


# ------------------------------------------------------------------------------------------- measures


def _at_boundary(text: str, index: int) -> bool:
    """Whether a list marker at `index` starts a sentence or clause (so 统一是 never splits)."""
    before = index - 1
    while before >= 0 and text[before].isspace():
        before -= 1
    return before < 0 or text[before] in _BOUNDARY


def _find_ordinal(text: str, number: int, start: int) -> Span | None:
    """The next 一是/二是… ordinal numbered `number`, at a clause boundary."""
    word = _cn_ordinal(number)
    if word is None:
        return None
    marker = word + "是"
    index = text.find(marker, start)
    while index != -1:
        if _at_boundary(text, index):
            return index, index + len(marker)
        index = text.find(marker, index + 1)
    return None


def _find_sequence(text: str, number: int, start: int) -> Span | None:
    """The next 第一，/第二、… ordinal numbered `number`, at a clause boundary. The punctuation after it
    is required, so that 第一时间 and 第一责任人 never split."""
    word = _cn_ordinal(number)
    if word is None:
        return None
    pattern = re.compile(rf"第{word}\s*[，,、：:]\s*")
    for match in pattern.finditer(text, start):
        if _at_boundary(text, match.start()):
            return match.start(), match.end()
    return None


# A paragraph that continues a list begun in an earlier paragraph: "三是…", "第三，…", "十一是…".
_LEADING_ORDINAL_RE = re.compile(r"\s*([一二三四五六七八九十]{1,3})是")
_LEADING_SEQUENCE_RE = re.compile(r"\s*第([一二三四五六七八九十]{1,3})\s*[，,、：:]\s*")


def _numbered_pattern(family: str, number: int) -> re.Pattern[str] | None:
    if family == "dot":
        return re.compile(rf"(?<![0-9.．]){number}\s*[.．、](?![0-9])")
    if family == "paren":
        return re.compile(rf"[(（]\s*{number}\s*[)）]")
    if family == "cn-paren":
        word = _cn_ordinal(number)
        return re.compile(rf"[(（]\s*{word}\s*[)）]\s*[、.．]?") if word else None
    if 1 <= number <= 20:
        return re.compile(chr(0x245F + number))
    return None


def _find_numbered(normal: str, family: str, number: int, start: int) -> Span | None:
    pattern = _numbered_pattern(family, number)
    if pattern is None:
        return None
    for match in pattern.finditer(normal, start):
        if _at_boundary(normal, match.start()):
            return match.start(), match.end()
    return None


def _cut(
    text: str, first: tuple[int, int], number: int, find: Callable[[int, int], Span | None]
) -> list[str]:
    """Cut `text` from the marker `first` (numbered `number`) at each next expected marker."""
    chunks: list[str] = []
    position = first[1]
    while True:
        following = find(number + 1, position)
        if following is None:
            chunks.append(text[position:])
            return chunks
        chunks.append(text[position : following[0]])
        number, position = number + 1, following[1]


def _with_preamble(text: str, first: Span, chunks: list[str]) -> list[str]:
    """Keep text before the first marker as a measure, unless it only introduces the list (ends with ：)."""
    preamble = text[: first[0]].strip()
    if preamble and not preamble.endswith(("：", ":")):
        return [preamble, *chunks]
    return chunks


def _split_ordinals(text: str) -> list[str] | None:
    """Split on 一是/二是/…/十一是 (or 第一，/第二，…), each only where the next expected ordinal starts a
    clause. A paragraph that opens with a later ordinal (三是…, when each measure stands in its own
    paragraph) loses it as the first one does, and the list continues from its number."""
    for find in (_find_ordinal, _find_sequence):
        first = find(text, 1, 0)
        if first is not None:
            return _with_preamble(text, first, _cut(text, first, 1, partial(find, text)))
    for pattern, find in ((_LEADING_ORDINAL_RE, _find_ordinal), (_LEADING_SEQUENCE_RE, _find_sequence)):
        match = pattern.match(text)
        number = _cn_int(match.group(1)) if match else None
        if match and number is not None and _cn_ordinal(number) == match.group(1):
            return _cut(text, match.span(), number, partial(find, text))
    return None


def _split_numbered(text: str, family: str | None, start_number: int) -> list[str] | None:
    """Split "1.xxx；2.xxx" / "(1)…(2)…" / "①…②…" lists written inside one paragraph.

    With a family (the paragraph itself was numbered `start_number - 1`), the paragraph's own text is
    the first measure and the list continues from `start_number`.
    """
    normal = text.translate(_FULLWIDTH_DIGITS)
    if family is not None:
        chosen = family
        following = _find_numbered(normal, chosen, start_number, 0)
        if following is None:
            return None
        find = partial(_find_numbered, normal, chosen)
        return [text[: following[0]], *_cut(text, following, start_number, find)]
    candidates = [
        (span, name)
        for name in ("dot", "paren", "circled", "cn-paren")
        if (span := _find_numbered(normal, name, 1, 0))
    ]
    if not candidates:
        return None
    first, chosen = min(candidates)
    return _with_preamble(
        text, first, _cut(text, first, 1, lambda n, s: _find_numbered(normal, chosen, n, s))
    )


def _trim_measure(text: str) -> str:
    return text.strip().lstrip("，,、：:；;").rstrip("；;，,、").strip()


def _measures_of(text: str, family: str | None, number: int | None) -> list[str]:
    """The measures in one paragraph of a problem's body (marker and 整改情况： label removed)."""
    if family is None and _DESCRIPTION_RE.match(text):
        # The problem's description is not a measure; measures may follow it in the same paragraph.
        label = _LABEL_INSIDE_RE.search(text)
        if label is None:
            return []
        text = text[label.start() :]
    if _LABEL_ONLY_RE.fullmatch(text.strip()):
        return []
    text = _LABEL_RE.sub("", text.strip(), count=1)
    chunks = _split_ordinals(text)
    if chunks is None:
        chunks = (
            _split_numbered(text, family, (number or 0) + 1) if family else _split_numbered(text, None, 1)
        )
    if chunks is None:
        chunks = [text]
    return [trimmed for trimmed in (_trim_measure(chunk) for chunk in chunks) if trimmed]


# -------------------------------------------------------------------------------------- structure


def _narrative_section(part: _Node) -> NoticeSection:
    """A part that tells rather than lists: intro paragraphs and (一)(二)… lead-in subsections."""
    section = NoticeSection(number=part.number or 0, title=part.title, paragraphs=list(part.body))
    for index, kid in enumerate(part.children, start=1):
        if kid.kind == "heading":
            title, first = kid.title, ""
        else:
            title, first = _lead_in(kid.rest)
        texts = [first, *kid.body]
        for child in _descendants(kid):
            texts.extend([child.text, *child.body])
        section.subsections.append(
            NoticeSubsection(number=kid.number or index, title=title, text="\n".join(t for t in texts if t))
        )
    return section


def _structure(root: _Node) -> tuple[list[NoticeSection], list[NoticeArea]]:
    """Sections and areas of the body; areas is empty when no problems could be found."""
    parts = [kid for kid in root.children if kid.level == 1]
    for kid in parts:
        kid.title = kid.rest.rstrip("。.：:；; ")

    # Usual case: one part (sometimes several, one per area) lists the problems.
    found_in: dict[_Node, tuple[list[_Found], list[str]]] = {}
    for part in parts:
        if _is_narrative_title(part.title):
            continue  # how the work was led: its (一)(二)… headings are not problems
        closing = _mark_closing(part)
        found = _problem_items(part, top=True)
        if found:
            found_in[part] = (found, closing)
        else:
            _clear_closing(part)
    scores = {part: _part_score(part, found) for part, (found, _) in found_in.items()}
    chosen: set[_Node] = set()
    if scores:
        best = max(scores, key=lambda part: scores[part])
        if scores[best] > 0:
            chosen = {best}
            chosen.update(part for part, score in scores.items() if score > 0 and _is_area_part(part.title))
    if chosen:
        sections: list[NoticeSection] = []
        areas: list[NoticeArea] = []
        for part in parts:
            if part not in chosen:
                _clear_closing(part)
                sections.append(_narrative_section(part))
                continue
            found, closing = found_in[part]
            sections.append(
                NoticeSection(
                    number=part.number or 0,
                    title=part.title,
                    paragraphs=[*part.body, *closing],
                    holds_problems=True,
                )
            )
            areas.extend(_areas(found, part.title if len(chosen) > 1 else ""))
        return sections, areas

    # No part lists problems: the problems stand at the top level (一、关于…的问题 or 1. 2. …),
    # possibly between narrative parts.
    narrative = [kid for kid in parts if _is_narrative_title(kid.title)]
    container = _Node(level=0, number=None, text="", rest="")
    container.children = [kid for kid in root.children if kid not in narrative]
    _mark_closing(container)
    found = _problem_items(container, top=True) or []
    return [_narrative_section(part) for part in narrative], _areas(found, "")


# An audit rectification report's parts: "一、预算管理方面问题的整改情况", "二、工程建设项目管理问题的整改
# 情况" — a topic, then its problems. "巡察反馈问题整改落实情况" names no topic: it is the one list.
_TOPIC_PART_RE = re.compile(r"问题(?:的)?整改(?:落实|进展|完成)?情况$")
_ALL_PROBLEMS_RE = re.compile(
    r"(?:反馈|查出|发现|指出|交办|移交|审计)(?:的)?问题|^(?:关于)?(?:问题)?(?:的)?整改"
)


def _is_area_part(title: str) -> bool:
    if _AREA_PART_RE.search(title):
        return True
    return bool(_TOPIC_PART_RE.search(title)) and not _ALL_PROBLEMS_RE.search(title)


def _clear_closing(part: _Node) -> None:
    for node in _descendants(part):
        node.closing_at = None


def _number_problems(areas: list[NoticeArea]) -> None:
    """Keep the notice's own numbers when they run in order; renumber 1..N when they restart."""
    problems = [problem for area in areas for problem in area.problems]
    numbers = [problem.number for problem in problems]
    in_order = all(number >= 1 for number in numbers) and all(a < b for a, b in pairwise(numbers))
    if not in_order:
        for index, problem in enumerate(problems, start=1):
            problem.number = index


# ------------------------------------------------------------------------------ opening and facts

_INSPECTION_RE = re.compile(
    r"(?P<body>[^，,。；;：:、\n]{2,50}?)(?:于[^，,。；;\n]{0,40}?)?对(?P<inspected>[^，,。；;\n]{2,60}?)"
    r"(?:进行了|开展了|实施了|进行|开展|实施)(?P<theme>[^，,。；;\n]{0,60}?(?:巡视|巡察|审计)(?:监督)?)"
)
_ROUND_RE = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}届)?(?:中央|省委|市委|区委|县委|州委|盟委|旗委|党委|党组)?第[一二三四五六七八九十0-9]{1,3}轮"
)
_KIND_RE = re.compile(r"巡视|巡察|审计")
_KINDS = {"巡视": "tour", "巡察": "patrol", "审计": "audit"}
_BARE_THEMES = {"巡视", "巡察", "审计", "巡视监督", "巡察监督", "审计监督"}
_DATE_SPAN_RE = re.compile(rf"(?:{_DATE_RANGE_RE.pattern}|{_date_token('s')})")


def _kind(*texts: str) -> str:
    for text in texts:
        match = _KIND_RE.search(re.sub(r"《[^》]*》", "", text))
        if match:
            return _KINDS[match.group()]
    return ""


def _token_date(match: re.Match[str], prefix: str, text: str) -> date | None:
    """The date of a matched token; a token without a year takes the last year written before it."""
    year_token, month_token = match.group(f"{prefix}y"), match.group(f"{prefix}m")
    year = _cn_int(year_token) if year_token else _last_year_before(text, match.start())
    month = _cn_int(month_token) if month_token else None
    return _make_date(year, month, _cn_int(match.group(f"{prefix}d")))


def _inspection_facts(opening: str, title: str) -> InspectionFacts:
    """What the opening states of the inspection; anything it does not state stays empty."""
    facts = InspectionFacts(kind="")
    text = opening.translate(_FULLWIDTH_DIGITS)
    match = _INSPECTION_RE.search(text)
    if match:
        body = _DATE_SPAN_RE.sub("", opening[match.start("body") : match.end("body")])
        facts.body = re.sub(r"^(?:至|到|起|期间|根据|按照)+|(?:于|在|自|从)+$", "", body.strip()).strip()
        facts.inspected = opening[match.start("inspected") : match.end("inspected")].strip()
        theme = re.sub(
            r"^(?:了|为期[^的]{0,12}的)", "", opening[match.start("theme") : match.end("theme")].strip()
        )
        facts.theme = "" if theme in _BARE_THEMES else theme
    round_match = _ROUND_RE.search(opening) or _ROUND_RE.search(title)
    if round_match:
        facts.round = round_match.group()
    facts.kind = _kind(facts.theme, title, opening)

    # Dates: the on-site range from the sentence naming the inspection (else any sentence not about
    # feedback), the feedback date from a sentence about 反馈. Positions stay global so that a date
    # without a year can take the last year written before it.
    sentences = [found.span() for found in re.finditer(r"[^。；;]+", text)]
    at = match.start() if match else -1

    def order(span: Span) -> tuple[bool, bool]:
        return not (span[0] <= at < span[1]), "反馈" in text[span[0] : span[1]]

    range_span: Span | None = None
    for begin, end in sorted(sentences, key=order):
        found = _DATE_RANGE_RE.search(text, begin, end)
        if found and found.group("am"):
            facts.start = _token_date(found, "a", text)
            start_year = facts.start.year if facts.start else _last_year_before(text, found.start())
            end_year = _cn_int(found.group("by")) if found.group("by") else start_year
            end_month = _cn_int(found.group("bm") or found.group("am"))
            facts.end = _make_date(end_year, end_month, _cn_int(found.group("bd")))
            range_span = found.span()
            break

    for begin, end in sentences:
        cue = text.find("反馈", begin, end)
        if cue < 0:
            continue
        tokens = [
            token
            for token in _DATE_TOKEN_RE.finditer(text, begin, end)
            if token.group("m") and not (range_span and range_span[0] <= token.start() < range_span[1])
        ]
        before = [token for token in tokens if token.start() < cue]
        for token in before[-1:] or tokens[:1]:
            facts.feedback_date = _token_date(token, "", text)
        if facts.feedback_date:
            break
    return facts


# ---------------------------------------------------------------------------------------- contact

_CONTACT_RE = re.compile(
    r"欢迎.{0,40}(?:监督|意见|建议)|(?:请|欢迎).{0,30}(?:意见|建议|反映)|(?:联系|监督|举报|咨询)电话|电话\s*[:：]"
    r"|电子(?:邮箱|信箱)|邮箱\s*[:：]|(?:通信|通讯|联系|邮寄|来信)地址|地址\s*[:：]|邮政编码|邮编|邮政信箱|传真\s*[:：]"
    r"|[A-Za-z0-9._%+\-]+[@＠][A-Za-z0-9\-]+\."
)
_PHONE_LABEL_RE = re.compile(r"电话|热线|手机|座机|联系方式")
_PHONE_LOOSE_RE = re.compile(
    r"(?<![0-9])(?:(?:[(（]0[0-9]{2,3}[)）]|0[0-9]{2,3}[-－—]?)?[0-9]{7,8}(?:[-－转][0-9]{1,6})?"
    r"|1[3-9][0-9]{9}|123[0-9]{2})(?![0-9])"
)
_PHONE_STRICT_RE = re.compile(
    r"(?<![0-9])(?:(?:[(（]0[0-9]{2,3}[)）]|0[0-9]{2,3}[-－—])[0-9]{7,8}(?:[-－转][0-9]{1,6})?|1[3-9][0-9]{9})(?![0-9])"
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+[@＠][A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_ADDRESS_LABEL_RE = re.compile(
    r"(?:(?:通信|通讯|联系|邮寄|来信|信函|收信)地址|地址|邮政信箱|来信请寄(?:至)?|信件请寄(?:至)?)\s*(?:[:：为]\s*)?"
)
_ADDRESS_STOP_RE = re.compile(r"邮编|邮政编码|联系电话|电话|电子邮箱|电子信箱|邮箱|传真")
_POSTCODE_RE = re.compile(r"(?:邮编|邮政编码)\s*[:：为]?\s*([0-9]{6})(?![0-9])")
_ENVELOPE_NOTE_RE = re.compile(r"信封|注明|邮编|邮政编码|请")
_OPENERS, _CLOSERS = "(（[【“‘《", ")）]】”’》"


def _address(text: str) -> str:
    """The address after its label, up to the next clause; envelope notes in brackets removed."""
    label = _ADDRESS_LABEL_RE.search(text)
    if not label:
        return ""
    out: list[str] = []
    depth, bracket_start = 0, 0
    position = label.end()
    while position < len(text):
        char = text[position]
        if depth == 0 and (char in "，,；;。\n" or _ADDRESS_STOP_RE.match(text, position)):
            break
        if char in _OPENERS:
            if depth == 0:
                bracket_start = len(out)
            depth += 1
        elif char in _CLOSERS and depth > 0:
            depth -= 1
            if depth == 0 and char in ")）" and _ENVELOPE_NOTE_RE.search("".join(out[bracket_start:])):
                del out[bracket_start:]
                position += 1
                continue
        out.append(char)
        position += 1
    return "".join(out).strip()


def _contact(paragraphs: list[str]) -> ContactBlock:
    text = "\n".join(paragraphs)
    phones: list[str] = []
    for segment in re.split(r"[，,；;。\n]", text):
        if "传真" in segment and not _PHONE_LABEL_RE.search(segment):
            continue
        pattern = _PHONE_LOOSE_RE if _PHONE_LABEL_RE.search(segment) else _PHONE_STRICT_RE
        for match in pattern.finditer(segment.translate(_FULLWIDTH_DIGITS)):
            phone = segment[match.start() : match.end()].strip()
            if phone not in phones:
                phones.append(phone)
    emails: list[str] = []
    for match in _EMAIL_RE.finditer(text):
        if match.group() not in emails:
            emails.append(match.group())
    postcode = _POSTCODE_RE.search(text.translate(_FULLWIDTH_DIGITS))
    return ContactBlock(
        phones=phones,
        emails=emails,
        address=_address(text),
        postcode=postcode.group(1) if postcode else "",
        text=text,
    )


# ----------------------------------------------------------------------------------------- driver

_SIGNATURE_RE = re.compile(rf"(?P<issuer>[^。，,；;：:！？!?]{{0,50}}?)\s*{_FULL_DATE}")


def _find_title(paragraphs: list[str]) -> tuple[int, int, str] | None:
    """(first index, last index, title) of the title line, which may be split after the issuer."""
    for index, text in enumerate(paragraphs[:80]):
        marker = _marker(text)
        if marker is not None and marker[0] <= 2:
            return None  # the body has begun
        if marker is not None or _is_meta_line(text):
            continue
        candidate = re.split(r"[>＞»›]", text)[-1].strip()
        if len(candidate) > 120 or re.search(r"[。；;！!？?]", candidate) or not _TITLE_RE.search(candidate):
            continue
        if candidate.startswith("关于") and index > 0:
            previous = paragraphs[index - 1]
            if _ORG_LINE_RE.match(previous) and not _is_meta_line(previous):
                return index - 1, index, previous + candidate
        return index, index, candidate
    return None


def _find_signature(paragraphs: list[str], start: int) -> tuple[int, str, date | None]:
    """(end of body, issuer, date): the date line near the end and the issuer line above it."""
    for index in range(len(paragraphs) - 1, max(start, len(paragraphs) - 15) - 1, -1):
        text = paragraphs[index]
        match = _SIGNATURE_RE.fullmatch(text.translate(_FULLWIDTH_DIGITS))
        if match:
            signed = _make_date(
                _cn_int(match.group("y")), _cn_int(match.group("m")), _cn_int(match.group("d"))
            )
            issuer = text[: match.end("issuer")].strip()
            if issuer and not _is_meta_line(issuer):
                return index, issuer, signed
            previous = paragraphs[index - 1] if index - 1 >= start else ""
            if _is_signature_line(previous):
                return index - 1, previous, signed
            return index, "", signed
        if text.endswith("。"):
            break
    return len(paragraphs), "", None


def _is_signature_line(text: str) -> bool:
    return (
        bool(text)
        and len(text) <= 50
        and not re.search(r"[。，,；;：:！？!?]", text)
        and _marker(text) is None
        and not _CONTACT_RE.search(text)
        and not _is_meta_line(text)
    )


def _find_contact(paragraphs: list[str], start: int, end: int) -> int:
    """Start of the contact run: the paragraphs just before the signature that give contact details."""
    index = end
    while index > start and end - index < 8:
        text = paragraphs[index - 1]
        if _marker(text) is not None or not _CONTACT_RE.search(text):
            break
        index -= 1
    return index


def _parse_paragraphs(paragraphs: list[str]) -> NoticeDocument:
    """Assemble the document from paragraphs; the one place that decides what is missing."""
    if not paragraphs:
        raise NoticeParseError(EMPTY_MESSAGE)
    paragraphs = [text for text in paragraphs if not _is_chrome(text) or _is_meta_line(text)]
    meta = DisclosureMeta()

    title_at = _find_title(paragraphs)
    title = title_at[2] if title_at else ""
    for text in paragraphs[: title_at[0] if title_at else 0]:
        _read_meta(text, meta)
    start = title_at[1] + 1 if title_at else 0

    end, issuer, signed = _find_signature(paragraphs, start)
    for text in paragraphs[end:]:
        _read_meta(text, meta)
    contact_at = _find_contact(paragraphs, start, end)
    contact = _contact(paragraphs[contact_at:end]) if contact_at < end else ContactBlock()

    root = _build_tree(paragraphs[start:contact_at])
    opening: list[str] = []
    for text in root.body:
        if _read_meta(text, meta) or _is_chrome(text):
            continue
        if _SENTENCE_RE.search(text) or "；" in text:
            opening.append(text)
    if not title and meta.name:
        title = meta.name

    sections, areas = _structure(root)
    areas = [area for area in areas if area.problems]
    corpus = "\n".join((title, *paragraphs[start:end]))
    if not areas or not re.search(r"整改|巡视|巡察|审计", corpus):
        raise NoticeParseError(NO_PROBLEMS_MESSAGE)
    _number_problems(areas)
    opening_text = "\n".join(opening)
    return NoticeDocument(
        title=title,
        issuer=issuer,
        date=signed,
        opening=opening_text,
        inspection=_inspection_facts(opening_text, title),
        sections=sections,
        areas=areas,
        contact=contact,
        meta=meta,
    )
