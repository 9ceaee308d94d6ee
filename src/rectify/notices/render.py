"""Render a `NoticeDocument` as the public notice: plain text, an HTML fragment and a Word file.

All three are laid out from one list of blocks (`blocks`), so they say the same thing in the same
order, and each parses back (`parser.parse` / `parse_bytes`) into the document it came from:

    title
    opening paragraph(s)
    一、part title                         a narrative part: intro paragraphs, then
    （一）lead-in。text                      （一）（二）… subsections, the lead-in run in
    二、part title                         the part that holds the problems:
    （一）area title                         areas (no heading for an untitled area)
    1.problem title                          problems, numbered on through the areas
    一是…。二是…。                            its measures in one paragraph (one measure: its text)
    contact paragraph
    issuer
    2025年3月20日

(When no part holds the problems, the areas follow the opening, before the parts.)

Numbering (一、 (一) 1. 一是) comes from the order of the parts, areas, problems and measures, never
from the numbers the document carries.

What the parser cannot tell apart, the renderer escapes where it can, asking the parser's own
predicates so the two cannot drift apart:

* a heading whose title starts with a digit gets a space after its marker (“1. 2个…”);
* a measure that does not end at a clause boundary gets a “；” before the next 一是/二是 (the parser
  trims it off again);
* a single measure the parser would misread on its own (it starts with a marker, a label such as
  “整改措施：”, 问题：, 下一步, or holds a 1./(1)/① or 一是 list) is written “一是…”.

What cannot be escaped is left to the content, see `render_text`.

The Word file is in the official document style after GB/T 9704-2012 (page, fonts, page numbers) of
`rectify.documents`, which the supervision order and the dispatch report share.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import datetime, time
from io import BytesIO
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH

from rectify.documents import (
    BODY_FONT,
    ER_HAO,
    LINE_PITCH,
    SUBHEADING_FONT,
    TITLE_CHARS_PER_LINE,
    TITLE_FONT,
    chinese_numeral,
    date_label,
    full_width,
    off_grid,
    official_document,
    official_heading,
    official_paragraph,
    official_run,
    signature,
    signature_indents,
    text_width,
)

from .document import ContactBlock, NoticeArea, NoticeDocument, NoticeSection
from .parser import _CLOSING_RE, _find_title, _is_chrome, _marker, _measures_of

__all__ = [
    "Block",
    "blocks",
    "chinese_numeral",
    "contact_text",
    "docx_document",
    "measures_paragraph",
    "punctuated",
    "render_docx",
    "render_html",
    "render_text",
]

# Where a 一是/二是 marker is read as starting a new measure (the parser's _BOUNDARY).
CLAUSE_END = "。；;！!？?：:"


# ------------------------------------------------------------------------------------------ blocks


@dataclass(frozen=True)
class Block:
    """One paragraph of the notice.

    kind: title, paragraph (opening, intro, subsection text, closing words), part (一、), area ((一)),
    subsection ((一) lead-in run into its text), problem (1.), measures, contact, issuer, date.
    `text` is the paragraph as plain text, marker included; a subsection's `heading` is its run-in
    lead (“（一）深化思想认识。”) and `body` the rest, which `text` is the two joined.
    """

    kind: str
    text: str
    heading: str = ""
    body: str = ""


def _one_line(text: str) -> str:
    """A heading or a measure is one paragraph: line breaks inside it are dropped (Chinese needs no
    space between the lines)."""
    return "".join(line.strip() for line in (text or "").splitlines())


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _heading(marker: str, title: str) -> str:
    """A numbered heading line. A space after the marker keeps “1.” a marker before a title that
    starts with a digit (“1.2个…” reads as a number)."""
    title = _one_line(title)
    line = f"{marker}{title}"
    found = _marker(line)
    if found is None or found[2] != title:
        line = f"{marker} {title}"
    return line


def _reads_back(paragraph: str, texts: list[str]) -> bool:
    """Whether the parser reads `paragraph`, in a problem's body, as exactly these measures."""
    return (
        _marker(paragraph) is None
        and not _is_chrome(paragraph)
        and not _CLOSING_RE.match(paragraph)
        and _measures_of(paragraph, None, None) == texts
    )


def measures_paragraph(texts: list[str]) -> str:
    """A problem's measures as one paragraph: 一是…二是…, or a single measure's text alone."""
    texts = [_one_line(text) for text in texts]
    texts = [text for text in texts if text]
    if not texts:
        return ""
    if len(texts) == 1:
        alone = texts[0]
        if _reads_back(alone, texts):
            return alone
        listed = f"一是{alone}"
        return listed if _reads_back(listed, texts) else alone
    pieces = []
    for index, text in enumerate(texts, start=1):
        last = index == len(texts)
        pieces.append(
            f"{chinese_numeral(index)}是{text}{'' if last or text.endswith(tuple(CLAUSE_END)) else '；'}"
        )
    return "".join(pieces)


def contact_text(contact: ContactBlock) -> str:
    """The closing paragraph(s): as written, or composed from the contact details when there is no
    text. The parser reads the same phones, e-mails, address and postcode back from what it writes."""
    if contact.text.strip():
        return "\n".join(_lines(contact.text))
    details = []
    if contact.phones:
        details.append("联系电话：" + "、".join(contact.phones))
    if contact.emails:
        details.append("电子邮箱：" + "、".join(contact.emails))
    if contact.address:
        details.append("通信地址：" + contact.address)
    if contact.postcode:
        details.append("邮编：" + contact.postcode)
    if not details:
        return ""
    return (
        "欢迎广大干部群众对整改落实情况进行监督。如有意见建议，请及时向我们反映。" + "；".join(details) + "。"
    )


def _split_closing(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """A problem part's paragraphs: those before its problems, and its closing words (下一步…),
    which the parser finds after the last problem."""
    for index, text in enumerate(paragraphs):
        if _CLOSING_RE.match(text):
            return paragraphs[:index], paragraphs[index:]
    return paragraphs, []


def _area_blocks(areas: list[NoticeArea], first_number: int, *, headed: bool) -> tuple[list[Block], int]:
    """Areas (with an area heading when `headed` and titled) and their problems, numbered from
    `first_number`; returns the blocks and the next problem number."""
    out: list[Block] = []
    number = first_number
    titled = 0
    for area in areas:
        if not area.problems:
            continue  # the parser drops an area without problems: it says nothing
        if headed and area.title.strip():
            titled += 1
            out.append(Block("area", _heading(f"（{chinese_numeral(titled)}）", area.title)))
        for problem in area.problems:
            out.append(Block("problem", _heading(f"{number}.", problem.title)))
            paragraph = measures_paragraph([measure.text for measure in problem.measures])
            if paragraph:
                out.append(Block("measures", paragraph))
            number += 1
    return out, number


def _assign_areas(sections: list[NoticeSection], areas: list[NoticeArea]) -> dict[int, list[NoticeArea]]:
    """Which areas each problem part shows. Usually one part holds them all; a notice with one
    part per area (the parser names each such area after its part) gets its areas back in place."""
    holding = [index for index, section in enumerate(sections) if section.holds_problems]
    shown = [area for area in areas if area.problems]
    paired = list(zip(shown, holding, strict=False))
    if (
        len(holding) > 1
        and len(shown) == len(holding)
        and all(_one_line(area.title) == _one_line(sections[index].title) for area, index in paired)
    ):
        return {index: [area] for area, index in paired}
    assigned: dict[int, list[NoticeArea]] = {index: [] for index in holding}
    if holding:
        assigned[holding[0]] = list(areas)
    return assigned


def punctuated(value: Any) -> Any:
    """The document (or any part of it) with full-width Chinese punctuation in every text
    (`rectify.documents.full_width`): what the notice says, in each of its renderings."""
    if isinstance(value, str):
        return full_width(value)
    if isinstance(value, list):
        return [punctuated(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: punctuated(getattr(value, f.name)) for f in fields(value) if f.init})
    return value


def blocks(doc: NoticeDocument, *, addressee: str = "") -> list[Block]:
    """The notice as paragraphs, in reading order (see the module's docstring), its punctuation
    full-width (`punctuated`). `addressee` (主送, e.g. “市委第一巡察组：”) follows the title: a report
    to the inspection body (rectify.reports) has one; the parser passes over it."""
    doc = punctuated(doc)
    out: list[Block] = []
    if doc.title.strip():
        out.append(Block("title", _one_line(doc.title)))
    if addressee.strip():
        out.append(Block("addressee", full_width(_one_line(addressee))))
    out.extend(Block("paragraph", text) for text in _lines(doc.opening))

    assigned = _assign_areas(doc.sections, doc.areas)
    number = 1
    if not assigned:  # no part holds the problems: they follow the opening
        problem_blocks, number = _area_blocks(doc.areas, number, headed=True)
        out.extend(problem_blocks)
    one_per_part = len(assigned) > 1 and all(len(areas) == 1 for areas in assigned.values())
    for index, section in enumerate(doc.sections):
        out.append(Block("part", _heading(f"{chinese_numeral(index + 1)}、", section.title)))
        paragraphs = [text for paragraph in section.paragraphs for text in _lines(paragraph)]
        if section.holds_problems:
            intro, closing = _split_closing(paragraphs)
            out.extend(Block("paragraph", text) for text in intro)
            problem_blocks, number = _area_blocks(assigned[index], number, headed=not one_per_part)
            out.extend(problem_blocks)
            out.extend(Block("paragraph", text) for text in closing)
            continue
        out.extend(Block("paragraph", text) for text in paragraphs)
        for position, subsection in enumerate(section.subsections, start=1):
            first, *rest = _lines(subsection.text) or [""]
            heading = f"（{chinese_numeral(position)}）{_one_line(subsection.title)}。"
            out.append(Block("subsection", heading + first, heading=heading, body=first))
            out.extend(Block("paragraph", text) for text in rest)

    out.extend(Block("contact", text) for text in _lines(contact_text(doc.contact)))
    if doc.issuer.strip():
        out.append(Block("issuer", _one_line(doc.issuer)))
    if doc.date is not None:
        out.append(Block("date", date_label(doc.date)))
    return out


# -------------------------------------------------------------------------------------- text, HTML


def render_text(doc: NoticeDocument, *, addressee: str = "") -> str:
    """The notice as plain text: one paragraph a line, a blank line between paragraphs.

    `parser.parse` reads it back into the same title, issuer, date, opening, inspection facts (as the
    opening states them), sections, areas, problems, measures and contact, provided the content is
    what a notice holds: headings are single lines without 。！？；, a measure does not itself contain
    the next 二是/三是 at a clause start, no paragraph starts with a list marker (一、 (一) 1. ①), the
    title reads like a notice title (…整改…通报), and the document has a date. The problems' numbers
    come back as 1, 2, 3… in order.
    """
    return "\n\n".join(block.text for block in blocks(doc, addressee=addressee)) + "\n"


_HTML_TAGS = {
    "title": ("h1", "notice-title"),
    "addressee": ("p", "notice-addressee"),
    "part": ("h2", "notice-part"),
    "area": ("h3", "notice-area"),
    "subsection": ("h3", "notice-subsection"),
    "problem": ("h4", "notice-problem"),
    "paragraph": ("p", ""),
    "measures": ("p", "notice-measures"),
    "contact": ("p", "notice-contact"),
    "issuer": ("p", "notice-issuer"),
    "date": ("p", "notice-date"),
}


def render_html(doc: NoticeDocument, *, addressee: str = "") -> str:
    """The notice body as an HTML fragment for the portal page: <article class="notice"> with <h1>
    title, <h2> parts, <h3> areas and subsection lead-ins, <h4> problems and <p> paragraphs (the
    issuer and date carry classes to be set right). Every text is escaped."""
    lines = ['<article class="notice">']
    for block in blocks(doc, addressee=addressee):
        tag, css = _HTML_TAGS[block.kind]
        attribute = f' class="{css}"' if css else ""
        if block.kind == "subsection":
            # “(一)lead-in。” as a heading of its own, the text after it as a paragraph.
            heading = block.heading.removesuffix("。")
            lines.append(f"<{tag}{attribute}>{html.escape(heading)}</{tag}>")
            if block.body:
                lines.append(f"<p>{html.escape(block.body)}</p>")
            continue
        lines.append(f"<{tag}{attribute}>{html.escape(block.text)}</{tag}>")
    lines.append("</article>")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------- the notice


def _title_lines(title: str) -> list[str]:
    """The title in one line, or two when it is longer than a line: broken before 关于 when the
    first line is the issuer (“中共…党组 / 关于…的通报”, as titles are set), which the parser
    joins again."""
    if text_width(title) <= TITLE_CHARS_PER_LINE:
        return [title]
    at = title.find("关于")
    if at > 0:
        first, second = title[:at], title[at:]
        if _find_title([first, second]) == (0, 1, title):
            return [first, second]
    return [title]


def render_docx(doc: NoticeDocument) -> bytes:
    """The notice as a Word file in the official style (rectify.documents); `parse_bytes(…, "x.docx")`
    reads it back as `render_text`'s text."""
    output = BytesIO()
    docx_document(doc).save(output)
    return output.getvalue()


def docx_document(doc: NoticeDocument, *, subject: str = "整改进展情况通报", addressee: str = ""):
    """The Word document (python-docx) `render_docx` saves, for a caller that adds to it (the
    rectification documents append their attached tables); `addressee` as in `blocks`."""
    document = official_document()
    properties = document.core_properties
    properties.title = _one_line(doc.title)
    properties.author = properties.last_modified_by = _one_line(doc.issuer)
    properties.subject = subject
    properties.language = "zh-CN"
    properties.comments = properties.keywords = properties.category = ""
    if doc.date is not None:  # not the template's 2013 dates
        properties.created = properties.modified = datetime.combine(doc.date, time())

    issuer_indent, date_indent = signature_indents(
        full_width(_one_line(doc.issuer)), date_label(doc.date) if doc.date else ""
    )
    signed = []
    for block in blocks(doc, addressee=addressee):
        kind = block.kind
        if kind == "title":
            paragraph = official_paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
            for index, line in enumerate(_title_lines(block.text)):
                run = official_run(paragraph, "", TITLE_FONT, ER_HAO)
                if index:
                    run.add_break()  # the parser reads it as a new line, and joins the title again
                run.add_text(line)
            paragraph.paragraph_format.space_after = LINE_PITCH  # a blank line under the title
            paragraph.paragraph_format.keep_with_next = True
            off_grid(paragraph)
        elif kind == "part":
            official_heading(document, block.text)
        elif kind == "area":
            official_heading(document, block.text, font=SUBHEADING_FONT)
        elif kind == "problem":
            official_heading(document, block.text, font=BODY_FONT, bold=True)
        elif kind == "subsection":
            paragraph = official_paragraph(document, block.heading, font=SUBHEADING_FONT)
            if block.body:
                official_run(paragraph, block.body)
        elif kind == "addressee":
            official_paragraph(document, block.text, indent=False)
        elif kind in ("issuer", "date"):
            signed.append((block.text, issuer_indent if kind == "issuer" else date_indent))
        else:  # opening, intro and closing paragraphs, measures, contact
            official_paragraph(document, block.text)
    signature(document, signed)
    return document
