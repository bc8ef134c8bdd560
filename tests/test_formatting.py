"""Durations and learning hours are written one way everywhere: a 45-second video is "45 秒" in the
admin's media list, on its course page and on cards; hours are 0.5 / 1 / 0.75, never 0.50 beside 1."""

import pytest

from resources.formatting import format_duration, format_hours


@pytest.mark.parametrize(
    "seconds, text",
    [(None, ""), (0, "0 秒"), (45, "45 秒"), (44.6, "45 秒"), (60, "1 分钟"), (750, "12 分 30 秒"), (900, "15 分钟")]
    + [(3600, "1 小时"), (3900, "1 小时 5 分")],
)
def test_durations(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize("hours, text", [(None, ""), ("0.50", "0.5"), ("1.00", "1"), ("0.75", "0.75"), (2, "2")])
def test_hours(hours, text):
    assert format_hours(hours) == text


@pytest.mark.django_db
def test_a_45_second_video_is_45_seconds_in_the_media_list_and_on_its_page(client, django_user_model, section):
    from media.models import Video

    from . import factories

    video = Video.objects.create(title="四十五秒的片头", file="videos/originals/x.mp4", duration=45)
    course = factories.MicroCoursePageFactory(parent=section, video=video, learning_hours="0.50")
    assert course.duration_seconds == 45
    client.force_login(django_user_model.objects.create_superuser("admin", "", "pw"))
    listing = client.get("/admin/media/").content.decode()
    assert "45 秒" in listing and "1 分钟" not in listing
    page = client.get(course.url).content.decode()
    assert "45 秒" in page and "1 分钟" not in page
    assert "0.5 学时" in page or "<dd>0.5</dd>" in page
    assert "0.50" not in page
