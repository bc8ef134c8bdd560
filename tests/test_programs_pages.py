"""Training programs as library pages (docs/programs-pages.md): the admin form's rules, the public page
with its schedule and status, the library's facets and cards, search, feeds, the open API, each
center's list, and constant query counts. Drafts and private programs never leak anywhere."""

import datetime

import feedparser
import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import PageViewRestriction

from programs import library as program_library
from programs.models import ProgramPage
from search import indexing
from search.service import SearchRequest, search

from . import factories

TODAY = timezone.localdate


def days(n):
    return timezone.now() + datetime.timedelta(days=n)


def publish(page):
    page.save_revision().publish()
    return ProgramPage.objects.get(pk=page.pk)


def make_program(section, sessions=1, live=True, **kwargs):
    """A program under `section` with `sessions` sessions, published (and indexed) unless `live` is False."""
    page = factories.ProgramPageFactory(parent=section, center=section.center, **kwargs)
    for n in range(sessions):
        factories.ProgramSessionFactory(
            program=page,
            topic=f"专题{n}：学生心理危机识别与干预",
            starts_at=timezone.make_aware(datetime.datetime.combine(page.starts_on, datetime.time(9 + n % 8))),
        )
    if not live:
        page.live = False
        page.save()
        return page
    return publish(page)


def open_program(section, **kwargs):
    """Enrolment open now (the factory's default), held in two weeks."""
    return make_program(section, **kwargs)


def upcoming_program(section, **kwargs):
    """Enrolment not open yet, held in a month."""
    defaults = {
        "enrol_opens": days(5),
        "enrol_closes": days(20),
        "starts_on": days(30).date(),
        "ends_on": days(31).date(),
    }
    return make_program(section, **{**defaults, **kwargs})


def finished_program(section, **kwargs):
    defaults = {
        "enrol_opens": days(-60),
        "enrol_closes": days(-40),
        "starts_on": days(-30).date(),
        "ends_on": days(-28).date(),
    }
    return make_program(section, **{**defaults, **kwargs})


def running_program(section, **kwargs):
    defaults = {
        "enrol_opens": days(-20),
        "enrol_closes": days(-2),
        "starts_on": days(-1).date(),
        "ends_on": days(1).date(),
    }
    return make_program(section, **{**defaults, **kwargs})


# -- the status -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_status_follows_the_dates(section):
    pages = {
        "open": open_program(section),
        "upcoming": upcoming_program(section),
        "finished": finished_program(section),
        "running": running_program(section),
        "closed": upcoming_program(section, enrol_opens=days(-10), enrol_closes=days(-1)),
    }
    assert {name: p.status_label for name, p in pages.items()} == {
        "open": "报名中",
        "upcoming": "未开始报名",
        "finished": "已结业",
        "running": "培训中",
        "closed": "报名已截止",
    }
    # The filters' codes exclude each other and agree with the SQL conditions.
    assert {name: program_library.filter_code(p) for name, p in pages.items()} == {
        "open": "open",
        "upcoming": "upcoming",
        "finished": "finished",
        "running": None,
        "closed": "upcoming",
    }
    for code, condition in program_library.conditions().items():
        found = set(ProgramPage.objects.filter(condition).values_list("pk", flat=True))
        assert found == {p.pk for p in pages.values() if program_library.filter_code(p) == code}, code


# -- the public page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_facts_schedule_and_status(client, section, make_course):
    course = make_course(title="谈心谈话的基本功")
    draft = make_course(title="尚未发布的微课")
    draft.live = False
    draft.save()
    teacher = factories.ExpertFactory(name="林雅楠", title="教授")
    make_course(title="林老师的公开课", lecturer=teacher)  # so the lecturer has a page in the directory
    program = factories.ProgramPageFactory(
        parent=section,
        center=section.center,
        title="全国辅导员心理危机干预示范培训班",
        capacity=30,
        provinces=["北京", "河北"],
        place="北京师范大学",
        hours="24",
        min_attendance_percent=80,
        require_courses=True,
        capabilities=["mental_health"],
        stages=["new"],
    )
    factories.ProgramSessionFactory(
        program=program, topic="心理危机的早期识别", lecturer=teacher, course_before=course, course_after=draft
    )
    factories.ProgramSessionFactory(program=program, topic="现场教学：心理中心", lecturer=None, place="心理中心")
    program = publish(program)

    response = client.get(program.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "全国辅导员心理危机干预示范培训班" in html
    assert "名额 30 人" in html
    assert "北京、河北的辅导员" in html
    assert "报名中" in html and "国家级示范" in html and "线下" in html
    assert "出勤不少于全部课程安排的 80%" in html and "学完各项课程安排关联的课前、课后微课" in html
    assert "24 学时" in html
    schedule = html[html.index('data-testid="program-schedule"') :]
    assert "心理危机的早期识别" in schedule and "现场教学：心理中心" in schedule
    assert f'href="/experts/{teacher.pk}/"' in schedule
    assert course.url in schedule and "谈心谈话的基本功" in schedule
    assert "尚未发布的微课" not in html  # a draft course is never named
    assert "?capability=mental_health" in html and "?stage=new" in html
    # The three slots of the other helpers are there.
    for name in ("enrolment", "attendance", "survey"):
        assert response.templates and any(t.name == f"programs/includes/{name}.html" for t in response.templates)


@pytest.mark.django_db
def test_anyone_may_apply_when_no_province_is_chosen(client, section):
    program = open_program(section)
    assert "全国高校辅导员" in client.get(program.url).content.decode()


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_whatever_the_schedule(client, section):
    few = open_program(section, sessions=1)
    many = open_program(section, sessions=12)
    counts = []
    for page in (few, many):
        client.get(page.url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page.url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# -- the library -------------------------------------------------------------------------------------


def facet(response, name):
    found = [f for f in response.context["library"]["facets"] if f.name == name]
    return {o.code: o for o in found[0].options} if found else None


def titles(response):
    return {item.title for item in response.context["library"]["page"]}


@pytest.fixture
def programs(section, make_course):
    make_course(title="一门微课", stages=["new"])
    return {
        "open": open_program(section, title="报名中的培训班", stages=["new"]),
        "upcoming": upcoming_program(section, title="即将开班的培训班"),
        "finished": finished_program(section, title="已结业的培训班"),
        "running": running_program(section, title="培训中的培训班"),
        "draft": open_program(section, title="草稿培训班", live=False),
    }


@pytest.mark.django_db
def test_programs_are_listed_with_their_kind_and_status_facets(client, tree, programs):
    response = client.get(tree["library"].url)
    assert "草稿培训班" not in titles(response)
    assert facet(response, "kind")["program"].count == 4
    assert facet(response, "kind")["program"].label == "培训项目"
    status = facet(response, "program_status")
    assert {code: o.count for code, o in status.items()} == {"upcoming": 1, "open": 1, "finished": 1}
    assert [o.label for o in status.values()] == ["即将开班", "报名中", "已结业"]
    for code in ("open", "upcoming", "finished"):
        assert titles(client.get(tree["library"].url, {"program_status": code})) == {programs[code].title}
    both = client.get(f"{tree['library'].url}?program_status=open&program_status=upcoming")
    assert titles(both) == {"报名中的培训班", "即将开班的培训班"}
    # Combined with another facet: the stage of a program counts like a course's.
    assert titles(client.get(tree["library"].url, {"kind": "program", "stage": "new"})) == {"报名中的培训班"}


@pytest.mark.django_db
def test_the_status_facet_is_computed_today_not_stored(client, tree, programs):
    program = programs["upcoming"]
    # Time passes: the enrolment window opens (the dates change, the page is not published again).
    ProgramPage.objects.filter(pk=program.pk).update(enrol_opens=days(-1))
    response = client.get(tree["library"].url, {"program_status": "open"})
    assert titles(response) == {"报名中的培训班", "即将开班的培训班"}


@pytest.mark.django_db
def test_the_status_facet_is_hidden_without_programs(client, tree, make_course):
    make_course()
    assert facet(client.get(tree["library"].url), "program_status") is None


@pytest.mark.django_db
def test_cards_show_dates_place_and_status(client, tree, programs):
    html = client.get(tree["library"].url, {"kind": "program"}).content.decode()
    cards = html[html.index('data-testid="result"') :]
    assert "培训项目" in cards and "北京师范大学" in cards and "名额 30 人" in cards
    for label in ("报名中", "未开始报名", "已结业", "培训中"):
        assert label in cards
    start = programs["open"].starts_on
    assert f"{start.year}年{start.month}月{start.day}日" in cards


@pytest.mark.django_db
def test_private_programs_never_reach_the_library(client, tree, section):
    private = open_program(section, title="内部培训班")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(tree["library"].url, {"kind": "program"})
    assert "内部培训班" not in titles(response)
    assert facet(response, "program_status") is None


@pytest.mark.django_db
def test_library_queries_do_not_grow_with_programs(client, tree, section):
    def count():
        client.get(tree["library"].url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(tree["library"].url).status_code == 200
        return len(ctx.captured_queries)

    open_program(section, sessions=2)
    finished_program(section)
    few = count()
    for _ in range(6):
        open_program(section, sessions=2, stages=["new"])
        upcoming_program(section)
    assert count() == few


# -- each center's page ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_center_page_lists_its_programs_open_and_coming_first(client, section, programs):
    other = factories.TrainingCenterFactory(code="sdu", name="山东大学中心")
    open_program(other.section, title="别的中心的培训班")
    html = client.get(section.url).content.decode()
    listed = html[html.index('data-testid="center-programs"') :]
    listed = listed[: listed.index("</section>")]
    order = [listed.index(programs[name].title) for name in ("open", "upcoming", "running", "finished")]
    assert order == sorted(order)
    assert "草稿培训班" not in listed and "别的中心的培训班" not in listed


@pytest.mark.django_db
def test_the_center_page_queries_do_not_grow_with_programs(client, section):
    def count():
        client.get(section.url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(section.url).status_code == 200
        return len(ctx.captured_queries)

    open_program(section)
    finished_program(section)
    few = count()
    for _ in range(5):
        open_program(section)
        finished_program(section)
    assert count() == few


@pytest.mark.django_db
def test_an_experts_page_names_the_programs_they_teach_in(client, section, make_course):
    teacher = factories.ExpertFactory(name="林雅楠")
    make_course(title="林老师的公开课", lecturer=teacher)
    shown = open_program(section, title="公开的培训班", sessions=0)
    factories.ProgramSessionFactory(program=shown, lecturer=teacher)
    hidden = open_program(section, title="草稿培训班", sessions=0, live=False)
    factories.ProgramSessionFactory(program=hidden, lecturer=teacher)
    html = client.get(f"/experts/{teacher.pk}/").content.decode()
    listed = html[html.index('data-testid="expert-programs"') :]
    assert "公开的培训班" in listed and "草稿培训班" not in html


# -- search ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_finds_programs_by_topic_and_lecturer(section):
    teacher = factories.ExpertFactory(name="欧阳明远")
    page = factories.ProgramPageFactory(parent=section, center=section.center, title="骨干辅导员研修班")
    factories.ProgramSessionFactory(program=page, topic="宿舍矛盾调解的实务", lecturer=teacher)
    publish(page)
    draft = factories.ProgramPageFactory(parent=section, center=section.center, title="草稿研修班")
    factories.ProgramSessionFactory(program=draft, topic="宿舍矛盾调解的实务")
    draft.save_revision()

    for query in ("宿舍矛盾调解", "欧阳明远", "骨干辅导员研修班"):
        found = search(SearchRequest(q=query))
        assert [r.title for r in found.results] == ["骨干辅导员研修班"], query
        assert found.results[0].kind == "program"
    assert search(SearchRequest(q="研修班", filters={"kind": ["program"]})).total == 1
    # A rebuild (manage.py rebuild_search_index) writes the same document.
    indexing.rebuild(backends=["database"])
    assert [r.title for r in search(SearchRequest(q="欧阳明远")).results] == ["骨干辅导员研修班"]


@pytest.mark.django_db
def test_renaming_a_lecturer_reindexes_their_programs(section):
    teacher = factories.ExpertFactory(name="欧阳明远")
    page = factories.ProgramPageFactory(parent=section, center=section.center, title="骨干辅导员研修班")
    factories.ProgramSessionFactory(program=page, topic="专题", lecturer=teacher)
    publish(page)
    teacher.name = "司马光华"
    teacher.save()
    indexing.flush_queue()
    assert [r.title for r in search(SearchRequest(q="司马光华")).results] == ["骨干辅导员研修班"]


@pytest.mark.django_db
def test_the_search_page_shows_a_programs_card(client, tree, section):
    publish(open_program(section, title="骨干辅导员研修班"))
    html = client.get("/search/", {"q": "研修班"}).content.decode()
    assert "培训项目" in html and "名额 30 人" in html and "报名中" in html


# -- feeds -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_feeds_hold_public_programs_only(client, tree, section):
    open_program(section, title="公开的培训班", capabilities=["mental_health"])
    open_program(section, title="草稿培训班", live=False, capabilities=["mental_health"])
    private = open_program(section, title="内部培训班", capabilities=["mental_health"])
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    for url in ("/feeds/resources/", "/feeds/area/mental_health/"):
        feed = feedparser.parse(client.get(url).content)
        found = {e.title for e in feed.entries}
        assert "公开的培训班" in found, url
        assert not found & {"草稿培训班", "内部培训班"}, url
        entry = next(e for e in feed.entries if e.title == "公开的培训班")
        assert "北京师范大学" in entry.summary


@pytest.mark.django_db
def test_the_sitemap_lists_public_programs(client, tree, section):
    program = open_program(section, title="公开的培训班")
    draft = open_program(section, title="草稿培训班", live=False)
    xml = client.get("/sitemap.xml").content.decode()
    assert program.url in xml and draft.url not in xml


# -- the open API ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_lists_programs_with_their_fields(client, section):
    teacher = factories.ExpertFactory(name="林雅楠")
    program = factories.ProgramPageFactory(
        parent=section, center=section.center, title="示范培训班", stages=["new"], provinces=["北京"]
    )
    factories.ProgramSessionFactory(program=program, topic="专题一", lecturer=teacher)
    publish(program)
    factories.EnrolmentFactory(program=program, name="王同学")
    open_program(section, live=False, title="草稿培训班")

    response = client.get("/api/v2/resources/", {"type": "program"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["title"] for i in items] == ["示范培训班"]
    item = items[0]
    assert item["type"] == "program" and item["type_label"] == "培训项目"
    assert item["tier"]["code"] == "national" and [s["code"] for s in item["stages"]] == ["new"]
    info = item["program"]
    assert info["format"] == {"code": "offline", "label": "线下"}
    assert info["place"] == "北京师范大学" and info["capacity"] == 30 and info["provinces"] == ["北京"]
    assert info["starts_on"] == program.starts_on.isoformat() and info["hours"] == 16.0
    assert info["enrol_opens"] and info["enrol_closes"] and info["enrolment_open"] is True
    assert info["status"] == {"code": "open", "label": "报名中"}
    (session,) = info["sessions"]
    assert session["topic"] == "专题一" and session["lecturer"] == {"id": teacher.pk, "name": "林雅楠"}
    assert session["starts_at"] and session["ends_at"]
    assert "王同学" not in response.content.decode()  # nobody's application, ever
    detail = client.get(f"/api/v2/resources/{program.pk}/").json()
    assert detail["program"]["sessions"][0]["topic"] == "专题一"
    # Other kinds show no program.
    assert all(i["program"] is None for i in client.get("/api/v2/resources/", {"type": "microcourse"}).json()["items"])


@pytest.mark.django_db
def test_the_api_filters_by_status(client, section):
    pages = {
        "open": open_program(section),
        "upcoming": upcoming_program(section),
        "finished": finished_program(section),
    }
    running_program(section)
    for code, page in pages.items():
        response = client.get("/api/v2/resources/", {"status": code})
        assert [i["id"] for i in response.json()["items"]] == [page.pk], code
    bad = client.get("/api/v2/resources/", {"status": "whenever"})
    assert bad.status_code == 400 and "status" in bad.json()["message"]


@pytest.mark.django_db
def test_the_api_never_shows_private_programs(client, section):
    private = open_program(section, title="内部培训班")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    draft = open_program(section, title="草稿培训班", live=False)
    assert client.get("/api/v2/resources/", {"type": "program"}).json()["items"] == []
    for page in (private, draft):
        assert client.get(f"/api/v2/resources/{page.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_api_queries_do_not_grow_with_programs(client, section):
    def count():
        url = "/api/v2/resources/?type=program"
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    open_program(section, sessions=2)
    few = count()
    for _ in range(5):
        open_program(section, sessions=3, stages=["new"])
    assert count() == few


@pytest.mark.django_db
def test_wagtails_pages_api_shows_the_program_not_its_people(client, section):
    program = open_program(section, title="示范培训班")
    factories.EnrolmentFactory(program=program, name="王同学")
    response = client.get(f"/api/v2/pages/{program.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert data["capacity"] == 30 and data["status"] == "open" and data["session_list"][0]["topic"]
    assert "王同学" not in response.content.decode()


# -- the demo ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_programs_cover_every_status(tree, make_course):
    from programs.demo import PROGRAMS, ensure_demo_programs

    for code in {spec["center"] for spec in PROGRAMS}:
        factories.TrainingCenterFactory(code=code, name=f"{code}中心")
    factories.ExpertFactory(name="林雅楠")
    created = ensure_demo_programs()
    assert len(created) == len(PROGRAMS)
    assert ensure_demo_programs() == []  # once
    statuses = {p.status for p in ProgramPage.objects.live()}
    assert {"open", "finished", "not_open"} <= statuses
    assert all(p.sessions.exists() for p in ProgramPage.objects.all())
