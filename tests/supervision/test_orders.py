"""Supervision orders (督办单): who may issue, see and answer them (every role), numbering per issuer
and year (also two at once on real connections), answering once, escalating an overdue answer once,
the pages, and the Word document read back with python-docx."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from rectify.errors import AccessDenied, InvalidInput, NotFound
from rectify.org.access import VIEW
from rectify.org.models import User
from rectify.supervision import orders
from rectify.supervision.models import Notification, OrderState, SupervisionOrder, WarningPolicy
from rectify.supervision.order_docx import build_order_docx, title_lines

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def issue(ledger, world, user, unit="a1", keys=((1, 1),), due=None, **fields):
    return orders.issue_order(
        user,
        unit_id=world.orgs[unit].pk,
        measure_ids=[ledger.measures[key].pk for key in keys],
        reason=fields.get("reason", "整改进度滞后，未按期报送进展。"),
        demanded_action=fields.get("demanded_action", "立即组织整改，报送整改进展和佐证材料。"),
        answer_due=due or timezone.localdate() + timedelta(days=7),
    )


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


# ------------------------------------------------------------------ issuing


def test_office_issues_numbered_order_and_the_units_people_are_told(ledger, world):
    order = issue(ledger, world, world.alice, keys=[(1, 1), (1, 2)])
    year = timezone.localdate().year
    assert (order.issuer, order.year, order.serial, order.number) == (
        world.orgs["a"],
        year,
        1,
        f"督办〔{year}〕1号",
    )
    assert order.state == OrderState.ISSUED and order.issued_by == world.alice
    assert set(order.measures.all()) == {ledger.measures[(1, 1)], ledger.measures[(1, 2)]}
    assert told("order_issued") == {"bob", "hana"}
    note = Notification.objects.get(recipient=world.bob, kind="order_issued")
    assert order.number in note.title and note.url == f"/orders/{order.pk}/"


def test_supervisors_issue_in_their_own_organisations_sequence(ledger, world):
    first = issue(ledger, world, world.alice)
    by_vera = issue(ledger, world, world.vera, unit="a2", keys=[(2, 1)])
    by_sam = issue(ledger, world, world.sam, unit="a2", keys=[(3, 1)])  # A2 supports 3.1
    assert (first.issuer, first.serial) == (world.orgs["a"], 1)
    assert (by_vera.issuer, by_vera.serial) == (world.orgs["a"], 2)  # Vera supervises from bureau A
    assert (by_sam.issuer, by_sam.serial) == (world.orgs["city"], 1)
    assert told("order_issued") == {"bob", "hana", "lisa"}


@pytest.mark.parametrize("username", ["bob", "hana", "lisa", "larry", "nobody"])
def test_units_leaders_and_people_without_a_role_may_not_issue(ledger, world, username):
    with pytest.raises(AccessDenied, match="整改办"):
        issue(ledger, world, world.people[username])
    assert not SupervisionOrder.objects.exists()


def test_an_outsiders_office_does_not_find_the_measures(ledger, world):
    with pytest.raises(NotFound, match="不存在"):
        issue(ledger, world, world.charlie)
    with pytest.raises(NotFound):  # nor its own office for measures of another bureau mixed in
        orders.issue_order(
            world.charlie,
            unit_id=world.orgs["b1"].pk,
            measure_ids=[ledger.measures[(1, 1)].pk, ledger.other.problems.first().measures.first().pk],
            reason="x",
            demanded_action="y",
            answer_due=timezone.localdate(),
        )


def test_the_unit_must_be_responsible_or_supporting_for_every_measure(ledger, world):
    with pytest.raises(InvalidInput, match=re.escape("甲局法规处不是措施 1.1、1.2 的责任单位或配合单位")):
        issue(ledger, world, world.alice, unit="a2", keys=[(1, 1), (1, 2), (3, 1)])
    supported = issue(ledger, world, world.alice, unit="a1squad", keys=[(1, 2)])
    assert supported.unit == world.orgs["a1squad"]
    assert told("order_issued") == {"bob", "hana"}  # they act for the squad from the unit above it


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(ledger, world):
    today = timezone.localdate()
    cases = [
        ({"due": today - timedelta(days=1)}, "答复期限不能早于今天"),
        ({"reason": "  "}, "请填写督办事由"),
        ({"demanded_action": ""}, "请填写督办要求"),
        ({"keys": []}, "至少选择一项"),
        ({"reason": "长" * 5001}, "不能超过"),
    ]
    for fields, message in cases:
        with pytest.raises(InvalidInput, match=message):
            issue(ledger, world, world.alice, **fields)
    with pytest.raises(InvalidInput, match="请选择被督办单位"):
        orders.issue_order(
            world.alice,
            unit_id=None,
            measure_ids=[ledger.measures[(1, 1)].pk],
            reason="x",
            demanded_action="y",
            answer_due=today,
        )
    assert not SupervisionOrder.objects.exists() and not Notification.objects.exists()
    assert issue(ledger, world, world.alice, due=today).answer_due == today  # today itself is fine


# ------------------------------------------------------------------ numbering


def test_numbers_run_in_sequence_per_issuer_and_restart_each_year(ledger, world):
    with time_machine.travel(at(date(2026, 12, 30)), tick=False):
        numbers = [issue(ledger, world, world.alice).number for _ in range(3)]
        assert issue(ledger, world, world.sam).number == "督办〔2026〕1号"
    assert numbers == ["督办〔2026〕1号", "督办〔2026〕2号", "督办〔2026〕3号"]
    with time_machine.travel(at(date(2027, 1, 2)), tick=False):
        again = issue(ledger, world, world.alice)
    assert (again.year, again.serial, again.number) == (2027, 1, "督办〔2027〕1号")


def race(*actions) -> list:
    start = threading.Barrier(len(actions))
    outcomes: list = []

    def run(action):
        try:
            start.wait()
            outcomes.append(action())
        except Exception as error:  # shows up in the assertion
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_orders_issued_at_once_get_different_numbers(transactional_db, ledger, world):
    outcomes = race(*[lambda: issue(ledger, world, world.alice) for _ in range(3)])
    assert all(isinstance(outcome, SupervisionOrder) for outcome in outcomes), outcomes
    assert sorted(order.serial for order in outcomes) == [1, 2, 3]
    assert SupervisionOrder.objects.values("number").distinct().count() == 3


# ------------------------------------------------------------------ who sees what


@pytest.fixture
def three_orders(ledger, world):
    """Alice's to A1, Alice's to A2, and Sam's (the city) to A1."""
    return {
        "alice-a1": issue(ledger, world, world.alice, keys=[(1, 1), (3, 2)]),
        "alice-a2": issue(ledger, world, world.alice, unit="a2", keys=[(2, 1)]),
        "sam-a1": issue(ledger, world, world.sam, keys=[(3, 1)]),
    }


SEES = {
    "alice": {"alice-a1", "alice-a2", "sam-a1"},  # hers, and the city's to a unit of her bureau
    "vera": {"alice-a1", "alice-a2", "sam-a1"},
    "sam": {"alice-a1", "alice-a2", "sam-a1"},
    "bob": {"alice-a1", "sam-a1"},
    "hana": {"alice-a1", "sam-a1"},
    "lisa": {"alice-a2"},
    "larry": set(),
    "charlie": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("username", sorted(SEES))
def test_each_role_sees_its_orders_only(three_orders, world, username):
    user = world.people[username]
    names = {order.pk: name for name, order in three_orders.items()}
    visible = {names[pk] for pk in SupervisionOrder.objects.restrict(user, VIEW).values_list("pk", flat=True)}
    assert visible == SEES[username]
    client = signed_in(username)
    for name, order in three_orders.items():
        expected = 200 if name in SEES[username] else 404
        assert client.get(f"/orders/{order.pk}/").status_code == expected, name
        assert client.get(f"/orders/{order.pk}/docx/").status_code == expected, name
    page = client.get("/orders/")
    assert page.status_code == 200
    for name, order in three_orders.items():
        assert (f'href="/orders/{order.pk}/"' in page.content.decode()) == (name in SEES[username])


# ------------------------------------------------------------------ answering


def test_the_unit_answers_once_and_the_issuer_is_told(ledger, world):
    order = issue(ledger, world, world.alice)
    with pytest.raises(AccessDenied, match="负责人或联络员"):
        orders.answer_order(world.alice, order.pk, answer="代答。")
    with pytest.raises(AccessDenied):
        orders.answer_order(world.vera, order.pk, answer="代答。")
    with pytest.raises(NotFound):
        orders.answer_order(world.lisa, order.pk, answer="不是我的。")
    with pytest.raises(InvalidInput, match="请填写答复内容"):
        orders.answer_order(world.bob, order.pk, answer="   ")
    answered = orders.answer_order(world.bob, order.pk, answer="已完成整改，报送佐证材料。")
    assert (answered.state, answered.answer, answered.answered_by) == (
        OrderState.ANSWERED,
        "已完成整改，报送佐证材料。",
        world.bob,
    )
    assert answered.answered_at is not None
    assert told("order_answered") == {"alice"}
    with pytest.raises(orders.AlreadyAnswered, match="已经答复") as refused:
        orders.answer_order(world.hana, order.pk, answer="再答一次。")
    assert refused.value.status == 409
    assert SupervisionOrder.objects.get(pk=order.pk).answer == "已完成整改，报送佐证材料。"


def test_two_answers_at_once_record_one(transactional_db, ledger, world):
    order = issue(ledger, world, world.alice)
    outcomes = race(
        lambda: orders.answer_order(world.bob, order.pk, answer="联络员的答复。"),
        lambda: orders.answer_order(world.hana, order.pk, answer="负责人的答复。"),
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["AlreadyAnswered", "SupervisionOrder"]
    assert Notification.objects.filter(kind="order_answered").count() == 1


# ------------------------------------------------------------------ escalation


def test_an_overdue_answer_escalates_once_after_the_policys_days(ledger, world):
    start = date(2026, 3, 2)
    with time_machine.travel(at(start), tick=False):
        late = issue(ledger, world, world.alice, due=date(2026, 3, 10))
        answered = issue(ledger, world, world.alice, due=date(2026, 3, 10))
        orders.answer_order(world.bob, answered.pk, answer="已答复。")
        to_a2 = issue(ledger, world, world.vera, unit="a2", keys=[(2, 1)], due=date(2026, 3, 10))
    # The default policy escalates orders overdue by more than 3 days.
    with time_machine.travel(at(date(2026, 3, 13)), tick=False):
        assert orders.escalate_overdue_orders() == 0
    with time_machine.travel(at(date(2026, 3, 14)), tick=False) as traveller:
        assert orders.escalate_overdue_orders() == 2
        assert orders.escalate_overdue_orders() == 0  # the tick running twice tells nobody twice
        traveller.shift(timedelta(days=1))
        assert orders.escalate_overdue_orders(timezone.localdate()) == 0
    escalated = SupervisionOrder.objects.get(pk=late.pk)
    assert escalated.escalated_at is not None
    assert SupervisionOrder.objects.get(pk=answered.pk).escalated_at is None
    assert SupervisionOrder.objects.get(pk=to_a2.pk).escalated_at is not None
    # Supervisors above the issuer (bureau A: Vera, and the city's Sam) and the unit head; not the liaisons.
    by_order = {
        order_id: set(
            Notification.objects.filter(kind="order_escalated", url=f"/orders/{order_id}/").values_list(
                "recipient__username", flat=True
            )
        )
        for order_id in (late.pk, to_a2.pk)
    }
    assert by_order == {late.pk: {"vera", "sam", "hana"}, to_a2.pk: {"vera", "sam"}}
    note = Notification.objects.get(kind="order_escalated", recipient=world.hana)
    assert "逾期 4 天" in note.title and escalated.number in note.title
    # Answering after the escalation is still allowed.
    assert orders.answer_order(world.bob, late.pk, answer="迟到的答复。").state == OrderState.ANSWERED


def test_the_issuers_policy_sets_the_days(ledger, world):
    WarningPolicy.objects.create(organisation=world.orgs["a"], order_escalate_days=1)
    with time_machine.travel(at(date(2026, 3, 2)), tick=False):
        mine = issue(ledger, world, world.alice, due=date(2026, 3, 10))
        citys = issue(ledger, world, world.sam, due=date(2026, 3, 10))  # the city keeps the default, 3
    assert orders.escalate_overdue_orders(date(2026, 3, 11)) == 0
    assert orders.escalate_overdue_orders(date(2026, 3, 12)) == 1
    assert SupervisionOrder.objects.get(pk=mine.pk).escalated_at is not None
    assert SupervisionOrder.objects.get(pk=citys.pk).escalated_at is None
    assert orders.escalate_overdue_orders(date(2026, 3, 14)) == 1


# ------------------------------------------------------------------ pages


def test_the_office_issues_through_the_two_step_form(ledger, world):
    client = signed_in("alice")
    list_page = client.get("/orders/")
    assert 'href="/orders/new/"' in list_page.content.decode()
    step_one = client.get("/orders/new/")
    assert step_one.status_code == 200 and "甲局执法支队" in step_one.content.decode()
    unit = world.orgs["a1"].pk
    measure = ledger.measures[(1, 2)].pk
    step_two = client.get(f"/orders/new/?unit={unit}&measure={measure}")
    html = step_two.content.decode()
    assert step_two.status_code == 200 and "措施 1.2" in html and "措施 2.1" not in html  # 2.1 is A2's
    assert re.search(rf'value="{measure}"[^>]*checked', html)
    assert not re.search(rf'value="{ledger.measures[(1, 1)].pk}"[^>]*checked', html)
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(
        "/orders/new/",
        {
            "unit": unit,
            "measures": [measure, ledger.measures[(3, 2)].pk],
            "reason": "进度滞后。",
            "demanded_action": "五日内报送。",
            "answer_due": due,
        },
    )
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert order.number in page and "已通知甲局执法支队" in page and "五日内报送" in page
    assert 'action="/orders/' not in page.split("答复")[-1]  # the office has no answer form


def test_the_issue_form_keeps_input_and_explains_refusals(ledger, world):
    client = signed_in("alice")
    unit = world.orgs["a1"].pk
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    data = {
        "unit": unit,
        "measures": [ledger.measures[(1, 1)].pk],
        "reason": "保留这段事由。",
        "demanded_action": "",
        "answer_due": past,
    }
    response = client.post("/orders/new/", data)
    html = response.content.decode()
    assert response.status_code == 400 and "请填写督办要求" in html and "保留这段事由。" in html
    data["demanded_action"] = "要求。"
    response = client.post("/orders/new/", data)
    assert response.status_code == 400 and "答复期限不能早于今天" in response.content.decode()
    # A measure of another unit, or a unit not offered, is an invalid choice.
    data.update(answer_due=timezone.localdate().isoformat(), measures=[ledger.measures[(2, 1)].pk])
    assert client.post("/orders/new/", data).status_code == 400
    assert client.get(f"/orders/new/?unit={world.orgs['b1'].pk}").status_code == 400
    assert not SupervisionOrder.objects.exists()


@pytest.mark.parametrize("username", ["bob", "hana", "larry", "nobody"])
def test_the_issue_form_refuses_those_who_may_not_issue(ledger, world, username):
    client = signed_in(username)
    assert client.get("/orders/new/").status_code == 403
    assert 'href="/orders/new/"' not in client.get("/orders/").content.decode()


def test_the_unit_answers_on_the_order_page(ledger, world):
    order = issue(ledger, world, world.alice)
    bob = signed_in("bob")
    page = bob.get(f"/orders/{order.pk}/").content.decode()
    assert f'action="/orders/{order.pk}/answer/"' in page
    empty = bob.post(f"/orders/{order.pk}/answer/", {"answer": " "})
    assert empty.status_code == 400 and "请填写答复内容" in empty.content.decode()
    too_long = bob.post(f"/orders/{order.pk}/answer/", {"answer": "长" * 5001}).content.decode()
    assert "不能超过 5000 字" in too_long and "长" * 5001 in too_long  # what was typed is kept
    done = bob.post(f"/orders/{order.pk}/answer/", {"answer": "已整改完毕。"})
    assert done.status_code == 302
    page = bob.get(f"/orders/{order.pk}/").content.decode()
    assert "已整改完毕。" in page and "已答复" in page and f'action="/orders/{order.pk}/answer/"' not in page
    again = signed_in("hana").post(f"/orders/{order.pk}/answer/", {"answer": "再答。"})
    assert again.status_code == 409 and "已经答复" in again.content.decode()
    assert signed_in("alice").post(f"/orders/{order.pk}/answer/", {"answer": "代答"}).status_code == 403
    assert signed_in("alice").post(f"/orders/{order.pk}/answer/", {"answer": ""}).status_code == 403
    assert signed_in("charlie").post(f"/orders/{order.pk}/answer/", {"answer": "x"}).status_code == 404
    assert SupervisionOrder.objects.get(pk=order.pk).answer == "已整改完毕。"


def test_the_list_filters_by_state_overdue_and_unit(ledger, world):
    with time_machine.travel(at(date(2026, 3, 2)), tick=False):
        late = issue(ledger, world, world.alice, due=date(2026, 3, 5))
        answered = issue(ledger, world, world.alice, due=date(2026, 3, 5))
        orders.answer_order(world.bob, answered.pk, answer="已答复。")
        later = issue(ledger, world, world.alice, unit="a2", keys=[(2, 1)], due=date(2026, 4, 30))
    client = signed_in("alice")

    def listed(query: str) -> set[int]:
        with time_machine.travel(at(date(2026, 3, 20)), tick=False):
            html = client.get(f"/orders/?{query}").content.decode()
        return {order.pk for order in (late, answered, later) if f'href="/orders/{order.pk}/"' in html}

    assert listed("") == {late.pk, answered.pk, later.pk}
    assert listed("state=answered") == {answered.pk}
    assert listed("state=issued") == {late.pk, later.pk}
    assert listed("overdue=1") == {late.pk}
    assert listed("overdue=0") == {answered.pk, later.pk}
    assert listed(f"unit={world.orgs['a2'].pk}") == {later.pk}
    assert listed(f"unit={world.orgs['a1'].pk}&overdue=1") == {late.pk}
    with time_machine.travel(at(date(2026, 3, 20)), tick=False):
        html = client.get("/orders/?overdue=1").content.decode()
    assert "逾期未答复" in html and "row-overdue" in html


def test_the_order_downloads_as_word_named_after_its_number(ledger, world):
    order = issue(ledger, world, world.alice)
    response = signed_in("bob").get(f"/orders/{order.pk}/docx/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''%E7%9D%A3%E5%8A%9E" in response["Content-Disposition"]
    assert Document(BytesIO(response.content)).paragraphs[1].text == order.number


# ------------------------------------------------------------------ the Word document


def test_the_docx_reads_back_in_the_official_layout(ledger, world):
    with time_machine.travel(at(date(2026, 3, 2)), tick=False):
        order = issue(
            ledger,
            world,
            world.alice,
            keys=[(3, 2), (1, 1)],
            due=date(2026, 3, 16),
            reason="整改进度滞后。\n多次提醒仍未报送。",
            demanded_action="立即整改。",
        )
    document = Document(BytesIO(build_order_docx(orders.get_order(world.alice, order.pk))))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    texts = [p.text for p in paragraphs]
    assert texts == [
        "甲局整改督办单",
        "督办〔2026〕1号",
        "甲局执法支队：",
        "一、督办事由",
        "整改进度滞后。",
        "多次提醒仍未报送。",
        "二、督办事项",
        "（一）问题1“执法不规范的整改”第1项措施：规范执法程序。",
        "（二）问题3“审批时限过长的整改”第2项措施：推行网上办理。",
        "三、督办要求",
        "立即整改。",
        "四、答复期限",
        "请于2026年3月16日前将落实情况书面答复甲局。逾期未答复的，将按规定升级督办。",
        "甲局",
        "2026年3月2日",
    ]

    def font(paragraph):
        run = paragraph.runs[0]
        fonts = run._element.rPr.rFonts
        return run.font.name, fonts.get(qn("w:eastAsia")), run.font.size

    title, number, addressee, heading, body = paragraphs[:5]
    assert font(title) == ("方正小标宋简体", "方正小标宋简体", Pt(22))
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert font(number) == ("仿宋_GB2312", "仿宋_GB2312", Pt(16))
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert addressee.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert font(heading) == ("黑体", "黑体", Pt(16))
    assert font(body) == ("仿宋_GB2312", "仿宋_GB2312", Pt(16))
    assert body.paragraph_format.first_line_indent == Pt(32)
    for signature in paragraphs[-2:]:
        assert signature.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert font(signature)[0] == "仿宋_GB2312"
    assert document.styles["Normal"].font.name == "仿宋_GB2312"
    defaults = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts")[0]
    assert defaults.get(qn("w:eastAsia")) == "宋体"
    assert paragraphs[1]._p.xpath("w:pPr/w:pBdr/w:bottom/@w:color") == ["E60012"]  # the red rule
    # One page when short: the title's 二号 line off the grid (LibreOffice gives it two lines on it),
    # the rule's 9.5 pt taken back from the line above the addressee.
    assert title._p.xpath("w:pPr/w:snapToGrid/@w:val") == ["0"]
    assert addressee.paragraph_format.space_before == Pt(28.95) - Pt(9.5)
    # Headings keep with what follows; the signature a line under the body, kept with its last lines.
    headings = [p for p in paragraphs if re.match("[一二三四]、", p.text)]
    assert len(headings) == 4 and all(p.paragraph_format.keep_with_next for p in headings)
    answer, issuer, day = paragraphs[-3:]
    assert answer.paragraph_format.keep_with_next and issuer.paragraph_format.keep_with_next
    assert issuer.paragraph_format.space_before == Pt(28.95)
    assert issuer.paragraph_format.right_indent == day.paragraph_format.right_indent == Pt(64)

    section = document.sections[0]
    size = {name: round(getattr(section, name).mm) for name in ("page_width", "page_height")}
    margins = {
        name: round(getattr(section, f"{name}_margin").mm) for name in ("top", "bottom", "left", "right")
    }
    assert size == {"page_width": 210, "page_height": 297}
    assert margins == {"top": 37, "bottom": 35, "left": 28, "right": 26}

    # Page numbers on odd (right) and even (left) pages, as PAGE fields.
    assert document.settings.odd_and_even_pages_header_footer
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, None)):
        paragraph = footer.paragraphs[0]
        assert "PAGE" in "".join(paragraph._p.xpath(".//w:instrText/text()"))
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert alignment is None or paragraph.alignment == alignment
    # The font table names the fallbacks.
    part = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    table = etree.fromstring(part.blob)
    alternatives = {
        font.get(qn("w:name")): font.find(qn("w:altName")).get(qn("w:val"))
        for font in table.findall(qn("w:font"))
        if font.find(qn("w:altName")) is not None
    }
    assert alternatives["方正小标宋简体"] == "宋体" and alternatives["仿宋_GB2312"] == "仿宋"
    assert document.core_properties.title.startswith("督办〔2026〕1号")


def test_a_long_issuers_title_breaks_after_the_issuer(ledger, world):
    order = issue(ledger, world, world.alice, reason="整改进度滞后,多次提醒仍未报送。")
    order.issuer.name = "广州市纪委监委驻市交通运输局纪检监察组"
    assert title_lines(order) == ["广州市纪委监委驻市交通运输局纪检监察组", "整改督办单"]
    order.issuer.name = "甲局"
    assert title_lines(order) == ["甲局整改督办单"]
    document = Document(BytesIO(build_order_docx(orders.get_order(world.alice, order.pk))))
    assert "整改进度滞后，多次提醒仍未报送。" in [p.text for p in document.paragraphs]  # full-width
