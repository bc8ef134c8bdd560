# ruff: noqa: F811  (the browser fixture is imported from test_browser)
"""The Wagtail admin in a real browser under its Content-Security-Policy: the login form (through
django-axes), then the page editor with its rich-text fields; and the lockout page after too many
wrong passwords."""

import pytest

from . import factories
from .test_browser import browser, csp_violations  # noqa: F401
from .test_permissions import centers  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, url, username, password):
    page.goto(url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state()


def test_admin_login_and_page_editor_work_under_the_admin_policy(live_server, browser, django_user_model, tree):
    course = factories.CasePageFactory(parent=tree["cases"], title="谈心谈话技巧", background="<p>学生A情绪低落。</p>")
    django_user_model.objects.create_superuser("admin", "admin@example.edu.cn", "right-password")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    violations = csp_violations(page)
    sign_in(page, live_server.url, "admin", "right-password")
    assert "/admin/login/" not in page.url
    page.goto(f"{live_server.url}/admin/pages/{course.pk}/edit/")
    title = page.locator("#id_title")
    title.wait_for()
    assert title.input_value() == "谈心谈话技巧"
    # Draftail (the rich-text editor) has started: its editable area is there.
    page.get_by_text("学生A情绪低落。").first.wait_for()
    page.locator(".Draftail-Editor [contenteditable=true]").first.wait_for()
    assert violations == []
    page.close()


def test_too_many_wrong_passwords_show_the_chinese_lockout_page(live_server, browser, django_user_model, settings):
    django_user_model.objects.create_superuser("admin", "admin@example.edu.cn", "right-password")
    page = browser.new_page()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, live_server.url, "admin", "wrong")
    sign_in(page, live_server.url, "admin", "right-password")
    assert page.get_by_test_id("locked-out").is_visible()
    assert "尝试次数过多" in page.content()
    page.close()


LONG_NAMES = ("北京师范大学", "四川大学", "山东大学", "武汉大学", "西安交通大学", "浙江大学")
FITS = """() => {
    const wrapper = document.querySelector('.progress-table-wrapper');
    const headers = [...document.querySelectorAll('.progress-table thead th')];
    const right = name => headers.find(th => th.innerText.replace(/\\s/g, '') === name).getBoundingClientRect().right;
    return {overflow: wrapper.scrollWidth - wrapper.clientWidth, page: document.documentElement.scrollWidth,
            completion: right('完成率'), status: right('状态')};
}"""


def test_the_progress_table_fits_at_1280_and_the_dashboard_panel_has_padding(
    live_server, browser, django_user_model, tree
):
    """报送进度's sixteen columns beside the sidebar at 1280×800: 完成率 and 状态 were off-screen. The
    dashboard's panel had its sentence against the border."""
    for number, school in enumerate(LONG_NAMES):
        factories.TrainingCenterFactory(code=f"c{number}", name=f"{school}高校思想政治工作队伍培训研修中心")
    django_user_model.objects.create_superuser("admin", "admin@example.edu.cn", "right-password")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    sign_in(page, live_server.url, "admin", "right-password")

    page.goto(live_server.url + "/admin/progress/")
    fits = page.evaluate(FITS)
    assert fits["overflow"] <= 0 and fits["page"] <= 1280, fits
    assert fits["completion"] <= 1280 and fits["status"] <= 1280, fits

    page.goto(live_server.url + "/admin/")
    panel = page.locator("#center-progress-section")
    sentence = panel.get_by_text("个中心").first
    panel_box, text_box = panel.bounding_box(), sentence.bounding_box()
    assert text_box["x"] - panel_box["x"] >= 12, (panel_box, text_box)
    assert panel_box["x"] + panel_box["width"] - (text_box["x"] + text_box["width"]) >= 12
    page.close()


SELECTS_FIT = """() => [...document.querySelectorAll('.plan-items tbody tr:first-child select')].map(select => {
    // The widest option of each select, in the select's font, beside the room its padding and arrow take.
    const style = getComputedStyle(select);
    const widest = Math.max(...[...select.options].map(option => {
        const span = document.createElement('span');
        span.style.font = style.font;
        span.style.whiteSpace = 'nowrap';
        span.textContent = option.text;
        document.body.appendChild(span);
        const width = span.getBoundingClientRect().width;
        span.remove();
        return width;
    }));
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return {name: select.name, widest, room};
})"""


def test_the_work_plan_form_shows_its_choices_whole_and_adds_rows_without_javascript(
    live_server, browser, django_user_model, centers
):
    from editorial.models import WorkPlan

    a, _b = centers
    django_user_model.objects.create_user("editor_a", "editor_a@example.edu.cn", "right-password").groups.add(
        a.editors_group
    )
    context = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, "editor_a", "right-password")
    page.goto(f"{live_server.url}/admin/workplans/{a.code}/2099/")
    rows = page.locator(".plan-items tbody tr")
    assert rows.count() == 10
    # 课程类型 and 能力方向 read whole at 1280 px, and the table fits beside the sidebar.
    for select in page.evaluate(SELECTS_FIT):
        assert select["widest"] <= select["room"], select
    wrapper = page.evaluate(
        "() => { const w = document.querySelector('.plan-items-wrapper'); return w.scrollWidth - w.clientWidth }"
    )
    assert wrapper <= 0

    for number in range(10):
        page.get_by_label(f"第{number + 1}行 课程名称", exact=True).fill(f"计划课程{number + 1}")
    page.get_by_label("第1行 课程类型").select_option(label="实践教学")
    page.get_by_role("button", name="增加一行").click()
    page.wait_for_load_state()
    assert rows.count() == 11
    assert page.get_by_label("第10行 课程名称", exact=True).input_value() == "计划课程10"
    assert page.get_by_label("第1行 课程类型").evaluate("s => s.options[s.selectedIndex].text") == "实践教学"
    page.get_by_label("第11行 课程名称", exact=True).fill("计划课程11")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    assert "工作计划已保存" in page.content()
    assert WorkPlan.objects.get(center=a, year=2099).items.count() == 11
    context.close()
