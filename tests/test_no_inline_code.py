"""No inline script or style anywhere the site writes HTML, so the Content Security Policy needs no
'unsafe-inline': every template under src/, the HTML the Python code builds (format_html, mark_safe,
f-strings) and the site's own scripts are read for <script> blocks, <style> elements, style=""
attributes, on…="" event handlers, hx-on attributes and javascript: addresses. A failure lists each
place as file:line, so the fix starts there: move the style into the app's static CSS, the script
into its static JS (data through json_script), the handler into an addEventListener."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "rectify"

# What the browser would refuse, found in a template (text as the browser receives it, give or take
# template tags). A <script> that loads a file or holds JSON data (json_script) is not inline code.
TEMPLATE_RULES = {
    "inline <script>": re.compile(
        r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*type=[\"']application/(?:ld\+)?json)", re.I
    ),
    "<style> element": re.compile(r"<style\b", re.I),
    'style="" attribute': re.compile(r"<[a-z][^<>]*?\sstyle\s*=", re.I | re.S),
    "on…= event handler": re.compile(r"<[a-z][^<>]*?\son[a-z]+\s*=", re.I | re.S),
    "hx-on attribute": re.compile(r"\b(?:data-)?hx-on\b", re.I),
    "javascript: address": re.compile(r"javascript\s*:", re.I),
}
# Comments, and the template's own tags and variables ({% if one == x %} is no onclick).
TEMPLATE_IGNORED = r"\{% comment %\}.*?\{% endcomment %\}|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}"
# In Python, only markup counts: a tag with the attribute, not a word in a comment or a regex.
PYTHON_RULES = {
    "inline <script>": TEMPLATE_RULES["inline <script>"],
    "<style> element": TEMPLATE_RULES["<style> element"],
    'style="" attribute': re.compile(r"<[a-z][\w-]*\b[^<>\"']*(?:\"[^\"]*\"[^<>\"']*)*\sstyle\s*=", re.I),
    "on…= event handler": re.compile(r"<[a-z][\w-]*\b[^<>\"']*(?:\"[^\"]*\"[^<>\"']*)*\son[a-z]+\s*=", re.I),
    "hx-on attribute": TEMPLATE_RULES["hx-on attribute"],
}
# The site's own scripts (not the vendored libraries): markup with inline style or handlers built as
# text, a style or handler set as an attribute, and code built from strings.
SCRIPT_RULES = {
    'style="" or on…="" in markup': re.compile(r"<[a-z][^<>]*\s(?:style|on[a-z]+)\s*=", re.I),
    "style or handler set as an attribute": re.compile(
        r"setAttribute\(\s*[\"'](?:style|on[a-z]+)[\"']", re.I
    ),
    "code from a string": re.compile(r"\beval\s*\(|\bnew\s+Function\s*\(|set(?:Timeout|Interval)\(\s*[\"']"),
    "javascript: address": TEMPLATE_RULES["javascript: address"],
}


def offences(
    files, rules: dict[str, re.Pattern], strip_comments: str | None = None, root: Path = SRC.parent
) -> list[str]:
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if strip_comments:
            # What is not markup keeps its lines (so line numbers stay right) but loses its words.
            text = re.sub(strip_comments, lambda m: re.sub(r"[^\n]", " ", m.group()), text)
        for label, rule in rules.items():
            for match in rule.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(root)}:{line}: {label}")
    return found


def templates() -> list[Path]:
    return sorted(path for path in SRC.rglob("templates/**/*") if path.suffix == ".html")


def python_files() -> list[Path]:
    return sorted(path for path in SRC.rglob("*.py") if "migrations" not in path.parts)


def own_scripts() -> list[Path]:
    return sorted(path for path in SRC.rglob("static/**/*.js") if "vendor" not in path.parts)


def test_there_are_templates_code_and_scripts_to_read():
    assert len(templates()) > 100 and len(python_files()) > 100 and len(own_scripts()) >= 5


def test_no_template_holds_inline_script_or_style():
    found = offences(templates(), TEMPLATE_RULES, strip_comments=TEMPLATE_IGNORED)
    assert not found, "inline code in templates:\n" + "\n".join(found)


def test_no_html_built_in_python_holds_inline_script_or_style():
    found = offences(python_files(), PYTHON_RULES, strip_comments=r"#[^\n]*")
    assert not found, "inline code in HTML built by Python:\n" + "\n".join(found)


def test_the_site_scripts_add_no_inline_style_handler_or_code_from_strings():
    found = offences(own_scripts(), SCRIPT_RULES, strip_comments=r"/\*.*?\*/|//[^\n]*")
    assert not found, "inline code added by the site's scripts:\n" + "\n".join(found)


def test_the_reader_finds_what_it_looks_for(tmp_path):
    """The rules themselves: each catches its case, and what is allowed passes."""
    bad = tmp_path / "templates" / "bad.html"
    bad.parent.mkdir()
    bad.write_text(
        "<p>fine</p>\n"
        "<script>alert(1)</script>\n"
        "<style>p { color: red }</style>\n"
        '<div class="x"\n     style="color: red">\n'
        '<button type="button" onclick="go()">\n'
        '<form hx-on::after-request="x()">\n'
        '<a href="javascript:void(0)">\n'
        '<script src="/static/a.js" defer></script>\n'
        '<script type="application/json" id="d">{}</script>\n'
        '<p data-onload="x" data-style="y">\n'
        '<option value="{{ one.pk }}"{% if one == chosen %} selected{% endif %}>\n'
        '<p{% if late %} style="color: red"{% endif %}>{# <script>comment</script> #}\n',
        encoding="utf-8",
    )
    found = offences([bad], TEMPLATE_RULES, strip_comments=TEMPLATE_IGNORED, root=tmp_path)
    labels = [item.split(": ", 1)[1] for item in found]
    lines = [int(item.split(":")[1]) for item in found]
    assert sorted(set(labels)) == sorted(TEMPLATE_RULES), found
    assert sorted(lines) == [2, 3, 4, 6, 7, 8, 13], found


def test_the_admin_pages_hold_no_inline_script_or_style(ledger):
    """Django's admin (5.2) keeps its script in files too, except one <style> on a list without
    actions: every list and add page of every registered model, rendered, is read by the same rules.
    django-rq's queue dashboard is the exception, allowed inline code by rectify.headers
    (tests/test_security_headers.py)."""
    from django.contrib import admin
    from django.test import Client
    from django.urls import reverse

    from rectify.org.models import User

    client = Client()
    client.force_login(User.objects.create_superuser("root", password="Root-pass-2025"))
    found = []
    for model in admin.site._registry:
        if model._meta.app_label == "django_rq":
            continue
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        for view in ("changelist", "add"):
            response = client.get(reverse(f"admin:{info}_{view}"))
            if response.status_code != 200:
                continue
            html = response.content.decode()
            for label, rule in TEMPLATE_RULES.items():
                found += [f"admin {info} {view}: {label}" for _ in rule.finditer(html)]
    assert len(admin.site._registry) > 10
    assert not found, "\n".join(found)
