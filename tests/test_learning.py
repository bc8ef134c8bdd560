"""Honest watch tracking: the server decides what was watched (docs/learning.md)."""

import json

import pytest

from django.test import Client

from learning.models import CourseProgress, Learner, LearningCredit, ViewingSession
from learning.tracking import Report, apply_report, lowest_bits, segments_to_bits, start_session

from .learning_helpers import Clock, counselor, playable_course, race_to_completion, report, start


@pytest.fixture
def course(make_course):
    return playable_course(make_course, duration=600.0, capabilities=["mental_health"])


@pytest.fixture
def viewer(db, client):
    user = counselor()
    client.force_login(user)
    return user


def progress_of(user, course):
    return CourseProgress.objects.get(user=user, course=course)


def watch(client, session, clock, start_at, seconds, seq, step=10):
    """Play `seconds` of the video from `start_at` at normal speed, reporting every `step` seconds."""
    position = start_at
    while seconds > 0:
        played = min(step, seconds)
        clock.advance(played)
        response = report(client, session, seq, [[position, position + played]])
        assert response.status_code == 200, response.content.decode()
        position += played
        seconds -= played
        seq += 1
    return seq


def test_watching_credits_seconds_played_and_completes_once_at_the_threshold(client, viewer, course):
    with Clock() as clock:
        session = start(client, course)
        seq = watch(client, session, clock, 0, 530, seq=1)
        progress = progress_of(viewer, course)
        assert progress.watched_seconds == 530
        assert progress.completed_at is None  # 88 % < 90 %
        assert not LearningCredit.objects.exists()

        seq = watch(client, session, clock, 530, 20, seq=seq)
        progress.refresh_from_db()
        assert progress.watched_seconds == 550
        assert progress.completed_at is not None
        assert progress.played_segments == "0[.]550"
        credit = LearningCredit.objects.get(user=viewer)
        assert str(credit.hours) == "0.50" and credit.capability_codes == ["mental_health"]

        # Watching the rest, and again from the start, credits no more hours.
        watch(client, session, clock, 0, 600, seq=seq)
    assert LearningCredit.objects.filter(user=viewer).count() == 1
    assert progress_of(viewer, course).watched_seconds == 600


def test_seeking_to_the_end_without_watching_does_not_complete(client, viewer, course):
    with Clock() as clock:
        session = start(client, course)
        clock.advance(3)
        report(client, session, 1, [[0, 3]], verb="seeked", position=595)
        clock.advance(5)
        # The element's `played` ranges after a seek: only what really played at the end.
        response = report(client, session, 2, [[595, 600]], verb="paused", position=600)
    assert response.json()["completed"] is False
    progress = progress_of(viewer, course)
    assert progress.watched_seconds == 8
    assert progress.completed_at is None
    assert not LearningCredit.objects.exists()


def test_a_forged_report_credits_no_more_than_the_wall_time_allows(client, viewer, course):
    with Clock() as clock:
        session = start(client, course)
        clock.advance(10)
        # "I watched the whole video" ten seconds after starting.
        response = report(client, session, 1, [[0, 600]], position=600)
        assert response.json()["credited"] == 20  # 10 s of wall time at the fastest allowed rate, 2x
        # The same report replayed at once, and replayed with a new sequence number: nothing more.
        assert report(client, session, 1, [[0, 600]]).json()["credited"] == 0
        assert report(client, session, 2, [[0, 600]]).json()["credited"] == 0
        # A second session opened in parallel shares the counselor's one budget of time.
        other = start(client, course)
        assert report(client, other, 1, [[0, 600]]).json()["credited"] == 0
        clock.advance(5)
        assert report(client, other, 2, [[0, 600]]).json()["credited"] == 10
    progress = progress_of(viewer, course)
    assert progress.watched_seconds == 30
    assert progress.completed_at is None
    refused = sum(ViewingSession.objects.values_list("refused_seconds", flat=True))
    assert refused > 0


def test_a_page_left_open_cannot_claim_the_hour_in_one_report(client, viewer, course, settings):
    with Clock() as clock:
        session = start(client, course)
        clock.advance(3600)
        response = report(client, session, 1, [[0, 600]], position=600)
    assert response.json()["credited"] == settings.LEARNING_REPORT_MAX_SECONDS
    assert progress_of(viewer, course).completed_at is None


def test_a_late_report_still_counts_but_does_not_move_the_position_back(client, viewer, course):
    with Clock() as clock:
        session = start(client, course)
        clock.advance(20)
        # Two reports sent as the page closed arrive in the wrong order.
        assert report(client, session, 2, [], verb="terminated", position=20).status_code == 200
        assert report(client, session, 1, [[0, 20]], position=15).json()["credited"] == 20
    progress = progress_of(viewer, course)
    assert progress.watched_seconds == 20
    assert progress.position == 20


def test_resume_position_is_offered_on_any_device_and_a_finished_video_starts_from_zero(client, viewer, course):
    with Clock() as clock:
        session = start(client, course)
        watch(client, session, clock, 0, 130, seq=1)
    # Another device: a new browser signed in as the same counselor.
    phone = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile")
    phone.force_login(viewer)
    page = phone.get(course.url).content.decode()
    assert 'data-resume="130"' in page
    assert "上次看到 2:10" in page
    assert phone.post(f"/learning/api/courses/{course.pk}/sessions/").json()["resume_at"] == 130
    home = phone.get("/").content.decode()
    assert "继续观看" in home and course.title in home

    CourseProgress.objects.filter(user=viewer).update(position=590)
    assert 'data-resume="0"' in phone.get(course.url).content.decode()


def test_anonymous_viewers_watch_but_nothing_is_stored(client, course, viewer):
    anonymous = Client()
    page = anonymous.get(course.url).content.decode()
    assert "data-learning-start" not in page
    assert "登录</a>后观看，可记录学习进度" in page
    response = anonymous.post(f"/learning/api/courses/{course.pk}/sessions/")
    assert response.status_code == 401
    assert response.json()["error"] == "登录后才能记录学习进度和学时。"
    # Not even with the address of a real session.
    session = start(client, course)
    body = json.dumps({"seq": 1, "segments": [[0, 10]], "position": 10})
    assert anonymous.post(session["report_url"], body, content_type="application/json").status_code == 401
    assert not Learner.objects.exclude(user=viewer).exists()
    assert ViewingSession.objects.count() == 1
    assert progress_of(viewer, course).watched_seconds == 0


def test_one_counselor_cannot_report_into_another_ones_session(client, viewer, course):
    with Clock() as clock:
        session = start(client, course)
        intruder = Client()
        intruder.force_login(counselor("intruder"))
        own = start(intruder, course)
        clock.advance(10)
        # Their own session's token on the other's session; a token claiming the other's id; none.
        stolen_url = {**own, "report_url": session["report_url"]}
        forged = {**session, "report_token": f"{viewer.pk}." + "0" * 40}
        answers = [report(intruder, stolen_url, 1, [[0, 10]]), report(intruder, forged, 1, [[0, 10]])]
        bare = intruder.post(session["report_url"], "{}", content_type="application/json")
    assert [answer.status_code for answer in answers] == [404, 404] and bare.status_code == 401
    assert answers[0].json() == answers[1].json()  # alike: nothing tells which sessions exist
    assert progress_of(viewer, course).watched_seconds == 0
    assert CourseProgress.objects.get(user__username="intruder").watched_seconds == 0


def test_signing_out_or_changing_the_password_ends_the_players_reports(client, viewer, course):
    with Clock() as clock:
        session = start(client, course)
        clock.advance(10)
        assert report(client, session, 1, [[0, 10]]).status_code == 200
        client.post("/accounts/logout/")
        clock.advance(10)
        response = report(client, session, 2, [[10, 20]])
        assert response.status_code == 401 and "退出登录" in response.json()["error"]

        client.force_login(viewer)
        session = start(client, course)
        viewer.set_password("a-new-password-2026")
        viewer.save()
        clock.advance(10)
        assert report(client, session, 1, [[10, 20]]).status_code == 404
    assert progress_of(viewer, course).watched_seconds == 10


def test_a_report_from_another_site_is_refused(client, viewer, course):
    session = start(client, course)
    body = json.dumps({"seq": 1, "segments": [], "position": 0})
    response = client.post(
        session["report_url"],
        body,
        content_type="application/json",
        headers={"X-Report-Token": session["report_token"], "Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_reports_need_the_csrf_token(viewer, course):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(viewer)
    assert strict.post(f"/learning/api/courses/{course.pk}/sessions/").status_code == 403
    assert not ViewingSession.objects.exists()


def test_courses_that_cannot_be_seen_or_played_refuse_a_session(client, viewer, course, make_course):
    draft = make_course(live=False)
    assert client.post(f"/learning/api/courses/{draft.pk}/sessions/").status_code == 404
    no_video = make_course()
    response = client.post(f"/learning/api/courses/{no_video.pk}/sessions/")
    assert response.status_code == 409 and "暂时无法播放" in response.json()["error"]
    course.unpublish()
    assert client.post(f"/learning/api/courses/{course.pk}/sessions/").status_code == 404
    assert not ViewingSession.objects.exists()


@pytest.mark.parametrize(
    "body, status, message",
    [
        ("not json", 400, "不是有效的 JSON"),
        (json.dumps({"seq": 0}), 400, "上报序号不正确"),
        (json.dumps({"seq": 1, "verb": "completed"}), 400, "上报动作不正确"),
        (json.dumps({"seq": 1, "segments": [[0, 1]] * 65}), 400, "最多 64 段"),
        (json.dumps({"seq": 1, "segments": [[5, 1]]}), 400, "起止时间不正确"),
        (json.dumps({"seq": 1, "segments": [["a", 1]]}), 400, "必须是数字"),
        (json.dumps({"seq": 1, "position": 1e400}), 400, "必须是数字"),
        (json.dumps({"seq": 1, "pad": "x" * 5000}), 413, "上报内容过大"),
        ("[" * 2000 + "]" * 2000, 400, "不是有效的 JSON"),
    ],
)
def test_bad_reports_get_a_chinese_message_and_change_nothing(client, viewer, course, body, status, message):
    session = start(client, course)
    headers = {"X-Report-Token": session["report_token"]}
    response = client.post(session["report_url"], body, content_type="application/json", headers=headers)
    assert response.status_code == status
    assert message in response.json()["error"]
    assert ViewingSession.objects.get().reports == 0


def test_a_beacon_report_with_the_report_token_in_its_form_body_is_accepted(viewer, course):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(viewer)
    strict.get(course.url)  # sets the CSRF cookie
    token = strict.cookies["csrftoken"].value
    with Clock() as clock:
        session = strict.post(f"/learning/api/courses/{course.pk}/sessions/", HTTP_X_CSRFTOKEN=token).json()
        clock.advance(10)
        payload = json.dumps({"seq": 1, "verb": "terminated", "segments": [[0, 10]], "position": 10})
        # sendBeacon cannot set headers: the report token travels in the form body.
        response = strict.post(session["report_url"], {"token": session["report_token"], "payload": payload})
    assert response.status_code == 200
    assert progress_of(viewer, course).watched_seconds == 10


def test_sessions_per_day_are_bounded(client, viewer, course, settings):
    settings.LEARNING_SESSIONS_PER_DAY = 3
    for _ in range(3):
        start(client, course)
    response = client.post(f"/learning/api/courses/{course.pk}/sessions/")
    assert response.status_code == 429 and "过多" in response.json()["error"]
    assert ViewingSession.objects.count() == 3


def test_deleting_a_counselor_removes_their_progress(client, viewer, course):
    with Clock() as clock:
        session = start(client, course)
        watch(client, session, clock, 0, 600, seq=1)
    assert LearningCredit.objects.filter(user=viewer).exists()
    viewer.delete()
    assert not CourseProgress.objects.exists()
    assert not ViewingSession.objects.exists()
    assert not LearningCredit.objects.exists()
    assert not Learner.objects.exists()


def test_seconds_are_counted_by_their_middle_and_budgets_keep_the_earliest():
    assert segments_to_bits([(0, 10.3)], 600) == (1 << 10) - 1
    assert segments_to_bits([(0, 0.4)], 600) == 0  # a slice too thin to cover a second's middle
    assert segments_to_bits([(598.2, 700)], 600) == (1 << 599) | (1 << 598)  # clipped to the video
    bits = segments_to_bits([(0, 5), (100, 110)], 600)
    assert lowest_bits(bits, 7) == segments_to_bits([(0, 5), (100, 102)], 600)
    assert lowest_bits(bits, 0) == 0 and lowest_bits(bits, 99) == bits


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_reports_credit_the_hours_once(make_course):
    course = playable_course(make_course, duration=100.0)
    user = counselor("racer")
    with Clock() as clock:
        session, _ = start_session(user, course)
        clock.advance(45)
        apply_report(user.pk, session.pk, Report(seq=1, verb="played", segments=[(0, 89)], position=89, rate=1))
        clock.advance(10)
        results, errors = race_to_completion(user, session)
    assert not errors
    assert sum(1 for result in results if result["completed_now"]) == 1
    assert sum(result["credited"] for result in results) == 11
    assert LearningCredit.objects.filter(user=user).count() == 1
    progress = CourseProgress.objects.get(user=user)
    assert progress.watched_seconds == 100


def test_the_home_page_recommends_the_counselors_stage_first_and_drops_what_they_completed(client, make_course):
    from django.utils import timezone

    from . import factories

    senior = make_course(title="经验丰富辅导员的研究方法", stages=["senior"])
    newcomer = make_course(title="新入职辅导员的第一次谈心谈话", stages=["new"])
    done = make_course(title="新入职辅导员已学完的课", stages=["new"])
    newest = make_course(title="面向所有人的最新课程")
    for course in (senior, newcomer, done, newest):  # publication order: newest last
        course.save_revision().publish()

    def titles(html):
        found = [t for t in (senior.title, newcomer.title, done.title, newest.title) if t in html]
        return sorted(found, key=html.index)

    anonymous = Client().get("/").content.decode()
    # Visitors: the most watched of each stage (tests/test_recommendations.py); a course for no stage is not.
    assert "热门微课" in anonymous and anonymous.index(newcomer.title) < anonymous.index(senior.title)
    assert newest.title not in anonymous

    user = factories.CounselorFactory(profile__start_year=timezone.localdate().year - 2)  # 新入职
    CourseProgress.objects.create(user=user, course=done, duration=600, completed_at=timezone.now())
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "为您推荐" in html and "新入职（1—3年）" in html
    assert titles(html)[0] == newcomer.title  # the stage first, although not the newest
    assert done.title not in html  # completed
    assert newest.title in html and senior.title in html


def test_continue_watching_hides_a_course_made_private_since(client, viewer, course):
    from wagtail.models import PageViewRestriction

    with Clock() as clock:
        watch(client, start(client, course), clock, 0, 30, seq=1)
    assert course.title in client.get("/").content.decode()
    PageViewRestriction.objects.create(page=course, restriction_type="password", password="mima-2026")
    assert course.title not in client.get("/").content.decode()


def test_an_open_session_stops_crediting_when_the_course_goes_offline_or_private(client, viewer, course):
    from wagtail.models import PageViewRestriction

    with Clock() as clock:
        session = start(client, course)
        clock.advance(10)
        assert report(client, session, 1, [[0, 10]]).status_code == 200
        # Made private (a password): seconds are still noted, but the course does not complete.
        PageViewRestriction.objects.create(page=course, restriction_type="password", password="mima-2026")
        watch_until = 600
        seq, position = 2, 10
        last = None
        while position < watch_until:
            clock.advance(60)
            last = report(client, session, seq, [[position, position + 60]])
            seq, position = seq + 1, position + 60
        assert last.status_code == 404 and "不再公开" in last.json()["error"]
        assert progress_of(viewer, course).completed_at is None
        assert not LearningCredit.objects.exists()

        PageViewRestriction.objects.all().delete()
        course.unpublish()
        clock.advance(10)
        response = report(client, session, seq, [[0, 600]])
    assert response.status_code == 404 and "已下线" in response.json()["error"]
    assert progress_of(viewer, course).completed_at is None


def test_a_session_opened_before_the_video_was_replaced_must_start_again(client, viewer, course):
    from media.models import Video

    with Clock() as clock:
        session = start(client, course)
        Video.objects.filter(pk=course.video_id).update(duration=5400.0)  # a 90-minute lecture now
        clock.advance(10)
        response = report(client, session, 1, [[0, 10]])
        assert response.status_code == 409 and "视频已更新" in response.json()["error"]
        # A new session sizes the progress to the new video: 600 s no longer complete it.
        session = start(client, course)
        watch(client, session, clock, 0, 600, seq=1, step=60)
    progress = progress_of(viewer, course)
    assert progress.nseconds == 5400 and progress.watched_seconds == 600
    assert progress.completed_at is None and not LearningCredit.objects.exists()


def test_the_players_answers_carry_the_visitors_strict_policy(client, viewer, course, settings):
    from csp.utils import build_policy

    session = start(client, course)
    answer = report(client, session, 1, [])
    strict = build_policy(config=settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    assert answer["Content-Security-Policy"] == strict
    assert client.post(f"/learning/api/courses/{course.pk}/sessions/")["Content-Security-Policy"] == strict


def test_the_admin_preview_of_a_course_not_saved_yet_renders(rf, section):
    from django.contrib.auth import get_user_model

    from microcourses.models import MicroCoursePage

    editor = get_user_model().objects.create_superuser("previewer", "previewer@example.com", "pw")
    course = MicroCoursePage(title="尚未保存的微课预览", slug="preview-draft", summary="摘要")
    # Below its parent, as the admin's "add" form previews it.
    course.path, course.depth = section.path + "0001", section.depth + 1
    request = rf.get("/")
    request.user = editor
    response = course.make_preview_request(request)
    assert response.status_code == 200
    assert "尚未保存的微课预览" in response.content.decode()


def test_a_session_for_a_course_id_past_the_databases_integers_is_not_found(client, viewer):
    for page_id in (2**63, 2**64):
        assert client.post(f"/learning/api/courses/{page_id}/sessions/").status_code == 404
    # The largest id there can be is looked up, and answered as the player expects.
    response = client.post(f"/learning/api/courses/{2**63 - 1}/sessions/")
    assert response.status_code == 404 and response.json()["error"] == "没有找到这门课程。"
