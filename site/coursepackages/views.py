"""The counselor's packages (/me/packages/) and favourites (/me/favourites/).

Signed-in counselors only (anonymous visitors are sent to sign in and back); a package id in a URL must be
the counselor's own (anyone else's is a 404). Every change is a plain form POST that redirects back with a
message, so all of it works without JavaScript. Responses are personal: `Cache-Control: private, no-store`.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .models import CoursePackagePage, Favourite, PersonalPackage, PersonalPackageItem
from .totals import resolve


def owner_only(view):
    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapped


def back(request, default):
    """Where a form came from (`next`), if it is on this site; else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def package_url(package):
    return reverse("coursepackages:detail", args=[package.pk])


LIST_URL = "coursepackages:list"


@owner_only
def package_list(request):
    packages = list(PersonalPackage.objects.filter(user=request.user).order_by("-used_at", "-pk"))
    counts = dict(
        PersonalPackageItem.objects.filter(package__user=request.user)
        .values("package")
        .annotate(n=Count("pk"))
        .values_list("package", "n")
    )
    for package in packages:
        package.item_count = counts.get(package.pk, 0)
    return render(
        request,
        "coursepackages/package_list.html",
        {"packages": packages, "title": "我的课程套餐", "title_max": services.TITLE_MAX},
    )


@owner_only
def package_detail(request, package_id):
    package = services.own_package(request.user, package_id)
    rows = list(package.items.order_by("position", "pk").values_list("pk", "target_id"))
    resolved = resolve([t for _, t in rows], user=request.user, request=request, item_ids=[i for i, _ in rows])
    # The recommended package it was copied from, while the public may see it: one unpublished or made
    # private since (and perhaps renamed in a draft) is not named.
    source = None
    if package.source_id:
        source = CoursePackagePage.objects.live().public().filter(pk=package.source_id).first()
    return render(
        request,
        "coursepackages/package_detail.html",
        {
            "package": package,
            "source": source,
            "resolved": resolved,
            "title": package.title,
            "title_max": services.TITLE_MAX,
        },
    )


@require_POST
@owner_only
def package_create(request):
    try:
        package = services.create_package(request.user, request.POST.get("title"))
    except services.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect(LIST_URL)
    messages.success(request, f"已新建课程套餐“{package.title}”。")
    return redirect(package_url(package))


@require_POST
@owner_only
def add(request):
    try:
        package, added = services.add_item(request.user, request.POST.get("page"), request.POST.get("package"))
    except services.Refused as refusal:
        messages.error(request, str(refusal))
        return back(request, LIST_URL)
    if added:
        messages.success(request, f"已加入课程套餐“{package.title}”。")
    else:
        messages.info(request, f"课程套餐“{package.title}”中已有这门课程。")
    return back(request, package_url(package))


@require_POST
@owner_only
def remove(request, package_id, item_id):
    package = services.own_package(request.user, package_id)
    services.remove_item(package, item_id)
    messages.success(request, "已从套餐中移除。")
    return redirect(package_url(package))


@require_POST
@owner_only
def move(request, package_id, item_id, direction):
    if direction not in ("up", "down"):
        raise Http404("无效的操作")
    package = services.own_package(request.user, package_id)
    services.move_item(package, item_id, -1 if direction == "up" else 1)
    messages.success(request, "已上移。" if direction == "up" else "已下移。")
    return redirect(package_url(package) + f"#item-{item_id}")


@require_POST
@owner_only
def rename(request, package_id):
    package = services.own_package(request.user, package_id)
    try:
        services.rename(package, request.POST.get("title"))
    except services.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "已修改套餐名称。")
    return redirect(package_url(package))


@require_POST
@owner_only
def delete(request, package_id):
    package = services.own_package(request.user, package_id)
    package.delete()
    messages.success(request, f"已删除课程套餐“{package.title}”。")
    return redirect(LIST_URL)


@require_POST
@owner_only
def copy(request):
    try:
        package = services.copy_recommended(request.user, request.POST.get("page"))
    except services.Refused as refusal:
        messages.error(request, str(refusal))
        return back(request, LIST_URL)
    messages.success(request, f"已复制为您的课程套餐“{package.title}”，可以继续增删和调整顺序。")
    return redirect(package_url(package))


@owner_only
def favourites(request):
    rows = list(Favourite.objects.filter(user=request.user).values_list("pk", "target_id"))
    resolved = resolve([t for _, t in rows], user=request.user, request=request, item_ids=[i for i, _ in rows])
    return render(request, "coursepackages/favourites.html", {"resolved": resolved, "title": "我的收藏"})


@require_POST
@owner_only
def toggle_favourite(request):
    try:
        now = services.toggle_favourite(request.user, request.POST.get("page"), request.POST.get("favourite"))
    except services.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "已收藏。" if now else "已取消收藏。")
    return back(request, reverse("coursepackages:favourites"))
