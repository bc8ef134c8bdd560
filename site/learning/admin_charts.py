"""The admin's learning charts as SVG drawn on the server by pygal: no JavaScript on the page, and
each chart comes with its numbers in a table (the templates' <details>)."""

import math

import pygal
from pygal.style import Style

from .models import clock

# Chinese labels need a CJK font; pygal's default is a Latin monospace.
STYLE = Style(
    font_family='"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif',
    background="transparent",
    plot_background="transparent",
    colors=("#2e5e8c",),
    label_font_size=12,
    major_label_font_size=12,
)


def _accessible(label):
    """An xml filter: pygal writes a <script> with its whole config even with js=[] (it feeds the
    tooltips we do not load); drop it, and name the chart for screen readers."""

    def apply(root):
        for parent in root.iter():
            for child in list(parent):
                if not isinstance(child.tag, str):  # comments
                    continue
                if child.tag.endswith("script"):
                    parent.remove(child)
                elif child.tag.endswith("title") and child.text == "Pygal":  # its default name
                    child.text = label
        root.set("role", "img")
        root.set("aria-label", label)
        return root

    return apply


def bar_chart(label, series_name, values, x_labels):
    chart = pygal.Bar(
        js=[],
        disable_xml_declaration=True,
        style=STYLE,
        width=900,
        height=320,
        show_legend=False,
        spacing=2,
        margin=10,
        x_labels_major_every=max(1, len(values) // 6),
        show_minor_x_labels=False,
        truncate_label=-1,
        print_values=False,
        no_data_text="暂无数据",
    )
    chart.add_xml_filter(_accessible(label))
    # Whole viewers on the y axis (pygal would label 0.8, 1.6, ... for small counts).
    step = max(1, math.ceil(max(values, default=0) / 5))
    chart.y_labels = list(range(0, max(values, default=0) + step + 1, step))
    chart.x_labels = x_labels
    chart.add(series_name, values)
    return chart.render(is_unicode=True)


def histogram_charts(histogram):
    """(retention SVG, exit-position SVG) of a learning.analytics.Histogram."""
    labels = [clock(start) for start in histogram.starts]
    retention = bar_chart("观看分布：视频各时间段被多少名学员看过", "观看人数", histogram.watched, labels)
    exits = bar_chart("离开位置：学员最后停留在视频的哪个时间段", "离开人数", histogram.left, labels)
    return retention, exits
