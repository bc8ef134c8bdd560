"""A counselor's path through the site in a real browser: home → two facets → a micro-course.

Playwright drives Debian's chromium (`make test` installs it); no browser is downloaded."""

import os
import re
import shutil

import pytest

# Playwright's sync API keeps an event loop in this thread; the ORM calls below are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# serialized_rollback: a transactional test empties the tables; restore what migrations seeded.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"chromium not found at {CHROMIUM}: run `make test`, which installs it"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def demo_courses(tree, make_course):
    make_course(title="大学生心理危机的识别与早期干预", capabilities=["mental_health"], stages=["new"])
    make_course(title="心理健康教育的进阶方法", capabilities=["mental_health"], stages=["senior"])
    make_course(title="网络舆情的研判与引导", capabilities=["online_education"], stages=["new"])
    make_course(title="草稿：不应出现", capabilities=["mental_health"], stages=["new"], live=False)


def csp_violations(page):
    """Messages of the browser refusing something under the Content-Security-Policy, as they come."""
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_home_two_facets_then_a_course(live_server, browser, demo_courses, viewport):
    page = browser.new_page(viewport=viewport)
    violations = csp_violations(page)
    page.goto(live_server.url + "/")
    assert "高校辅导员培训研修资源库" in page.title()

    # First facet: the capability menu on the home page.
    page.get_by_role("link", name="心理健康教育").first.click()
    page.wait_for_url("**/library/?capability=mental_health*")
    results = page.get_by_test_id("result")
    assert results.count() == 2

    # Second facet: the career stage, inside the collapsible filter panel on small screens.
    stage = page.get_by_test_id("facet-stage")
    if not stage.is_visible():
        page.get_by_text("筛选", exact=True).first.click()
    stage.get_by_role("link", name="新入职").first.click()
    page.wait_for_url("**stage=new*")
    assert "capability=mental_health" in page.url
    assert results.count() == 1
    assert "草稿" not in page.content()

    results.first.get_by_role("link", name="大学生心理危机的识别与早期干预").click()
    assert page.get_by_test_id("course-title").inner_text() == "大学生心理危机的识别与早期干预"
    assert violations == []
    page.close()


@pytest.fixture
def course_with_video(make_course, tmp_path):
    """A course whose lecture went through the real pipeline: upload, transcode, HLS ladder."""
    from django.core.files import File
    from django.core.files.base import ContentFile

    from media import pipeline
    from media.models import Video

    from .videos import lecture

    source = lecture(tmp_path / "lecture.mp4", seconds=8, size="1280x720")
    video = Video(title="心理危机干预")
    with open(source, "rb") as fh:
        video.file.save("lecture.mp4", File(fh), save=False)
    vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n同学们好\n\n00:00:04.000 --> 00:00:08.000\n今天讲心理危机干预\n"
    video.captions.save("c.vtt", ContentFile(vtt.encode()), save=False)
    video.save()  # a transactional test: on commit, the (immediate, in tests) task transcodes it
    pipeline.transcode(video.pk)  # and a second run is a no-op
    video.refresh_from_db()
    assert video.is_ready
    return make_course(title="大学生心理危机的识别与早期干预", video=video)


def test_the_course_page_plays_the_hls_ladder(live_server, browser, course_with_video):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    violations = csp_violations(page)
    page.goto(live_server.url + course_with_video.url)
    player = page.get_by_test_id("video-player")
    quality = page.get_by_test_id("quality-select")

    # hls.js has read the master playlist: every rung is offered, highest first.
    page.wait_for_function("() => document.querySelector('[data-testid=quality-select]').options.length === 4")
    labels = [o.strip() for o in quality.locator("option").all_inner_texts()]
    assert labels[1:] == ["720p", "480p", "360p"] and labels[0].startswith("自动")

    page.get_by_role("button", name="播放视频").click()
    page.wait_for_function("() => document.querySelector('[data-testid=video-player]').currentTime > 1", timeout=20_000)
    assert player.evaluate("v => v.videoWidth > 0 && !v.error")

    # Quality switching: choosing 360p puts 360 lines on screen.
    quality.select_option(label="360p")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=video-player]').videoHeight === 360", timeout=20_000
    )

    # Captions: the WebVTT track is loaded and showing.
    page.wait_for_function(
        "() => { const t = document.querySelector('[data-testid=video-player]').textTracks[0];"
        " return t && t.mode === 'showing' && t.cues && t.cues.length === 2; }",
        timeout=10_000,
    )

    # Keyboard: with the player focused, → seeks forward five seconds.
    player.evaluate("v => { v.pause(); v.currentTime = 1; }")
    page.wait_for_function("() => Math.abs(document.querySelector('[data-testid=video-player]').currentTime - 1) < 0.1")
    player.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('[data-testid=video-player]').currentTime > 5.5")
    assert violations == []  # hls.js, its worker and the player work under the strict policy
    page.close()


def test_playback_goes_on_when_segment_signatures_expire(live_server, browser, course_with_video):
    """Segments are signed URLs that expire (access/signing.py). After a long pause the next segment
    is refused with 410: the player loads the playlists again for fresh signatures and plays on."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    refused, playlists = [], []
    page.on("request", lambda request: ".m3u8" in request.url and playlists.append(request.url))

    def expire_once(route):
        if not refused:
            refused.append(route.request.url)
            return route.fulfill(status=410, body="")
        return route.continue_()

    page.route(re.compile(r"/segment_00001\.ts\?"), expire_once)
    violations = csp_violations(page)
    page.goto(live_server.url + course_with_video.url)
    page.get_by_role("button", name="播放视频").click()
    page.wait_for_function("() => document.querySelector('[data-testid=video-player]').currentTime > 7", timeout=30_000)
    assert refused and "/media/p/" in refused[0]  # a public course's cacheable signed URL
    assert len([url for url in playlists if url.endswith("master.m3u8")]) >= 2  # loaded again
    assert violations == []
    page.close()


def test_a_video_still_transcoding_says_so(live_server, browser, make_course, tmp_path):
    from media.models import Video

    video = Video.objects.create(title="排队中", file="videos/originals/x.mp4")
    Video.objects.filter(pk=video.pk).update(status="transcoding", progress=37)
    course = make_course(title="正在转码的微课", video=video)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server.url + course.url)
    status = page.get_by_test_id("player-status")
    assert "视频正在转码" in status.inner_text() and "37%" in status.inner_text()
    assert page.get_by_test_id("video-player").count() == 0
    page.close()


@pytest.fixture
def searchable_courses(tree, make_course):
    for title, capability in [
        ("大学生心理危机的识别与早期干预", "mental_health"),
        ("心理危机事件中的家长沟通", "crisis_response"),
        ("用心理解学生：新时代辅导员的育人情怀", "ideology"),
    ]:
        make_course(title=title, capabilities=[capability]).save_revision().publish()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_search_from_the_header_then_a_facet(live_server, browser, searchable_courses, javascript):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/library/")
    box = page.get_by_role("searchbox", name="搜索资源库")
    box.fill("心理危机")
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    results = page.get_by_test_id("result")
    assert results.count() == 2
    assert page.locator(".card__title mark").first.inner_text() == "心理危机"
    assert "用心理解学生" not in page.content()

    page.get_by_test_id("facet-capability").get_by_role("link", name="校园危机事件应对").click()
    page.wait_for_url("**capability=crisis_response*")
    assert results.count() == 1
    assert results.first.inner_text().find("家长沟通") > 0

    if javascript:
        # Suggestions while typing: titles with a word that begins with the input.
        search_box = page.locator("#search-q")
        search_box.fill("")
        search_box.press_sequentially("心理")
        page.wait_for_function("() => document.querySelectorAll('#search-suggestions option').length > 0")
        options = page.eval_on_selector_all("#search-suggestions option", "els => els.map(e => e.value)")
        assert "大学生心理危机的识别与早期干预" in options
        assert not any(o.startswith("用心理解") for o in options)
    context.close()
