"""The counselor's own learning record at /me/: the page, its radar chart, the CSV and the PDF.

Every view reads `request.user`'s record and nothing else: no URL takes a user id, so there is no one
else's record to ask for. Anonymous visitors are sent to sign in. The responses are personal data:
`Cache-Control: private, no-store` keeps them out of shared caches and off the disk of the browser.
"""

import csv
import functools
import io

from csp.decorators import csp

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hub.spreadsheets import spreadsheet_safe

from . import recommend
from .charts import radar_svg, text_alternative
from .record import area_hours, build_record
from .record_pdf import render_pdf

PDF_PER_WINDOW = 6
PDF_WINDOW_SECONDS = 600


def owner_only(view):
    @functools.wraps(view)
    @login_required  # to settings.LOGIN_URL, allauth's sign-in
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapped


def stamp(now):
    return timezone.localtime(now).strftime("%Y%m%d")


@owner_only
def record(request):
    data = build_record(request.user, request=request)
    recommended, stage = recommend.for_counselor(request.user, recommend.recommendable_courses())
    return render(
        request,
        "learning/record.html",
        {
            "record": data,
            "radar_alt": text_alternative(data.areas),
            "title": "我的学习档案",
            "recommended": recommended,
            "stage": stage,
        },
    )


# The chart is its own document: pygal's inline <style> needs a policy of its own (the pages' forbids
# inline styles), and nothing else may load in it.
@owner_only
@csp({"default-src": ["'none'"], "style-src": ["'unsafe-inline'"]})
def radar(request):
    return HttpResponse(radar_svg(area_hours(request.user)), content_type="image/svg+xml; charset=utf-8")


CSV_HEADER = ["课程", "能力方向", "观看进度（%）", "已观看秒数", "完成时间", "学时"]


def local(moment, pattern="%Y-%m-%d %H:%M"):
    return timezone.localtime(moment).strftime(pattern) if moment else ""


@owner_only
def record_csv(request):
    data = build_record(request.user, request=request)
    out = io.StringIO()
    # The BOM makes Excel read the file as UTF-8 (it would show GBK mojibake otherwise).
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in data.courses:
        writer.writerow(
            [
                spreadsheet_safe(row.title + ("（培训项目）" if row.is_program else "")),
                "；".join(row.area_labels),
                row.percent,
                row.watched_seconds,
                local(row.completed_at),
                f"{row.hours:.2f}" if row.hours is not None else "",
            ]
        )
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="learning-record-{stamp(data.generated_at)}.csv"'
    return response


@owner_only
def record_pdf(request):
    # A PDF takes most of a second of CPU: a few per user every ten minutes (counted in Django's cache,
    # shared by every process when CACHE_URL names a Redis).
    key = f"learning-record-pdf:{request.user.pk}"
    cache.add(key, 0, timeout=PDF_WINDOW_SECONDS)
    if cache.incr(key) > PDF_PER_WINDOW:
        return render(request, "learning/record_busy.html", status=429)
    data = build_record(request.user, request=request)
    response = HttpResponse(render_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="learning-record-{stamp(data.generated_at)}.pdf"'
    return response
