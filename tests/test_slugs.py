"""Pages created in the admin get readable pinyin slugs for Chinese titles, as the demo's pages have,
instead of percent-encoded Chinese (/%E8%B0%88.../)."""

import pytest

from resources.models import PolicyDocumentPage

from .test_permissions import edit_data


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "", "pw"))
    return client


def add_notice(client, parent, title, slug):
    url = f"/admin/pages/add/resources/policydocumentpage/{parent.pk}/"
    response = client.post(url, edit_data(PolicyDocumentPage(title=title, slug=slug, summary="")))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return PolicyDocumentPage.objects.filter(title=title).latest("pk")


@pytest.mark.django_db
def test_a_chinese_slug_becomes_pinyin_and_stays_unique(admin_client, tree):
    notices = tree["notices"]
    # What Wagtail's editor fills in from a Chinese title: the title itself.
    first = add_notice(admin_client, notices, "辅导员谈心谈话工作通知", "辅导员谈心谈话工作通知")
    assert first.slug == "fudaoyuan-tanxintanhua-gongzuo-tongzhi"
    assert first.url.endswith("/fudaoyuan-tanxintanhua-gongzuo-tongzhi/")
    second = add_notice(admin_client, notices, "辅导员谈心谈话工作通知", "")  # an emptied slug: from the title
    assert second.slug == "fudaoyuan-tanxintanhua-gongzuo-tongzhi-2"
    # A slug the editor typed in ASCII is theirs.
    typed = add_notice(admin_client, notices, "二〇二五年培训通知", "peixun-2025")
    assert typed.slug == "peixun-2025"
    # Only punctuation: still a usable ASCII slug.
    assert add_notice(admin_client, notices, "《》", "《》").slug.isascii()


@pytest.mark.django_db
def test_an_existing_chinese_slug_is_kept_until_the_editor_changes_it(admin_client, tree):
    from . import factories

    page = factories.PolicyDocumentPageFactory(parent=tree["notices"], title="旧通知", slug="旧通知")
    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", edit_data(page, summary="改了摘要"))
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.slug == "旧通知"  # its address does not move behind readers' backs
