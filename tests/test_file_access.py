"""The file gate: documents, images and every file of a video are served only to those who may see
them, and editors can put on their pages only files they may choose. Each test replays a step of the
security review that found the leaks (an editor of center A against center B, an anonymous visitor)."""

import hashlib
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote

import pytest

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import PageViewRestriction
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from access import signing
from access.models import FileUse
from media import pipeline
from media.models import Video
from microcourses.models import MicroCoursePage
from resources.models import ResourceAttachment

from . import factories, videos
from .test_permissions import edit_data

Document = get_document_model()
Image = get_image_model()


@pytest.fixture(scope="module")
def lecture(tmp_path_factory):
    return videos.lecture(tmp_path_factory.mktemp("lecture") / "lecture.mp4", seconds=3)


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def document_in(collection, title="内部材料", name="内部材料.txt", content=b"internal notes"):
    return Document.objects.create(title=title, file=ContentFile(content, name=name), collection=collection)


def image_in(collection, title="海报"):
    return Image.objects.create(title=title, file=get_test_image_file(), collection=collection)


def ready_video(path, collection, title="讲课视频"):
    video = Video(title=title, collection=collection)
    with open(path, "rb") as fh:
        video.file.save("第一讲_谈心谈话.mp4", ContentFile(fh.read()), save=False)
    video.captions.save(
        "c.vtt", ContentFile(b"WEBVTT\n\n00:00.000 --> 00:01.000\n\xe4\xbd\xa0\xe5\xa5\xbd\n"), save=False
    )
    video.save()
    assert pipeline.transcode(video.pk) == "ready"
    video.refresh_from_db()
    return video


def unpublish(page):
    page.unpublish()
    page.refresh_from_db()


def password_protect(page, password="mima2026"):
    return PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password=password
    )


def enter_password(client, restriction, page, password="mima2026"):
    response = client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/",
        {"password": password, "return_url": page.url},
    )
    assert response.status_code == 302


def segment_urls(playlist_text):
    return [line for line in playlist_text.splitlines() if line and not line.startswith("#")]


# -- 1. another center's files by id ------------------------------------------------------------


@pytest.fixture
def b_files(centers):
    _a, b = centers
    return {"document": document_in(b.collection), "image": image_in(b.collection)}


@pytest.fixture
def as_editor_a(client, people):
    client.force_login(people["editor_a"])
    return client


def add_course(client, section, slug, **extra):
    url = f"/admin/pages/add/microcourses/microcoursepage/{section.pk}/"
    return client.post(url, edit_data(MicroCoursePage(title="学业预警与帮扶", slug=slug, summary=""), **extra))


@pytest.mark.django_db
def test_an_editor_cannot_put_another_centers_video_on_a_page_by_id(as_editor_a, centers, lecture):
    a, b = centers
    b_video = Video.objects.create(title="乙中心未发布的视频", file="videos/originals/b.mp4", collection=b.collection)
    response = add_course(as_editor_a, a.section, "steal-video", video=b_video.pk)
    assert response.status_code == 200
    assert "您无权使用该文件" in response.text
    assert "乙中心未发布的视频" not in response.text  # the chooser does not show what the id names
    assert not MicroCoursePage.objects.filter(slug="steal-video").exists()
    # The preview refuses it too: B's video never plays in A's preview.
    preview = as_editor_a.post(
        f"/admin/pages/add/microcourses/microcoursepage/{a.section.pk}/preview/",
        edit_data(MicroCoursePage(title="预览", slug="preview-steal", summary=""), video=b_video.pk),
    )
    assert preview.json()["is_valid"] is False
    # The own center's video is accepted.
    a_video = Video.objects.create(title="甲中心视频", file="videos/originals/a.mp4", collection=a.collection)
    assert add_course(as_editor_a, a.section, "own-video", video=a_video.pk).status_code == 302
    assert MicroCoursePage.objects.get(slug="own-video").video == a_video


@pytest.mark.django_db
def test_an_editor_cannot_attach_another_centers_document_by_id(as_editor_a, centers, b_files):
    a, _b = centers
    attachment = {
        "attachments-TOTAL_FORMS": "1",
        "attachments-0-document": str(b_files["document"].pk),
        "attachments-0-title": "",
        "attachments-0-ORDER": "1",
        "attachments-0-id": "",
        "attachments-0-DELETE": "",
    }
    response = add_course(as_editor_a, a.section, "steal-document", **attachment)
    assert response.status_code == 200 and "您无权使用该文件" in response.text
    assert b_files["document"].title not in response.text
    assert not MicroCoursePage.objects.filter(slug="steal-document").exists()
    own = document_in(a.collection, title="甲中心讲义")
    attachment["attachments-0-document"] = str(own.pk)
    assert add_course(as_editor_a, a.section, "own-document", **attachment).status_code == 302


def body_post(page, blocks):
    data = edit_data(page)
    del data["body-count"]
    data.update(nested_form_data({"body": streamfield(blocks)}))
    return data


@pytest.mark.django_db
def test_another_centers_document_or_image_in_the_body_is_refused(as_editor_a, centers, b_files):
    a, _b = centers
    url = f"/admin/pages/add/microcourses/microcoursepage/{a.section.pk}/"
    page = MicroCoursePage(title="正文引用", slug="body-steal", summary="")
    for blocks in (
        [("document", {"document": b_files["document"].pk, "title": ""})],
        [("image", {"image": b_files["image"].pk, "alt_text": "图", "decorative": ""})],
        [("paragraph", rich_text(f'<p><a linktype="document" id="{b_files["document"].pk}">材料</a></p>'))],
    ):
        response = as_editor_a.post(url, body_post(page, blocks))
        assert response.status_code == 200, blocks
        # The StreamField shows the message at the top of the body (in its JSON-encoded widget data).
        assert "您无权使用该文件" in str(response.context["form"].errors["body"]), blocks
        assert b_files["document"].title not in response.text and b_files["image"].title not in response.text
        assert not MicroCoursePage.objects.filter(slug="body-steal").exists()
    own = document_in(a.collection, title="甲中心正文材料")
    response = as_editor_a.post(url, body_post(page, [("document", {"document": own.pk, "title": ""})]))
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_file_a_platform_administrator_chose_survives_an_editors_save(as_editor_a, centers, people):
    a, _b = centers
    shared = document_in(factories.TrainingCenterFactory(code="platform").collection, title="平台文件")
    course = factories.MicroCoursePageFactory(parent=a.section, center=a, slug="kept")
    ResourceAttachment.objects.create(page=course, document=shared)
    data = edit_data(
        course,
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "1",
            "attachments-0-id": str(course.attachments.get().pk),
            "attachments-0-document": str(shared.pk),
            "attachments-0-title": "",
            "attachments-0-ORDER": "1",
            "attachments-0-DELETE": "",
        },
    )
    response = as_editor_a.post(f"/admin/pages/{course.pk}/edit/", data)
    assert response.status_code == 302, response.text[:2000]


@pytest.mark.django_db
def test_an_expert_photo_must_be_the_editors_own_image(as_editor_a, centers, b_files):
    a, _b = centers
    url = "/admin/snippets/resources/expert/add/"
    data = {"name": "王老师", "title": "", "organisation": "", "level": "school", "bio": ""}
    response = as_editor_a.post(url, {**data, "photo": b_files["image"].pk})
    assert response.status_code == 200 and "您无权使用该文件" in response.text
    assert b_files["image"].title not in response.text
    own = image_in(a.collection, title="王老师照片")
    assert as_editor_a.post(url, {**data, "photo": own.pk}).status_code == 302


@pytest.mark.django_db
def test_the_importer_never_reuses_another_centers_file(tmp_path, centers, lecture):
    from django.core.management import call_command

    a, b = centers
    text = "乙中心尚未公开的材料".encode()
    b_document = document_in(b.collection, content=text)
    b_document.file_hash = hashlib.sha1(text).hexdigest()
    b_document.save()
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "notes.txt").write_bytes(text)
    (tmp_path / "files" / "lecture.mp4").write_bytes(lecture.read_bytes())
    b_video = Video(
        title="乙中心视频", collection=b.collection, file_hash=hashlib.sha1(lecture.read_bytes()).hexdigest()
    )
    b_video.file.save("b.mp4", ContentFile(lecture.read_bytes()), save=False)
    b_video.save()
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(
        '{"kind": "microcourse", "slug": "imported", "title": "导入的微课", "center": "bnu", '
        '"video": "files/lecture.mp4"}\n',
        encoding="utf-8",
    )
    call_command("import_resources", str(manifest))
    course = MicroCoursePage.objects.get(slug="imported")
    assert course.video != b_video and course.video.collection == a.collection


@pytest.mark.django_db
def test_another_centers_draft_cannot_be_pulled_into_a_series_or_a_link_by_id(as_editor_a, centers):
    """Pages chosen by id are checked like files: another center's draft cannot be added to a series, and
    the refused form does not tell its title."""
    a, b = centers
    b_draft = factories.MicroCoursePageFactory(parent=b.section, center=b, slug="b-secret", title="乙中心保密草稿")
    unpublish(b_draft)
    series = {
        "title": "甲中心系列",
        "slug": "a-series",
        "summary": "",
        "tags": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-course": str(b_draft.pk),
        "items-0-ORDER": "1",
        "items-0-id": "",
        "items-0-DELETE": "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    response = as_editor_a.post(f"/admin/pages/add/microcourses/courseseriespage/{a.section.pk}/", series)
    assert response.status_code == 200 and "您无权引用该页面" in response.text
    assert "乙中心保密草稿" not in response.text
    link = rich_text(f'<p><a linktype="page" id="{b_draft.pk}">链接</a></p>')
    page = MicroCoursePage(title="正文链接", slug="body-link", summary="")
    response = as_editor_a.post(
        f"/admin/pages/add/microcourses/microcoursepage/{a.section.pk}/", body_post(page, [("paragraph", link)])
    )
    assert "您无权引用该页面" in str(response.context["form"].errors["body"])
    # B's live courses are the shared library: A may build a series of them.
    b_live = factories.MicroCoursePageFactory(parent=b.section, center=b, slug="b-live")
    series["items-0-course"] = str(b_live.pk)
    assert (
        as_editor_a.post(f"/admin/pages/add/microcourses/courseseriespage/{a.section.pk}/", series).status_code == 302
    )


# -- 2. documents: live and public, unlocked, or the people who work on them ----------------------


@pytest.mark.django_db
def test_an_unattached_upload_is_for_its_centers_people_only(client, centers, people):
    a, _b = centers
    document = document_in(a.collection)
    assert client.get(document.url).status_code == 404  # anonymous
    client.force_login(people["editor_b"])
    assert client.get(document.url).status_code == 404  # another center
    client.force_login(people["editor_a"])
    response = client.get(document.url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"internal notes"


@pytest.mark.django_db
def test_a_document_added_in_an_unpublished_draft_stays_private_until_published(client, centers, people):
    a, _b = centers
    course = factories.MicroCoursePageFactory(parent=a.section, center=a, slug="live-course")
    document = document_in(a.collection, title="新讲义")
    draft = course.get_latest_revision_as_object() if course.latest_revision_id else course
    draft.attachments.add(ResourceAttachment(document=document))
    draft.save_revision(user=people["editor_a"])
    assert not ResourceAttachment.objects.filter(document=document).exists()
    assert client.get(document.url).status_code == 404  # the draft is not public

    course.get_latest_revision().publish()
    response = client.get(document.url)
    assert response.status_code == 200
    assert "新讲义.txt" in unquote(response["Content-Disposition"])  # saved under its title
    assert response["Content-Security-Policy"] == "default-src 'none'"  # an uploaded page never runs here
    assert response["Cache-Control"].startswith("public")

    unpublish(course)
    assert client.get(document.url).status_code == 404


@pytest.mark.django_db
def test_a_private_pages_attachment_is_served_once_the_password_is_entered(client, centers):
    a, _b = centers
    course = factories.MicroCoursePageFactory(parent=a.section, center=a, slug="private-course")
    document = document_in(a.collection, title="内部讲义")
    ResourceAttachment.objects.create(page=course, document=document)
    restriction = password_protect(course)
    assert client.get(document.url).status_code == 404
    enter_password(client, restriction, course)
    response = client.get(document.url)
    assert response.status_code == 200 and response["Cache-Control"].startswith("private")


@pytest.mark.django_db
def test_a_document_in_a_live_pages_body_is_public_and_one_in_a_draft_body_is_not(client, centers):
    a, _b = centers
    public_doc, draft_doc = document_in(a.collection, title="公开"), document_in(a.collection, title="草稿")
    factories.MicroCoursePageFactory(
        parent=a.section, center=a, slug="body-live", body=[("document", {"document": public_doc, "title": ""})]
    )
    draft = factories.MicroCoursePageFactory(
        parent=a.section, center=a, slug="body-draft", body=[("document", {"document": draft_doc, "title": ""})]
    )
    unpublish(draft)
    assert FileUse.objects.filter(kind="document", object_id=public_doc.pk).exists()
    assert client.get(public_doc.url).status_code == 200
    assert client.get(draft_doc.url).status_code == 404


# -- 3. /media/ serves nothing directly; stored names are not the uploader's ----------------------


@pytest.mark.django_db
def test_media_urls_of_documents_and_original_images_are_refused(client, centers, admin_user):
    a, _b = centers
    document = document_in(a.collection, title="公开文件", name="会议纪要.txt")
    factories.MicroCoursePageFactory(parent=a.section, center=a, slug="with-doc")
    ResourceAttachment.objects.create(page=a.section.get_children().get().specific, document=document)
    image = image_in(a.collection)
    assert client.get(document.url).status_code == 200  # public through the checked view …
    assert client.get(f"/media/{document.file.name}").status_code == 404  # … never as a plain file
    assert client.get(f"/media/{image.file.name}").status_code == 404
    client.force_login(admin_user)
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(f"/media/{image.file.name}").status_code == 200  # its managers may see the original


@pytest.mark.django_db
def test_uploads_are_stored_under_random_names(admin_client, centers):
    a, _b = centers
    response = admin_client.post(
        "/admin/documents/multiple/add/",
        {"files[]": SimpleUploadedFile("2026年辅导员名单.txt", b"names"), "collection": a.collection.pk},
    )
    assert response.status_code == 200
    document = Document.objects.get()
    assert document.title.startswith("2026年辅导员名单")
    assert re.fullmatch(r"documents/[0-9a-f]{32}\.txt", document.file.name)
    image = image_in(a.collection)
    assert re.fullmatch(r"original_images/[0-9a-f]{32}\.png", image.file.name)


@pytest.mark.django_db
def test_an_image_rendition_follows_the_page_that_shows_it(client, centers):
    a, _b = centers
    shown, unused = image_in(a.collection, "公开图"), image_in(a.collection, "未用图")
    page = factories.MicroCoursePageFactory(
        parent=a.section,
        center=a,
        slug="with-image",
        body=[("image", {"image": shown, "alt_text": "图", "decorative": False})],
    )
    shown_url = shown.get_rendition("width-400").url
    unused_url = unused.get_rendition("width-400").url
    assert client.get(shown_url).status_code == 200
    assert client.get(unused_url).status_code == 404
    unpublish(page)
    assert client.get(shown_url).status_code == 404


# -- 4. videos: playlists, segments, posters, captions, originals -----------------------------------


@pytest.fixture
def courses(centers, lecture):
    a, _b = centers
    live = factories.MicroCoursePageFactory(
        parent=a.section, center=a, slug="live", video=ready_video(lecture, a.collection, "公开课视频")
    )
    draft = factories.MicroCoursePageFactory(
        parent=a.section, center=a, slug="draft", video=ready_video(lecture, a.collection, "草稿视频")
    )
    unpublish(draft)
    return {"live": live, "draft": draft}


def video_files(video):
    return [video.playlist_url, video.poster_url, video.thumbnail_url, video.captions_url, f"/media/{video.file.name}"]


@pytest.mark.django_db
def test_a_live_public_courses_video_is_served_with_cacheable_signed_segments(client, courses):
    video = courses["live"].video
    master = client.get(video.playlist_url)
    assert master.status_code == 200 and master["Cache-Control"].startswith("public")
    variant_url = video.playlist_url.rsplit("/", 1)[0] + "/" + segment_urls(master.content.decode())[0]
    variant = client.get(variant_url)
    assert variant.status_code == 200
    segments = segment_urls(variant.content.decode())
    assert segments and all(url.startswith("/media/p/videos/hls/") and "&t=" in url for url in segments)
    segment = client.get(segments[0])
    assert segment.status_code == 200 and segment["Cache-Control"].startswith("public")
    assert b"".join(segment.streaming_content)[:1] == b"G"  # an MPEG-TS packet
    assert client.get(video.poster_url).status_code == 200
    assert client.get(video.captions_url).status_code == 200
    # The upload itself is for its center's editors only.
    assert client.get(f"/media/{video.file.name}").status_code == 404

    # A tampered or expired signature is refused, as nginx refuses it.
    assert client.get(segments[0].replace("&t=", "&t=x")).status_code == 403
    name = segments[0].split("/media/p/", 1)[1].split("?", 1)[0]
    expired = signing.signed_url(name, public=True, now=1_000_000)
    assert client.get(expired).status_code == 410
    # Every signed URL expires within the configured time (an hour's rounding included).
    expires = int(re.search(r"e=(\d+)", segments[0])[1])
    assert expires <= time.time() + 3600 + 4 * 3600


@pytest.mark.django_db
def test_a_drafts_video_files_are_refused_to_the_public_and_to_other_centers(client, courses, people):
    video = courses["draft"].video
    for url in video_files(video):
        assert client.get(url).status_code == 404, url
    ladder = Path(video.hls_dir)
    for url in (f"/media/{ladder}/360p/index.m3u8", f"/media/{ladder}/360p/segment_00000.ts"):
        assert client.get(url).status_code == 404, url
    client.force_login(people["editor_b"])
    for url in video_files(video):
        assert client.get(url).status_code == 404, url
    # The center's own editors preview it: private, never in a shared cache.
    client.force_login(people["editor_a"])
    master = client.get(video.playlist_url)
    assert master.status_code == 200 and master["Cache-Control"].startswith("private")
    variant = client.get(f"/media/{ladder}/360p/index.m3u8")
    assert all(url.startswith("/media/s/") for url in segment_urls(variant.content.decode()))
    assert client.get(f"/media/{video.file.name}").status_code == 200


@pytest.mark.django_db
def test_unpublishing_stops_the_playlists_at_once(client, courses):
    course = courses["live"]
    assert client.get(course.video.playlist_url).status_code == 200
    unpublish(course)
    for url in video_files(course.video):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_a_password_protected_courses_video_plays_once_the_password_is_entered(client, courses):
    course = courses["live"]
    restriction = password_protect(course)
    assert client.get(course.video.playlist_url).status_code == 404
    enter_password(client, restriction, course)
    master = client.get(course.video.playlist_url)
    assert master.status_code == 200 and master["Cache-Control"].startswith("private")


@pytest.mark.django_db
def test_a_replaced_videos_old_ladder_is_gone(client, courses, lecture):
    video = courses["live"].video
    old_master = video.playlist_url
    with open(lecture, "rb") as fh:
        video.file.save("new.mp4", ContentFile(fh.read()))
    assert pipeline.transcode(video.pk) == "ready"
    video.refresh_from_db()
    assert video.playlist_url != old_master
    assert client.get(old_master).status_code == 404
    assert client.get(video.playlist_url).status_code == 200


@pytest.mark.django_db
def test_behind_nginx_the_gate_answers_with_an_internal_redirect(client, courses, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/_protected/"
    video = courses["live"].video
    response = client.get(video.poster_url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/_protected/{video.poster.name}"
    assert client.get(courses["draft"].video.poster_url).status_code == 404


# -- S3-compatible storage: a private bucket, presigned URLs after the check ------------------------------


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


@pytest.mark.django_db
def test_on_s3_the_gate_hands_out_presigned_urls_and_the_bucket_refuses_the_rest(client, s3_storage, courses, centers):
    # s3_storage first: the courses' lectures are stored and transcoded into the bucket.
    a, _b = centers
    live, draft = courses["live"], courses["draft"]
    video = live.video
    master = client.get(video.playlist_url)
    assert master.status_code == 200
    variant = client.get(video.playlist_url.rsplit("/", 1)[0] + "/" + segment_urls(master.content.decode())[0])
    segment = segment_urls(variant.content.decode())[0]
    assert segment.startswith("http") and "Signature" in segment  # presigned, to the bucket itself
    status, body = http_get(segment)
    assert status == 200 and body[:1] == b"G"
    # The same object without a signature: the bucket is private.
    assert http_get(segment.split("?", 1)[0])[0] == 403

    poster = client.get(video.poster_url)
    assert poster.status_code == 302 and http_get(poster["Location"])[0] == 200
    assert poster["Cache-Control"] == "private, no-store"  # the presigned URL expires

    document = document_in(a.collection, title="S3 讲义")
    ResourceAttachment.objects.create(page=live, document=document)
    response = client.get(document.url)
    assert response.status_code == 302
    status, body = http_get(response["Location"])
    assert status == 200 and body == b"internal notes"

    for url in (draft.video.playlist_url, draft.video.poster_url):
        assert client.get(url).status_code == 404
