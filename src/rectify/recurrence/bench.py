"""举一反三 figures for `rectify benchmark`: how good the similarity is on the labelled sets, and how
fast it answers on the benchmark's large synthetic ledger (thousands of problems)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rectify.feedback.models import FeedbackItem
from rectify.ledger.choices import MeasureStatus
from rectify.ledger.models import Inspection, Measure, Problem
from rectify.notices.importer import import_notice
from rectify.notices.parser import parse_file
from rectify.similarity import Corpus

from . import corpus, evaluation, services
from .corpus import problem_text
from .models import RecurrenceFlag


def run(bench, people: dict, inspections: list) -> None:
    routing = evaluation.routing_figures()
    bench.row(
        f"举一反三：分办建议命中率（{routing.items} 条演示意见）",
        f"首位 {routing.top1:.0%}，前三 {routing.top3:.0%}",
    )
    ranking = evaluation.ranking_figures()
    bench.row(
        f"举一反三：相似问题前 5 准确率（标注集 {ranking.problems} 个问题）",
        f"P@5 {ranking.precision_at_5:.2f}，R@5 {ranking.recall_at_5:.2f}"
        f"（按可得上限计 {ranking.attainable_precision_at_5:.2f}）",
    )

    flags = evaluation.flag_figures()
    bench.row(
        f"举一反三：导入提示（相似度 ≥ {flags.threshold}）在标注集上",
        f"{flags.flagged} 对中 {flags.precision:.0%} 为同类问题，同类问题对提示出 {flags.recall:.0%}",
    )
    labelled = evaluation.labelled_problems()
    copies = 32
    texts = [problem_text(p["title"], p["description"], p["measures"]) for p in labelled] * copies
    scaled = Corpus(list(range(len(texts))), texts)
    bench.timed(
        f"举一反三：标注集放大到 {len(texts)} 个问题，一次相似查询（纯计算）",
        lambda: scaled.rank(key=0, limit=5),
        repeat=20,
    )

    # The synthetic ledger's problems all say the same thing: no term is telling, nothing is shown,
    # and each query examines the most candidates it ever does (the worst case).
    office = people["office"]
    problem_count = Problem.objects.count()
    bench.timed(f"举一反三：拟合全部 {problem_count} 个问题的语料", _refit, repeat=3)
    problem = Problem.objects.filter(inspection=inspections[0]).order_by("number").first()
    bench.timed(
        f"举一反三：合成台账中一个问题的相似问题（{problem_count} 个问题，已缓存，最坏情况）",
        lambda: services.similar_problems(problem, user=office),
        repeat=20,
        count_queries=True,
    )
    item = FeedbackItem(
        organisation=people["bureau"],
        content="火车站门口天天有人拉客，说是网约车其实是黑车，价格乱喊",
        received_at=timezone.now(),
    )
    bench.timed("举一反三：一条意见的分办建议（已缓存）", lambda: services.suggest_routing(item), repeat=20)
    _flagging_on_import(bench, people, inspections)


def _refit() -> None:
    corpus.clear_cache()
    corpus.all_problems_corpus()


def _flagging_on_import(bench, people: dict, inspections: list) -> None:
    """Import the demo notice after signing off every synthetic problem, so each of its 17 problems is
    compared with all of them; rolled back afterwards."""
    signed = Measure.objects.filter(problem__inspection__in=inspections)
    earlier = Problem.objects.filter(inspection__in=inspections).count()
    with transaction.atomic():
        signed.update(status=MeasureStatus.SIGNED_OFF)
        document = parse_file(evaluation.DEMO_NOTICE)
        document.title = f"{document.title}（基准测试）"
        imported: list[Inspection] = []
        bench.timed(
            f"举一反三：导入广州通报并比对 {earlier} 个已销号问题",
            lambda: imported.append(import_notice(document, organisation=people["bureau"])),
        )
        flags = RecurrenceFlag.objects.filter(problem__inspection=imported[0]).count()
        bench.row("举一反三：导入时产生的提示", f"{flags} 条（每个问题最多 {services.FLAGS_PER_PROBLEM} 条）")
        transaction.set_rollback(True)
    corpus.clear_cache()
