"""数据总览: static SVG bar charts rendered at build time (no JavaScript, no chart library).

Each chart is an accessible ``<figure>``: the SVG has ``role="img"`` and a text
alternative, every bar carries its value as text, and a data table follows
for screen readers and printing.  Output is deterministic.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .model import Site
from .render import LISTING_HIDE, GeneratedPage, compute_coverage, front_matter
from .templating import macro


@dataclass(frozen=True)
class Bar:
    """One labelled value of a chart; ``total`` draws a track (e.g. units registered)."""

    label: str
    value: int
    total: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Row:
    """Where one bar is drawn: its top ``y``, its ``length``, where its value text starts and says."""

    bar: Bar
    y: int
    length: float
    end_x: float
    text: str


@dataclass(frozen=True)
class Chart:
    """A laid-out bar chart for templates/charts.html."""

    id: str
    title: str
    summary: str
    width: int
    height: int
    bar_width: int
    rows: list[Row]


def layout_bar_chart(chart_id: str, title: str, bars: list[Bar], unit: str = "个") -> Chart:
    """The geometry of a bar chart (see :func:`render_bar_chart`)."""
    width, bar_w, row_h, pad = 440, 300, 56, 6
    height = pad * 2 + row_h * max(len(bars), 1)
    scale = max([b.value for b in bars if b.total is None] + [1])
    rows = []
    for i, bar in enumerate(bars):
        whole = bar.total if bar.total is not None else scale
        length = round(bar_w * bar.value / whole, 1) if whole else 0
        text = f"{bar.value}{unit}" if bar.total is None else f"{bar.value}/{bar.total}{bar.note}"
        end_x = round((bar_w if bar.total is not None else length) + 6, 1)
        rows.append(Row(bar, pad + i * row_h, length, end_x, text))
    summary = "；".join(
        f"{b.label} {b.value}{unit}" if b.total is None else f"{b.label} {b.value}/{b.total}{b.note}" for b in bars
    ) or "暂无数据"
    return Chart(chart_id, title, summary, width, height, bar_w, rows)


def render_bar_chart(chart_id: str, title: str, bars: list[Bar], unit: str = "个") -> str:
    """A bar chart as a self-contained, scalable SVG inside a ``<figure>``, with its data table.

    Each row puts its label above its bar so the chart stays legible when a
    phone scales it down to 350 px.  Bars with a ``total`` are drawn by share:
    the track is the whole (100 %), so 3/3 is as long as 4/4 and longer than 3/4.
    Bars without one are scaled to the largest value.
    """
    return str(macro("charts.html", "bar_chart")(layout_bar_chart(chart_id, title, bars, unit)))


def count_bars(values: list[str], order: list[str] | None = None) -> list[Bar]:
    """Counts of ``values`` as bars, in ``order`` (zero counts kept) or by count then label."""
    counts = Counter(values)
    keys = order if order is not None else sorted(counts, key=lambda k: (-counts[k], k))
    return [Bar(k, counts.get(k, 0)) for k in keys]


def render_stats_page(site: Site) -> GeneratedPage:
    """``/stats/`` (数据总览): brands by 系统, category and year; coverage per 系统."""
    coverage = compute_coverage(site)
    covered = sum(len(c.covered) for c in coverage)
    total = sum(c.total for c in coverage)
    years = sorted({b.year for b in site.brands})
    charts = [
        ("dj-chart-group", "各系统党建品牌数量", count_bars([b.unit.group for b in site.brands], site.groups()), "个"),
        ("dj-chart-category", "各类别党建品牌数量", count_bars([b.category.name for b in site.brands], [c.name for c in site.categories]), "个"),
        ("dj-chart-year", "党建品牌创建年份分布", count_bars([f"{y}年" for y in (b.year for b in site.brands)], [f"{y}年" for y in years]), "个"),
    ]
    headings = {"dj-chart-group": "按系统", "dj-chart-category": "按类别", "dj-chart-year": "按年份"}
    cov_bars = [Bar(c.group, len(c.covered), c.total, f"（{c.percent}）") for c in coverage]
    sections = [("dj-h-coverage", "各系统创建覆盖率",
                 layout_bar_chart("dj-chart-coverage", "各系统已创建品牌的单位数 / 登记单位数（按比例）", cov_bars))]
    sections += [(f"dj-h-{chart_id}", headings[chart_id], layout_bar_chart(chart_id, title, bars, unit))
                 for chart_id, title, bars, unit in charts]
    text = (front_matter({"title": "数据总览", "description": "市直机关党建品牌、模范机关和学习资料的统计图表。",
                          "hide": LISTING_HIDE})
            + "# 数据总览\n\n"
            + str(macro("charts.html", "lead")(len(site.brands), covered, total, len(site.models), len(site.studies)))
            + "\n\n" + str(macro("charts.html", "sections")(sections)) + "\n")
    return GeneratedPage("stats.md", text)
