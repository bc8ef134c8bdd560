"""Programs in templates: the status badge, the dates in words, and each center's list of programs."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html

from access.visibility import public

from ..library import STATUS_LABELS, listing_order, status_of

register = template.Library()

# A center's page lists its current programs (open, to come, in progress) and its latest finished ones.
CENTER_CURRENT = 6
CENTER_FINISHED = 3


@register.simple_tag
def program_status_badge(status):
    """The status as a badge (a code of programs.library.STATUS_LABELS), or a program whose status to
    compute."""
    if not isinstance(status, str):
        status = status_of(status)
    return format_html(
        '<span class="badge program-status program-status--{}" data-testid="program-status-badge">{}</span>',
        status,
        STATUS_LABELS.get(status, ""),
    )


def _day(value, with_year=True):
    return f"{value.year}年{value.month}月{value.day}日" if with_year else f"{value.month}月{value.day}日"


@register.simple_tag
def program_dates(program):
    """2026年5月10日 至 5月12日 · 2026年5月10日 · 日期待定."""
    starts, ends = program.starts_on, program.ends_on
    if not starts:
        return "日期待定"
    if not ends or ends == starts:
        return _day(starts)
    return f"{_day(starts)} 至 {_day(ends, with_year=ends.year != starts.year)}"


@register.simple_tag(takes_context=True)
def center_programs(context, center):
    """The center's public programs for its section page: open and coming ones first (soonest first),
    then those in progress, then the latest finished. Two queries, whatever the number."""
    from ..models import ProgramPage

    request = context.get("request")
    visible = public(ProgramPage.objects.filter(center=center), request).select_related("tier")
    rank, order = listing_order()
    current = list(visible.annotate(status_rank=rank).filter(status_rank__lt=3).order_by(*order)[: CENTER_CURRENT + 1])
    finished = list(
        visible.annotate(status_rank=rank).filter(status_rank=3).order_by("-ends_on", "-pk")[:CENTER_FINISHED]
    )
    return {
        "current": current[:CENTER_CURRENT],
        "more": len(current) > CENTER_CURRENT,
        "finished": finished,
        "any": bool(current or finished),
    }


@register.simple_tag(takes_context=True)
def search_program_facts(context, result, results):
    """Dates, place and status on a search card of a program (a search.service.Result): the programs
    among `results` are read in one query, on the first program's card. The status is computed now,
    never taken from the index."""
    from ..models import ProgramPage

    key = ("programs_search_facts", id(results))
    programs = context.render_context.get(key)
    if programs is None:
        ids = [r.id for r in results if getattr(r, "kind", None) == "program"]
        programs = ProgramPage.objects.filter(pk__in=ids).only(*CARD_FIELDS).in_bulk()
        context.render_context[key] = programs
    program = programs.get(result.id)
    if program is None:
        return ""
    return render_to_string("programs/includes/card_facts.html", {"program": program})


CARD_FIELDS = ["starts_on", "ends_on", "place", "capacity", "enrol_opens", "enrol_closes"]


# The most programs an expert's page names (their sessions' programs, open and coming ones first).
EXPERT_PROGRAMS = 10


@register.simple_tag(takes_context=True)
def expert_programs(context, expert):
    """The public programs in which the expert teaches a session (the directory's expert page): one
    query, at most EXPERT_PROGRAMS."""
    from ..models import ProgramPage, ProgramSession

    request = context.get("request")
    teaching = ProgramSession.objects.filter(lecturer=expert).values("program_id")
    visible = public(ProgramPage.objects.filter(pk__in=teaching), request).select_related("tier")
    rank, order = listing_order()
    return list(visible.annotate(status_rank=rank).order_by(*order)[:EXPERT_PROGRAMS])
