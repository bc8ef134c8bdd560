"""Anonymous visitors get public pages and API answers from a copy (pagecache, docs/caching.md): the copy is
the page they would have got, it is dropped when what it shows changes, and nobody signed in ever reads
or fills it. Run with CACHE_URL=redis://… to exercise Redis instead of each process's memory."""

import os
from pathlib import Path

import pytest

from django.test import Client, override_settings

from wagtail.contrib.search_promotions.models import Query
from wagtail.models import PageViewRestriction

from pagecache import replays, store
from resources.models import ResourceStats

from . import factories

pytestmark = pytest.mark.django_db
SITE = Path(__file__).resolve().parent.parent / "site"


def get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    return response, response.get("X-Cache")


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    """The suite runs with the cache off (hub.settings.test); these tests are about it."""
    settings.PAGECACHE_ENABLED = True


@pytest.fixture
def course(make_course):
    return make_course(title="大学生心理危机的识别与早期干预", capabilities=["mental_health"], stages=["new"])


@pytest.fixture
def notice(tree):
    return factories.PolicyDocumentPageFactory(parent=tree["notices"], title="关于上传网络课程的通知")


@pytest.fixture
def counselor():
    return factories.CounselorFactory(username="wang-signed-in")


def public_urls(tree, course, notice):
    return [
        "/",
        tree["library"].url + "?capability=mental_health&stage=new",
        course.url,
        notice.url,
        "/api/v2/pages/",
        "/api/search/?q=心理危机",
    ]


def test_a_second_anonymous_request_is_a_hit_with_the_same_answer(client, tree, course, notice):
    for url in public_urls(tree, course, notice):
        first, state = get(client, url)
        assert first.status_code == 200, url
        assert state == "MISS", url
        second, state = get(client, url)
        assert state == "HIT", url
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]
    assert course.title in client.get(course.url).text


def test_a_copy_gets_the_security_headers_of_every_answer(client, course):
    first = client.get(course.url)
    hit = client.get(course.url)
    assert hit["X-Cache"] == "HIT"
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        assert hit[header] == first[header], header
    assert "unsafe-inline" not in hit["Content-Security-Policy"]


def test_publishing_a_change_is_seen_at_once(client, course):
    client.get(course.url)
    assert get(client, course.url)[1] == "HIT"
    course.title = "心理危机干预（第二版）"
    course.save_revision().publish()
    response, state = get(client, course.url)
    assert state == "MISS"
    assert "心理危机干预（第二版）" in response.text
    # The library lists the new title too, not its copy from before.
    assert "心理危机干预（第二版）" in client.get(course.get_parent().get_parent().url).text


def test_a_draft_is_never_shown_and_saving_one_keeps_the_published_page(client, course):
    draft = factories.MicroCoursePageFactory(parent=course.get_parent(), title="还在编写的草稿课", live=False)
    for _ in range(2):
        response, state = get(client, draft.url or f"/library/{draft.slug}/")
        assert response.status_code == 404 and state is None
    course.title = "未发布的新标题"
    course.save_revision()  # a draft revision only
    html = client.get(course.url).text
    assert "大学生心理危机的识别与早期干预" in html and "未发布的新标题" not in html


def test_unpublishing_moving_and_deleting_are_seen_at_once(client, tree, make_course, section):
    gone, moved, deleted = (make_course(title=title) for title in ("撤下的课", "移动的课", "删除的课"))
    library = tree["library"].url
    for page in (gone, moved, deleted):
        client.get(page.url)
        assert get(client, page.url)[1] == "HIT"
    client.get(library)

    gone_url = gone.url
    gone.unpublish()
    assert client.get(gone_url).status_code == 404
    assert "撤下的课" not in client.get(library).text

    old_url = moved.url
    other = factories.TrainingCenterFactory(code="other", name="另一个中心").section
    moved.move(other, pos="last-child")
    moved.refresh_from_db()
    # Wagtail leaves a redirect at the old address, not the copy of the page that was there.
    old = client.get(old_url)
    assert old.status_code == 301 and old["Location"] == moved.url
    assert client.get(moved.url).status_code == 200

    deleted_url = deleted.url
    deleted.delete()
    assert client.get(deleted_url).status_code == 404


def test_editing_a_center_drops_the_copies(client, course, section):
    client.get(course.url)
    center = section.center
    center.name = "北京师范大学辅导员培训研修中心（新名）"
    center.save()
    response, state = get(client, course.url)
    assert state == "MISS"
    assert "北京师范大学辅导员培训研修中心（新名）" in response.text


def test_signed_in_users_never_read_or_fill_the_cache(client, course, counselor):
    anonymous = client.get(course.url)
    assert get(client, course.url)[1] == "HIT"
    assert "退出" not in anonymous.text

    signed_in = Client()
    signed_in.force_login(counselor)
    for _ in range(2):
        response, state = get(signed_in, course.url)
        assert state is None
        assert "退出" in response.text and "我的学习" in response.text

    # A page first asked for by a signed-in user: the next anonymous visitor gets their own answer.
    fresh = Client()
    fresh.force_login(counselor)
    fresh.get("/")
    response, state = get(Client(), "/")
    assert state == "MISS"
    assert "退出" not in response.text and "我的学习" not in response.text
    assert "wang-signed-in" not in response.text
    assert "登录" in response.text


def test_a_csrf_cookie_alone_still_gets_copies_but_a_pending_message_does_not(client, course):
    client.get(course.url)
    visitor = Client()
    visitor.cookies["csrftoken"] = "a" * 32
    assert get(visitor, course.url)[1] == "HIT"
    with_message = Client()
    with_message.cookies["messages"] = "anything"
    assert get(with_message, course.url)[1] is None


def test_pages_with_a_form_for_the_visitor_are_never_kept(client):
    # The sign-in page carries a CSRF token: for this visitor only (and under /accounts/).
    for _ in range(2):
        assert get(client, "/accounts/login/")[1] is None


def test_view_restricted_pages_are_never_kept(client, make_course):
    with_password = make_course(title="密码保护的课")
    PageViewRestriction.objects.create(
        page=with_password, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    signed_in_only = make_course(title="登录可见的课")
    PageViewRestriction.objects.create(page=signed_in_only, restriction_type=PageViewRestriction.LOGIN)
    visitor = Client()
    visitor.cookies["csrftoken"] = "b" * 32  # a visitor who has a CSRF cookie already
    for _ in range(2):
        form, state = get(visitor, with_password.url)
        assert state is None
        assert "密码保护的课" not in form.text or "password" in form.text
        redirect, state = get(visitor, signed_in_only.url)
        assert redirect.status_code == 302 and state is None


def test_restricting_a_page_drops_its_copy(client, make_course):
    course = make_course(title="即将设为内部的课")
    client.get(course.url)
    assert get(client, course.url)[1] == "HIT"
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    response, state = get(client, course.url)
    assert response.status_code == 302 and state is None


def test_an_editors_preview_and_the_admin_are_never_kept(client, course):
    editor = factories.CounselorFactory(username="editor-preview", is_superuser=True, is_staff=True)
    client.force_login(editor)
    course.title = "预览中的标题"
    course.save_revision()
    preview = client.get(f"/admin/pages/{course.pk}/view_draft/")
    assert preview.status_code == 200 and "预览中的标题" in preview.text
    assert preview.get("X-Cache") is None
    page = client.get(course.url)
    assert page.get("X-Cache") is None
    anonymous = Client().get(course.url)
    assert "预览中的标题" not in anonymous.text
    assert "userbar" not in anonymous.text.lower()


def test_query_string_variants_are_separate_copies(client, tree, make_course):
    make_course(title="心理课", capabilities=["mental_health"])
    make_course(title="学风课", capabilities=["study_style"])
    library = tree["library"].url
    first, state = get(client, library + "?capability=mental_health")
    assert state == "MISS" and "心理课" in first.text and "学风课" not in first.text
    second, state = get(client, library + "?capability=study_style")
    assert state == "MISS" and "学风课" in second.text and "心理课" not in second.text
    assert get(client, library + "?capability=mental_health")[1] == "HIT"


def test_head_is_answered_from_a_copy_and_post_never(client, course):
    client.get(course.url)
    assert client.head(course.url)["X-Cache"] == "HIT"
    assert client.post(course.url).get("X-Cache") is None


def test_views_and_searches_are_still_counted_on_hits(client, course):
    for _ in range(3):
        client.get(course.url)
    assert ResourceStats.objects.get(page_id=course.pk).views == 3
    for _ in range(3):
        client.get("/api/search/?q=心理危机")
    assert Query.get("心理危机").hits == 3


@override_settings(PAGECACHE_REPLAY_SECONDS=60)
def test_hits_views_are_written_together_later(client, course):
    for _ in range(3):
        client.get(course.url)
    assert ResourceStats.objects.get(page_id=course.pk).views == 1  # the miss, rendered
    replays.flush()  # what the timer does after PAGECACHE_REPLAY_SECONDS
    assert ResourceStats.objects.get(page_id=course.pk).views == 3


@override_settings(PAGECACHE_MAX_BODY_BYTES=1000)
def test_larger_answers_are_not_kept(client, course):
    for _ in range(2):
        assert get(client, course.url)[1] is None


@override_settings(PAGECACHE_MAX_URL_BYTES=40)
def test_longer_urls_are_not_kept(client, tree):
    url = tree["library"].url + "?q=" + "x" * 40
    for _ in range(2):
        response, state = get(client, url)
        assert response.status_code == 200 and state is None


@override_settings(PAGECACHE_MAX_ENTRIES=2)
def test_at_most_max_entries_copies_are_made_in_a_period(client, tree):
    store.backend().clear()  # the count of copies made by earlier tests in this period
    library = tree["library"].url
    states = [get(client, f"{library}?page={n}")[1] for n in range(1, 5)]
    assert states == ["MISS", "MISS", None, None]


@override_settings(PAGECACHE_MAX_ENTRIES_PER_CLIENT=2, TRUSTED_PROXIES=[])
def test_one_visitor_inventing_urls_cannot_use_up_everyone_elses_copies(client, tree):
    store.backend().clear()
    library = tree["library"].url
    states = [get(client, f"{library}?page={n}", REMOTE_ADDR="203.0.113.7")[1] for n in range(1, 5)]
    assert states == ["MISS", "MISS", None, None]
    # Another visitor's pages are still kept.
    assert get(client, f"{library}?page=9", REMOTE_ADDR="198.51.100.2")[1] == "MISS"


@override_settings(PAGECACHE_ENABLED=False)
def test_the_cache_can_be_turned_off(client, course):
    for _ in range(2):
        assert get(client, course.url)[1] is None


# -- `make run`: DEBUG off (hub.settings.dev), static files through WhiteNoise -----------------------------


def test_make_runs_settings_have_debug_off_unless_asked():
    import subprocess
    import sys

    def debug(value):
        env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
        env.update({"DJANGO_SETTINGS_MODULE": "hub.settings.dev", "PYTHONPATH": f"{SITE}:{SITE.parent}"})
        env.update({"DEBUG": value} if value else {})
        code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=SITE)
        return done.stdout.strip()

    assert debug(None) == "False"
    assert debug("1") == "True"


@override_settings(DEBUG=False)
def test_a_missing_page_shows_the_sites_chinese_404_page(client, tree):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面未找到" in response.text and "返回首页" in response.text
    assert "URLconf" not in response.text and "Page not found" not in response.text


@override_settings(DEBUG=False, WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_are_served_by_whitenoise_without_collectstatic():
    client = Client()  # a new handler: WhiteNoise reads its settings when the middleware is made
    css = client.get("/static/css/site.css")
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    # Files from node_modules (STATICFILES_DIRS) too: the player's hls.js.
    hls = client.get("/static/vendor/hls/hls.min.js")
    assert hls.status_code == 200
    assert b"".join(hls.streaming_content)[:100]


# -- changes written by a plain UPDATE (resources.signals.public_content_changed) ---------------------------


def test_a_video_that_finishes_transcoding_shows_at_once(client, make_course, tmp_path):
    """The course page cached while its video waited plays the video as soon as the ladder is ready."""
    from django.core.files import File

    from media import pipeline
    from media.models import Video

    from . import videos

    video = Video(title="讲座")
    with open(videos.lecture(tmp_path / "lecture.mp4", seconds=2), "rb") as fh:
        video.file.save("lecture.mp4", File(fh), save=False)
    video.save()
    course = make_course(video=video)
    get(client, course.url)
    assert get(client, course.url)[1] == "HIT"
    pipeline.transcode(video.pk)
    video.refresh_from_db()
    response, state = get(client, course.url)
    assert state == "MISS" and video.playlist_url in response.text


def test_an_approved_comment_shows_at_once(client, course, counselor):
    from django.utils import timezone

    from feedback import moderation
    from feedback.models import CourseRating

    rating = CourseRating.objects.create(
        user=counselor, course=course, score=5, comment="讲得很实在，马上能用。", comment_status="pending"
    )
    get(client, course.url)
    assert get(client, course.url)[1] == "HIT"
    reviewer = factories.CounselorFactory(username="reviewer")
    assert moderation.decide(rating, CourseRating.CommentStatus.APPROVED, reviewer, timezone.now())
    response, state = get(client, course.url)
    assert state == "MISS" and "讲得很实在，马上能用。" in response.text
