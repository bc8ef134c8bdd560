"""What an editor of one center sees of the others in the admin: only what the public sees of them
(live pages without a view restriction, under their live title) and none of their files. Each test
takes the steps of the security review (issue 11, point 5) as center A's editor; platform
administrators still see everything."""

import pytest

from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, PageViewRestriction, ReferenceIndex

from editorial import roles
from editorial.scoping import ScopedBulkAction, visible_pages

from . import factories
from .test_permissions import (  # noqa: F401
    A_DRAFT,
    A_VIDEO,
    B_DOCUMENT,
    B_DRAFT,
    B_IMAGE,
    B_VIDEO,
    as_editor_a,
    centers,
    member,
    people,
    text,
    work,
)

B_LIVE = "乙中心已发布的危机干预微课"
B_NEW_TITLE = "乙中心改名后尚未发布的舆情应对微课"
B_PRIVATE = "乙中心设了密码的内部培训微课"
B_PUBLIC = "乙中心公开的学业指导微课"
A_IMAGE = "甲中心的海报图片"
A_DOCUMENT = "甲中心的培训手册"
B_ONLY = (B_DRAFT, B_NEW_TITLE, B_PRIVATE, B_IMAGE, B_DOCUMENT, B_VIDEO)


def live_course(center, title, slug):
    return factories.MicroCoursePageFactory(parent=center.section, center=center, title=title, slug=slug)


@pytest.fixture
def leaks(centers, people, work):  # noqa: F811
    """Beside `work`: B's live course with an unpublished new title, B's password-protected live
    course, B's public live course, A's own image and document, and A's video used by A's draft and
    (put there by someone else) by B's draft."""
    a, b = centers
    renamed = live_course(b, B_LIVE, "b-live")
    renamed.title = B_NEW_TITLE
    renamed.save_revision(user=people["editor_b"])
    renamed.refresh_from_db()
    assert renamed.live and renamed.title == B_LIVE and renamed.draft_title == B_NEW_TITLE
    private = live_course(b, B_PRIVATE, "b-private")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="pw")
    public = live_course(b, B_PUBLIC, "b-public")
    a_image = get_image_model().objects.create(title=A_IMAGE, file=get_test_image_file(), collection=a.collection)
    a_document = get_document_model().objects.create(
        title=A_DOCUMENT, file=ContentFile(b"handbook", name="a.txt"), collection=a.collection
    )
    for page in (work["a_draft"], work["b_draft"]):
        page.video = work["a_video"]
        page.save()  # a draft's row holds its latest text, as the admin's edit view saves it
        ReferenceIndex.create_or_update_for_object(page)  # the task that does it waits for a commit
    assert work["a_video"].get_usage().count() == 2
    return {
        **work,
        "b_renamed": renamed,
        "b_private": private,
        "b_public": public,
        "a_image": a_image,
        "a_document": a_document,
    }


def platform_admin(django_user_model):
    return member(django_user_model, "platform", roles.ensure_platform_admins())


def assert_no_b_secrets(response, url=""):
    for secret in B_ONLY:
        assert secret not in text(response), (url, secret)


# -- the page chooser, the explorer, admin page search -----------------------------------------------


@pytest.mark.django_db
def test_the_page_chooser_shows_other_centers_only_what_the_public_sees(as_editor_a, leaks):  # noqa: F811
    b_section = leaks["b_draft"].get_parent()
    for url in (
        f"/admin/choose-page/{b_section.pk}/",
        "/admin/choose-page/search/?q=微课",
        f"/admin/choose-page/{b_section.pk}/?page_type=microcourses.microcoursepage",
    ):
        response = as_editor_a.get(url)
        assert response.status_code == 200, url
        assert_no_b_secrets(response, url)
        # Another center's public work is still there to link to.
        assert B_PUBLIC in text(response), url
    assert A_DRAFT in text(as_editor_a.get("/admin/choose-page/search/?q=微课"))


@pytest.mark.django_db
def test_the_page_chooser_does_not_open_on_a_page_it_would_not_list(as_editor_a, leaks):  # noqa: F811
    for page in ("b_draft", "b_renamed", "b_private"):
        response = as_editor_a.get(f"/admin/choose-page/{leaks[page].pk}/")
        assert response.status_code == 404, page
        assert_no_b_secrets(response, page)
    assert as_editor_a.get(f"/admin/choose-page/{leaks['b_public'].pk}/").status_code == 200
    assert as_editor_a.get(f"/admin/choose-page/{leaks['a_draft'].pk}/").status_code == 200


@pytest.mark.django_db
def test_an_editor_of_two_centers_explores_a_third_only_as_the_public_sees_it(client, leaks, django_user_model):
    """An editor of A and of a third center C: Wagtail's explorer then starts at the library,
    above B's section."""
    c = factories.TrainingCenterFactory(code="whu", name="武汉大学中心")
    c.refresh_from_db()
    client.force_login(member(django_user_model, "editor_ac", leaks["a_draft"].center.editors_group, c.editors_group))
    b_section = leaks["b_draft"].get_parent()
    for url in (
        f"/admin/pages/{b_section.pk}/",
        f"/admin/pages/{b_section.pk}/?q=微课",
        "/admin/pages/search/?q=微课",
        f"/admin/pages/{leaks['b_renamed'].pk}/",
        f"/admin/choose-page/{b_section.pk}/",
        f"/admin/api/main/pages/?child_of={b_section.pk}&for_explorer=1",
    ):
        assert_no_b_secrets(client.get(url), url)
    assert A_DRAFT in client.get("/admin/pages/search/?q=微课").text


@pytest.mark.django_db
def test_other_centers_work_in_review_is_not_in_reports_or_page_listings(as_editor_a, leaks, people):  # noqa: F811
    leaks["b_renamed"].get_workflow().start(leaks["b_renamed"], people["editor_b"])
    for url in (
        "/admin/",
        "/admin/reports/workflow/",
        "/admin/reports/workflow_tasks/",
        "/admin/reports/site-history/",
        "/admin/pages/usage/microcourses/microcoursepage/",
        f"/admin/pages/{leaks['b_renamed'].pk}/usage/",
        f"/admin/pages/{leaks['b_renamed'].pk}/history/",
    ):
        assert_no_b_secrets(as_editor_a.get(url), url)
    assert A_DRAFT in text(as_editor_a.get("/admin/pages/usage/microcourses/microcoursepage/"))


@pytest.mark.django_db
def test_the_page_types_report_is_for_platform_administrators(as_editor_a, leaks, people, django_user_model):  # noqa: F811
    """It names each type's most recently edited page of the whole site under its draft title."""
    for url in ("/admin/reports/page-types-usage/", "/admin/reports/page-types-usage/results/"):
        response = as_editor_a.get(url)
        assert response.status_code == 302, url  # Wagtail's "no permission": back to the dashboard
        assert_no_b_secrets(response, url)
    assert "/admin/reports/page-types-usage/" not in as_editor_a.get("/admin/reports/site-history/").text
    as_editor_a.force_login(platform_admin(django_user_model))
    assert as_editor_a.get("/admin/reports/page-types-usage/").status_code == 200


@pytest.mark.django_db
def test_the_admin_api_lists_no_pages_of_other_centers(as_editor_a, leaks):  # noqa: F811
    response = as_editor_a.get("/admin/api/main/pages/?search=微课")
    assert A_DRAFT in response.text
    assert_no_b_secrets(response)
    for page in ("b_draft", "b_renamed", "b_private"):
        response = as_editor_a.get(f"/admin/api/main/pages/{leaks[page].pk}/")
        assert response.status_code == 404, page


@pytest.mark.django_db
def test_platform_admins_still_see_every_centers_drafts_and_files(client, leaks, django_user_model):
    client.force_login(platform_admin(django_user_model))
    b_section = leaks["b_draft"].get_parent()
    html = text(client.get(f"/admin/choose-page/{b_section.pk}/"))
    assert B_DRAFT in html and B_NEW_TITLE in html and B_PRIVATE in html
    assert B_DOCUMENT in client.get("/admin/api/main/documents/").text
    assert B_IMAGE in client.get("/admin/api/main/images/").text
    assert B_VIDEO in client.get(f"/admin/media/usage/{leaks['b_video'].pk}/").text


@pytest.mark.django_db
def test_own_pages_stay_reachable_when_the_top_of_the_tree_is_private(as_editor_a, leaks, tree):  # noqa: F811
    """A view restriction on the home page (a site still being set up) must not cut editors off
    from their own section in the chooser."""
    PageViewRestriction.objects.create(page=tree["home"], restriction_type=PageViewRestriction.PASSWORD, password="x")
    a_section = leaks["a_draft"].get_parent()
    assert a_section.title in text(as_editor_a.get(f"/admin/choose-page/{tree['library'].pk}/"))
    assert A_DRAFT in text(as_editor_a.get(f"/admin/choose-page/{a_section.pk}/"))
    assert B_PUBLIC not in text(as_editor_a.get("/admin/choose-page/search/?q=微课"))


@pytest.mark.django_db
def test_visible_pages_is_one_query_whatever_the_number_of_pages(centers, people, leaks, django_user_model):  # noqa: F811
    a, b = centers
    editor = people["editor_a"]

    def count():
        roles.is_platform_admin(editor), roles.center_ids_for(editor)  # cached for the request, as in a view
        with CaptureQueriesContext(connection) as ctx:
            titles = set(visible_pages(Page.objects.all(), editor).values_list("draft_title", flat=True))
        assert B_PUBLIC in titles and A_DRAFT in titles and not titles & set(B_ONLY)
        return len(ctx.captured_queries)

    few = count()
    for n in range(10):
        live_course(b, f"乙中心公开微课{n}", f"b-more-{n}")
    factories.TrainingCenterFactory(code="whu", name="武汉大学中心")
    assert count() == few <= 3  # the own sections' paths, the view restrictions, the pages


# -- the admin API's files -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_api_lists_only_files_of_the_users_collections(as_editor_a, leaks):  # noqa: F811
    documents = as_editor_a.get("/admin/api/main/documents/")
    assert documents.status_code == 200 and A_DOCUMENT in documents.text
    assert B_DOCUMENT not in documents.text
    images = as_editor_a.get("/admin/api/main/images/")
    assert images.status_code == 200 and A_IMAGE in images.text
    assert B_IMAGE not in images.text
    assert as_editor_a.get(f"/admin/api/main/documents/{leaks['b_document'].pk}/").status_code == 404
    assert as_editor_a.get(f"/admin/api/main/images/{leaks['b_image'].pk}/").status_code == 404
    assert B_IMAGE not in as_editor_a.get("/admin/api/main/images/?search=海报").text


@pytest.mark.django_db
def test_the_admin_api_file_listing_queries_do_not_grow(as_editor_a, centers, leaks):  # noqa: F811
    a, _b = centers

    # Without the tags, which Wagtail's serializer fetches one document at a time.
    url = "/admin/api/main/documents/?fields=-tags"

    def count():
        as_editor_a.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = as_editor_a.get(url)
        assert response.status_code == 200 and A_DOCUMENT in response.text
        return len(ctx.captured_queries)

    few = count()
    for n in range(10):
        get_document_model().objects.create(
            title=f"甲中心材料{n}", file=ContentFile(b"x", name=f"a{n}.txt"), collection=a.collection
        )
    assert count() == few


# -- bulk actions ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_action_pages_do_not_name_what_the_user_may_not_see(as_editor_a, leaks):  # noqa: F811
    ids = "&".join(f"id={leaks[name].pk}" for name in ("a_draft", "b_draft", "b_renamed", "b_private", "b_public"))
    for action in ("delete", "move", "publish", "unpublish"):
        url = f"/admin/bulk/wagtailcore/page/{action}/?{ids}"
        response = as_editor_a.get(url)
        assert response.status_code == 200, url
        assert A_DRAFT in response.text and B_PUBLIC in response.text, url
        assert_no_b_secrets(response, url)
    files = [
        ("wagtailimages/image", "add_tags", "a_image", "b_image", A_IMAGE),
        ("wagtailimages/image", "delete", "a_image", "b_image", A_IMAGE),
        ("wagtaildocs/document", "add_to_collection", "a_document", "b_document", A_DOCUMENT),
        ("wagtaildocs/document", "delete", "a_document", "b_document", A_DOCUMENT),
    ]
    for model, action, own, other, own_title in files:
        url = f"/admin/bulk/{model}/{action}/?id={leaks[own].pk}&id={leaks[other].pk}"
        response = as_editor_a.get(url)
        assert response.status_code == 200 and own_title in response.text, url
        assert_no_b_secrets(response, url)


@pytest.mark.django_db
def test_bulk_actions_on_invisible_objects_only_are_not_found_and_do_nothing(as_editor_a, centers, leaks):  # noqa: F811
    a, b = centers
    for url in (
        f"/admin/bulk/wagtailcore/page/delete/?id={leaks['b_draft'].pk}&id={leaks['b_private'].pk}",
        f"/admin/bulk/wagtailimages/image/delete/?id={leaks['b_image'].pk}",
        f"/admin/bulk/wagtaildocs/document/add_to_collection/?id={leaks['b_document'].pk}",
    ):
        response = as_editor_a.get(url)
        assert response.status_code == 404, url
        assert_no_b_secrets(response, url)
    url = f"/admin/bulk/wagtaildocs/document/add_to_collection/?id={leaks['b_document'].pk}"
    assert as_editor_a.post(url, {"collection": a.collection.pk}).status_code == 404
    leaks["b_document"].refresh_from_db()
    assert leaks["b_document"].collection == b.collection


@pytest.mark.django_db
def test_every_bulk_action_of_the_admin_is_scoped(centers):  # noqa: F811
    bulk_action_registry._scan_for_bulk_actions()
    registered = [
        (app, model, name, action)
        for app, models in bulk_action_registry.actions.items()
        for model, actions in models.items()
        for name, action in actions.items()
    ]
    assert len(registered) >= 15  # pages, images, documents, users, snippets
    unscoped = [entry[:3] for entry in registered if not issubclass(entry[3], ScopedBulkAction)]
    assert not unscoped


@pytest.mark.django_db
def test_bulk_actions_on_users_and_snippets_name_nobody_to_an_editor(as_editor_a, people, centers):  # noqa: F811
    _a, b = centers
    response = as_editor_a.get(f"/admin/bulk/auth/user/delete/?id={people['editor_b'].pk}")
    assert response.status_code in (302, 403, 404) and "editor_b" not in response.text
    response = as_editor_a.get(f"/admin/bulk/resources/trainingcenter/delete/?id={b.pk}")
    assert response.status_code == 404


# -- usage pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_usage_pages_of_another_centers_files_are_refused(as_editor_a, leaks):  # noqa: F811
    for url in (
        f"/admin/media/usage/{leaks['b_video'].pk}/",
        f"/admin/images/usage/{leaks['b_image'].pk}/",
        f"/admin/documents/usage/{leaks['b_document'].pk}/",
    ):
        response = as_editor_a.get(url)
        assert response.status_code in (302, 403, 404), url
        assert_no_b_secrets(response, url)


@pytest.mark.django_db
def test_a_files_usage_lists_only_pages_the_user_may_see(as_editor_a, leaks):  # noqa: F811
    response = as_editor_a.get(f"/admin/media/usage/{leaks['a_video'].pk}/")
    assert response.status_code == 200
    assert A_VIDEO in response.text and A_DRAFT in response.text
    # B's draft uses A's video too, but A's editors may not know it exists.
    assert [row["object"].pk for row in response.context["table"].data] == [leaks["a_draft"].pk]


@pytest.mark.django_db
def test_bulk_actions_on_ids_past_the_databases_integers_are_not_found(as_editor_a, leaks):  # noqa: F811
    """SQLite raises on such a number in `pk IN (…)` (hub.ids)."""
    as_editor_a.raise_request_exception = False
    for model in ("wagtailimages/image", "wagtaildocs/document", "wagtailcore/page"):
        for huge in (str(2**63), "9" * 25, "-" + "9" * 25):
            response = as_editor_a.get(f"/admin/bulk/{model}/delete/?id={huge}")
            assert response.status_code == 404, (model, huge)
