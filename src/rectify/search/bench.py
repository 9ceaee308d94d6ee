"""Search figures for `rectify benchmark`: on the synthetic ledger (thousands of measures, each
problem titled “…非法营运监管不到位”), the size of the index, a full reindex, and a few searches as the
office, a unit's liaison and the city supervisor see them."""

from __future__ import annotations

import time

from django.db import connection

from rectify.org.models import User

from .indexing import reindex
from .models import SearchEntry
from .services import search

QUERIES = (
    ("非法营运", "常见词组"),
    ("执法效率", "措施正文中的词"),
    ("营", "单字"),
    ("非法营运 执法", "两个词"),
    ("不存在的词语", "无结果"),
)


def run(bench, people: dict, inspections: list) -> None:
    started = time.perf_counter()
    written = reindex()
    bench.row(
        f"检索：全量重建索引（{written} 条）", f"{time.perf_counter() - started:.1f} s（{connection.vendor}）"
    )
    bench.timed("检索：重建一次巡察的索引", lambda: reindex(inspections[0]), repeat=3)
    bench.row("检索：索引条目", f"{SearchEntry.objects.count()} 条")
    for role, label in (("office", "整改办"), ("liaison", "责任单位联络员"), ("supervisor", "纪检监察组")):
        user = User.objects.get(pk=people[role].pk)
        for q, what in QUERIES:
            bench.timed(
                f"检索（{label}）：“{q}”（{what}，首页 20 条）",
                lambda user=user, q=q: search(user, q),
                repeat=5,
                count_queries=True,
            )
        bench.timed(
            f"检索（{label}）：“非法营运”，限一次巡察、只看措施",
            lambda user=user: search(user, "非法营运", types={"measure"}, inspection_id=inspections[0].pk),
            repeat=5,
        )
