"""The radar of the capability areas, drawn on the server with pygal as a plain SVG document.

No JavaScript: pygal's scripts are off (`js=[]`) and the config script it still writes is removed, so
the chart is the same in an <img>, opened alone, or in the PDF. The SVG's <title>/<desc> name every area
with its hours (the text alternative), and each area's dot carries data-area / data-hours.
"""

import re

import pygal
from pygal.style import Style

from django.utils.html import escape

TITLE = "各能力方向学时雷达图"
# Fonts the PDF renderer finds (Debian's fonts-noto-cjk) first, then what browsers have.
FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2328",
    foreground_strong="#1f2328",
    foreground_subtle="#8a8178",
    colors=("#9b1c1c",),  # the site's --accent
    guide_stroke_color="#cfc6ba",
    major_guide_stroke_color="#cfc6ba",
    opacity=".35",
    opacity_hover=".45",
    font_family=FONT,
    label_font_family=FONT,
    major_label_font_family=FONT,
    value_font_family=FONT,
    tooltip_font_family=FONT,
    title_font_family=FONT,
    label_font_size=13,
    major_label_font_size=12,
    tooltip_font_size=13,
)

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_PYGAL_TITLE = "<title>Pygal</title>"


def radar_scale(largest):
    """The outer ring: the largest value rounded up to a whole number of hours (at least 1)."""
    return max(1, int(-(-float(largest) // 1)))


def text_alternative(areas):
    return "；".join(f"{area.label} {area.number} 学时" for area in areas)


def radar_svg(areas):
    """The SVG (a str, no XML declaration) of `areas`: AreaHours in their order, nine on the site."""
    top = radar_scale(max((area.hours for area in areas), default=0))
    chart = pygal.Radar(
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        fill=True,
        width=640,
        height=520,
        margin=24,
        range=(0, top),
        # Guide rings at whole hours only, about five of them.
        y_labels=list(range(0, top + 1, -(-top // 5))),
        style=STYLE,
        formatter=lambda value: f"{value:g} 学时",
        dots_size=4,
        no_data_text="暂无学时",
    )
    chart.x_labels = [area.label for area in areas]
    chart.add(
        "学时",
        [
            {
                "value": float(area.hours),
                "label": area.label,
                "node": {"data-area": area.code, "data-hours": area.number},
            }
            for area in areas
        ],
    )
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    # The title and description first, as the SVG's accessible name and description.
    labelled = (
        f'<title id="radar-title">{escape(TITLE)}</title><desc id="radar-desc">{escape(text_alternative(areas))}</desc>'
    )
    svg = svg.replace(_PYGAL_TITLE, "", 1)
    head_end = svg.index(">") + 1
    svg = (
        svg[: head_end - 1]
        + ' role="img" aria-labelledby="radar-title radar-desc"'
        + svg[head_end - 1 : head_end]
        + labelled
        + svg[head_end:]
    )
    return svg
