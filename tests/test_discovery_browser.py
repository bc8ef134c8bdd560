"""A notice in a real browser (Chromium, Playwright): the share block's QR code and print button work
under the site's Content-Security-Policy, and the printed page is the document, its disclosure table and
its address, without the site's navigation."""

import os

import pytest

from . import factories
from .test_browser import browser, csp_violations  # noqa: F401 (browser: the fixture)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def visible(page, selector):
    return page.locator(selector).first.is_visible()


def test_a_notice_shares_a_qr_code_and_prints_cleanly(live_server, browser, tree, tmp_path):  # noqa: F811
    notice = factories.PolicyDocumentPageFactory(
        parent=tree["notices"],
        title="关于开展2024年辅导员网络培训的通知",
        summary="各培训研修中心：现将有关事项通知如下。",
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    violations = csp_violations(page)
    page.goto(live_server.url + notice.url)
    qr = page.get_by_role("img", name="本页二维码", exact=False)
    assert qr.is_visible()
    box = qr.bounding_box()
    assert 100 <= box["width"] <= 200 and box["width"] == box["height"]
    # With JavaScript the print button replaces the hint.
    assert page.get_by_role("button", name="打印本页").is_visible()
    assert not visible(page, "[data-print-hint]")
    page.screenshot(path=str(tmp_path / "notice.png"), full_page=True)

    page.emulate_media(media="print")
    for selector in (".site-nav", ".site-search", ".account-nav", ".share__actions", ".site-footer__feeds"):
        assert not visible(page, selector), selector
    for selector in (".gov-meta", ".gov-doc__title", ".share__url", ".share__qr svg", ".site-footer__organiser"):
        assert visible(page, selector), selector
    assert page.locator(".share__qr svg").bounding_box()["width"] < 120  # 2.5 cm
    page.screenshot(path=str(tmp_path / "notice-print.png"), full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert violations == []
    if os.environ.get("DISCOVERY_SCREENSHOTS"):
        for name in ("notice.png", "notice-print.png"):
            (tmp_path / name).replace(os.path.join(os.environ["DISCOVERY_SCREENSHOTS"], name))
