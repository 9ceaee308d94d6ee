"""No English or placeholder text on the pages a person reads: every staff page for every role of
bureau A, and every portal page, crawled from the URL resolver, shows no "Rectify", no Django's empty
choice "---------" and no raw True, False or None in its visible text (the title included)."""

from __future__ import annotations

import html
import re

import pytest

from .test_authorisation_matrix import WEB, _client, _values, fill, things  # noqa: F401 (fixture)

# Letters around a word in Chinese text are no word boundary for \b (CJK is \w): ASCII letters only.
FORBIDDEN = re.compile(r"Rectify|-{5,}|(?<![A-Za-z])(True|False|None)(?![A-Za-z])|已已|的的|了了|，，|。。")
HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>|<!--.*?-->", re.S | re.I)
# The audit trail's record wording is rewritten apart (issue 13, part 2), and tested there.
AUDIT_TRAIL: tuple[str, ...] = ()  # the audit trail reads as sentences too now: nothing left out
TAG = re.compile(r"<[^>]*>")


def visible_text(page: str) -> str:
    """The text a reader sees: without scripts, styles, comments and tags, entities decoded."""
    return html.unescape(TAG.sub(" ", HIDDEN.sub(" ", page)))


def words_of(client, path: str) -> list[str]:
    response = client.get(path)
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return []
    text = visible_text(response.content.decode())
    return [
        f"{path}: …{text[max(0, m.start() - 30) : m.end() + 30].strip()}…" for m in FORBIDDEN.finditer(text)
    ]


@pytest.mark.parametrize(
    "role", ["office", "leader", "unit head", "liaison", "supervisor", "inspection office", "anonymous"]
)
def test_no_english_or_placeholder_on_any_page(world, ledger, things, role):  # noqa: F811
    client = _client(world, role)
    found: list[str] = []
    seen = 0
    for name, route, kwargs in WEB:
        if name.startswith(AUDIT_TRAIL):
            continue
        path = fill(route, _values(things["a"], name, kwargs))
        words = words_of(client, path)
        found.extend(f"{name} {word}" for word in words)
        seen += 1
    assert seen > 50
    assert not found, "\n".join(found)


def test_no_message_in_the_source_doubles_a_character():
    """What the code says to a person, read once more: no 已已, 的的, 了了, ，， or 。。 in any string or
    template of the product."""
    from pathlib import Path

    import rectify

    doubled = re.compile(r"已已|的的|了了|，，|。。")
    root = Path(rectify.__file__).parent
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in sorted(root.rglob("*"))
        if path.suffix in (".py", ".html", ".txt") and "vendor" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if doubled.search(line)
    ]
    assert not found, "\n".join(found)
