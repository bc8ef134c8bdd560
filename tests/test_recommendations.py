"""Recommendations from the learning map (learning.recommend): the counselor's weakest capability areas
for their career stage, the most watched first; visitors see the most watched of each stage."""

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learning.models import CourseProgress
from resources.models import ResourceStats

from . import factories
from .test_learning_record import completed  # a credited course with its completed progress

pytestmark = pytest.mark.django_db


def new_counselor():
    return factories.CounselorFactory(profile__start_year=timezone.localdate().year - 1)  # 新入职


def popular(course, viewers):
    ResourceStats.objects.update_or_create(page=course, defaults={"viewers": viewers, "views": viewers * 3})


def recommended(html):
    """The recommended titles in page order, with each one's reason."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    section = soup.select_one("[data-testid=recommendations]")
    if section is None:
        return []
    return [
        (card.select_one(".card__title").get_text(strip=True), card.select_one(".card__reason").get_text(strip=True))
        for card in section.select("article")
    ]


@pytest.fixture
def catalogue(make_course):
    courses = {
        "mental_new": make_course(title="新入职辅导员的心理危机识别", stages=["new"], capabilities=["mental_health"]),
        "mental_done": make_course(title="心理健康教育基础", stages=["new"], capabilities=["mental_health"]),
        "ideology_new": make_course(title="新入职辅导员的价值引领", stages=["new"], capabilities=["ideology"]),
        "career_new": make_course(title="新入职辅导员的就业指导", stages=["new"], capabilities=["career_guidance"]),
        "career_new_2": make_course(title="简历与面试辅导", stages=["new"], capabilities=["career_guidance"]),
        "ideology_senior": make_course(title="思政研究的方法", stages=["senior"], capabilities=["ideology"]),
    }
    for course in courses.values():
        course.save_revision().publish()
    popular(courses["mental_new"], 90)  # the most watched of all, but in the area the counselor has hours in
    popular(courses["career_new"], 40)
    popular(courses["career_new_2"], 10)
    popular(courses["ideology_new"], 20)
    popular(courses["ideology_senior"], 80)
    return courses


def test_a_counselor_with_hours_only_in_mental_health_is_recommended_the_other_areas_for_their_stage(client, catalogue):
    user = new_counselor()
    completed(user, catalogue["mental_done"], "2.00", ["mental_health"])
    client.force_login(user)

    picks = recommended(client.get("/").content.decode())
    titles = [title for title, _ in picks]
    # Courses of the other areas for the counselor's stage come first, one area after the other, and each
    # says why; the mental-health course (their strongest area) only after them, the completed one never.
    assert titles[:3] == [
        catalogue["ideology_new"].title,
        catalogue["career_new"].title,
        catalogue["career_new_2"].title,
    ]
    assert dict(picks)[catalogue["ideology_new"].title] == "您在思想理论教育和价值引领方向学时较少"
    assert dict(picks)[catalogue["career_new"].title] == "您在职业规划与就业创业指导方向学时较少"
    assert titles.index(catalogue["mental_new"].title) > 2
    assert catalogue["mental_done"].title not in titles
    # Another stage's course fills the list last, however popular.
    assert titles[-1] == catalogue["ideology_senior"].title

    # The learning record recommends the same.
    record = recommended(client.get("/me/").content.decode())
    assert [title for title, _ in record] == titles


def test_within_a_weak_area_the_most_watched_course_comes_first(client, catalogue):
    user = new_counselor()
    completed(user, catalogue["mental_done"], "2.00", ["mental_health"])
    completed(user, catalogue["ideology_senior"], "1.00", ["ideology"])
    client.force_login(user)
    titles = [title for title, _ in recommended(client.get("/").content.decode())]
    # Career guidance (no hours) before ideology (one hour); within an area the more watched course first.
    assert titles[:3] == [catalogue[k].title for k in ("career_new", "ideology_new", "career_new_2")]


def test_a_credited_course_is_never_recommended_even_when_its_progress_is_not_marked_complete(client, catalogue):
    """The learning record lists a credited course as completed whatever its progress row says (its
    video replaced since, its progress sized again): the recommendations agree."""
    user = new_counselor()
    completed(user, catalogue["mental_done"], "2.00", ["mental_health"])
    CourseProgress.objects.filter(user=user).update(completed_at=None, watched_seconds=10)
    client.force_login(user)
    assert catalogue["mental_done"].title in client.get("/me/").content.decode()
    for page in ("/", "/me/"):
        titles = [title for title, _ in recommended(client.get(page).content.decode())]
        assert titles and catalogue["mental_done"].title not in titles


def test_a_counselor_without_hours_is_recommended_the_most_watched_of_their_stage(client, catalogue):
    client.force_login(new_counselor())
    picks = recommended(client.get("/").content.decode())
    assert picks[0] == (catalogue["mental_new"].title, "新入职辅导员学习人数最多")
    assert [t for t, _ in picks[:5]] == [
        catalogue[k].title for k in ("mental_new", "career_new", "ideology_new", "career_new_2", "mental_done")
    ]


def test_visitors_see_the_most_watched_courses_of_each_stage(catalogue):
    html = Client().get("/").content.decode()
    assert "热门微课" in html
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    groups = soup.select("[data-testid=recommendations]")
    assert len(groups) == 2  # 新入职 and 经验丰富: the stage without courses is left out
    first = [a.get_text(strip=True) for a in groups[0].select(".card__title")]
    assert first == [catalogue[k].title for k in ("mental_new", "career_new", "ideology_new")]
    assert "新入职辅导员学习人数最多" in groups[0].get_text()
    assert [a.get_text(strip=True) for a in groups[1].select(".card__title")] == [catalogue["ideology_senior"].title]


def test_drafts_and_private_courses_are_never_recommended(client, catalogue):
    from wagtail.models import PageViewRestriction

    catalogue["career_new"].unpublish()
    PageViewRestriction.objects.create(page=catalogue["ideology_new"], restriction_type="password", password="mima")
    user = new_counselor()
    completed(user, catalogue["mental_done"], "2.00", ["mental_health"])
    client.force_login(user)
    for html in (client.get("/").content.decode(), Client().get("/").content.decode()):
        assert catalogue["career_new"].title not in html
        assert catalogue["ideology_new"].title not in html


def test_recommendations_take_a_bounded_number_of_queries(client, make_course, catalogue):
    user = new_counselor()
    completed(user, catalogue["mental_done"], "2.00", ["mental_health"])
    client.force_login(user)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(12):
        course = make_course(title=f"更多课程{n}", stages=["new"], capabilities=["research", "study_style"][n % 2 :])
        course.save_revision().publish()
        popular(course, n)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    # One query more per weak area that now has courses (research, study style), not one per course.
    assert len(many) <= len(few) + 2
