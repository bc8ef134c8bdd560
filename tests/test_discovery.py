"""Discovery: feeds, sitemap.xml, robots.txt, the favicon, the head's description / Open Graph /
canonical tags, the share QR code, the print stylesheet and the footer, as a visitor or a crawler meets
them. Drafts, view-restricted pages and pages under an unpublished section appear nowhere."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
import segno

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, PageViewRestriction

from search import documents

from . import factories

BASE = "https://hub.example.edu.cn"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE


@pytest.fixture
def pages(tree, section, make_course):
    """Public pages of every kind, and one of each kind of page a visitor may not see."""
    course = make_course(
        title="大学生心理危机的识别与早期干预", capabilities=["mental_health"], summary="识别心理危机的信号。"
    )
    case = factories.CasePageFactory(parent=tree["cases"], title="一次宿舍矛盾的化解", capabilities=["mental_health"])
    notice = factories.PolicyDocumentPageFactory(
        parent=tree["notices"],
        title="关于开展2024年辅导员网络培训的通知",
        summary="各培训研修中心：现将有关事项通知如下。",
    )
    series = factories.CourseSeriesPageFactory(parent=section, title="新入职辅导员必修系列")
    draft = make_course(title="草稿中的微课", live=False, capabilities=["mental_health"])
    restricted = make_course(title="仅登录可见的微课", capabilities=["mental_health"])
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    restricted_notice = factories.PolicyDocumentPageFactory(parent=tree["notices"], title="内部通知")
    PageViewRestriction.objects.create(
        page=restricted_notice, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    draft_notice = factories.PolicyDocumentPageFactory(parent=tree["notices"], title="未发布的通知", live=False)
    # A live course under a section that is unpublished: hidden with its section.
    hidden_center = factories.TrainingCenterFactory(code="hidden", name="筹建中的中心")
    hidden_section = hidden_center.section
    orphan = factories.MicroCoursePageFactory(
        parent=hidden_section, center=hidden_center, title="未公开专区里的微课", capabilities=["mental_health"]
    )
    hidden_section.unpublish()
    # A live case under a restricted section.
    closed_center = factories.TrainingCenterFactory(code="closed", name="内部中心")
    closed_case = factories.CasePageFactory(
        parent=closed_center.section, center=closed_center, title="内部中心的案例", capabilities=["mental_health"]
    )
    PageViewRestriction.objects.create(page=closed_center.section, restriction_type=PageViewRestriction.LOGIN)
    return {
        "course": course,
        "case": case,
        "notice": notice,
        "series": series,
        "hidden": [
            draft,
            restricted,
            restricted_notice,
            draft_notice,
            hidden_section,
            orphan,
            closed_center.section,
            closed_case,
        ],
    }


def hidden_titles(pages):
    return {page.title for page in pages["hidden"]}


def full(page):
    return BASE + page.url


# -- feeds ---------------------------------------------------------------------------------------


FEEDS = [
    ("/feeds/notices/", "rss20"),
    ("/feeds/notices/atom/", "atom10"),
    ("/feeds/resources/", "rss20"),
    ("/feeds/resources/atom/", "atom10"),
    ("/feeds/area/mental_health/", "rss20"),
    ("/feeds/area/mental_health/atom/", "atom10"),
]


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return response, feed


@pytest.mark.django_db
@pytest.mark.parametrize("url,version", FEEDS)
def test_feeds_parse_as_rss_and_atom_and_hold_only_public_pages(client, pages, url, version):
    response, feed = parse(client, url)
    assert feed.version == version
    assert "xml" in response["Content-Type"]
    titles = {entry.title for entry in feed.entries}
    assert not titles & hidden_titles(pages), titles
    assert "高校辅导员培训研修资源库" in feed.feed.title
    for entry in feed.entries:
        assert entry.link.startswith(BASE + "/"), entry.link
        assert entry.get("summary")
    if "notices" in url:
        assert titles == {pages["notice"].title}
        (entry,) = feed.entries
        assert entry.link == full(pages["notice"])
        assert entry.summary == "各培训研修中心：现将有关事项通知如下。"
        assert entry.author == "教育部办公厅"
    else:
        assert titles == {pages["course"].title, pages["case"].title}
        course = next(e for e in feed.entries if e.title == pages["course"].title)
        assert course.link == full(pages["course"])
        assert course.summary == "识别心理危机的信号。"
        assert {t.term for t in course.tags} >= {"微课", "心理健康教育"}


@pytest.mark.django_db
def test_the_area_feed_holds_only_its_area(client, pages, section, make_course):
    other = make_course(title="学风建设的做法", capabilities=["study_style"])
    _, feed = parse(client, "/feeds/area/mental_health/")
    assert other.title not in {e.title for e in feed.entries}
    assert "心理健康教育" in feed.feed.title
    _, feed = parse(client, "/feeds/area/study_style/")
    assert [e.title for e in feed.entries] == [other.title]
    assert client.get("/feeds/area/no-such-area/").status_code == 404


@pytest.mark.django_db
def test_feeds_are_bounded_newest_first_in_constant_queries(client, tree, section, make_course, settings):
    settings.DISCOVERY_FEED_ITEMS = 5
    for n in range(3):
        make_course(title=f"微课{n}", capabilities=["mental_health"])
        factories.CasePageFactory(parent=tree["cases"], title=f"案例{n}", capabilities=["mental_health"])
        factories.PolicyDocumentPageFactory(parent=tree["notices"], title=f"通知{n}")
    counts = {}
    for url, _ in FEEDS:
        with CaptureQueriesContext(connection) as few:
            parse(client, url)
        counts[url] = len(few)
    for n in range(3, 12):
        make_course(title=f"微课{n}", capabilities=["mental_health"])
        factories.CasePageFactory(parent=tree["cases"], title=f"案例{n}", capabilities=["mental_health"])
        factories.PolicyDocumentPageFactory(parent=tree["notices"], title=f"通知{n}")
    for url, _ in FEEDS:
        with CaptureQueriesContext(connection) as many:
            _, feed = parse(client, url)
        assert len(many) == counts[url], (url, [q["sql"] for q in many.captured_queries])
        assert len(feed.entries) == 5
        assert len(many) <= 10
    _, feed = parse(client, "/feeds/notices/")
    assert [e.title for e in feed.entries] == [f"通知{n}" for n in range(11, 6, -1)]


@pytest.mark.django_db
def test_pages_link_to_the_feeds(client, pages):
    html = client.get("/").text
    assert '<link rel="alternate" type="application/rss+xml" title="通知公告" href="/feeds/notices/">' in html
    assert 'href="/feeds/resources/"' in html
    assert (
        '<link rel="alternate" type="application/atom+xml" title="通知公告（Atom）" href="/feeds/notices/atom/">'
        in html
    )
    library = client.get(pages["course"].get_parent().get_parent().url + "?capability=mental_health").text
    assert 'href="/feeds/area/mental_health/"' in library


# -- sitemap and robots.txt ----------------------------------------------------------------------


def sitemap_entries(client):
    """{address: lastmod or None} of sitemap.xml."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    entries = {}
    for entry in root.findall("s:url", SITEMAP_NS):
        lastmod = entry.find("s:lastmod", SITEMAP_NS)
        entries[entry.find("s:loc", SITEMAP_NS).text] = lastmod.text if lastmod is not None else None
    return entries


def sitemap_urls(client):
    return set(sitemap_entries(client))


@pytest.mark.django_db
def test_the_sitemap_lists_exactly_the_live_public_pages(client, tree, pages):
    expected = {
        BASE + "/",
        full(tree["library"]),
        full(tree["cases"]),
        full(tree["notices"]),
        full(pages["course"].get_parent()),  # the center's section
        full(pages["course"]),
        full(pages["case"]),
        full(pages["notice"]),
        full(pages["series"]),
    }
    assert sitemap_urls(client) == expected
    # A page's lastmod is when it was last published.
    course = pages["course"]
    course.save_revision().publish()
    course.refresh_from_db()
    assert datetime.fromisoformat(sitemap_entries(client)[full(course)]) == course.last_published_at
    # The same rule as the search's: the resources in the sitemap are the searchable ones.
    searchable = {pk for ids in documents.searchable_ids() for pk in ids}
    resources = {p.pk for p in (pages["course"], pages["case"], pages["notice"], pages["series"])}
    assert searchable == resources


@pytest.mark.django_db
def test_the_sitemap_follows_publishing(client, tree, pages):
    pages["course"].unpublish()
    assert full(pages["course"]) not in sitemap_urls(client)
    section = Page.objects.get(slug="hidden")
    section.get_latest_revision().publish()
    assert full(Page.objects.get(title="未公开专区里的微课")) in sitemap_urls(client)


@pytest.mark.django_db
def test_the_sitemap_runs_the_same_queries_for_any_number_of_pages(client, tree, section, make_course):
    make_course()
    with CaptureQueriesContext(connection) as few:
        sitemap_urls(client)
    for _ in range(10):
        make_course()
    with CaptureQueriesContext(connection) as many:
        urls = sitemap_urls(client)
    assert len(urls) == 5 + 11
    assert len(many) == len(few) <= 8


@pytest.mark.django_db
def test_robots_txt_points_at_the_sitemap(client, tree):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    for path in ("/admin/", "/me/", "/accounts/", "/search/"):
        assert f"Disallow: {path}" in lines
    assert "Allow: /" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


@pytest.mark.django_db
def test_the_favicon(client, tree):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/discovery/favicon.svg"
    root = ET.parse(finders.find("discovery/favicon.svg")).getroot()
    assert root.tag.endswith("svg") and "辅" in "".join(root.itertext())
    assert '<link rel="icon" type="image/svg+xml" href="/static/discovery/favicon.svg">' in client.get("/").text


# -- the head: description, Open Graph, canonical ------------------------------------------------


def meta(html, prop):
    found = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)">', html)
    return found and found.group(1)


def canonical(html):
    found = re.search(r'<link rel="canonical" href="([^"]*)">', html)
    return found and found.group(1)


@pytest.mark.django_db
def test_public_pages_have_description_open_graph_and_canonical(client, tree, pages):
    cases = [
        (tree["home"], "website", None),
        (pages["course"], "article", "识别心理危机的信号。"),
        (pages["case"], "article", pages["case"].summary),
        (pages["notice"], "article", "各培训研修中心：现将有关事项通知如下。"),
        (pages["series"], "article", "按顺序学习"),  # a series is a library resource
    ]
    for page, og_type, description in cases:
        html = client.get(page.url).text
        assert canonical(html) == full(page), page
        assert meta(html, "og:url") == full(page)
        assert meta(html, "og:title") == page.title
        assert meta(html, "og:type") == og_type
        assert meta(html, "og:site_name") == "高校辅导员培训研修资源库"
        assert meta(html, "description")
        if description:
            assert meta(html, "description") == description
            assert meta(html, "og:description") == description
        assert meta(html, "robots") is None


@pytest.mark.django_db
def test_search_description_wins_and_query_strings_share_the_canonical(client, tree, pages):
    course = pages["course"]
    course.search_description = "给搜索引擎看的描述"
    course.save_revision().publish()
    assert meta(client.get(course.url).text, "description") == "给搜索引擎看的描述"
    html = client.get(tree["library"].url + "?capability=mental_health&sort=oldest&page=1").text
    assert canonical(html) == full(tree["library"])
    assert meta(client.get("/search/?q=心理").text, "robots") == "noindex, follow"


@pytest.mark.django_db
def test_previews_and_restricted_pages_get_no_canonical_and_no_qr(client, tree, pages, django_user_model):
    restricted = next(p for p in pages["hidden"] if p.title == "仅登录可见的微课")
    user = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(user)
    html = client.get(restricted.url).text
    assert restricted.title in html
    assert canonical(html) is None and meta(html, "og:url") is None
    assert meta(html, "robots") == "noindex, nofollow"
    assert "扫码分享" not in html and '<svg role="img"' not in html


@pytest.mark.django_db
def test_a_draft_preview_shows_no_address(admin_client, tree, pages):
    draft = next(p for p in pages["hidden"] if p.title == "草稿中的微课")
    response = admin_client.get(f"/admin/pages/{draft.pk}/view_draft/")
    assert response.status_code == 200
    html = response.text
    assert draft.title in html
    assert "扫码分享" not in html and canonical(html) is None
    # Nor a preview of changes to a live page.
    course = pages["course"]
    response = admin_client.get(f"/admin/pages/{course.pk}/view_draft/")
    assert "扫码分享" not in response.text and canonical(response.text) is None


# -- the share QR code and printing --------------------------------------------------------------


def qr_path(url):
    """The modules of the QR code segno makes for the URL (the `d` of its SVG path)."""
    svg = segno.make(url, micro=False, error="m").svg_inline(border=4)
    return re.search(r' d="([^"]+)"', svg).group(1)


@pytest.mark.django_db
def test_resource_series_and_notice_pages_share_a_qr_code_of_their_address(client, pages):
    for key in ("course", "case", "notice", "series"):
        page = pages[key]
        html = client.get(page.url).text
        assert "扫码分享" in html, key
        svg = re.search(r'<svg role="img".*?</svg>', html, re.S).group(0)
        root = ET.fromstring(svg)  # well-formed XML
        assert root.get("viewBox") and root.get("role") == "img"
        title = root.find("{http://www.w3.org/2000/svg}title")
        assert title is not None and full(page) in title.text
        path = root.find("{http://www.w3.org/2000/svg}path")
        assert path.get("d") == qr_path(full(page)), key
        assert "style" not in svg  # the CSP allows no inline styles
        assert f'<a href="{full(page)}">{full(page)}</a>' in html
        assert "打印本页" in html and "/static/discovery/share.js" in html


@pytest.mark.django_db
def test_the_notice_page_prints_well(client, pages):
    html = client.get(pages["notice"].url).text
    assert '<link rel="stylesheet" href="/static/discovery/discovery.css">' in html
    for text in ("发文字号", pages["notice"].doc_number, "发文机构", "教育部办公厅", full(pages["notice"])):
        assert text in html
    from django.contrib.staticfiles import finders

    css = Path(finders.find("discovery/discovery.css")).read_text("utf-8")
    assert css.count("{") == css.count("}")
    print_rules = css[css.index("@media print") :]
    for selector in (".site-nav", ".site-search", ".share__actions", ".site-footer__feeds", ".gov-meta"):
        assert selector in print_rules
    assert "break-inside: avoid" in print_rules


# -- the footer ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_footer_shows_the_organiser_contact_and_icp_number(client, tree, settings):
    settings.HUB_ORGANISER = "北京师范大学高校辅导员培训研修中心"
    settings.HUB_CONTACT_EMAIL = "hub@example.edu.cn"
    settings.HUB_CONTACT_PHONE = "010-1234 5678"
    settings.HUB_ICP_NUMBER = "京ICP备12345678号-1"
    html = client.get("/").text
    assert "主办单位：北京师范大学高校辅导员培训研修中心" in html
    assert '<a href="mailto:hub@example.edu.cn">hub@example.edu.cn</a>' in html
    assert '<a href="tel:010-12345678">010-1234 5678</a>' in html
    assert re.search(r'<a href="https://beian.miit.gov.cn/"[^>]*>京ICP备12345678号-1</a>', html)
    settings.HUB_CONTACT_EMAIL = settings.HUB_CONTACT_PHONE = settings.HUB_ICP_NUMBER = ""
    html = client.get("/").text
    assert "联系我们" not in html and "beian.miit.gov.cn" not in html


def test_footer_settings_are_bounded(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import hub.settings.discovery as module

    monkeypatch.setenv("HUB_ICP_NUMBER", "京" * 61)
    with pytest.raises(ImproperlyConfigured, match="HUB_ICP_NUMBER"):
        importlib.reload(module)
    monkeypatch.setenv("HUB_ICP_NUMBER", "")
    monkeypatch.setenv("DISCOVERY_FEED_ITEMS", "1000")
    with pytest.raises(ImproperlyConfigured, match="DISCOVERY_FEED_ITEMS"):
        importlib.reload(module)
    monkeypatch.delenv("DISCOVERY_FEED_ITEMS")
    importlib.reload(module)
    assert module.HUB_ICP_NUMBER == ""


@pytest.mark.django_db
def test_a_course_with_a_video_shows_its_poster_as_og_image(client, make_course, tmp_path):
    from .videos import ready_video

    video = ready_video(tmp_path, 2)
    course = make_course(title="有视频的微课", video=video)
    html = client.get(course.url).text
    image = meta(html, "og:image")
    assert image == BASE + video.poster_url
    # The poster is public, as the page is: a crawler fetching it gets the picture.
    response = client.get(video.poster_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
