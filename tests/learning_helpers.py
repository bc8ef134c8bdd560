"""Shared by the learning tests: a course with a playable video, counselors, reports at chosen times."""

import json
from datetime import timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.utils import timezone

from media.models import Video


def playable_course(make_course, duration=600.0, **kwargs):
    """A live micro-course whose video counts as transcoded (no ffmpeg: the tests are about credit)."""
    video = Video.objects.create(title="讲课视频", file="videos/originals/lecture.mp4")
    Video.objects.filter(pk=video.pk).update(status=Video.Status.READY, hls_dir="videos/hls/lecture", duration=duration)
    course = make_course(**kwargs)
    course.video_id = video.pk
    course.save_revision().publish()
    course.refresh_from_db()
    return course


def counselor(name="counselor", password="xuexi-2026-mima"):
    return get_user_model().objects.create_user(username=name, email=f"{name}@example.com", password=password)


class Clock:
    """timezone.now() under the tests' control, for the server's view of wall time."""

    def __init__(self):
        self.now = timezone.now()
        self._patch = mock.patch("django.utils.timezone.now", lambda: self.now)

    def __enter__(self):
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()

    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)


def start(client, course):
    response = client.post(f"/learning/api/courses/{course.pk}/sessions/")
    assert response.status_code == 201, response.content.decode()
    return response.json()


def report(client, session, seq, segments, position=None, verb="played", rate=1):
    body = {
        "seq": seq,
        "verb": verb,
        "segments": segments,
        "position": position if position is not None else (segments[-1][1] if segments else 0),
        "rate": rate,
    }
    return client.post(
        session["report_url"],
        json.dumps(body),
        content_type="application/json",
        headers={"X-Report-Token": session["report_token"]},
    )


def race_to_completion(user, session, seqs=(2, 3, 4, 5)):
    """One report per seq, each claiming the whole 100-second video, sent at once from as many threads
    (a barrier starts them together): what a page closing with queued reports, or a forger, sends.
    Returns (the answers, the exceptions)."""
    import threading

    from django.db import connection

    from learning.tracking import Report, apply_report

    barrier = threading.Barrier(len(seqs))
    results, errors = [], []

    def finish(seq):
        try:
            barrier.wait()
            results.append(
                apply_report(
                    user.pk, session.pk, Report(seq=seq, verb="played", segments=[(0, 100)], position=100, rate=2)
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported to the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=finish, args=(seq,)) for seq in seqs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
