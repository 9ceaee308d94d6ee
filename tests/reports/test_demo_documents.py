"""The demo's 整改文书 go through the real workflow: an approved work plan and a sent situation report."""

from rectify.reports.demo import demo_documents


def test_the_demo_gives_an_approved_work_plan_and_a_sent_situation_report(world, ledger):
    plan, report = demo_documents(ledger.inspection, {"office": world.alice, "leader": world.larry})
    assert (plan.kind, plan.state) == ("work_plan", "approved")
    assert (report.kind, report.state) == ("situation", "sent") and report.sent_on is not None
    assert [step.action for step in report.steps.all()] == ["create", "submit", "accept", "approve", "send"]
    assert report.created_by.username == "office2"  # the clerk drafts, the office director reviews
