"""What a new user noticed trying the site (issue 15's review): a counselor on a phone and a laptop, a public
reader. The series index reads 系列课程 and marks its own navigation link, the main navigation and the sort links
stay tidy on a phone, a series page puts its courses before the share block."""

import os
import re

import pytest

from . import factories
from .test_browser import CHROMIUM_ARGS, browser  # noqa: F401  (the fixture)
from .test_dashboard import fixed_today, member, scenario, submitter  # noqa: F401
from .test_series import make_series

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def current_nav_links(html):
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', nav)


@pytest.fixture
def series(section, make_course):
    courses = [make_course(title="谈心谈话的技巧"), make_course(title="心理危机的识别与干预")]
    return make_series(section, courses)


@pytest.mark.django_db
def test_the_series_index_reads_its_own_name_and_marks_its_nav_link(client, tree, series):
    library = tree["library"]
    response = client.get(library.url, {"kind": "series"})
    html = response.content.decode()
    assert re.search(r"<h1>\s*系列课程\s*</h1>", html)
    assert "<title>系列课程 · " in html
    assert current_nav_links(html) == ["系列课程"]
    assert series.title in html

    # The library itself, and the library filtered otherwise, are still 资源库.
    for params in ({}, {"kind": "microcourse"}, {"kind": ["series", "microcourse"]}):
        html = client.get(library.url, params).content.decode()
        assert re.search(rf"<h1>\s*{library.title}\s*</h1>", html), params
        assert current_nav_links(html) == ["资源库"], params

    # Sections below: the directory's pages, the notices.
    assert current_nav_links(client.get("/experts/").content.decode()) == ["师资库"]
    assert current_nav_links(client.get("/centers/").content.decode()) == ["培训中心"]
    assert current_nav_links(client.get(tree["notices"].url).content.decode()) == ["通知公告"]


@pytest.mark.django_db
def test_a_series_page_lists_its_courses_before_the_share_block(client, series):
    html = client.get(series.url).content.decode()
    assert "扫码分享" in html
    assert html.index("谈心谈话的技巧") < html.index("扫码分享")


@pytest.mark.django_db
def test_a_notice_is_signed_before_the_share_block(client, tree):
    notice = factories.PolicyDocumentPageFactory(parent=tree["notices"], title="关于上传网络课程的通知")
    html = client.get(notice.url).content.decode()
    assert html.index("教育部办公厅</span>") < html.index("扫码分享")


# -- in a browser, on a phone ------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_phone_nothing_overflows_and_the_nav_and_sorts_are_tidy(live_server, browser, tree, series):  # noqa: F811
    page = browser.new_page(viewport=PHONE)
    library = tree["library"].url
    for path in ["/", library, library + "?kind=series", "/search/?q=心理", "/experts/", "/centers/", series.url]:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path

        # The main navigation's links on a phone: an even grid, every cell as wide, each label on one line.
        boxes = [link.bounding_box() for link in page.locator(".site-nav a").all()]
        assert len(boxes) == 7, path
        assert len({round(b["width"]) for b in boxes}) == 1, path
        assert len({round(b["height"]) for b in boxes}) == 1, path
        assert len({round(b["y"]) for b in boxes}) == 2, path  # two rows

    # A card's center name is on a line of its own, without a "·" dangling before it.
    page.goto(live_server.url + library + "?kind=series")
    center = page.locator(".card__center").first
    assert center.evaluate("e => getComputedStyle(e, '::before').content") == "none"
    assert center.bounding_box()["y"] > page.locator(".card__eyebrow .badge").first.bounding_box()["y"]

    # The sort links (a search's) wrap as whole words: each one line high, as is the 排序 label.
    page.goto(live_server.url + "/search/?q=心理")
    heights = {round(e.bounding_box()["height"]) for e in page.locator(".sorts a, .sorts__label").all()}
    assert max(heights) < 2 * min(heights)
    # The first result is on the first screen (the filters are folded away).
    assert page.get_by_test_id("result").first.bounding_box()["y"] < PHONE["height"]


# -- a center's editor in the admin ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dashboard_panel_says_when_the_deadline_has_passed(client, scenario, django_user_model):  # noqa: F811
    # July 2 (test_dashboard's day): "-2" alone read like a typo; the progress page already said 已截止.
    jia = scenario["jia"]
    client.force_login(member(django_user_model, jia, "jia-editor"))
    assert "-2（已截止）" in client.get("/admin/").content.decode()
    assert "-2（已截止）" in client.get(f"/admin/progress/{jia.pk}/").content.decode()
