"""学习数据 in the admin: a center's editors see how counselors watched their own center's courses, as
counts and histograms only; other centers see nothing of it; the 报送进度 dashboard has the totals."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial import roles
from learning import analytics
from learning.models import LearningCredit
from learning.tracking import Report, apply_report, start_session

from . import factories
from .learning_helpers import Clock, counselor, playable_course

TITLE = "谈心谈话的十个技巧"
B_TITLE = "乙中心的网络舆情应对"
# Counselors' names and user names: none of them may appear on any admin page.
COUNSELORS = [("xueyuan-zhang", "张晓梅"), ("xueyuan-li", "李建国"), ("xueyuan-wang", "王思远")]


def course_of(center, duration=600.0, **kwargs):
    def make(**extra):
        return factories.MicroCoursePageFactory(parent=center.section, center=center, **kwargs, **extra)

    return playable_course(make, duration=duration)


def watch(user, course, clock, segments, position):
    """Play the segments at normal speed, one report a minute, through the server's tracking."""
    session, _progress = start_session(user, course)
    for seq, (start, end) in enumerate(segments, start=1):
        clock.advance(end - start)
        apply_report(user.pk, session.pk, Report(seq, "played", [(start, end)], float(end), 1))
    if position is not None:
        clock.advance(1)
        apply_report(user.pk, session.pk, Report(len(segments) + 1, "paused", [], float(position), 1))


def minutes(start, end):
    return [(s, min(s + 60, end)) for s in range(start, end, 60)]


@pytest.fixture(autouse=True)
def _small_groups_shown(settings):
    # These tests look at three viewers' numbers; the threshold has its own test below.
    settings.LEARNING_ANALYTICS_MIN_VIEWERS = 1


@pytest.fixture
def watched(centers):
    """A 10-minute course of center A watched by three counselors: one to the end (completed), one
    the first half, one the first minute; and a course of center B watched by one of them."""
    a, b = centers
    course = course_of(a, title=TITLE, slug="tan-xin")
    other = course_of(b, title=B_TITLE, slug="yu-qing")
    users = []
    for username, name in COUNSELORS:
        user = counselor(username)
        user.first_name = name
        user.save()
        users.append(user)
    with Clock() as clock:
        watch(users[0], course, clock, minutes(0, 600), 600)
        watch(users[1], course, clock, minutes(0, 300), 300)
        watch(users[2], course, clock, minutes(0, 60), 60)
        watch(users[0], other, clock, minutes(0, 600), 600)
    return {"course": course, "other": other, "users": users, "a": a, "b": b}


def cells(html, row_id):
    """{data-column: text} of a table row."""
    row = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, row_id
    return {
        name: re.sub(r"<[^>]+>", "", value).strip()
        for name, value in re.findall(r'data-column="(\w+)"[^>]*>(.*?)</td>', row.group(1), re.S)
    }


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def platform_admin(django_user_model, centers):
    user = django_user_model.objects.create_user("platform", "platform@example.edu.cn", "pw")
    user.groups.add(Group.objects.get(name=roles.PLATFORM_ADMINS))
    return user


# -- the list ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_each_own_course_with_its_numbers(client, people, watched):
    course = watched["course"]
    html = login(client, people["editor_a"]).get("/admin/learning/").text
    hours = LearningCredit.objects.get(course=course).hours
    numbers = cells(html, f"course-{course.pk}")
    # (100 % + 50 % + 10 %) / 3 = 53 %; one completion, its hours.
    assert numbers["viewers"] == "3" and numbers["completions"] == "1" and numbers["progress"] == "53%"
    assert numbers["hours"] == str(hours) and hours > 0
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d", numbers["last_viewed"])
    assert "仅显示汇总数据，不显示个人学习记录" in html
    assert "学习数据" in html and "<title>学习数据" in html
    # A reviewer of the center sees it too.
    assert TITLE in login(client, people["reviewer_a"]).get("/admin/learning/").text


@pytest.mark.django_db
def test_another_centers_editor_sees_neither_the_course_nor_its_detail(client, people, watched):
    login(client, people["editor_b"])
    html = client.get("/admin/learning/").text
    assert B_TITLE in html and TITLE not in html
    assert client.get(f"/admin/learning/{watched['course'].pk}/").status_code == 404
    # Asking for the other center in the filter changes nothing.
    assert TITLE not in client.get("/admin/learning/", {"center": watched["a"].pk}).text
    login(client, people["editor_a"])
    assert client.get(f"/admin/learning/{watched['other'].pk}/").status_code == 404
    assert client.get(f"/admin/learning/{watched['course'].pk}/").status_code == 200


@pytest.mark.django_db
def test_platform_admins_see_every_center_and_filter_by_one(client, platform_admin, watched):
    login(client, platform_admin)
    html = client.get("/admin/learning/").text
    assert TITLE in html and B_TITLE in html and 'data-column="center"' in html
    filtered = client.get("/admin/learning/", {"center": watched["b"].pk}).text
    assert B_TITLE in filtered and TITLE not in filtered
    assert client.get(f"/admin/learning/{watched['course'].pk}/").status_code == 200


@pytest.mark.django_db
def test_the_list_sorts_by_each_number_and_pages(client, people, watched, monkeypatch):
    a = watched["a"]
    unwatched = factories.MicroCoursePageFactory(parent=a.section, center=a, title="无人观看的课程", slug="none")
    login(client, people["editor_a"])

    def order(**params):
        html = client.get("/admin/learning/", params).text
        return [int(pk) for pk in re.findall(r'<tr id="course-(\d+)"', html)]

    ids = (watched["course"].pk, unwatched.pk)
    for key in ("viewers", "completions", "progress", "hours", "last_viewed"):
        assert order(sort=f"-{key}") == list(ids), key
        # Courses nobody watched come last either way for averages and dates.
        expected = list(ids) if key in ("progress", "last_viewed") else list(reversed(ids))
        assert order(sort=key) == expected, key
    assert order(sort="nonsense") == list(ids)
    assert 'aria-sort="descending"' in client.get("/admin/learning/", {"sort": "-viewers"}).text

    from learning import admin_views

    monkeypatch.setattr(admin_views, "PAGE_SIZE", 1)
    assert order(sort="-viewers") == [watched["course"].pk]
    assert order(sort="-viewers", p=2) == [unwatched.pk]


# -- the course's page -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_histograms_count_viewers_per_part_of_the_video(watched):
    histogram = analytics.histogram(watched["course"], 600.0)
    assert histogram.viewers == 3 and len(histogram.watched) == analytics.BUCKETS
    # 30 buckets of 20 seconds: the first minute (buckets 0-2) by all three, the rest of the first half
    # (3-14) by two, the second half (15-29) only by the one who finished: the half-watcher is in
    # none of the second half's buckets.
    assert histogram.watched == [3] * 3 + [2] * 12 + [1] * 15
    # Where they left: at 1:00 (bucket 3), 5:00 (bucket 15) and the end (the last bucket).
    assert [k for k, n in enumerate(histogram.left) if n] == [3, 15, 29]
    assert sum(histogram.left) == 3


@pytest.mark.django_db
def test_the_course_page_has_the_numbers_both_charts_and_their_tables(client, people, watched):
    course = watched["course"]
    html = login(client, people["editor_a"]).get(f"/admin/learning/{course.pk}/").text
    assert 'data-number="viewers">3<' in html and 'data-number="completions">1<' in html
    assert 'data-number="progress">53%<' in html
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    charts = [svg for svg in svgs if "pygal-chart" in svg]
    assert len(charts) == 2 and not any("<script" in svg for svg in charts)
    assert 'role="img"' in charts[0] and "观看分布" in charts[0]
    assert html.count("<details") >= 2 and "查看数据表" in html
    watched_cells = re.findall(r'data-column="watched">(\d+)<', html)
    assert [int(n) for n in watched_cells] == [3] * 3 + [2] * 12 + [1] * 15
    assert "0:00–0:20" in html and "9:40–10:00" in html
    assert "仅显示汇总数据，不显示个人学习记录" in html


@pytest.mark.django_db
def test_a_course_nobody_watched_says_so(client, people, centers):
    course = course_of(centers[0], title="新课程", slug="new")
    html = login(client, people["editor_a"]).get(f"/admin/learning/{course.pk}/").text
    assert "还没有学员观看这门课程" in html and "pygal-chart" not in html


# -- nobody is named ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_counselor_is_named_on_any_page(client, platform_admin, people, watched):
    for user in (people["editor_a"], platform_admin):
        login(client, user)
        pages = [
            client.get("/admin/learning/").text,
            client.get(f"/admin/learning/{watched['course'].pk}/").text,
            client.get("/admin/progress/").text,
            client.get("/admin/progress/export.csv").content.decode("utf-8-sig"),
        ]
        sheet = load_workbook(io.BytesIO(client.get("/admin/progress/export.xlsx").content)).active
        pages.append(" ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row))
        for text in pages:
            for username, name in COUNSELORS:
                assert username not in text and name not in text and f"{username}@" not in text


# -- who may come in ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_counselors_and_outsiders_are_kept_out(client, django_user_model, watched):
    urls = ["/admin/learning/", f"/admin/learning/{watched['course'].pk}/"]
    for url in urls:  # anonymous
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    # A counselor has no admin access: Wagtail sends them to the admin's login.
    login(client, watched["users"][0])
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    # An admin user of no center: refused (Wagtail's "no permission" redirect), and no menu item.
    outsider = django_user_model.objects.create_user("outsider", "", "pw")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    login(client, outsider)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/", url
    assert '"/admin/learning/"' not in client.get("/admin/account/").text


@pytest.mark.django_db
def test_center_members_get_the_menu_item(client, people, watched):
    assert '"/admin/learning/"' in login(client, people["editor_a"]).get("/admin/").text


# -- the 报送进度 dashboard --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dashboard_has_each_centers_learning_and_the_platform_total(client, platform_admin, people, watched):
    hours_a = LearningCredit.objects.get(course=watched["course"]).hours
    hours_b = LearningCredit.objects.get(course=watched["other"]).hours
    html = login(client, platform_admin).get("/admin/progress/").text
    a, b = watched["a"], watched["b"]
    assert [cells(html, f"center-{a.code}")[c] for c in ("learners", "completions", "hours")] == [
        "3",
        "1",
        str(hours_a),
    ]
    assert [cells(html, f"center-{b.code}")[c] for c in ("learners", "completions", "hours")] == [
        "1",
        "1",
        str(hours_b),
    ]
    # The counselor who watched both centers' courses is one learner of the platform.
    total = cells(html, "learning-total")
    assert [total["learners"], total["completions"], total["hours"]] == ["3", "2", str(hours_a + hours_b)]
    assert "全平台合计" in html

    sheet = load_workbook(io.BytesIO(client.get("/admin/progress/export.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-3:] == ("累计学习人数", "累计完成人次", "累计计入学时")
    by_code = {row[0]: row[-3:] for row in rows[1:]}
    assert by_code[a.code][:2] == (3, 1) and Decimal(str(by_code[a.code][2])) == hours_a

    # An editor: their center's row only, and a total of their centers.
    html = login(client, people["editor_b"]).get("/admin/progress/").text
    assert cells(html, "learning-total")["learners"] == "1" and "全平台合计" not in html


@pytest.mark.django_db
def test_the_dashboards_totals_take_four_aggregate_queries_for_any_number_of_centers(
    watched, django_assert_num_queries
):
    # The sections, each table grouped by section, then the platform's totals of each table.
    with django_assert_num_queries(5):
        by_center, total = analytics.center_totals(None)
    assert total.learners == 3 and by_center[watched["a"].pk].completions == 1
    for n in range(3):
        extra = factories.TrainingCenterFactory(code=f"extra-{n}", name=f"其他中心{n}")
        course_of(extra, slug=f"extra-{n}")
    with django_assert_num_queries(5):
        by_center, total = analytics.center_totals(None)
    assert len(by_center) == 5 and total.learners == 3


# -- cost ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lists_queries_do_not_grow_with_the_courses(client, people, watched, django_assert_max_num_queries):
    a = watched["a"]
    login(client, people["editor_a"])
    client.get("/admin/learning/")  # warm the caches (content types, site)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/admin/learning/").status_code == 200
    with Clock() as clock:
        for n in range(10):
            course = course_of(a, title=f"课程{n}", slug=f"course-{n}")
            watch(watched["users"][n % 3], course, clock, minutes(0, 120), 120)
    with django_assert_max_num_queries(len(one)):
        html = client.get("/admin/learning/").text
    assert html.count('<tr id="course-') == 11
    detail = f"/admin/learning/{watched['course'].pk}/"
    client.get(detail)
    with CaptureQueriesContext(connection) as before:
        client.get(detail)
    with Clock() as clock:
        for n in range(10):
            watch(counselor(f"more-{n}"), watched["course"], clock, minutes(0, 120), 120)
    with django_assert_max_num_queries(len(before)):
        assert client.get(detail).status_code == 200


@pytest.mark.django_db
def test_a_course_with_too_few_viewers_shows_no_averages_nor_histograms(client, people, watched, settings):
    settings.LEARNING_ANALYTICS_MIN_VIEWERS = 5  # the default: three viewers are too few
    course = watched["course"]
    login(client, people["editor_a"])
    numbers = cells(client.get("/admin/learning/").text, f"course-{course.pk}")
    assert numbers["viewers"] == "3" and numbers["completions"] == "1"
    assert numbers["progress"] == "—" and numbers["last_viewed"] == "—"
    html = client.get(f"/admin/learning/{course.pk}/").text
    assert "观看人数少于 5 人" in html
    assert "观看分布" not in html and "离开位置" not in html and "53%" not in html
