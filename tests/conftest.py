import shutil

import pytest

import django.test.testcases
from django.conf import settings as django_settings

from wagtail.models import Page, Site

from home.models import HomePage

from . import factories

# Two centers and their editors and reviewers, for every test of who may see what.
from .test_permissions import centers, people  # noqa: E402, F401

# Django's live test server serves MEDIA_URL from MEDIA_ROOT by itself, around the site's URLs: it would
# bypass the file gate (access.views) that the browser tests must go through, as in production.
django.test.testcases._MediaFilesHandler = lambda application: application


@pytest.fixture(autouse=True, scope="session")
def _remove_test_media():
    """Test settings put uploads in a fresh temporary folder; remove it when the run ends."""
    yield
    shutil.rmtree(django_settings.MEDIA_ROOT, ignore_errors=True)
    shutil.rmtree(django_settings.MEDIA_WORK_DIR, ignore_errors=True)


@pytest.fixture
def home(db):
    """The home page the data migration creates, as the default site's root."""
    page = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == page.pk
    return page


@pytest.fixture
def tree(home):
    """The top of the site: library, case index and notice index under the home page."""
    from resources.structure import ensure_site_structure

    library, case_index, notice_index = ensure_site_structure()
    return {"home": home, "library": library, "cases": case_index, "notices": notice_index}


@pytest.fixture
def center(tree):
    """A training center: creating it gives it a published section under the library."""
    center = factories.TrainingCenterFactory(code="bnu", name="北京师范大学中心")
    return center


@pytest.fixture
def section(center):
    return center.section


@pytest.fixture
def make_course(section):
    def make(parent=None, **kwargs):
        return factories.MicroCoursePageFactory(parent=parent or section, center=section.center, **kwargs)

    return make


@pytest.fixture
def root_page(db):
    return Page.objects.get(depth=1)
