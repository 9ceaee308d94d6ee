"""The similarity itself (rectify.similarity): normalisation, n-grams, ranking, explanations, the
cache. Pure: no database."""

import numpy as np
import pytest

from rectify.similarity import (
    Corpus,
    CorpusCache,
    char_ngrams,
    common_terms,
    describe_terms,
    normalise,
    pieces,
)

PROBLEMS = {
    1: "加强南站非法营运监管的整改\n一是加强重点时段巡查，打击非法营运车辆和非法拉客。二是视频监控。",
    2: "规范养护工程招投标的整改\n取消公路养护工程招标文件中不合理的财务资格条件。",
    3: "加强占道施工行业监管的整改\n督促占道施工项目设置二维码公示，市民可扫码投诉。",
    4: "提高行政处罚案件线上办理率的整改\n完成自助系统线上缴款全覆盖。",
}


@pytest.fixture
def corpus():
    return Corpus(list(PROBLEMS), list(PROBLEMS.values()))


def test_normalise_folds_full_width_and_breaks_on_digits_punctuation_ordinals_and_boilerplate():
    text = "一是加强ＡＢＣ非法营运（２０２４年）整治；二是推进统一是关键。"
    assert normalise(text) == "abc非法营运 年 整治 统一是关键"
    # 一是/二是 go only where they open a clause; 统一是 stays a word.
    assert "统一是" in normalise("做到标准统一是前提")
    assert pieces("（一）打击非法营运，加强执法") == ["打击非法营运", "执法"]


def test_ngrams_never_span_a_break():
    grams = char_ngrams("非法营运，执法", (2, 2))
    assert grams == ["非法", "法营", "营运", "执法"]
    assert "运执" not in char_ngrams("非法营运，执法", (1, 3))


def test_common_terms_are_maximal_and_trimmed_of_function_characters():
    terms = common_terms("严厉打击非法营运车辆的行为", "南站的非法营运车辆很多")
    assert terms == ["非法营运车辆"]
    assert common_terms("采购未公开", "采购未招标") == ["采购"]
    assert common_terms("今天天气", "明日降雨") == []


def test_the_most_similar_problem_comes_first_with_its_shared_terms(corpus):
    matches = corpus.rank("南站门口天天有人拉客，非法营运的黑车太多", limit=2)
    assert matches[0].key == 1
    assert 0 < matches[0].score <= 1
    assert "非法营运" in matches[0].terms
    assert matches[0].explanation.startswith("共同关键词：") and "非法营运" in matches[0].explanation
    assert corpus.rank("公路养护招标的财务条件太高", limit=1)[0].key == 2


def test_a_text_with_no_shared_term_matches_nothing(corpus):
    # Single characters in common lift a score a little; a match nobody can explain is not offered.
    assert corpus.rank("谢谢你们的工作", limit=3) == []
    assert corpus.rank("谢谢你们的工作", limit=3, with_terms=False) != []


def test_rank_by_key_excludes_the_query_and_filters_in_batches(corpus):
    seen_batches = []

    def allowed(candidates):
        seen_batches.append(list(candidates))
        return [key for key in candidates if key != 3]

    matches = corpus.rank(key=1, limit=5, allowed=allowed, with_terms=False)
    keys = [match.key for match in matches]
    assert 1 not in keys and 3 not in keys
    assert seen_batches and all(1 not in batch for batch in seen_batches)


def test_min_score_cuts_weak_matches(corpus):
    assert corpus.rank("非法营运", limit=4, min_score=0.99) == []


def test_pair_scores_are_the_cosines_of_corpus_texts(corpus):
    scores = corpus.pair_scores([1, 2], [1, 3, 4])
    assert scores.shape == (2, 3)
    assert scores[0, 0] == pytest.approx(1.0)
    assert np.allclose(corpus.pair_scores([3], [1]), corpus.pair_scores([1], [3]).T)
    assert corpus.scores(key=1)[0] == pytest.approx(1.0)


def test_scores_are_those_of_the_product_with_the_transposed_matrix_to_the_last_bit(corpus):
    """The transposed matrix is kept from one query to the next instead of being made for each: the
    scores must not move, not even in the last bit (ranks break ties on them)."""
    texts = [*PROBLEMS.values(), "南站黑车拉客", "招标文件财务资格条件不合理"]
    bigger = Corpus(list(range(len(texts) * 3)), texts * 3)
    for fitted in (corpus, bigger):
        matrix = fitted._matrix
        for position, key in enumerate(fitted.keys):
            expected = np.asarray((matrix[position] @ matrix.T).todense()).ravel()
            assert np.array_equal(fitted.scores(key=key), expected)
        queries = fitted.vectors(texts)
        assert np.array_equal(fitted.score_matrix(texts), np.asarray((queries @ matrix.T).todense()))


def test_shared_terms_leave_out_generic_and_overlapping_terms():
    topics = ["公车私用", "违规吃喝", "津贴补贴", "招标投标", "安全生产", "资金监管", "政务服务", "意识形态"]
    texts = [f"管理工作：{topic}" for topic in topics]
    corpus = Corpus(list(range(len(texts))), texts)
    # 管理工作 is in every text: generic, never an explanation.
    assert corpus.shared_terms(texts[0], texts[1]) == []
    assert corpus.shared_terms("公车私用问题", "严禁公车私用") == ["公车私用"]


def test_describe_terms():
    assert describe_terms(["非法营运", "网约车"]) == "共同关键词：非法营运、网约车"
    assert describe_terms([]) == ""


def test_an_empty_corpus_answers_nothing():
    empty = Corpus([], [])
    assert empty.rank("非法营运") == []
    assert empty.score_matrix(["非法营运"]).shape == (1, 0)
    blank = Corpus([1], ["，。123"])
    assert blank.rank("非法营运") == [] and blank.pair_scores([1], [1]).tolist() == [[0.0]]


def test_mismatched_keys_and_texts_are_refused():
    with pytest.raises(ValueError):
        Corpus([1, 2], ["一段文字"])


def test_cache_refits_only_when_the_signature_changes():
    cache = CorpusCache(size=2)
    built = []

    def build(text):
        def make():
            built.append(text)
            return Corpus([1], [text])

        return make

    first = cache.get("all", (1, 10), build("非法营运"))
    assert cache.get("all", (1, 10), build("不会用到")) is first
    second = cache.get("all", (2, 11), build("公车私用"))
    assert second is not first and built == ["非法营运", "公车私用"]
    # Bounded: a third scope pushes out the least recently used.
    cache.get("org:1", 1, build("甲"))
    cache.get("org:2", 1, build("乙"))
    cache.get("all", (2, 11), build("重建"))
    assert built[-1] == "重建"


def _same_fit(first: Corpus, second: Corpus) -> None:
    """The same keys, vocabulary and vectors, to the last bit."""
    assert first.keys == second.keys and first._counts.vocabulary == second._counts.vocabulary
    for name in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(first._matrix, name), getattr(second._matrix, name)), name
    assert first._idf == second._idf


def test_a_corpus_extended_by_new_texts_is_the_corpus_of_all_of_them_fitted_afresh(corpus):
    """Only the new texts are counted; their new n-grams take their places among the old ones."""
    added = ["南站黑车拉客严重", "招标文件财务资格条件不合理", "全新词汇鳄鱼龟鳖"]
    extended = corpus.extended([5, 6, 7], added)
    fresh = Corpus([*PROBLEMS, 5, 6, 7], [*PROBLEMS.values(), *added])
    _same_fit(extended, fresh)
    assert np.array_equal(extended.score_matrix(added), fresh.score_matrix(added))
    assert extended.rank("黑车", limit=2) == fresh.rank("黑车", limit=2)
    # Nothing new in them: the vocabulary stays, the rows grow.
    _same_fit(corpus.extended([8], ["非法营运"]), Corpus([*PROBLEMS, 8], [*PROBLEMS.values(), "非法营运"]))


def test_the_scores_are_those_of_scikit_learns_tfidf_vectorizer(corpus):
    """The n-grams are counted here (so that a corpus can be extended); the vectors are what
    TfidfVectorizer makes of the same texts, up to rounding."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = list(PROBLEMS.values())
    vectorizer = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True)
    expected = vectorizer.fit_transform(texts)
    assert list(vectorizer.get_feature_names_out()) == list(corpus._counts.vocabulary)
    assert np.allclose(corpus._matrix.toarray(), expected.toarray(), rtol=0, atol=1e-12)
    queries = ["南站黑车拉客", "招标文件财务资格条件不合理"]
    assert np.allclose(
        corpus.score_matrix(queries),
        (vectorizer.transform(queries) @ expected.T).toarray(),
        rtol=0,
        atol=1e-12,
    )


def test_the_cache_extends_a_corpus_when_texts_were_only_added():
    cache = CorpusCache()
    first = cache.get("all", (1,), lambda: Corpus([1], ["非法营运"]))
    extended = cache.get(
        "all",
        (2,),
        lambda: pytest.fail("refitted"),
        lambda signature, fitted: fitted.extended([2], ["招标投标"]) if signature == (1,) else None,
    )
    assert extended.keys == [1, 2] and first.keys == [1]
    refitted = cache.get("all", (3,), lambda: Corpus([3], ["安全生产"]), lambda signature, fitted: None)
    assert refitted.keys == [3]
