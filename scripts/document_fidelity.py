#!/usr/bin/env python3
"""Render every document Rectify writes to pages and say how they look (issue 16, part 3).

    .venv/bin/python scripts/document_fidelity.py [--database URL] [--out DIR]   (or: make fidelity)

Without --database it builds the demo (`rectify demo --no-serve`) in a new temporary data folder; with
it, it reads the given database and leaves it as it was (what it must create to have something to
write, a dispatch report and a supervision order, is made inside a transaction rolled back at the end).

It writes the public notice (DOCX), a supervision order 督办单 (DOCX), the dispatch report (DOCX and
XLSX), the ledger 台账 and its three lists (XLSX), the audit trail and security events (XLSX) and the
public feedback list (XLSX) into OUT, renders each to PDF with LibreOffice (`soffice --headless`) and
to page images with `pdftoppm`, and prints one row per document: pages, lines on each page, characters
in a full line of body text, the fonts the file asks for and the fonts the PDF embeds (`pdffonts`).

It flags (and then exits 1) a page that holds only a signature or a date, a heading or a table caption
left alone at the foot of a page, a page without a page number, and a file asking for an Office default
font (Calibri, Cambria). LibreOffice and poppler are tools for checking, never product dependencies:
when one is missing the script says how to install it and exits 3.

Without the official fonts (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312) LibreOffice substitutes the CJK fonts
the machine has; the page, margins, lines and breaks are still the real ones, the embedded column says
which fonts stood in.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

TOOLS = {
    "soffice": "LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer libreoffice-calc)",
    "pdftoppm": "poppler (Debian/Ubuntu: apt-get install poppler-utils)",
    "pdftotext": "poppler (Debian/Ubuntu: apt-get install poppler-utils)",
    "pdffonts": "poppler (Debian/Ubuntu: apt-get install poppler-utils)",
}
OFFICE_DEFAULT_FONTS = {"Calibri", "Cambria", "Calibri Light", "Aptos"}
XHTML = "{http://www.w3.org/1999/xhtml}"

# ------------------------------------------------------------------ reading a rendered PDF


@dataclass
class Line:
    """One line of text on a page, as pdftotext -bbox-layout sees it (points from the top left)."""

    text: str
    left: float
    top: float
    right: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def chars(self) -> int:
        return len(re.sub(r"\s", "", self.text))


@dataclass
class Page:
    number: int
    lines: list[Line] = field(default_factory=list)


PAGE_NUMBER = re.compile(r"^[—–-]\s*\d+\s*[—–-]$|^第\s*\d+\s*页[，,]?\s*(共\s*\d+\s*页)?$")
DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
NUMERAL = "[一二三四五六七八九十]+"
HEADING = re.compile(rf"^({NUMERAL}、|（{NUMERAL}）|\({NUMERAL}\)|表\s*\d*[：:\s])")
ROW_TOLERANCE = 3.0  # points: words whose tops are this close share a printed row


def pages_from_bbox(xhtml: str) -> list[Page]:
    """The pages of `pdftotext -bbox-layout` output, each with its lines in reading order."""
    root = ElementTree.fromstring(xhtml)
    pages = []
    for number, element in enumerate(root.iter(f"{XHTML}page"), start=1):
        page = Page(number)
        for line in element.iter(f"{XHTML}line"):
            words = [word.text or "" for word in line.iter(f"{XHTML}word")]
            page.lines.append(
                Line(
                    " ".join(words),
                    float(line.get("xMin")),
                    float(line.get("yMin")),
                    float(line.get("xMax")),
                )
            )
        page.lines.sort(key=lambda line: (round(line.top), line.left))
        pages.append(page)
    return pages


def content(page: Page) -> list[Line]:
    """The page's lines without its page number."""
    return [line for line in page.lines if not PAGE_NUMBER.match(line.text.replace(" ", " ").strip())]


def rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into printed rows (the cells of a table row are one row)."""
    grouped: list[list[Line]] = []
    for line in sorted(lines, key=lambda line: line.top):
        if grouped and abs(grouped[-1][0].top - line.top) <= ROW_TOLERANCE:
            grouped[-1].append(line)
        else:
            grouped.append([line])
    return grouped


def lines_per_page(pages: list[Page]) -> list[int]:
    return [len(rows(content(page))) for page in pages]


def full_line_chars(pages: list[Page]) -> list[int]:
    """Characters in each full line of body text: a line at least 95 % as wide as the widest line of
    the document that does not end a paragraph (its right edge at the text block's)."""
    lines = [line for page in pages for line in content(page)]
    if not lines:
        return []
    widest = max(line.width for line in lines)
    return [line.chars for line in lines if line.width >= 0.95 * widest]


def has_page_number(page: Page) -> bool:
    return any(PAGE_NUMBER.match(line.text.strip()) for line in page.lines)


def is_heading(line: Line, full_width: float) -> bool:
    """A heading 一、 （一） or a table caption 表：, on a line shorter than a full one."""
    return bool(HEADING.match(line.text.strip())) and line.width < 0.9 * full_width


def flags(pages: list[Page]) -> list[str]:
    """What a clerk would have to mend before sending the document."""
    found = []
    all_lines = [line for page in pages for line in content(page)]
    full_width = max((line.width for line in all_lines), default=0.0)
    for page in pages:
        body = content(page)
        if not has_page_number(page):
            found.append(f"p{page.number}: no page number")
        if page.number > 1 and body and len(rows(body)) <= 3:
            texts = [line.text.strip() for line in body]
            if any(DATE.search(text) for text in texts) and all(len(text) <= 30 for text in texts):
                found.append(f"p{page.number}: only a signature/date")
        if page.number < len(pages) and body:
            last_row = rows(body)[-1]
            if len(last_row) == 1 and is_heading(last_row[0], full_width):
                found.append(f"p{page.number}: heading alone at the foot: {last_row[0].text.strip()[:20]}")
    return found


def runs(values: list[int]) -> str:
    """22,22,22,9 → "22×3 9"."""
    parts = []
    for value in values:
        if parts and parts[-1][0] == value:
            parts[-1][1] += 1
        else:
            parts.append([value, 1])
    return " ".join(f"{value}×{count}" if count > 1 else str(value) for value, count in parts)


def chars_summary(counts: list[int]) -> str:
    if not counts:
        return "—"
    common = Counter(counts).most_common(1)[0][0]
    low, high = min(counts), max(counts)
    return str(common) if low == high else f"{common} ({low}–{high})"


# ------------------------------------------------------------------ fonts


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FONT_SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")


def _rfonts(element) -> set[str]:
    return {
        value
        for fonts in element.iter(f"{W}rFonts")
        for slot in FONT_SLOTS
        if (value := fonts.get(f"{W}{slot}"))
    }


def docx_fonts(parts: dict[str, bytes]) -> set[str]:
    """The fonts a Word file asks for: in its text (body, headers, footers), in the document's
    defaults, and in the styles its text uses and the styles they are based on. Not the template's
    unused styles (python-docx's carry Courier for macro text) nor the font table (a list, no ask)."""
    names: set[str] = set()
    used = {"Normal"}
    for name, blob in parts.items():
        if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
            root = ElementTree.fromstring(blob)
            names |= _rfonts(root)
            for tag in ("pStyle", "rStyle", "tblStyle"):
                used |= {element.get(f"{W}val") for element in root.iter(f"{W}{tag}")}
    if "word/styles.xml" in parts:
        styles = ElementTree.fromstring(parts["word/styles.xml"])
        for defaults in styles.iter(f"{W}docDefaults"):
            names |= _rfonts(defaults)
        by_id = {style.get(f"{W}styleId"): style for style in styles.iter(f"{W}style")}
        pending = list(used)
        while pending:
            style = by_id.get(pending.pop())
            if style is None:
                continue
            names |= _rfonts(style)
            based = style.find(f"{W}basedOn")
            if based is not None:
                pending.append(based.get(f"{W}val"))
    return names


def fonts_asked(path: Path) -> set[str]:
    """The fonts a DOCX (docx_fonts) or an XLSX (every font of the workbook's styles) asks for."""
    with zipfile.ZipFile(path) as package:
        if path.suffix == ".docx":
            parts = {name: package.read(name) for name in package.namelist() if name.endswith(".xml")}
            return docx_fonts(parts)
        return set(re.findall(r'<name val="([^"]+)"', package.read("xl/styles.xml").decode("utf-8")))


def fonts_embedded(pdffonts_output: str) -> set[str]:
    """Font names from `pdffonts`, without the subset prefix (ABCDEF+)."""
    names = set()
    for line in pdffonts_output.splitlines()[2:]:
        if line.strip():
            names.add(re.sub(r"^[A-Z]{6}\+", "", line.split()[0]))
    return names


# ------------------------------------------------------------------ rendering


def missing_tools() -> list[str]:
    return [f"{tool}: {how}" for tool, how in TOOLS.items() if shutil.which(tool) is None]


def render(files: list[Path], out: Path) -> None:
    """DOCX/XLSX → PDF (one LibreOffice run, a private profile) → PNG pages at 50 dpi."""
    with tempfile.TemporaryDirectory(prefix="fidelity-lo-") as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                *map(str, files),
            ],
            check=True,
            capture_output=True,
            timeout=900,
        )
    for file in files:
        pdf = out / f"{file.stem}.pdf"
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(out / file.stem)], check=True)


@dataclass
class Report:
    name: str
    pages: int
    lines: str
    chars: str
    asked: set[str]
    embedded: set[str]
    flags: list[str]


def analyse(file: Path, out: Path) -> Report:
    pdf = out / f"{file.stem}.pdf"
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = pages_from_bbox(xhtml)
    embedded = fonts_embedded(
        subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    )
    asked = fonts_asked(file)
    found = flags(pages)
    defaults = sorted(asked & OFFICE_DEFAULT_FONTS)
    if defaults:
        found.append(f"asks for {', '.join(defaults)}")
    return Report(
        file.name,
        len(pages),
        runs(lines_per_page(pages)),
        chars_summary(full_line_chars(pages)),
        asked,
        embedded,
        found,
    )


def table(reports: list[Report]) -> str:
    header = ["document", "pages", "lines per page", "chars/line", "fonts asked", "fonts embedded", "flags"]
    body = [
        [
            report.name,
            str(report.pages),
            report.lines,
            report.chars,
            ", ".join(sorted(report.asked)) or "—",
            ", ".join(sorted(report.embedded)) or "—",
            "; ".join(report.flags) or "ok",
        ]
        for report in reports
    ]
    return "\n".join(" | ".join(row) for row in [header, ["---"] * len(header), *body])


# ------------------------------------------------------------------ writing the documents


def setup_django(database: str | None, data_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    os.environ["RECTIFY_DATA_DIR"] = str(data_dir)
    if database:
        os.environ["DATABASE_URL"] = database
    else:  # the demo is built in the throwaway folder's SQLite, never in a database of the environment's
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def build_demo() -> None:
    from django.core.management import call_command

    call_command("demo", no_serve=True, stdout=io.StringIO())


def write_documents(out: Path) -> list[Path]:
    """Every document the product writes, from the database, into `out`; nothing stays in the database."""
    from datetime import timedelta

    from auditlog.models import LogEntry
    from django.db import transaction
    from django.utils import timezone

    from rectify.audit.export import security_xlsx, trail_xlsx
    from rectify.audit.views import rows_for
    from rectify.feedback.export import export_xlsx
    from rectify.feedback.services import FeedbackFilter
    from rectify.ledger.choices import MeasureStatus
    from rectify.ledger.models import Inspection, Measure, MeasureUnit
    from rectify.notices.generate import document_from_ledger
    from rectify.notices.render import render_docx
    from rectify.org.models import Membership, Role
    from rectify.progress import ledger_excel
    from rectify.security.models import SecurityEvent
    from rectify.supervision import dispatch_render, orders
    from rectify.supervision.dispatch import build_dispatch
    from rectify.supervision.order_docx import build_order_docx

    inspection = Inspection.objects.order_by("id").first()
    if inspection is None:
        raise SystemExit("The database holds no inspection: run without --database to build the demo.")
    office = (
        Membership.objects.filter(role=Role.OFFICE, organisation=inspection.inspected)
        .select_related("user")
        .first()
    )
    if office is None:
        raise SystemExit(f"No 整改办 account for {inspection.inspected.name}.")
    user = office.user
    today = timezone.localdate()
    written: dict[str, bytes] = {}
    with transaction.atomic():
        written["notice.docx"] = render_docx(document_from_ledger(inspection, on=today))
        measure = (
            Measure.objects.filter(problem__inspection=inspection)
            .exclude(status__in=[MeasureStatus.SIGNED_OFF, MeasureStatus.ONGOING])
            .order_by("deadline", "id")
            .first()
        )
        link = MeasureUnit.objects.filter(measure=measure).select_related("unit").first()
        order = orders.issue_order(
            user,
            unit_id=link.unit_id,
            measure_ids=[measure.pk],
            reason="整改进度滞后，已超过整改时限，未按期报送整改进展和佐证材料。",
            demanded_action="立即组织整改，于答复期限前报送整改进展、佐证材料和下一步工作安排。",
            answer_due=today + timedelta(days=7),
        )
        written["supervision-order.docx"] = build_order_docx(order)
        build_dispatch(user, inspection.pk, today - timedelta(days=28), today - timedelta(days=14))
        report = build_dispatch(user, inspection.pk, today - timedelta(days=13), today)
        written["dispatch-report.docx"] = dispatch_render.docx_bytes(report)
        written["dispatch-workbook.xlsx"] = dispatch_render.xlsx_bytes(report)
        for key in ledger_excel.LISTS:
            content, _ = ledger_excel.export_ledger(user, inspection.pk, key)
            written[f"ledger-{key}.xlsx"] = content
        entries = list(LogEntry.objects.order_by("-timestamp")[:300])
        written["audit-trail.xlsx"] = trail_xlsx(rows_for(entries))
        written["security-events.xlsx"] = security_xlsx(SecurityEvent.objects.order_by("-created_at")[:300])
        written["feedback.xlsx"] = export_xlsx(user, FeedbackFilter(), today=today)[0]
        transaction.set_rollback(True)
    paths = []
    for name, content in written.items():
        path = out / name
        path.write_bytes(content)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="a DATABASE_URL to read instead of building the demo")
    parser.add_argument("--out", type=Path, help="where the documents, PDFs and page images go")
    args = parser.parse_args(argv)
    missing = missing_tools()
    if missing:
        print("The fidelity check needs tools this machine lacks (nothing was installed):", file=sys.stderr)
        for line in missing:
            print(f"  {line}", file=sys.stderr)
        return 3
    out = args.out or Path(tempfile.mkdtemp(prefix="rectify-fidelity-"))
    out.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="rectify-fidelity-data-")) if not args.database else out
    setup_django(args.database, data_dir)
    if not args.database:
        print("Building the demo database…", file=sys.stderr)
        build_demo()
    files = write_documents(out)
    print(f"Rendering {len(files)} documents with LibreOffice…", file=sys.stderr)
    render(files, out)
    reports = [analyse(file, out) for file in files]
    print(table(reports))
    print(f"\nDocuments, PDFs and page images (50 dpi): {out}")
    return 1 if any(report.flags for report in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
