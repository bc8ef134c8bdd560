"""What `run_worker`'s sweep does for the whole site: scheduled go-live and expiry, expired sessions."""

from datetime import timedelta

import pytest

from django.contrib.sessions.models import Session
from django.utils import timezone

from home import sweeps

from . import factories


@pytest.mark.django_db
def test_a_page_goes_live_at_its_time_and_an_expired_one_goes_off_with_its_files(client, centers):
    a, _b = centers
    scheduled = factories.MicroCoursePageFactory(parent=a.section, center=a, slug="scheduled", live=False)
    revision = scheduled.save_revision()
    revision.approved_go_live_at = timezone.now() - timedelta(minutes=1)
    revision.save()
    expiring = factories.MicroCoursePageFactory(parent=a.section, center=a, slug="expiring")
    expiring.expire_at = timezone.now() - timedelta(minutes=1)
    expiring.save()
    assert client.get(expiring.url).status_code == 200

    assert sweeps.publish_scheduled()
    scheduled.refresh_from_db()
    expiring.refresh_from_db()
    assert scheduled.live and not expiring.live
    assert client.get(expiring.url).status_code == 404
    assert sweeps.publish_scheduled() == ""  # nothing left to do: no command run


@pytest.mark.django_db
def test_expired_sessions_are_deleted(monkeypatch):
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1))
    monkeypatch.setattr(sweeps, "_last_session_sweep", 0.0)
    sweeps.clear_sessions()
    assert not Session.objects.exists()
