"""Template tags of the head (description, Open Graph, canonical, feeds), the share block (QR code,
print) and the footer (organiser, contact, ICP备案号). The same output for every visitor of a page: the
page cache may keep it."""

from django import template
from django.conf import settings
from django.template.defaultfilters import striptags, truncatechars
from django.urls import reverse
from django.utils.html import strip_spaces_between_tags
from django.utils.safestring import mark_safe

from wagtail.models import Page

from access.visibility import is_public

from ..feeds import SITE_NAME
from ..links import absolute, page_url
from ..qr import qr_svg

register = template.Library()

DESCRIPTION_CHARS = 160
SITE_DESCRIPTION = "高校辅导员培训研修资源库：微课、工作案例、政策文件和通知公告，共建共享。"


FEEDS = [
    ("notices_rss", "通知公告", "rss"),
    ("resources_rss", "新上线的微课、工作案例和培训项目", "rss"),
    ("notices_atom", "通知公告（Atom）", "atom"),
    ("resources_atom", "新上线的微课、工作案例和培训项目（Atom）", "atom"),
]


def _description(page):
    for text in (
        getattr(page, "search_description", ""),
        getattr(page, "summary", ""),
        striptags(getattr(page, "intro", "") or ""),
    ):
        text = " ".join(str(text or "").split())
        if text:
            return truncatechars(text, DESCRIPTION_CHARS)
    return ""


def _image(page):
    """An absolute address of a picture for og:image: the course video's poster (public, as the page is)."""
    video = getattr(page, "video", None) if getattr(page, "video_id", None) else None
    if video is not None and video.is_ready and video.poster:
        return absolute(video.poster_url)
    return ""


def _area_feed(request, page):
    """The capability area's feed on the library filtered by exactly one area."""
    from resources.models import CapabilityArea, CenterSectionPage, LibraryIndexPage

    if request is None or not isinstance(page, LibraryIndexPage | CenterSectionPage):
        return None
    codes = request.GET.getlist("capability")
    if len(codes) != 1:
        return None
    area = CapabilityArea.objects.filter(code=codes[0][:50]).only("code", "label").first()
    if area is None:
        return None
    return {
        "url": reverse("discovery:area_rss", kwargs={"code": area.code}),
        "title": f"{area.label}：新资源",
        "kind": "rss",
    }


@register.inclusion_tag("discovery/tags/head.html", takes_context=True)
def discovery_head(context):
    request = context.get("request")
    page = context.get("page")
    page = page if isinstance(page, Page) else None
    match = getattr(request, "resolver_match", None)
    tags = {
        "site_name": SITE_NAME,
        "description": SITE_DESCRIPTION,
        "feeds": [{"url": reverse(f"discovery:{name}"), "title": title, "kind": kind} for name, title, kind in FEEDS],
        "robots": "",
    }
    if match is not None and match.url_name == "search":
        tags["robots"] = "noindex, follow"  # result lists are not documents; the results are in the sitemap
    if page is None:
        return tags
    tags["description"] = _description(page) or SITE_DESCRIPTION
    if not is_public(page, request):
        # A preview, a draft, a restricted page: no address to share or to index.
        tags["robots"] = "noindex, nofollow"
        return tags
    area_feed = _area_feed(request, page)
    if area_feed:
        tags["feeds"].append(area_feed)
    from resources.models import ResourcePage

    tags.update(
        canonical=page_url(page, request),
        title=page.seo_title or page.title,
        og_type="article" if isinstance(page, ResourcePage) else "website",
        image=_image(page),
    )
    return tags


@register.inclusion_tag("discovery/tags/share.html", takes_context=True)
def share_qr(context, page):
    request = context.get("request")
    if not isinstance(page, Page) or not is_public(page, request):
        return {"show": False}
    url = page_url(page, request)
    if not url:
        return {"show": False}
    svg = qr_svg(url)
    return {"show": True, "url": url, "svg": mark_safe(strip_spaces_between_tags(svg)), "title": page.title}


@register.inclusion_tag("discovery/tags/footer.html")
def site_footer():
    phone = settings.HUB_CONTACT_PHONE
    return {
        "organiser": settings.HUB_ORGANISER,
        "email": settings.HUB_CONTACT_EMAIL,
        "phone": phone,
        "phone_href": "".join(ch for ch in phone if ch.isdigit() or ch in "+-"),
        "icp": settings.HUB_ICP_NUMBER,
    }
