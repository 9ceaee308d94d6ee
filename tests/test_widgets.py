"""rectify.forms writes two of Django's widgets in one pass (no template per option) for the ledger
filter's long lists; their HTML must stay exactly Django's."""

import pytest
from django import forms

from rectify.forms import CheckboxSelectMultiple, Select

CASES = [
    ([("a", "<甲&>"), ("b", "乙")], ["b"], {"id": "id_n"}, {"class": "wide"}),
    ([("分组", [("a", "甲")]), ("b", "乙")], ["a"], {}, {}),
    ([(1, "一"), (2, "二")], None, {"id": "id_m"}, {"disabled": True, "aria-describedby": "hint"}),
]


@pytest.mark.parametrize(("choices", "value", "attrs", "widget_attrs"), CASES)
def test_our_widgets_write_django_s_html(choices, value, attrs, widget_attrs):
    for ours, django_s in ((CheckboxSelectMultiple, forms.CheckboxSelectMultiple), (Select, forms.Select)):
        chosen = value if ours is CheckboxSelectMultiple else (value or [""])[0]
        expected = django_s(attrs=widget_attrs, choices=choices).render("n", chosen, attrs)
        assert ours(attrs=widget_attrs, choices=choices).render("n", chosen, attrs) == expected
