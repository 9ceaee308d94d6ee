"""The search page and GET /api/v1/search through Django's test client: results, filters, paging,
escaping, permissions, and the refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from rectify.ledger.models import Problem
from rectify.org.models import User
from rectify.search.text import MAX_QUERY_LENGTH


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_anonymous_gets_the_login_page_and_the_api_401(ledger):
    response = Client().get("/search/?q=非法营运")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = Client().get("/api/v1/search?q=非法营运")
    assert response.status_code == 401
    assert response.json()["detail"] == "未登录或令牌无效、已过期。"


def test_every_page_has_the_search_box_for_signed_in_users(ledger, world):
    html = signed_in("alice").get("/inspections/").content.decode()
    assert (
        '<form class="header-search" role="search" aria-label="全站检索" method="get" action="/search/">'
        in html
    )
    assert '<label for="header-search-q"' in html
    assert f'name="q" maxlength="{MAX_QUERY_LENGTH}"' in html  # the header caps as the service does
    login = Client().get("/login/").content.decode()
    assert "header-search" not in login


def test_an_empty_query_explains_what_can_be_searched(ledger, world):
    response = signed_in("alice").get("/search/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "可以检索什么" in html
    assert 'href="?q=非法营运"' in html
    assert f'<option value="{ledger.inspection.pk}">' in html
    assert f'<option value="{ledger.other.pk}">' not in html  # only inspections Alice may see


def test_results_with_type_label_highlight_link_and_facets(ledger, world):
    response = signed_in("alice").get("/search/", {"q": "非法营运"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "找到 <strong>2</strong> 条与“非法营运”相关的结果" in html
    measure = ledger.measures[(2, 1)]
    assert f'<a href="/measures/{measure.pk}/">措施 2.1：打击<mark>非法营运</mark>车辆。</a>' in html
    assert (
        f'<a href="/problems/{measure.problem_id}/">问题 2：<mark>非法营运</mark>打击不力的整改</a>' in html
    )
    assert '<span class="search-kind">整改措施</span>' in html
    assert ledger.inspection.title in html
    assert 'aria-label="按类型筛选"' in html
    assert 'href="?q=%E9%9D%9E%E6%B3%95%E8%90%A5%E8%BF%90&amp;type=measure">整改措施' in html


def test_the_type_and_inspection_filters_on_the_page(ledger, world):
    client = signed_in("sam")
    html = client.get("/search/", {"q": "非法营运", "type": "measure"}).content.decode()
    assert "找到 <strong>2</strong> 条" in html
    assert "search-hit-problem" not in html
    assert '<option value="measure" selected>' in html
    html = client.get("/search/", {"q": "非法营运", "inspection": ledger.other.pk}).content.decode()
    assert "找到 <strong>2</strong> 条" in html
    assert f"仅限巡察：{ledger.other.title}" in html


def test_markup_in_the_text_and_the_query_is_shown_as_text(ledger, world):
    problem = Problem.objects.get(pk=ledger.measures[(2, 1)].problem_id)
    problem.title = '<img src=x onerror="alert(1)">非法营运'
    problem.save()
    response = signed_in("alice").get("/search/", {"q": '"><非法营运>'})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<img src=x" not in html and '"><非法营运>' not in html
    assert 'value="&quot;&gt;&lt;非法营运&gt;"' in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<mark>非法营运</mark>" in html
    api = signed_in("alice").get("/api/v1/search", {"q": "非法营运", "type": "problem"}).json()
    assert api["hits"][0]["title"] == '<img src=x onerror="alert(1)">非法营运'
    assert (
        api["hits"][0]["title_html"] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<mark>非法营运</mark>"
    )


def test_no_results_suggests_what_to_try(ledger, world):
    html = signed_in("alice").get("/search/", {"q": "非法营运", "type": "report"}).content.decode()
    assert "没有找到与“非法营运”相关的结果" in html
    assert "可以这样试试" in html
    assert "在全部类型中检索</a>：其他类型中有 2 条结果" in html


def test_a_single_character_says_it_was_searched_alone(ledger, world):
    html = signed_in("alice").get("/search/", {"q": "营"}).content.decode()
    assert "已按单字检索" in html


def test_paging_on_the_page(ledger, world):
    area = ledger.inspection.areas.first()
    for number in range(10, 35):
        Problem.objects.create(
            inspection=ledger.inspection, area=area, number=number, title=f"营运问题{number}"
        )
    client = signed_in("alice")
    first = client.get("/search/", {"q": "营运问题"}).content.decode()
    assert "第 1 页，共 2 页" in first and "下一页" in first
    second = client.get("/search/", {"q": "营运问题", "page": 2}).content.decode()
    assert '<ol class="search-results" start="21">' in second and "上一页" in second
    beyond = client.get("/search/", {"q": "营运问题", "page": 9}).content.decode()
    assert '<ol class="search-results" start="21">' in beyond


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"q": "非" * (MAX_QUERY_LENGTH + 1)}, 400, "检索词过长"),
        ({"q": "《》"}, 400, "没有可检索的文字"),
        ({"q": "非法营运", "type": "bogus"}, 400, "未知的类型：bogus"),
        ({"q": "非法营运", "page": "x"}, 400, "页码应为正整数"),
        ({"q": "非法营运", "inspection": "abc"}, 400, "巡察编号应为正整数"),
    ],
)
def test_bad_input_on_the_page_keeps_the_query(ledger, world, params, status, message):
    response = signed_in("alice").get("/search/", params)
    html = response.content.decode()
    assert response.status_code == status
    assert message in html
    assert 'aria-invalid="true"' in html
    assert f'value="{params["q"]}"' in html


def test_an_inspection_of_another_bureau_is_not_found_on_the_page_and_in_the_api(ledger, world):
    response = signed_in("alice").get("/search/", {"q": "非法营运", "inspection": ledger.other.pk})
    assert response.status_code == 404
    assert "巡察不存在，或您无权查看" in response.content.decode()
    response = signed_in("alice").get("/api/v1/search", {"q": "非法营运", "inspection": ledger.other.pk})
    assert response.status_code == 404
    assert response.json() == {"detail": "巡察不存在，或您无权查看。"}


def test_the_api_answers_hits_counts_and_paging(ledger, world):
    data = (
        signed_in("alice")
        .get("/api/v1/search", {"q": "非法营运", "type": "measure,problem", "limit": 1})
        .json()
    )
    assert data["q"] == "非法营运"
    assert data["total"] == 2 and data["limit"] == 1 and data["offset"] == 0
    assert data["counts"] == {
        "problem": 1,
        "measure": 1,
        "report": 0,
        "mechanism": 0,
        "order": 0,
        "feedback": 0,
    }
    assert not data["single_character"]
    (hit,) = data["hits"]
    assert set(hit) == {
        "kind",
        "kind_label",
        "id",
        "heading",
        "title",
        "title_html",
        "snippet_html",
        "url",
        "score",
        "inspection_id",
        "inspection_title",
    }
    assert "<mark>非法营运</mark>" in hit["title_html"]
    assert hit["inspection_id"] == ledger.inspection.pk
    rest = signed_in("alice").get("/api/v1/search", {"q": "非法营运", "limit": 1, "offset": 1}).json()
    assert {rest["hits"][0]["id"], hit["id"]} == {
        ledger.measures[(2, 1)].pk,
        ledger.measures[(2, 1)].problem_id,
    }


def test_the_api_respects_permissions(ledger, world):
    assert signed_in("bob").get("/api/v1/search", {"q": "非法营运"}).json()["total"] == 0
    assert signed_in("lisa").get("/api/v1/search", {"q": "非法营运"}).json()["total"] == 2
    data = signed_in("charlie").get("/api/v1/search", {"q": "非法营运"}).json()
    assert {hit["inspection_id"] for hit in data["hits"]} == {ledger.other.pk}


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({}, 400, "请输入检索词。"),
        ({"q": "非" * (MAX_QUERY_LENGTH + 1)}, 400, "检索词过长"),
        ({"q": "非法营运", "type": "bogus"}, 400, "未知的类型：bogus"),
        ({"q": "非法营运", "limit": 0}, 422, "limit"),
        ({"q": "非法营运", "limit": 101}, 422, "limit"),
        ({"q": "非法营运", "offset": -1}, 422, "offset"),
    ],
)
def test_the_api_refuses_bad_input_in_chinese(ledger, world, params, status, detail):
    response = signed_in("alice").get("/api/v1/search", params)
    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_the_api_is_documented_under_its_chinese_tag(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["paths"]["/api/v1/search"]["get"]["tags"] == ["搜索"]
