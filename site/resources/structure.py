"""The fixed top of the page tree: home → library, cases, notices; one section per center."""

from wagtail.models import Site


def ensure_site_structure():
    """Create whatever part of the top-level tree is missing (idempotent) and return the
    library, case index and notice index pages."""
    from cases.models import CaseIndexPage
    from home.models import HomePage

    from .models import LibraryIndexPage, NoticeIndexPage, TrainingCenter
    from .signal_handlers import ensure_center_section

    home = HomePage.objects.order_by("path").first()
    if home is None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        raise RuntimeError(f"no HomePage in the tree (default site root: {site and site.root_page}); run migrate")
    specs = [
        (
            LibraryIndexPage,
            "资源库",
            "library",
            "<p>按能力方向、培训对象、课程类型和课程性质自由组合筛选，自主搭配学习内容。</p>",
        ),
        (CaseIndexPage, "工作案例", "cases", "<p>各培训研修中心征集的辅导员工作案例，供研讨交流。</p>"),
        (NoticeIndexPage, "通知公告", "notices", "<p>政策文件与平台通知。</p>"),
    ]
    pages = []
    for model, title, slug, intro in specs:
        page = model.objects.child_of(home).first()
        if page is None:
            page = model(title=title, slug=slug, intro=intro)
            home.add_child(instance=page)
            page.save_revision().publish()
        pages.append(page)
    for center in TrainingCenter.objects.filter(section__isnull=True):
        ensure_center_section(center)
    return pages
