"""How an entry of the audit trail reads: a sentence an official would write ("孙丽 报送第 2 版进展（附件
2 个）", "赵建国 同意销号申请（牵头领导审批）", "周敏 将整改时限由 2026年11月30日 改为 2027年3月31日"), never
field names, True/False, storage paths or byte sizes.

Each app says, from its AppConfig.ready, how the events of its records read (`register`); a record no
app describes still reads in words ("艾丽 修改了长效机制“…”：状态由 起草中 改为 已出台"). The measure
timeline (ledger) and the audit trail (audit) both read entries through `describe`.

A phrase is a template over the record's fields, whose values are shown as the record's own choices,
names and dates say them; a part in [brackets] is left out when a field in it is empty."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from auditlog.models import LogEntry
from django.db import models

from rectify.documents import date_label

EMPTY = {"None", "", "[]"}
LONG_VALUE = 80
# Fields that are bookkeeping wherever they appear: who and when are on every line already.
BOOKKEEPING = {"id", "version", "created_at", "updated_at"}
OPTIONAL_PART = re.compile(r"\[([^\[\]]*)\]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Phrases:
    """How one model's events read. Templates name the record's fields ({revision}, {comment}…) or
    {record}, the record as it named itself when the entry was written."""

    created: str = ""  # a record made; empty: "新建<名称>“<记录>”"
    deleted: str = ""  # a record removed; empty: "删除<名称>“<记录>”"
    # A change of one field to a value that is an event of its own: {"state": {"accepted": "采纳进展报告"}}.
    becomes: dict[str, dict[str, str]] = field(default_factory=dict)
    # How a changed field reads instead of "将<字段>由 A 改为 B": {"deadline": "将整改时限由{old}改为{new}"}.
    changed: dict[str, str] = field(default_factory=dict)
    hidden: frozenset[str] = frozenset()  # fields never worth a word (files, checksums, sizes…)
    # Created records folded into the entry that created their parent, as a count: ("report", "附件", "个").
    counted_in: tuple[str, str, str] | None = None

    def named(self) -> set[str]:
        """The fields its templates name."""
        templates = [self.created, self.deleted, *self.changed.values()]
        templates += [text for events in self.becomes.values() for text in events.values()]
        return {name for text in templates for name in PLACEHOLDER.findall(text)}


_PHRASES: dict[type[models.Model], Phrases] = {}


def register(model: type[models.Model], phrases: Phrases) -> None:
    _PHRASES[model] = phrases


@dataclass(frozen=True)
class Sentence:
    """One entry read: what was done, in words (without the actor; empty when only bookkeeping changed),
    and the raw change behind it."""

    text: str
    raw: list[tuple[str, str, str]]  # (field's name in Chinese, before, after), as stored


def describe(
    entries: Iterable[LogEntry], *, subject: bool = True, fold: bool = True
) -> list[Sentence | None]:
    """Each entry as a sentence, in order; None for an entry folded into another (an attachment counted in
    its report's line). `subject`: name the record changed ("修改了整改措施“1.1 …”："), which a record's own
    timeline leaves out. Related names are looked up once per model for all entries."""
    entries = list(entries)
    names = _names(entries)
    created = {
        (entry.content_type.model_class(), str(entry.object_pk))
        for entry in entries
        if entry.action == LogEntry.Action.CREATE
    }
    counts: dict[tuple[type, str], list] = {}  # the parent's line: [count, noun, measure word]
    sentences: list[Sentence | None] = [None] * len(entries)
    for index, entry in enumerate(entries):
        parent = _counted_parent(entry) if fold else None
        if parent is not None and parent[:2] in created:
            counts.setdefault(parent[:2], [0, *parent[2:]])[0] += 1
            continue  # said as a count on the parent's line
        sentences[index] = entry
    return [
        _reasoned(entry, _sentence(entry, names, counts, subject)) if entry else None for entry in sentences
    ]


def _reasoned(entry: LogEntry, sentence: Sentence) -> Sentence:
    """The reason the person gave for the change, kept with the entry (its additional data), said last."""
    reason = (entry.additional_data or {}).get("reason") if isinstance(entry.additional_data, dict) else None
    if not reason or not sentence.text:
        return sentence
    return Sentence(f"{sentence.text}，理由：{reason}", sentence.raw)


def _counted_parent(entry: LogEntry) -> tuple[type, str, str, str] | None:
    """For a created record counted in its parent's line: (parent model, parent id, noun, measure word)."""
    model = entry.content_type.model_class()
    phrases = _PHRASES.get(model)
    if entry.action != LogEntry.Action.CREATE or phrases is None or phrases.counted_in is None:
        return None
    parent_field, noun, measure_word = phrases.counted_in
    parent = entry.changes_dict.get(parent_field, [None, None])[1]
    return model._meta.get_field(parent_field).related_model, str(parent), noun, measure_word


def _sentence(entry: LogEntry, names: dict, counts: dict, subject: bool) -> Sentence:
    model = entry.content_type.model_class()
    phrases = _PHRASES.get(model, Phrases())
    changes, links = _split(entry.changes_dict)
    raw = _raw(model, changes, names) + [_link_change(model, name, change) for name, change in links.items()]
    if model is None:
        return Sentence(f"处理了{entry.content_type.model}记录“{entry.object_repr}”", raw)
    noun = str(model._meta.verbose_name)
    values = {name: _shown(model, name, pair[1], names) for name, pair in changes.items()}
    values["record"] = entry.object_repr  # {record}: the record as it named itself when logged
    old_values = {name: _shown(model, name, pair[0], names) for name, pair in changes.items()}
    old_values["record"] = entry.object_repr  # a deleted record names itself too ("移除{record}")
    if entry.action == LogEntry.Action.CREATE:
        text = _fill(phrases.created, values) if phrases.created else f"新建{noun}“{entry.object_repr}”"
        if (model, str(entry.object_pk)) in counts:
            count, counted_noun, measure_word = counts[(model, str(entry.object_pk))]
            text += f"（{counted_noun} {count} {measure_word}）"
        return Sentence(text, raw)
    if entry.action == LogEntry.Action.DELETE:
        deleted = (
            _fill(phrases.deleted, old_values) if phrases.deleted else f"删除{noun}“{entry.object_repr}”"
        )
        return Sentence(deleted, raw)
    if entry.action != LogEntry.Action.UPDATE:
        return Sentence(f"查看{noun}“{entry.object_repr}”", raw)
    parts = []
    said: set[str] = set()
    context = {**values, **{f"old_{name}": value for name, value in old_values.items()}}
    for name, events in phrases.becomes.items():
        new = changes.get(name, [None, None])[1]
        if new is not None and str(new) in events:
            parts.append(_fill(events[str(new)], context))
            said.add(name)
            said.update(PLACEHOLDER.findall(events[str(new)]))  # a reason said once, in the event
    for name in changes:
        if name in said or not _worth_a_word(model, name, phrases):
            continue
        if name in phrases.becomes:
            continue  # a state whose other values are said by the events that set them
        label = _label(model, name)
        before, after = old_values[name], values[name]
        if not before:
            parts.append(f"将{label}设为{after}")
        elif not after:
            parts.append(f"清除{label}（原为{before}）")
        elif name in phrases.changed:
            parts.append(_fill(phrases.changed[name], {**context, "old": before, "new": after}))
        else:
            parts.append(f"将{label}由{before}改为{after}")
    for name, change in links.items():
        label, operation, objects = _link_change(model, name, change)
        parts.append(f"{operation}{label}{objects}")
    if not parts:
        return Sentence("", raw)  # only bookkeeping changed: nothing a reader needs to be told
    text = "，".join(parts)
    if subject and not phrases.becomes.keys() & said:
        text = f"修改{noun}“{entry.object_repr}”：{text}"
    return Sentence(text, raw)


def _worth_a_word(model: type[models.Model], name: str, phrases: Phrases) -> bool:
    if name in BOOKKEEPING or name in phrases.hidden:
        return False
    field_ = _field(model, name)
    if field_ is None or not hasattr(field_, "verbose_name") or field_.many_to_many or field_.one_to_many:
        return False  # a reverse relation or a list of links: not a value of this record
    # A storage path, or a moment the line already carries.
    return not isinstance(field_, models.FileField | models.DateTimeField)


def _field(model: type[models.Model], name: str):
    try:
        return model._meta.get_field(name)
    except LookupError:
        return None


LINK_OPERATIONS = {"add": "增加", "delete": "移除", "remove": "移除", "clear": "清空"}


def _split(changes: dict) -> tuple[dict, dict]:
    """Field changes ([before, after]) apart from changes of a list of links (auditlog's m2m dicts)."""
    fields = {name: change for name, change in changes.items() if isinstance(change, list | tuple)}
    links = {name: change for name, change in changes.items() if isinstance(change, dict)}
    return fields, links


def _link_change(model: type[models.Model] | None, name: str, change: dict) -> tuple[str, str, str]:
    """A list of links changed, as a raw change: (问题, 增加, “1. …”、“2. …”)."""
    label = _label(model, name) if model is not None else name
    operation = LINK_OPERATIONS.get(change.get("operation", ""), change.get("operation", ""))
    objects = "、".join(f"“{item}”" for item in change.get("objects", []))
    return label, operation, objects


def _is_link(field_) -> bool:
    """A foreign key or one-to-one of this record (its value is another record's id)."""
    return (
        field_ is not None
        and hasattr(field_, "verbose_name")
        and field_.related_model is not None
        and bool(field_.many_to_one or field_.one_to_one)
    )


def _label(model: type[models.Model], name: str) -> str:
    field_ = _field(model, name)
    return str(field_.verbose_name) if field_ is not None and hasattr(field_, "verbose_name") else name


def _names(entries: list[LogEntry]) -> dict[type, dict[str, str]]:
    wanted: dict[type, set[str]] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        if model is None:
            continue
        phrases = _PHRASES.get(model, Phrases())
        said = phrases.named()
        for name, values in entry.changes_dict.items():
            field_ = _field(model, name)
            if not _is_link(field_) or not (name in said or _worth_a_word(model, name, phrases)):
                continue  # a link nobody reads: not worth a query
            wanted.setdefault(field_.related_model, set()).update(
                str(value) for value in values if value is not None and str(value) not in EMPTY
            )
    found = {}
    for related, pks in wanted.items():
        keys = [pk for pk in pks if pk.isdigit()]
        found[related] = {str(obj.pk): str(obj) for obj in related._default_manager.filter(pk__in=keys)}
    return found


def _shown(model: type[models.Model] | None, name: str, value, names: dict) -> str:
    """A stored value as a person says it: a choice's label, a name, a date in words, 是/否."""
    if value is None or str(value) in EMPTY:
        return ""
    value = str(value)
    field_ = _field(model, name) if model is not None else None
    if field_ is None or not hasattr(field_, "verbose_name"):
        return value
    if _is_link(field_):
        # Not found: deleted since, or never looked up (a link no sentence reads).
        numbered = f"{field_.related_model._meta.verbose_name}（编号 {value}）"
        return names.get(field_.related_model, {}).get(value, numbered)
    if isinstance(field_, models.BooleanField):
        return "是" if value == "True" else "否"
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    if isinstance(field_, models.DateField) and not isinstance(field_, models.DateTimeField):
        with contextlib.suppress(ValueError):
            return date_label(date.fromisoformat(value))
    if isinstance(field_, models.DecimalField):
        with contextlib.suppress(ValueError):
            return format(float(value), "g")
    return value if len(value) <= LONG_VALUE else value[:LONG_VALUE] + "…"


def _fill(template: str, values: dict[str, str]) -> str:
    def optional(match: re.Match) -> str:
        inner = match.group(1)
        wanted = PLACEHOLDER.findall(inner)
        return inner.format_map(values) if all(values.get(name) for name in wanted) else ""

    return OPTIONAL_PART.sub(optional, template).format_map(_Blank(values))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _raw(model: type[models.Model] | None, changes: dict, names: dict) -> list[tuple[str, str, str]]:
    """The change as stored, for the supervisor who wants it: each field a person can read, by its Chinese
    name, before and after (names, not ids; no files, checksums or ids)."""
    phrases = _PHRASES.get(model, Phrases())
    rows = []
    for name, (old, new) in changes.items():
        if model is not None and not (_worth_a_word(model, name, phrases) or name in phrases.becomes):
            continue  # bookkeeping, a stored file, or another record's link to this one
        if all(value is None or str(value) in EMPTY for value in (old, new)):
            continue  # a new record's empty field: nothing happened to it
        label = _label(model, name) if model is not None else name
        before = _shown(model, name, old, names) or "（空）"
        after = _shown(model, name, new, names) or "（空）"
        rows.append((label, before, after))
    return rows
