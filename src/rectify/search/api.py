"""GET /api/v1/search: the same search as the page, as JSON. Thin: rectify.search.services decides."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from rectify.schemas import Id, Message

from .services import MAX_LIMIT, SearchHit, parse_types, search
from .text import MAX_QUERY_LENGTH

router = Router(tags=["搜索"])


class SearchParams(Schema):
    q: str = Field("", description=f"检索词；多个词用空格分开，须同时出现。最多 {MAX_QUERY_LENGTH} 个字符")
    type: str = Field(
        "", description="类型，逗号分隔：problem、measure、report、mechanism、order、feedback；空为全部"
    )
    inspection: Id | None = Field(None, description="只检索这一次巡察")
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="每页条数")
    offset: int = Field(0, ge=0, description="从第几条开始（0 起）")


class HitOut(Schema):
    kind: str
    kind_label: str
    id: int
    heading: str = Field(description="对象的称呼，如“措施 2.1”“督办〔2025〕3号 · 执法支队”")
    title: str
    title_html: str = Field(description="标题，HTML 已转义，命中处以 <mark> 标出")
    snippet_html: str = Field(description="正文中命中处附近的片段，HTML 已转义，命中处以 <mark> 标出")
    url: str
    score: float = Field(description="相关度，越大越相关，只在同一次检索内可比")
    inspection_id: int | None
    inspection_title: str

    @staticmethod
    def resolve_id(hit: SearchHit) -> int:
        return hit.object.pk


class SearchOut(Schema):
    q: str
    total: int = Field(description="所选类型中的命中总数")
    counts: dict[str, int] = Field(description="各类型的命中数（不受类型筛选影响）")
    single_character: bool = Field(description="检索词含单个汉字，按单字检索")
    limit: int
    offset: int
    hits: list[HitOut]


@router.get("/search", response={200: SearchOut, 400: Message}, summary="全文检索")
def search_endpoint(request, params: Query[SearchParams]):
    """在有权查看的问题、整改措施、整改进展、长效机制、督办单和意见诉求中检索，按相关度排序。"""
    results = search(
        request.user,
        params.q,
        types=parse_types(params.type),
        inspection_id=params.inspection,
        limit=params.limit,
        offset=params.offset,
    )
    return {
        "q": results.query.text,
        "total": results.total,
        "counts": results.counts,
        "single_character": results.single_character,
        "limit": results.limit,
        "offset": results.offset,
        "hits": results.hits,
    }
