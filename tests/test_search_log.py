"""The search log behind the editors' "popular searches" report stays bounded however many distinct
queries anonymous readers send, and keeps counting the queries people really search for."""

import datetime
import random

import pytest

from django.utils import timezone

from wagtail.contrib.search_promotions.models import Query, QueryDailyHits, SearchPromotion

from search import querylog


def random_query(rng):
    return "".join(
        rng.choice("辅导员心理危机就业网络思政谈心谈话abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12)
    )


@pytest.mark.django_db
def test_ten_thousand_distinct_queries_leave_at_most_the_bound(settings):
    settings.SEARCH_QUERY_LOG_MAX_QUERIES = 2_000
    rng = random.Random(11)
    querylog.log_query("心理危机")
    for _ in range(10_000):
        querylog.log_query(random_query(rng))
    assert Query.objects.count() == 2_000
    assert QueryDailyHits.objects.count() == 2_000
    # A query already logged keeps counting although the log is full.
    querylog.log_query("  心理危机 ")
    assert Query.objects.get(query_string="心理危机").hits == 2


@pytest.mark.django_db
def test_searches_through_the_page_and_the_api_are_logged_once_each_bounded(client, tree, settings):
    settings.SEARCH_QUERY_LOG_MAX_QUERIES = 3
    for q in ["谈心谈话", "谈心谈话", "就业", "网络思政", "新的查询", "x" * 500]:
        assert client.get("/search/", {"q": q}).status_code == 200
        assert client.get("/api/search/", {"q": q}).status_code == 200
    assert sorted(Query.objects.values_list("query_string", flat=True)) == ["就业", "网络思政", "谈心谈话"]
    assert Query.objects.get(query_string="谈心谈话").hits == 4


@pytest.mark.django_db
def test_a_long_query_is_stored_cut_short():
    querylog.log_query("心" * 1000)
    assert len(Query.objects.get().query_string) == 100


@pytest.mark.django_db
def test_the_sweep_keeps_the_most_searched_and_the_promoted(settings, make_course):
    settings.SEARCH_QUERY_LOG_MAX_QUERIES = 10
    settings.SEARCH_QUERY_LOG_KEEP_QUERIES = 4
    for n, q in enumerate(["常用一", "常用二", "常用三", "偶尔", "很少", "推荐"]):
        for _ in range(10 - n):
            querylog.log_query(q)
    for i in range(4):
        querylog.log_query(f"一次{i}")
    SearchPromotion.objects.create(query=Query.objects.get(query_string="推荐"), page=make_course(), sort_order=0)
    old = Query.objects.create(query_string="去年的查询")
    QueryDailyHits.objects.create(query=old, date=timezone.now().date() - datetime.timedelta(days=400), hits=999)

    assert "removed" in querylog.sweep()
    assert set(Query.objects.values_list("query_string", flat=True)) == {"常用一", "常用二", "常用三", "偶尔", "推荐"}
    # Room again for new queries.
    querylog.log_query("新话题")
    assert Query.objects.filter(query_string="新话题").exists()


def test_the_sweep_runs_in_the_worker(settings):
    assert "search.querylog.sweep" in settings.WORKER_SWEEPS


@pytest.mark.django_db
def test_a_head_request_is_not_logged(client, tree):
    assert client.head("/api/search/", {"q": "谈心谈话"}).status_code == 200
    assert not Query.objects.exists()
