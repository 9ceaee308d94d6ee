"""What every app's API shares: the error message, references to other records, paging, and the
bounded types of ids, years and pages. Each app's api.py imports from here (the ground layer), so a
shape is declared once and every OpenAPI component name names one shape.

Query parameters and ids are bounded here so that a number beyond any record or the database's
integer range is refused with 422 and a Chinese message from the API's one validation handler."""

from typing import Annotated, Literal

import django_filters
from django import forms
from django.db import models
from ninja import Field, Schema
from pydantic import BeforeValidator, create_model

# The largest primary key and integer column value every supported database stores.
DB_INT_MAX = 2**31 - 1
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200

Id = Annotated[int, Field(ge=1, le=DB_INT_MAX, description="编号（正整数）")]
# A filter left empty (`?inspection=`) means no filter, as in the HTML forms.
OptionalId = Annotated[Id | None, BeforeValidator(lambda value: None if value == "" else value)]
# Several ids in one parameter, repeated (`?inspection=1&inspection=3`); empty ones are no filter.
OptionalIds = Annotated[
    list[Id],
    BeforeValidator(lambda value: [v for v in value if v != ""] if isinstance(value, list) else value),
]
Year = Annotated[int, Field(ge=1900, le=2100, description="年度（1900–2100）")]
# An organisation named in a form field: its id, or its code (a slug); anything else names none.
OrganisationKey = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$", description="组织编号或代码")
]


def organisation_lookup(key: str) -> dict:
    """The query that finds the organisation an OrganisationKey names: digits are its id."""
    return {"pk": int(key)} if key.isdigit() and int(key) <= DB_INT_MAX else {"code": key}


class Message(Schema):
    """Every refusal: a Chinese sentence saying why."""

    detail: str


def errors(*codes: int) -> dict:
    """The documented refusals of an operation, each answered as a Message."""
    return {code: Message for code in codes}


class NamedRef(Schema):
    id: int
    name: str


class ProblemRef(Schema):
    id: int
    number: int
    title: str


class MeasureLabel(Schema):
    id: int
    label: str


def person_ref(user) -> dict | None:
    """A user as a NamedRef, by the name people know them by; None for nobody."""
    return {"id": user.pk, "name": user.display_name} if user else None


# Resolvers that output schemas assign (`resolve_author = person_of("author")`) where a method per
# field would only repeat the one line.


def person_of(field: str) -> staticmethod:
    """The resolver of an output naming the user in the record's `field`, as person_ref."""
    return staticmethod(lambda obj: person_ref(getattr(obj, field)))


def label_of(field: str) -> staticmethod:
    """The resolver of a `<field>_label` output: the Chinese label of the record's choice."""
    return staticmethod(lambda obj: getattr(obj, f"get_{field}_display")())


class Paging(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description=f"页码，从 1 开始，不超过 {MAX_PAGE}")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数，最多 {MAX_PAGE_SIZE}")

    def window(self, queryset) -> tuple[int, list]:
        start = (self.page - 1) * self.page_size
        return queryset.count(), list(queryset[start : start + self.page_size])

    def listing(self, queryset) -> dict:
        """The window as a list endpoint answers it (a page schema: count and items)."""
        count, items = self.window(queryset)
        return {"count": count, "items": items}


def choice_of(choices: type[models.Choices]):
    """A Django choices class as an enum written inline: nested choices classes share short names
    (Consultation.Status, FeedbackReply.Status), and OpenAPI components are keyed by that name."""
    return Literal[tuple(choices.values)]


def query_schema(name: str, filterset: type, base: type[Schema] = Schema) -> type[Schema]:
    """The API's typed query parameters of a django-filter filter set, so a list's filters are declared
    once (in the filter set) and documented, typed and bounded here: a choice of objects is an id (of
    several, repeated ids), a choice a closed list, a yes/no a boolean, a text its declared length."""
    fields: dict = {}
    for key, declared in filterset.base_filters.items():
        described = str(declared.extra.get("help_text") or declared.label or key)
        if isinstance(declared, django_filters.ModelMultipleChoiceFilter):
            fields[key] = (OptionalIds, Field([], description=described))
        elif (
            isinstance(declared, django_filters.ModelChoiceFilter)
            or declared.field_class is forms.IntegerField
        ):
            fields[key] = (OptionalId, Field(None, description=described))
        elif isinstance(declared, django_filters.ChoiceFilter):
            values = tuple(value for value, _label in declared.extra["choices"])
            fields[key] = (Literal[values] | None, Field(None, description=described))
        elif isinstance(declared, django_filters.BooleanFilter):
            fields[key] = (bool | None, Field(None, description=described))
        elif isinstance(declared, django_filters.CharFilter):
            length = declared.extra.get("max_length")
            fields[key] = (str, Field("", max_length=length, description=described))
        else:
            raise TypeError(f"{filterset.__name__}.{key}: no query type for {type(declared).__name__}")
    return create_model(name, __base__=base, **fields)
