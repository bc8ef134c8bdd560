"""The survey's results (docs/programs-survey.md): per program for its center, per lecturer within a
center, per lecturer across every program for the platform administrators; their charts (pygal SVG,
no script) and Excel workbooks.

Every number is an aggregate computed by the database: a program's results take a fixed handful of
queries whatever the number of responses, and a page of programs or lecturers one or two. Which
programs a person may see is decided by the page tree (the center's section holds the program), as
everywhere in the admin's scoping (editorial.scoping, learning.analytics)."""

import pygal
from pygal.style import Style

from django.db.models import Avg, Count, Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractYear

from .models import Attendance, Enrolment, ProgramPage, ProgramSession, SessionRating, SurveyResponse
from .survey import SCORE_LABELS, SCORES

# How many years the lecturers' listing shows as columns (the most recent ones with ratings).
TREND_YEARS = 5


def average(value):
    """An average for people: two decimals, None stays None."""
    return None if value is None else round(float(value), 2)


def under(sections, prefix=""):
    """The condition selecting pages strictly below any of `sections` ({center id: (path, depth,
    name)}, learning.analytics.sections_of); `prefix` is the relation leading to the page."""
    condition = Q(**{f"{prefix}pk__in": []})
    for path, depth, _name in sections.values():
        condition |= Q(**{f"{prefix}path__startswith": path, f"{prefix}depth__gt": depth})
    return condition


def eligible_enrolments():
    """Enrolments whose holder may answer the survey (survey.participation, in SQL): approved, and
    present at one session at least unless the program has none."""
    return Enrolment.objects.filter(status=Enrolment.APPROVED).filter(
        Exists(Attendance.objects.filter(enrolment=OuterRef("pk")))
        | ~Exists(ProgramSession.objects.filter(program=OuterRef("program")))
    )


def participants_subquery():
    counts = (
        eligible_enrolments()
        .filter(program=OuterRef("pk"))
        .order_by()
        .values("program")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def rate(responses, participants):
    """The response rate in whole percent (a participant who answered and left later still counts)."""
    if not participants:
        return None
    return min(100, round(100 * responses / participants))


# -- per program ------------------------------------------------------------------------------------


def program_rows(sections):
    """The programs under `sections` with their survey numbers, newest first (one query)."""
    return (
        ProgramPage.objects.filter(under(sections))
        .annotate(
            participants=participants_subquery(),
            responses=Count("survey_responses"),
            avg_overall=Avg("survey_responses__overall"),
            avg_organisation=Avg("survey_responses__organisation"),
            # A subquery: joining the sessions too would multiply the responses counted.
            last_session=Subquery(
                ProgramSession.objects.filter(program=OuterRef("pk"))
                .order_by()
                .values("program")
                .annotate(last=Max("ends_at"))
                .values("last")
            ),
        )
        .order_by("-ends_on", "-pk")
    )


def program_summary(program):
    """Counts, averages and the 1–5 distributions of one program's responses (two queries)."""
    aggregates = {"responses": Count("pk"), "avg_overall": Avg("overall"), "avg_organisation": Avg("organisation")}
    for value in SCORES:
        aggregates[f"overall_{value}"] = Count("pk", filter=Q(overall=value))
        aggregates[f"organisation_{value}"] = Count("pk", filter=Q(organisation=value))
    numbers = SurveyResponse.objects.filter(program=program).aggregate(**aggregates)
    participants = eligible_enrolments().filter(program=program).count()
    responses = numbers["responses"]
    return {
        "participants": participants,
        "responses": responses,
        "rate": rate(responses, participants),
        "avg_overall": average(numbers["avg_overall"]),
        "avg_organisation": average(numbers["avg_organisation"]),
        "distribution": [
            {
                "score": value,
                "label": SCORE_LABELS[value],
                "overall": numbers[f"overall_{value}"],
                "organisation": numbers[f"organisation_{value}"],
            }
            for value in SCORES
        ],
    }


def session_rows(program):
    """The program's sessions with their ratings' counts and averages (one query). The lecturer's
    average leaves out ratings given while the session had no lecturer."""
    sessions = (
        ProgramSession.objects.filter(program=program)
        .select_related("lecturer")
        .annotate(
            ratings_count=Count("ratings"),
            avg_content=Avg("ratings__content"),
            avg_teaching=Avg("ratings__teaching", filter=Q(ratings__lecturer__isnull=False)),
        )
        .order_by("starts_at", "sort_order", "pk")
    )
    rows = list(sessions)
    for row in rows:
        row.avg_content, row.avg_teaching = average(row.avg_content), average(row.avg_teaching)
    return rows


def comments(program):
    """The free-text answers, newest first, without names (the survey is anonymous)."""
    return SurveyResponse.objects.filter(program=program).exclude(comment="").order_by("-updated_at", "-pk")


def public_satisfaction(program, minimum):
    """{"average", "responses"} for the program page once the survey is closed, or None with fewer
    than `minimum` responses."""
    numbers = SurveyResponse.objects.filter(program=program).aggregate(n=Count("pk"), avg=Avg("overall"))
    if numbers["n"] < minimum:
        return None
    return {"average": f"{numbers['avg']:.1f}", "responses": numbers["n"]}


def satisfaction_by_program(program_ids):
    """{program id: (responses, average overall)} of the given programs, one query (for the center's
    year, item 6 of issue 16)."""
    rows = (
        SurveyResponse.objects.filter(program__in=list(program_ids))
        .order_by()
        .values("program")
        .annotate(n=Count("pk"), avg=Avg("overall"))
    )
    return {row["program"]: (row["n"], average(row["avg"])) for row in rows}


# -- per lecturer -----------------------------------------------------------------------------------


def _ratings(sections=None):
    ratings = SessionRating.objects.filter(lecturer__isnull=False)
    if sections is not None:
        ratings = ratings.filter(under(sections, "response__program__"))
    return ratings


def lecturer_rows(sections=None):
    """Per lecturer (the snapshot taken when the rating was given): sessions and programs rated, the
    number of ratings, the average content and teaching scores. `sections`: only the programs under
    them (a center's results); None: every program (the platform's teaching evaluation)."""
    return (
        _ratings(sections)
        .order_by()
        .values("lecturer_id", "lecturer__name", "lecturer__organisation")
        .annotate(
            sessions=Count("session", distinct=True),
            programs=Count("response__program", distinct=True),
            ratings=Count("pk"),
            avg_content=Avg("content"),
            avg_teaching=Avg("teaching"),
        )
        .order_by("-avg_teaching", "lecturer__name", "lecturer_id")
    )


def finish_lecturer_rows(rows):
    for row in rows:
        row["avg_content"], row["avg_teaching"] = average(row["avg_content"]), average(row["avg_teaching"])
    return rows


def lecturer_years(lecturer_ids=None, sections=None):
    """{lecturer id: {year: {"ratings", "avg_content", "avg_teaching", "sessions"}}}, the year being
    the session's (one query)."""
    ratings = _ratings(sections)
    if lecturer_ids is not None:
        ratings = ratings.filter(lecturer__in=list(lecturer_ids))
    rows = (
        ratings.order_by()
        .annotate(year=ExtractYear("session__starts_at"))
        .values("lecturer_id", "year")
        .annotate(
            ratings=Count("pk"),
            sessions=Count("session", distinct=True),
            avg_content=Avg("content"),
            avg_teaching=Avg("teaching"),
        )
    )
    years = {}
    for row in rows:
        years.setdefault(row["lecturer_id"], {})[row["year"]] = {
            "ratings": row["ratings"],
            "sessions": row["sessions"],
            "avg_content": average(row["avg_content"]),
            "avg_teaching": average(row["avg_teaching"]),
        }
    return years


def recent_years(years):
    found = sorted({year for by_year in years.values() for year in by_year})
    return found[-TREND_YEARS:]


def expert_program_rows(expert):
    """One lecturer's rated programs across all centers (no free text), newest first (one query)."""
    rows = (
        SessionRating.objects.filter(lecturer=expert)
        .order_by()
        .values(
            "response__program_id",
            "response__program__title",
            "response__program__center__name",
            "response__program__starts_on",
        )
        .annotate(
            sessions=Count("session", distinct=True),
            ratings=Count("pk"),
            avg_content=Avg("content"),
            avg_teaching=Avg("teaching"),
        )
        .order_by("-response__program__starts_on", "-response__program_id")
    )
    return finish_lecturer_rows(list(rows))


# -- charts (pygal SVG drawn on the server; each shown beside a table of the same numbers) ----------

STYLE = Style(
    font_family='"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif',
    background="transparent",
    plot_background="transparent",
    colors=("#2e5e8c", "#c99a3b"),
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
)


def _accessible(label):
    """pygal writes its whole config in a <script> even with js=[]: drop it, name the chart."""

    def apply(root):
        for parent in root.iter():
            for child in list(parent):
                if not isinstance(child.tag, str):
                    continue
                if child.tag.endswith("script"):
                    parent.remove(child)
                elif child.tag.endswith("title") and child.text == "Pygal":
                    child.text = label
        root.set("role", "img")
        root.set("aria-label", label)
        return root

    return apply


def _render(chart, label, series):
    chart.add_xml_filter(_accessible(label))
    for name, values in series:
        chart.add(name, values)
    return chart.render(is_unicode=True)


def _options(**extra):
    return {
        "js": [],
        "disable_xml_declaration": True,
        "style": STYLE,
        "width": 800,
        "height": 320,
        "margin": 10,
        "legend_at_bottom": True,
        "truncate_label": -1,
        "truncate_legend": -1,
        "no_data_text": "暂无数据",
        **extra,
    }


def distribution_chart(summary):
    chart = pygal.Bar(**_options())
    chart.x_labels = [f"{row['score']} 分" for row in summary["distribution"]]
    top = max(
        [row["overall"] for row in summary["distribution"]] + [row["organisation"] for row in summary["distribution"]]
    )
    step = max(1, -(-top // 5))
    chart.y_labels = list(range(0, top + step + 1, step))
    series = [
        ("总体满意度", [row["overall"] for row in summary["distribution"]]),
        ("组织管理", [row["organisation"] for row in summary["distribution"]]),
    ]
    return _render(chart, "评分分布：各分值的问卷份数", series)


def short(label, length=12):
    return label if len(label) <= length else label[: length - 1] + "…"


def sessions_chart(rows):
    height = max(200, 60 + 48 * len(rows))
    chart = pygal.HorizontalBar(**_options(height=height, range=(0, 5), margin_left=48))
    # Numbered, short labels (pygal cuts long ones at the left edge); the table below has the topics.
    chart.x_labels = [f"{index}. {short(row.topic, 9)}" for index, row in enumerate(rows, start=1)]
    series = [
        ("课程内容", [row.avg_content for row in rows]),
        ("主讲人", [row.avg_teaching for row in rows]),
    ]
    return _render(chart, "各课程的平均得分（满分 5 分）", series)


def trend_chart(by_year):
    years = sorted(by_year)
    chart = pygal.Line(**_options(range=(0, 5)))
    chart.x_labels = [str(year) for year in years]
    series = [
        ("课程内容", [by_year[year]["avg_content"] for year in years]),
        ("授课", [by_year[year]["avg_teaching"] for year in years]),
    ]
    return _render(chart, "历年平均得分（满分 5 分）", series)


# -- Excel ------------------------------------------------------------------------------------------
def program_sheets(program, summary, sessions, comment_rows=None):
    general = [
        ["培训项目", program.title],
        ["可填写人数", summary["participants"]],
        ["回收问卷", summary["responses"]],
        ["回收率（%）", summary["rate"]],
        ["总体满意度（平均）", summary["avg_overall"]],
        ["组织管理（平均）", summary["avg_organisation"]],
    ]
    distribution = [
        [f"{row['score']} 分（{row['label']}）", row["overall"], row["organisation"]] for row in summary["distribution"]
    ]
    session_lines = [
        [
            row.starts_at.strftime("%Y-%m-%d %H:%M") if row.starts_at else "",
            row.topic,
            row.lecturer.name if row.lecturer else "",
            row.ratings_count,
            row.avg_content,
            row.avg_teaching,
        ]
        for row in sessions
    ]
    sheets = [
        ("汇总", ["项目", "数值"], general),
        ("评分分布", ["分值", "总体满意度（份）", "组织管理（份）"], distribution),
        ("课程评分", ["时间", "专题", "主讲人", "评分人数", "课程内容（平均）", "主讲人（平均）"], session_lines),
    ]
    if comment_rows is not None:
        lines = [[response.updated_at.strftime("%Y-%m-%d"), response.comment] for response in comment_rows]
        sheets.append(("意见和建议", ["日期", "意见和建议"], lines))
    return sheets


def lecturer_sheets(rows, years, year_columns):
    headers = ["主讲人", "工作单位", "课程数", "项目数", "评分人次", "课程内容（平均）", "授课（平均）"]
    headers += [f"{year}年授课（平均）" for year in year_columns]
    lines = []
    for row in rows:
        by_year = years.get(row["lecturer_id"], {})
        line = [
            row["lecturer__name"],
            row["lecturer__organisation"],
            row["sessions"],
            row["programs"],
            row["ratings"],
            row["avg_content"],
            row["avg_teaching"],
        ]
        line += [by_year[year]["avg_teaching"] if year in by_year else None for year in year_columns]
        lines.append(line)
    names = {row["lecturer_id"]: row["lecturer__name"] for row in rows}
    year_lines = [
        [
            names[lecturer_id],
            year,
            numbers["sessions"],
            numbers["ratings"],
            numbers["avg_content"],
            numbers["avg_teaching"],
        ]
        for lecturer_id, by_year in years.items()
        if lecturer_id in names
        for year, numbers in sorted(by_year.items())
    ]
    year_lines.sort(key=lambda line: (line[0], line[1]))
    return [
        ("主讲人", headers, lines),
        ("逐年", ["主讲人", "年份", "课程数", "评分人次", "课程内容（平均）", "授课（平均）"], year_lines),
    ]
