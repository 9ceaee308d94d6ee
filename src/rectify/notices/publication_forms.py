"""The draft editor's form, built from the draft's own document: one field per piece of wording.

Numbering is never typed. Narrative parts (一、三、…) have a title, their paragraphs (one per line)
and their (一)(二)… subsections, each a title and a text, plus one empty subsection to add one
(emptying a subsection removes it; the rest are renumbered). Each problem's measures are one
textarea each, labelled with their numbers. `to_overrides()` gives what publishing.update_draft takes.
"""

from __future__ import annotations

from django import forms

from rectify.forms import Form

from .document import NoticeDocument
from .models import NoticePublication
from .publishing import split_progress

CN_NUMBERS = "一二三四五六七八九十"


def cn_number(number: int) -> str:
    if 1 <= number <= 10:
        return CN_NUMBERS[number - 1]
    if number < 20:
        return "十" + CN_NUMBERS[number - 11]
    return str(number)


def _textarea(rows: int, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class DraftForm(Form):
    required_css_class = "required"  # the field template marks required fields: （必填）

    title = forms.CharField(label="名称（通报标题）", max_length=255)
    written_date = forms.DateField(
        label="成文日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="通报落款日期；各项措施的进展按台账在此日的情况表述。",
    )
    document_number = forms.CharField(label="文号", max_length=64, required=False)
    subject_terms = forms.CharField(label="主题词", max_length=128, required=False)
    category = forms.CharField(label="分类", max_length=64)
    issuer = forms.CharField(label="发文机关（落款）", max_length=128)
    opening = forms.CharField(label="开篇段落", widget=_textarea(5))
    contact = forms.CharField(
        label="联系方式（结尾段落）",
        required=False,
        widget=_textarea(4),
        help_text="电话、电子邮箱、通信地址和邮编写在此段中，公开页据此列出意见反馈渠道。",
    )

    def __init__(self, *args, publication: NoticePublication, document: NoticeDocument, **kwargs):
        initial = {
            "title": publication.title,
            "written_date": publication.written_date,
            "document_number": publication.document_number,
            "subject_terms": publication.subject_terms,
            "category": publication.category,
            "issuer": document.issuer,
            "opening": document.opening,
            "contact": document.contact.text,
        }
        self.sections: list[dict] = []
        self.problem_groups: list[dict] = []
        extra_fields: dict[str, forms.Field] = {}
        for section in document.sections:
            if section.holds_problems:
                continue
            prefix = f"section_{section.number}"
            part = cn_number(section.number)
            extra_fields[f"{prefix}_title"] = forms.CharField(label=f"第{part}部分标题", max_length=255)
            initial[f"{prefix}_title"] = section.title
            extra_fields[f"{prefix}_paragraphs"] = forms.CharField(
                label=f"第{part}部分导语", required=False, widget=_textarea(4), help_text="每行一段。"
            )
            initial[f"{prefix}_paragraphs"] = "\n".join(section.paragraphs)
            subsections = []
            for index in range(len(section.subsections) + 1):
                existing = section.subsections[index] if index < len(section.subsections) else None
                label = f"（{cn_number(index + 1)}）" if existing else "新增一节"
                title_name, text_name = f"{prefix}_sub_{index}_title", f"{prefix}_sub_{index}_text"
                extra_fields[title_name] = forms.CharField(
                    label=f"{label}小标题", max_length=255, required=False
                )
                extra_fields[text_name] = forms.CharField(
                    label=f"{label}正文", required=False, widget=_textarea(4 if existing else 2)
                )
                if existing:
                    initial[title_name], initial[text_name] = existing.title, existing.text
                subsections.append({"title": title_name, "text": text_name, "is_new": existing is None})
            self.sections.append(
                {
                    "number": section.number,
                    "part": part,
                    "title": f"{prefix}_title",
                    "paragraphs": f"{prefix}_paragraphs",
                    "subsections": subsections,
                }
            )
        for problem in document.problems:
            names = []
            for order, measure in enumerate(problem.measures, start=1):
                name = f"measure_{problem.number}_{order}"
                wording, progress = split_progress(measure.text)
                extra_fields[name] = forms.CharField(
                    label=f"问题{problem.number} 措施{order}",
                    widget=_textarea(3),
                    help_text=f"进展按台账生成：{progress}" if progress else "",
                )
                initial[name] = wording
                names.append(name)
            self.problem_groups.append({"number": problem.number, "title": problem.title, "measures": names})
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields.update(extra_fields)

    def section_fields(self):
        """The narrative parts with bound fields, for the template."""
        for section in self.sections:
            yield {
                "part": section["part"],
                "title": self[section["title"]],
                "paragraphs": self[section["paragraphs"]],
                "subsections": [
                    {"title": self[item["title"]], "text": self[item["text"]], "is_new": item["is_new"]}
                    for item in section["subsections"]
                ],
            }

    def problem_fields(self):
        for group in self.problem_groups:
            yield {
                "number": group["number"],
                "title": group["title"],
                "measures": [self[name] for name in group["measures"]],
            }

    def to_overrides(self) -> dict:
        data = self.cleaned_data
        overrides = {
            name: data[name]
            for name in (
                "title",
                "written_date",
                "document_number",
                "subject_terms",
                "category",
                "issuer",
                "opening",
                "contact",
            )
        }
        overrides["sections"] = {
            section["number"]: {
                "title": data[section["title"]],
                "paragraphs": data[section["paragraphs"]].splitlines(),
                "subsections": [
                    {"title": data[item["title"]], "text": data[item["text"]]}
                    for item in section["subsections"]
                ],
            }
            for section in self.sections
        }
        overrides["problems"] = {
            group["number"]: [data[name] for name in group["measures"]] for group in self.problem_groups
        }
        return overrides


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(key, key) for key in ("submit", "accept", "approve", "publish", "return")]
    )
    comment = forms.CharField(label="意见", required=False, max_length=2000, widget=_textarea(2))
