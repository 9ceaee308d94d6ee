"""The search index: one row per indexed object, kept up to date by rectify.search.indexing.

The full-text part lives beside the row and belongs to the database, created by migration 0002:
- SQLite: the FTS5 table `search_fts` over `title_tokens` and `body_tokens` (external content, kept
  in step with this table by triggers);
- PostgreSQL: the column `vector` (tsvector, `simple` configuration, title weighted A and body B),
  computed by a trigger from the same two columns, with a GIN index.
Neither is a model field, so Django never reads or writes them; the backends query them. A later
migration that alters this table must recreate the SQLite triggers (Django remakes the table).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rectify.fields import valid_choice
from rectify.ledger.models import Inspection


class SearchKind(models.TextChoices):
    PROBLEM = "problem", _("问题")
    MEASURE = "measure", _("整改措施")
    REPORT = "report", _("整改进展")
    MECHANISM = "mechanism", _("长效机制")
    ORDER = "order", _("督办单")
    FEEDBACK = "feedback", _("意见诉求")


class SearchEntry(models.Model):
    """The searchable text of one object: `title` and `body` as shown, and their tokens as indexed
    (see rectify.search.text). Permissions are not stored: every search asks the object's own
    visibility rule, so a change of role or assignment counts at once."""

    kind = models.CharField(_("类型"), max_length=16, choices=SearchKind.choices)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("巡察"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.TextField(_("标题"), blank=True)
    body = models.TextField(_("正文"), blank=True)
    title_tokens = models.TextField(_("标题词元"), blank=True, editable=False)
    body_tokens = models.TextField(_("正文词元"), blank=True, editable=False)
    indexed_at = models.DateTimeField(_("索引时间"), auto_now=True)

    class Meta:
        verbose_name = _("检索条目")
        verbose_name_plural = _("检索条目")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object"),
            valid_choice("kind", SearchKind, name="search_entry_kind_valid"),
        ]
        indexes = [models.Index(fields=["inspection", "kind"], name="search_entry_inspection_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_id}"
