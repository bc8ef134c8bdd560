"""The admin is in Simplified Chinese and goes by the hub's name (WAGTAIL_SITE_NAME), not Wagtail's.

The hub's catalogue (site/hub/locale, compiled by `make run` / `make test`) translates what Django's,
Wagtail's and wagtailmedia's own catalogues leave in English; adminui replaces what no catalogue can reach.
These tests read the pages as a user does: their text, the labels of their controls and their titles."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from wagtail.documents import get_document_model
from wagtail.models import Collection, Page

from media.models import Video

from . import factories
from .test_permissions import member

HUB = "高校辅导员培训研修资源库"
CATALOGUE = Path(settings.BASE_DIR) / "site" / "hub" / "locale" / "zh_Hans" / "LC_MESSAGES"

# Latin words a Chinese admin may show: the file formats its forms accept, units, keys, the tests' user names.
ALLOWED_WORDS = {
    *settings.WAGTAILDOCS_EXTENSIONS,
    *settings.WAGTAILMEDIA["VIDEO_EXTENSIONS"],
    *("AVIF", "GIF", "JPG", "JPEG", "PNG", "WEBP", "CSV", "XLSX", "TSV", "Excel", "WebVTT", "SRT", "vtt", "srt"),
    *("MB", "GB", "KB", "Ctrl", "Alt", "Shift", "Esc", "URL", "JavaScript"),
    *("admin", "editor_a"),
}

# What the admin showed in English before the hub's catalogue and adminui: none of it may come back.
ENGLISH_BEFORE = (
    "Password",
    "Sign in to Wagtail",
    "登录Wagtail",
    "Choose video",
    "Maximum filesize",
    "New: 文档",
    "The page could not be saved due to validation errors.",
    "Go to the first error",
    # reported in issue 15: the dashboard's summary, the explorer, the editor's side panels, tab titles
    "Pages",
    "Images",
    "Search all pages",
    "Privacy and access",
    "is referenced",
    "Exploring",
    "- Wagtail",
    # wagtailmedia's own Chinese: "你可以上传 ajouter un fichier 音频 ou 视频"
    " ou ",
    "ajouter",
)


def english_before(text):
    return [phrase for phrase in ENGLISH_BEFORE if phrase in text]


class _Reader(HTMLParser):
    """The text of a page, hidden parts included (menus and dialogs open on a click), and the labels, titles
    and placeholders of its controls (what a screen reader or a tooltip says). Not scripts, styles or the
    values of form fields."""

    ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "data-w-tooltip-content-value"}

    def __init__(self):
        super().__init__()
        self.parts, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag in ("script", "style")
        self.parts += [value for name, value in attrs if name in self.ATTRIBUTES and value]

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            self.parts.append(data)


def page_text(response):
    body = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        body = response.json().get("html", "")
    # Wagtail's side-panel buttons hold a hidden error counter whose text is "None" until its script counts.
    body = re.sub(r"(<div data-side-panel-toggle-counter[^>]*>)\s*None\s*<", r"\1<", body)
    reader = _Reader()
    reader.feed(body)
    parts = reader.parts
    # The sidebar is drawn by JavaScript from a JSON description: its labels are text too.
    sidebar = re.search(r'<script id="wagtail-sidebar-props"[^>]*>(.*?)</script>', body, re.S)
    if sidebar:
        parts += list(_labels(json.loads(sidebar.group(1))))
    return " ".join(parts)


def _labels(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("label", "footer_text") and isinstance(item, str):
                yield item
            else:
                yield from _labels(item)
    elif isinstance(value, list):
        for item in value:
            yield from _labels(item)


class _FormReader(HTMLParser):
    """The values a browser would send with a form: its fields as the page fills them in."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input" and attrs.get("type", "text") not in ("submit", "button", "file", "image", "reset"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.data.append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea:
            self.data.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_data(response, form_id, **changes):
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    data.update({name: [value] for name, value in changes.items()})
    return data


def data_codes():
    """The codes of the vocabularies and centers (ideology, bnu): data the listings show beside the names."""
    from resources.models import CapabilityArea, CareerStage, CourseType, Requirement, Tier, TrainingCenter

    models = (CapabilityArea, CareerStage, CourseType, Requirement, Tier, TrainingCenter)
    return {code for model in models for code in model.objects.values_list("code", flat=True)}


def english(text, data=()):
    """Latin words of the text that are not formats, units, keys or the data's codes and user names."""
    text = re.sub(r"\S+@\S+|https?://\S+|\S+\.(?:" + "|".join(ALLOWED_WORDS) + r")\b", " ", text)
    text = re.sub(r"Wagtail \S+ 编辑指南（英文）", " ", text)  # the link to Wagtail's English guide says so
    words = re.findall(r"[A-Za-z][A-Za-z0-9_.’'-]*[A-Za-z0-9]|[A-Za-z]", text)
    # Codes (ideology, mental_health), content types (cases.casepage) and user names (editor_a) are data.
    allowed = ALLOWED_WORDS | set(data)
    return sorted({w for w in words if len(w) > 1 and w not in allowed and not re.search(r"[\d_.]", w)})


# -- the catalogue ---------------------------------------------------------------------------------------


def test_the_compiled_catalogue_is_current():
    for domain in ("django", "djangojs"):
        po, mo = CATALOGUE / f"{domain}.po", CATALOGUE / f"{domain}.mo"
        assert mo.exists(), f"{mo} is missing: run `make messages` (make run and make test do)"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older than its .po: run `make messages`"


def _english_catalogues(domain):
    """The English catalogues of the installed apps whose messages the admin shows: their msgids, exactly as
    their code uses them (Django's core and its own admin, which the hub does not mount, aside)."""
    for app in apps.get_app_configs():
        if app.name in ("django.contrib.admin",):
            continue
        po = Path(app.path) / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
        if po.exists():
            yield app.name, polib.pofile(str(po))


def _translated(catalog, entry):
    key = entry.msgid if not entry.msgctxt else f"{entry.msgctxt}\x04{entry.msgid}"
    while catalog is not None:
        messages = getattr(catalog, "_catalog", None) or {}
        if (key if not entry.msgid_plural else (key, 0)) in messages:
            return True
        catalog = getattr(catalog, "_fallback", None)
    return False


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_message_of_the_admins_libraries_has_a_chinese_translation(domain):
    if domain == "django":
        catalog = trans_real.translation("zh-hans")
    else:  # Wagtail's JavaScript catalogue (its JavaScriptCatalog view), with LOCALE_PATHS on top
        admin = apps.get_app_config("wagtailadmin")
        catalog = trans_real.DjangoTranslation("zh-hans", domain="djangojs", localedirs=[f"{admin.path}/locale"])
    missing = [
        f"{app}: {entry.msgid!r}"
        for app, po in _english_catalogues(domain)
        if domain == "django" or app == "wagtail.admin"
        for entry in po
        if not entry.obsolete and not _translated(catalog, entry)
    ]
    assert not missing, f"{len(missing)} messages without a translation; add them to {CATALOGUE}/{domain}.po:\n" + (
        "\n".join(missing[:50])
    )


# Acronyms Wagtail's Chinese keeps (页面/片段 ID, API 令牌, 内容JSON, 时间戳（UTC）).
CATALOGUE_WORDS = ALLOWED_WORDS | {"ID", "API", "JSON", "UTC"}
# The one message allowed to name Wagtail: the link to its English editor guide says whose guide it is.
NAMES_WAGTAIL = {"Wagtail %(current_version)s editor guide"}


def test_the_admins_chinese_has_no_foreign_words_left():
    """A translation can be wrong without being missing: wagtailmedia's Chinese read "你可以上传 ajouter un
    fichier 音频 ou 视频", Wagtail's "由于slug重复" and "有可用的 Wagtail 升级". Every message of the admin's
    libraries, as the admin shows it (the hub's catalogue first), reads without Latin words but acronyms."""
    from django.utils.translation import gettext, ngettext, npgettext, pgettext

    found = []
    with translation.override("zh-hans"):
        for app, po in _english_catalogues("django"):
            if not app.startswith("wagtail") or app == "wagtail.contrib.forms":  # the form builder is not used
                continue
            for entry in po:
                if entry.obsolete or entry.msgid in NAMES_WAGTAIL:
                    continue
                if entry.msgid_plural:
                    args = (entry.msgid, entry.msgid_plural, 1)
                    text = npgettext(entry.msgctxt, *args) if entry.msgctxt else ngettext(*args)
                else:
                    text = pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else gettext(entry.msgid)
                # Markup and placeholders are not read.
                shown = re.sub(r"<[^>]+>|%\([^)]+\)[sd]|%[sd]|\{[^}]*\}", " ", text)
                words = [w for w in english(shown) if w not in CATALOGUE_WORDS]
                if words:
                    found.append(f"{app}: {entry.msgid!r} -> {text!r} {words}")
    assert not found, f"fix these in {CATALOGUE}/django.po:\n" + "\n".join(found)


def test_the_javascript_catalogue_serves_the_hubs_translations(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.edu.cn", "pw"))
    script = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", script, re.S).group(1))
    assert catalog["Insert a block"] == "插入内容块"
    assert catalog["(1 new item in this menu)"] == "（此菜单中有 1 个新项目）"


# -- what users read, screen by screen --------------------------------------------------------------------


def test_login_page_is_chinese_and_names_the_hub(client, db):
    response = client.get("/admin/login/")
    text = page_text(response)
    assert english_before(text) == [] and "密码" in text
    assert f"登录{HUB}" in text
    assert "Wagtail" not in text
    assert f"<title>登录 - {HUB}</title>" in response.content.decode()


def test_a_wrong_password_is_refused_in_chinese(client, django_user_model):
    django_user_model.objects.create_user("editor_a", "editor_a@example.edu.cn", "right")
    response = client.post("/admin/login/", {"username": "editor_a", "password": "wrong"})
    assert english(page_text(response)) == []
    assert "密码" in page_text(response)


@pytest.fixture
def superuser(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.edu.cn", "pw")
    client.force_login(user)
    return user


def test_course_editor_offers_the_video_chooser_in_chinese(client, superuser, section):
    response = client.get(f"/admin/pages/add/microcourses/microcoursepage/{section.pk}/")
    text = page_text(response)
    assert "Choose video" not in text and "选择视频" in text
    assert english(text) == []


def test_document_upload_form_is_chinese(client, superuser, tree):
    text = page_text(client.get("/admin/documents/add/"))
    assert "Maximum filesize" not in text and re.search(r"最大文件大小：50.0\sMB。", text)
    assert "New:" not in text and "新建：文档" in text
    assert english(text) == []


def test_a_refused_save_is_explained_in_chinese(client, superuser, make_course):
    course = make_course()
    edit = f"/admin/pages/{course.pk}/edit/"
    # The body's StreamField counts its blocks in a field its JavaScript adds.
    response = client.post(edit, form_data(client.get(edit), "page-edit-form", title="", **{"body-count": "0"}))
    text = page_text(response)
    assert "页面有验证错误，未能保存。" in text and "转到第一个错误" in text
    assert "validation errors" not in text and "Go to the first error" not in text

    add = f"/admin/pages/add/microcourses/microcoursepage/{course.get_parent().pk}/"
    response = client.post(add, form_data(client.get(add), "page-edit-form", title="", **{"body-count": "0"}))
    assert "页面有验证错误，未能创建。" in page_text(response)


def test_the_help_and_settings_menus_do_not_advertise_wagtail(client, superuser, tree):
    text = page_text(client.get("/admin/"))
    assert "Wagtail v" not in text  # Wagtail signs its settings menu with its version
    assert "的新功能" not in text and "What's new" not in text  # Wagtail's English release notes
    assert "快捷键" in text and "编辑指南（英文）" in text


def test_every_admin_page_title_names_the_hub(client, superuser, tree):
    body = client.get("/admin/").content.decode()
    assert re.search(rf"<title>[^<]* - {HUB}</title>", body)
    assert "- Wagtail</title>" not in body


def test_the_admins_tab_shows_the_hubs_mark(client, superuser, tree):
    icons = re.findall(r'<link rel="(?:shortcut )?icon"[^>]*href="([^"]+)"', client.get("/admin/").text)
    assert icons and all("adminui/favicon.svg" in icon for icon in icons)
    client.logout()
    icons = re.findall(r'<link rel="(?:shortcut )?icon"[^>]*href="([^"]+)"', client.get("/admin/login/").text)
    assert icons and all("adminui/favicon.svg" in icon for icon in icons)
    assert "辅" in (Path(settings.BASE_DIR) / "site" / "adminui" / "static" / "adminui" / "favicon.svg").read_text()


def test_the_root_page_and_root_collection_have_chinese_names(client, superuser, tree):
    assert Page.objects.get(depth=1).title == "根页面"
    assert Collection.get_first_root_node().name == "根集合"
    assert "Root" not in page_text(client.get("/admin/pages/"))


def test_the_hubs_models_have_chinese_names():
    for app in ("home", "resources", "microcourses", "cases", "editorial", "media", "search", "access"):
        for model in apps.get_app_config(app).get_models():
            with translation.override("zh-hans"):
                names = f"{model._meta.verbose_name} {model._meta.verbose_name_plural}"
            assert not re.search("[A-Za-z]", names), f"{model._meta.label}: {names}"


def test_the_link_dialog_labels_its_fields_in_chinese(client, superuser, tree):
    for name in ("external_link", "email_link", "phone_link", "anchor_link"):
        text = page_text(client.get(reverse(f"wagtailadmin_choose_page_{name}")))
        assert english(text) == [], name
    text = page_text(client.get(reverse("wagtailadmin_choose_page_email_link")))
    assert "链接文字" in text and "电子邮箱地址" in text


@pytest.fixture
def screens(section, tree):
    """One of each thing the admin edits, and their addresses."""
    center = section.center
    course = factories.MicroCoursePageFactory(parent=section, center=center)
    series = factories.CourseSeriesPageFactory(parent=section, center=center)
    case = factories.CasePageFactory(parent=section, center=center)
    notice = factories.PolicyDocumentPageFactory(parent=tree["notices"])
    video = Video.objects.create(title="讲课视频", file="videos/originals/v.mp4", collection=center.collection)
    document = get_document_model().objects.create(title="工作计划表", file="documents/plan.pdf")
    own = [
        "/admin/",
        f"/admin/pages/{section.pk}/",
        f"/admin/pages/add/microcourses/microcoursepage/{section.pk}/",
        f"/admin/pages/{course.pk}/edit/",
        f"/admin/pages/{series.pk}/edit/",
        f"/admin/pages/{case.pk}/edit/",
        f"/admin/pages/{section.pk}/edit/",
        f"/admin/pages/{course.pk}/history/",
        "/admin/snippets/resources/expert/",
        "/admin/snippets/resources/expert/add/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/documents/multiple/add/",
        "/admin/media/",
        "/admin/media/video/add/",
        f"/admin/media/edit/{video.pk}/",
        "/admin/media/chooser/",
        "/admin/videos/bulk-upload/",
        "/admin/workplans/",
        "/admin/progress/",
        "/admin/reports/workflow/",
        "/admin/account/",
    ]
    platform = [
        "/admin/pages/",
        f"/admin/pages/{notice.pk}/edit/",
        f"/admin/pages/{tree['home'].pk}/edit/",
        "/admin/snippets/resources/trainingcenter/",
        f"/admin/snippets/resources/trainingcenter/edit/{center.pk}/",
        "/admin/snippets/resources/capabilityarea/",
        f"/admin/documents/edit/{document.pk}/",
        "/admin/reports/locked/",
        "/admin/reports/aging-pages/",
        "/admin/reports/site-history/",
        "/admin/reports/page-types-usage/",
        "/admin/workflows/list/",
        "/admin/workflows/tasks/index/",
        "/admin/users/",
        "/admin/groups/",
        f"/admin/groups/edit/{center.editors_group.pk}/",
        "/admin/sites/",
        "/admin/collections/",
        "/admin/redirects/",
        "/admin/searchpicks/",
    ]
    return {"own": own, "platform": platform}


def test_the_main_screens_have_no_english_for_a_platform_admin(client, superuser, screens):
    codes = data_codes()
    found = {}
    for url in screens["own"] + screens["platform"]:
        text = page_text(client.get(url))
        found[url] = english_before(text) + english(text, codes)
    assert not any(found.values()), "\n".join(f"{url}: {words}" for url, words in found.items() if words)


def test_the_main_screens_have_no_english_for_a_center_editor(client, django_user_model, section, screens):
    client.force_login(member(django_user_model, "editor_a", section.center.editors_group))
    found, codes = {}, data_codes()
    for url in screens["own"]:
        response = client.get(url)
        assert response.status_code == 200, url
        text = page_text(response)
        found[url] = english_before(text) + english(text, codes)
    assert not any(found.values()), "\n".join(f"{url}: {words}" for url, words in found.items() if words)


def test_the_reviewers_actions_say_what_they_do_once(client, django_user_model, section):
    """Wagtail appends "and Publish" to the final task's approve action; its Chinese made the hub's
    "审核通过并发布" read "审核通过并发布 和发布". The hub's catalogue keeps the task's own label."""
    from .test_permissions import draft_course, edit_data

    center = section.center
    course = draft_course(center, "辅导员谈心谈话的五个步骤", "tanxin")
    client.force_login(member(django_user_model, "editor_a", center.editors_group))
    client.post(f"/admin/pages/{course.pk}/edit/", edit_data(course, **{"action-submit": "submit"}))
    client.force_login(member(django_user_model, "reviewer_a", center.reviewers_group))
    body = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    labels = [
        re.sub(r"<[^>]+>|\s+", " ", label).strip()
        for label in re.findall(r'data-workflow-action-name="[^"]+"[^>]*>(.*?)</button>', body, re.S)
    ]
    assert "审核通过并发布" in labels and "审核通过并附意见" in labels and "退回修改" in labels, labels
    assert "和发布" not in body and "and Publish" not in body


# -- nothing from other hosts ---------------------------------------------------------------------------------

# The one outside address the admin may show: the link (opened only on a click, marked 英文) to Wagtail's
# editor guide in the help menu; no Chinese guide exists to point to instead. docs/admin-language.md.
OUTSIDE_ALLOWED = re.compile(r"^https://guide\.wagtail\.org/en/\?target_version=[\d.]+x$")


class _Addresses(HTMLParser):
    """Every address a page makes the browser load or offer: scripts, images, styles, links, forms, frames,
    the URLs Wagtail's Stimulus controllers fetch (data-…-url-value) and CSS url()s."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            if name in ("src", "href", "action", "formaction", "poster", "data", "background") or name.endswith(
                "url-value"
            ):
                self.found.append(value)
            elif name == "srcset":
                self.found += [part.split()[0] for part in value.split(",") if part.strip()]
            elif name == "style":
                self.found += re.findall(r"url\(\s*['\"]?([^'\")]+)", value)


def outside_addresses(body):
    reader = _Addresses()
    reader.feed(body)
    # The sidebar's menus are JSON (the help menu's links among them), and styles may hold url()s.
    found = (
        reader.found + re.findall(r'"url":\s*"([^"]+)"', body) + re.findall(r"url\(\s*['\"]?(https?:[^'\")]+)", body)
    )
    outside = [a for a in found if re.match(r"^\s*(https?:)?//", a) and not re.match(r"^https?://testserver/", a)]
    return sorted({a for a in outside if not OUTSIDE_ALLOWED.match(a)})


def test_the_admin_loads_nothing_from_other_hosts(client, superuser, screens):
    """No update check against Wagtail's release server (WAGTAIL_ENABLE_UPDATE_CHECK), no Gravatar avatars
    (WAGTAIL_GRAVATAR_PROVIDER_URL): both slow or blocked in mainland China. No page of the admin names
    another host in what it loads or links, the editor guide's link aside."""
    found = {}
    for url in screens["own"] + screens["platform"]:
        body = client.get(url).content.decode()
        found[url] = outside_addresses(body)
        for name in ("gravatar", "releases.wagtail", "latest.txt", "enable-javascript.com", "domain.com"):
            if name in body:
                found[url].append(name)
    assert not any(found.values()), "\n".join(f"{url}: {a}" for url, a in found.items() if a)
    dashboard = client.get("/admin/").content.decode()
    assert "w-upgrade" not in dashboard  # the controller that asks releases.wagtail.org
    # The avatar (an editor with an e-mail address and no uploaded picture) is Wagtail's default, from here.
    avatars = re.findall(r'<img src="([^"]+)"', client.get("/admin/account/").content.decode())
    assert avatars and all(a.startswith("/static/wagtailadmin/images/default-user-avatar") for a in avatars)


# -- in a browser: what the admin's JavaScript writes -------------------------------------------------------

from .test_browser import browser  # noqa: E402, F401  (Playwright with Debian's chromium)

SHOWN = """() => [document.title, document.body.innerText,
    ...[...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))].join('\\n')"""


def sign_in(page, url, username):
    """Through the login form, as a user does: its fields are found by their Chinese labels."""
    page.goto(url + "/admin/login/")
    assert page.get_by_role("heading", level=1).inner_text() == f"登录{HUB}"
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pw")
    page.locator("form.login-form button[type=submit]").click()
    page.wait_for_url(f"{url}/admin/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_admins_javascript_speaks_chinese(live_server, browser, django_user_model, section):  # noqa: F811
    course = factories.CasePageFactory(parent=section, center=section.center, background="<p>学生A情绪低落。</p>")
    member(django_user_model, "editor_a", section.center.editors_group)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server.url, "editor_a")

    page.goto(f"{live_server.url}/admin/pages/{course.pk}/edit/")
    page.locator(".Draftail-Editor [contenteditable=true]").first.click()
    # Drawn by Wagtail's scripts from its JavaScript catalogue: the rich-text editor's block button, and the
    # sidebar's count of new items in the help menu.
    page.locator(".Draftail-BlockToolbar__trigger").first.wait_for(state="attached")
    shown = page.evaluate(SHOWN)
    assert "插入内容块" in shown and "Insert a block" not in shown
    assert "（此菜单中有 1 个新项目）" in shown and "new item" not in shown

    # A refused save: the message and the header's button to the first error.
    page.locator("#id_title").fill("")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    shown = page.evaluate(SHOWN)
    assert "页面有验证错误，未能保存。" in shown and "转到第一个错误" in shown
    assert english_before(shown) == [] and english(shown, data_codes()) == []
    page.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_course_and_its_video_chooser_in_chromium(live_server, browser, django_user_model, section):  # noqa: F811
    Video.objects.create(title="讲课视频", file="videos/originals/v.mp4", collection=section.center.collection)
    member(django_user_model, "editor_a", section.center.editors_group)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server.url, "editor_a")

    page.goto(f"{live_server.url}/admin/pages/add/microcourses/microcoursepage/{section.pk}/")
    page.locator("#id_title").wait_for()
    assert english_before(page.evaluate(SHOWN)) == []

    # The video chooser opens in a dialog, its list loaded by Wagtail's scripts.
    page.get_by_role("button", name="选择视频").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("heading", name="选择视频").wait_for()
    dialog.get_by_text("讲课视频").first.wait_for()
    shown = page.evaluate(SHOWN)
    assert english_before(shown) == [] and english(shown, data_codes()) == []
    page.close()
