import importlib.util
import json
import os
import shutil
import uuid

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


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """No test is served a copy of a page that another test's database rendered (pagecache)."""
    from pagecache import store

    store.bump()


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


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3-compatible server, a real HTTP endpoint on loopback: a stand-in for the S3-compatible
    service of a production setup (none can be installed here; docs/deployment.md)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, settings, monkeypatch):
    """Uploads go to a new bucket on moto's server, through the storage hub/settings/base.py configures from
    S3_BUCKET and its companions: a fresh copy of base.py runs with them set, so the test follows whatever
    base.py configures (public URLs or presigned ones). With S3_BUCKET already set, that service is used."""
    import boto3

    stand_in = not os.environ.get("S3_BUCKET")
    if stand_in:
        for name, value in {
            "S3_BUCKET": f"hub-test-{uuid.uuid4().hex[:12]}",
            "S3_ENDPOINT_URL": s3_endpoint,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "moto",
            "S3_SECRET_ACCESS_KEY": "moto",
        }.items():
            monkeypatch.setenv(name, value)
    spec = importlib.util.find_spec("hub.settings.base")
    base = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(base)
    storage = base.STORAGES["default"]
    assert storage["BACKEND"] == "access.storage.S3Storage", base.STORAGES
    if stand_in:
        options = storage["OPTIONS"]
        client = boto3.client(
            "s3",
            endpoint_url=options["endpoint_url"],
            region_name=options["region_name"],
            aws_access_key_id=options["access_key"],
            aws_secret_access_key=options["secret_key"],
        )
        bucket = options["bucket_name"]
        client.create_bucket(Bucket=bucket)
        if not options.get("querystring_auth", True):
            # Unsigned URLs need a bucket anyone may read from, as docs/deployment.md asks of the real one.
            policy = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                    }
                ],
            }
            client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    from django.core.files.storage import default_storage

    return default_storage
