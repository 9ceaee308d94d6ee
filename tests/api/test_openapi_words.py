"""The API documentation speaks Chinese: every operation's summary and tags, in the OpenAPI JSON and
on /api/v1/docs, as the operations are listed to the people who integrate with the platform."""

import re

from django.test import Client

CJK = re.compile(r"[\u4e00-\u9fff]")


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_has_a_chinese_summary_and_chinese_tags(world):
    schema = Client().get("/api/v1/openapi.json").json()
    found = dict(operations(schema))
    assert len(found) > 60
    for name, operation in found.items():
        assert CJK.search(operation.get("summary", "")), name
        english = re.sub(r"Excel|Word", "", operation["summary"])
        assert not re.search(r"[A-Za-z]{3,}", english), name
        assert operation.get("tags") and all(CJK.search(tag) for tag in operation["tags"]), name
    assert found["POST /api/v1/auth/token"]["summary"] == "签发令牌"
    assert found["GET /api/v1/inspections"]["summary"] == "巡察轮次列表"
    assert CJK.search(schema["info"]["title"]) and "Rectify" not in schema["info"]["title"]


def test_the_docs_page_is_titled_in_chinese(world):
    client = Client()
    client.force_login(world.alice)
    page = client.get("/api/v1/docs").content.decode()
    visible = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert "巡察整改督办平台接口" in page and "Rectify" not in visible
