"""Evidence on a progress report, sent as an attacker would, through the report page and the API (each
test runs both ways). Every refusal is in Chinese, keeps the user's text on the page and stores nothing."""

from __future__ import annotations

import pytest

from rectify.progress.models import Evidence

from .conftest import PDF, accepted, assert_refused, stored_files

# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    "name", ["report..final.pdf", "v1.2.final.pdf", "材料..pdf", "整改方案（定稿）v2.pdf"]
)
def test_ordinary_dots_in_a_name_are_accepted(bob, media, name):
    assert accepted(bob.send([(name, PDF)]))
    assert Evidence.objects.get().original_name == name and len(stored_files(media)) == 1


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../x.pdf", "../x.pdf"),
        ("C:\\a\\b.pdf", "C:\\a\\b.pdf"),
        ("dir/x.pdf", "dir/x.pdf"),
        ("/etc/x.pdf", "/etc/x.pdf"),
        ("..%2Fx.pdf", "..%2Fx.pdf"),  # percent-encoded
        ("dir&#47;x.pdf", "dir/x.pdf"),  # an HTML entity, which Django decodes
        ("C:x.pdf", "C:x.pdf"),  # a drive letter
    ],
)
def test_a_name_carrying_a_path_is_refused_as_documented(bob, media, name, shown):
    """Measured: such names were cut to their last part and stored; the documentation says refused."""
    sent = bob.send([("正常.pdf", PDF), (name, PDF)])
    assert_refused(sent, media, "包含路径")
    assert shown in sent.said.replace("&amp;", "&")


def test_a_hidden_or_dot_name_is_refused(bob, media):
    assert_refused(bob.send([(".htaccess.pdf", PDF)]), media, "不能以“.”开头")
