"""Tokens, queries and highlighting of the search (pure Python, no database)."""

from __future__ import annotations

import pytest

from rectify.errors import InvalidInput
from rectify.search.text import MAX_QUERY_LENGTH, index_tokens, parse_query, snippet


def test_ideographs_become_overlapping_bigrams_and_the_last_character():
    assert index_tokens("打击非法营运") == "打击 击非 非法 法营 营运 运"
    assert index_tokens("营") == "营"


def test_letters_and_digits_are_whole_words_after_folding_full_width_and_case():
    assert index_tokens("Ｇ１０７国道，热线１２３４５") == "g107 国道 道 热线 线 12345"
    assert index_tokens("Rectify-API v2") == "rectify api v2"


def test_a_query_word_is_a_phrase_of_its_bigrams():
    query = parse_query("非法营运")
    assert [phrase.tokens for phrase in query.phrases] == [("非法", "法营", "营运")]
    assert not query.single_character


def test_words_are_separate_phrases_and_the_whole_query_is_one_more():
    query = parse_query("  停车场   条例 ")
    assert [phrase.tokens for phrase in query.phrases] == [("停车", "车场"), ("条例",)]
    assert query.whole.tokens == ("停车", "车场", "场条", "条例")
    assert query.terms == ("停车场", "条例")


def test_a_phrase_runs_on_across_letters_and_ideographs():
    # The inner run keeps its trailing character, as the index does, so the phrase stays adjacent.
    assert parse_query("国道G107").phrases[0].tokens == ("国道", "道", "g107")
    assert index_tokens("新国道G107") == "新国 国道 道 g107"


def test_one_ideograph_is_a_prefix():
    query = parse_query("营")
    assert query.phrases[0].tokens == ("营",) and query.phrases[0].prefix
    assert query.single_character


@pytest.mark.parametrize("text", ["", "   ", None])
def test_an_empty_query_is_refused(text):
    with pytest.raises(InvalidInput, match="请输入检索词"):
        parse_query(text)


def test_a_query_of_punctuation_only_is_refused():
    with pytest.raises(InvalidInput, match="没有可检索的文字"):
        parse_query("《》，。！")


def test_a_very_long_query_is_refused_with_its_length():
    with pytest.raises(InvalidInput, match=f"请精简到 {MAX_QUERY_LENGTH} 个字符以内"):
        parse_query("非" * (MAX_QUERY_LENGTH + 1))
    assert parse_query("非" * MAX_QUERY_LENGTH)


def test_the_snippet_marks_every_occurrence_and_escapes_everything_else():
    html = snippet('<b>非法营运</b> & "非法营运"', ("非法营运",))
    assert html == "&lt;b&gt;<mark>非法营运</mark>&lt;/b&gt; &amp; &quot;<mark>非法营运</mark>&quot;"


def test_markup_in_the_query_is_escaped_too():
    query = parse_query("<script>非法营运")
    html = snippet("<script>非法营运</script>", query.terms)
    assert "<script>" not in html and "</script>" not in html
    assert html == "&lt;<mark>script</mark>&gt;<mark>非法营运</mark>&lt;/<mark>script</mark>&gt;"


def test_highlighting_folds_full_width_and_case_like_the_index():
    assert snippet("Ｇ１０７国道", ("g107",)) == "<mark>Ｇ１０７</mark>国道"


def test_numbers_light_up_only_as_whole_words():
    assert snippet("工单123456与12345号", ("12345",)) == "工单123456与<mark>12345</mark>号"


def test_a_long_text_is_cut_around_the_first_hit():
    text = "甲" * 200 + "非法营运" + "乙" * 200
    html = snippet(text, ("非法营运",), width=60)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>非法营运</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) == 62


def test_without_a_hit_the_snippet_is_the_beginning():
    assert snippet("乙" * 300, ("非法",), width=10) == "乙" * 10 + "…"
