"""Wagtail's own search (admin page search, page chooser, `.search`/`.autocomplete`) finds
Chinese words inside Chinese text: `search.wagtail_backend` segments with `search.analysis`."""

from io import StringIO

import pytest

from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.index import insert_or_update_object

from microcourses.models import MicroCoursePage
from search import wagtail_backend
from search.wagtail_backend import MARK, AllOf, AnyOf, Sequence, Token
from tests import factories

STOCK = {"default": {"BACKEND": "wagtail.search.backends.database"}}

CRISIS = "大学生心理危机的识别与早期干预"
UNDERSTAND = "用心理解学生"  # 心理 is only a substring here (用心 / 理解), never a word
TALK = "宿舍矛盾调解中的谈心谈话"  # a draft
DANGER = "心中的危险时刻"  # has 心 and 危, not 心理危机
AI = "AI赋能辅导员工作"
SCAM = "警惕网络刷单返利骗局"  # jieba cuts 刷单返利 as one unknown word
POLITICS = "高校思想政治工作"  # 思政 is a synonym of 思想政治


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "", "pw"))
    return client


@pytest.fixture
def pages(make_course):
    summary = "本课程介绍工作方法。"
    made = {title: make_course(title=title, summary=summary) for title in (CRISIS, UNDERSTAND, DANGER, AI, SCAM)}
    made[POLITICS] = make_course(title=POLITICS, summary="家校协同育人的做法。")
    made[TALK] = make_course(title=TALK, summary=summary, live=False)
    assert not made[TALK].live
    return made


def admin_search(client, q):
    response = client.get("/admin/pages/search/", {"q": q})
    assert response.status_code == 200
    return {page.title for page in response.context["object_list"]}


def chooser_search(client, q):
    response = client.get("/admin/choose-page/search/", {"q": q})
    assert response.status_code == 200
    return {page.title for page in response.context["pages"]}


def titles(results):
    return {page.title for page in results}


def test_the_project_uses_the_chinese_backend(db):
    ours = {"sqlite": wagtail_backend.sqlite_backend, "postgresql": wagtail_backend.postgres_backend}
    assert type(get_search_backend()) is ours[connection.vendor]()


def test_stock_backend_misses_a_word_inside_a_chinese_title(admin_client, make_course):
    """The problem: the stock backend takes a run of Chinese characters as one token."""
    with override_settings(WAGTAILSEARCH_BACKENDS=STOCK):
        page = make_course(title=CRISIS)  # indexed by the stock backend
        assert type(get_search_backend()).__module__.startswith("modelsearch.")
        assert CRISIS not in admin_search(admin_client, "心理危机")
        assert CRISIS in admin_search(admin_client, CRISIS)  # only the whole run
    insert_or_update_object(page)  # the same page, indexed by ours
    assert CRISIS in admin_search(admin_client, "心理危机")


def test_admin_search_finds_a_word_inside_a_title(admin_client, pages):
    assert admin_search(admin_client, "心理危机") == {CRISIS}


def test_a_word_is_not_found_where_it_is_only_a_substring(admin_client, pages):
    assert admin_search(admin_client, "心理") == {CRISIS}  # not 用心理解学生


def test_every_word_of_a_query_must_match(admin_client, pages):
    # 心理危机 is one word; a title with only 心 and 危 (or only 心理) is not a match.
    assert DANGER not in admin_search(admin_client, "心理危机")
    assert admin_search(admin_client, "大学生心理") == {CRISIS}  # 大学生 AND 心理
    assert admin_search(admin_client, "大学生谈心") == set()
    # Words the user separates are combined with the caller's operator; the words of one
    # Chinese chunk always all have to match, even with "or".
    or_results = titles(Page.objects.search("大学生心理 谈心谈话", operator="or"))
    assert or_results == {CRISIS, TALK}
    assert titles(Page.objects.search("大学生心理 谈心谈话", operator="and")) == set()


def test_admin_search_finds_drafts(admin_client, pages):
    assert admin_search(admin_client, "谈心谈话") == {TALK}
    assert admin_search(admin_client, "矛盾调解") == {TALK}


def test_page_chooser_search(admin_client, pages):
    assert chooser_search(admin_client, "谈心谈话") == {TALK}
    assert chooser_search(admin_client, "心理危机") == {CRISIS}
    assert chooser_search(admin_client, "心理") == {CRISIS}


def test_snippet_chooser_search(admin_client, center):
    factories.TrainingCenterFactory(code="psy", name="心理健康教育中心")
    response = admin_client.get("/admin/snippets/choose/resources/trainingcenter/results/", {"q": "师范"})
    assert response.status_code == 200
    assert {c.name for c in response.context["results"]} == {"北京师范大学中心"}


def test_autocomplete_matches_the_start_of_a_word(pages):
    assert titles(Page.objects.autocomplete("心理")) == {CRISIS}
    assert titles(Page.objects.autocomplete("心理危")) == {CRISIS}  # 心理 AND 危*
    assert titles(Page.objects.autocomplete("谈心谈")) == {TALK}  # 谈心 AND 谈*
    assert titles(Page.objects.autocomplete("宿舍矛盾调")) == {TALK}
    assert titles(Page.objects.autocomplete("心")) == {CRISIS, DANGER}  # 心理…, 心中…; not 用心理解学生
    assert titles(Page.objects.autocomplete("心中")) == {DANGER}


def test_latin_words_still_work(admin_client, pages):
    assert admin_search(admin_client, "AI") == {AI}
    assert admin_search(admin_client, "ai") == {AI}
    assert admin_search(admin_client, "ＡＩ") == {AI}  # full-width letters
    assert admin_search(admin_client, "AI 辅导员") == {AI}
    assert titles(Page.objects.search("AI")) == {AI}


def test_other_indexed_fields_are_segmented_too(pages):
    # The summary is a SearchField (body column), not an autocomplete field.
    assert titles(MicroCoursePage.objects.search("家校协同")) == {POLITICS}
    assert titles(MicroCoursePage.objects.search("育人")) == {POLITICS}


def test_synonyms(admin_client, pages):
    assert admin_search(admin_client, "思政") == {POLITICS}  # the title says 思想政治


def test_an_unknown_word_matches_as_a_substring(admin_client, pages):
    # 刷单 is not in the dictionaries; the title holds 刷单返利 as one (unknown) word.
    assert admin_search(admin_client, "刷单") == {SCAM}
    assert titles(Page.objects.search("刷单")) == {SCAM}


def test_a_quoted_phrase_matches_an_exact_substring(admin_client, pages):
    assert admin_search(admin_client, '"心理危机的识别"') == {CRISIS}
    assert admin_search(admin_client, '"危机的早期"') == set()  # words in another order
    assert admin_search(admin_client, '"心理"') == {CRISIS, UNDERSTAND}  # quotes ask for the characters


def test_update_index_rebuilds_with_words(make_course):
    with override_settings(WAGTAILSEARCH_BACKENDS=STOCK):
        make_course(title=CRISIS)
    assert titles(Page.objects.autocomplete("心理危机")) == set()  # still the stock entry
    call_command("update_index", stdout=StringIO(), stderr=StringIO())
    assert titles(Page.objects.autocomplete("心理危机")) == {CRISIS}


def test_queries_without_words_do_not_fail(admin_client, pages):
    assert admin_search(admin_client, "的") == set()  # a stop word only
    assert admin_search(admin_client, "！？") == set()
    assert admin_search(admin_client, MARK) == set()


# The query tree and its two renderings (PostgreSQL's is also checked here on SQLite).


def test_query_plan():
    plan = wagtail_backend.plan_words("大学生心理 谈心谈话", operator="or", prefix_last=True)
    talk = AnyOf([Token("谈心谈话", True), Token("谈心", True), Token("谈话谈心", True)])
    assert plan == AnyOf([AllOf([AnyOf([Token("大学生")]), AnyOf([Token("心理")])]), AllOf([talk])])
    scam = wagtail_backend.plan_words("刷单")
    assert scam == AllOf([AllOf([AnyOf([Token("刷单"), Sequence([MARK + "刷单"])])])])


def test_fts5_and_tsquery_rendering():
    node = AllOf(
        [
            AnyOf([Token("心理危机"), Token("it's")]),
            Sequence([MARK + "刷单", MARK + "单返"], prefix=True),
            Token('a"b', prefix=True),
        ]
    )
    assert wagtail_backend.to_fts5(node) == f'(("心理危机" OR "it\'s") AND "{MARK}刷单 {MARK}单返"* AND "a""b"*)'
    tsquery = f"(('心理危机' | 'it''s') & ('{MARK}刷单' <-> '{MARK}单返':*) & 'a\"b':*)"
    assert wagtail_backend.to_tsquery(node) == tsquery


def test_index_text():
    bigrams = " ".join(MARK + gram for gram in ["用心", "心理", "理解", "解学", "学生"])
    assert wagtail_backend.index_text("用心理解学生") == "用心 理解 学生 " + bigrams
    assert wagtail_backend.index_text("AI赋能").startswith("ai 赋能")


def test_snippet_listings_search_in_chinese(admin_client, center):
    factories.ExpertFactory(name="林雅楠", organisation="北京师范大学心理学部")
    centers = admin_client.get("/admin/snippets/resources/trainingcenter/", {"q": "师范大学"})
    assert centers.status_code == 200 and center.name in centers.content.decode()
    experts = admin_client.get("/admin/snippets/resources/expert/", {"q": "心理学"})
    assert experts.status_code == 200 and "林雅楠" in experts.content.decode()
    taxonomies = admin_client.get("/admin/snippets/resources/capabilityarea/", {"q": "心理"})
    assert taxonomies.status_code == 200 and "心理健康教育" in taxonomies.content.decode()
