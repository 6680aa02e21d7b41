"""数据总览: static SVG bar charts rendered at build time (no JavaScript, no chart library).

Each chart is an accessible ``<figure>``: the SVG has ``role="img"`` and a text
alternative, every bar carries its value as text, and a data table follows
for screen readers and printing.  Output is deterministic.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .escape import text as _e
from .model import Site
from .render import LISTING_HIDE, GeneratedPage, compute_coverage, front_matter

BAR_COLOR = "#b71c1c"  # 党建红; white-on-red and red-on-white both exceed 4.5:1
TRACK_COLOR = "#f3e6e6"
INK = "#1f1f1f"


@dataclass(frozen=True)
class Bar:
    """One labelled value of a chart; ``total`` draws a track (e.g. units registered)."""

    label: str
    value: int
    total: int | None = None
    note: str = ""


def render_bar_chart(chart_id: str, title: str, bars: list[Bar], unit: str = "个") -> str:
    """A bar chart as a self-contained, scalable SVG inside a ``<figure>``.

    Each row puts its label above its bar so the chart stays legible when a
    phone scales it down to 350 px.  Bars with a ``total`` are drawn by share:
    the track is the whole (100 %), so 3/3 is as long as 4/4 and longer than 3/4.
    Bars without one are scaled to the largest value.
    """
    width, bar_w, row_h, pad = 440, 300, 56, 6
    height = pad * 2 + row_h * max(len(bars), 1)
    scale = max([b.value for b in bars if b.total is None] + [1])
    rows = []
    for i, bar in enumerate(bars):
        y = pad + i * row_h
        whole = bar.total if bar.total is not None else scale
        length = round(bar_w * bar.value / whole, 1) if whole else 0
        rows.append(f'<text x="0" y="{y + 18}">{_e(bar.label)}</text>')
        if bar.total is not None:
            rows.append(f'<rect x="0" y="{y + 26}" width="{bar_w}" height="20" fill="{TRACK_COLOR}"/>')
        rows.append(f'<rect class="dj-chart__bar" x="0" y="{y + 26}" width="{length}" height="20" fill="{BAR_COLOR}"'
                    f' data-label="{_e(bar.label)}" data-value="{bar.value}"/>')
        text = f"{bar.value}{unit}" if bar.total is None else f"{bar.value}/{bar.total}{bar.note}"
        end_x = round((bar_w if bar.total is not None else length) + 6, 1)
        rows.append(f'<text x="{end_x}" y="{y + 42}">{_e(text)}</text>')
    summary = "；".join(
        f"{b.label} {b.value}{unit}" if b.total is None else f"{b.label} {b.value}/{b.total}{b.note}" for b in bars
    ) or "暂无数据"
    svg = (
        f'<svg class="dj-chart__svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{chart_id}-t"'
        f' xmlns="http://www.w3.org/2000/svg" font-size="19" fill="{INK}">'
        f'<title id="{chart_id}-t">{_e(title)}：{_e(summary)}</title>{"".join(rows)}</svg>'
    )
    head = "<th scope=\"col\">项目</th><th scope=\"col\">数量</th>"
    body = "".join(
        f'<tr><th scope="row">{_e(b.label)}</th><td>{b.value if b.total is None else f"{b.value} / {b.total}"}</td></tr>' for b in bars
    )
    table = f'<details class="dj-chart__data"><summary>查看数据表</summary><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>'
    return f'<figure class="dj-chart" id="{chart_id}">{svg}<figcaption>{_e(title)}</figcaption>{table}</figure>'


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
    parts = [
        front_matter({"title": "数据总览", "description": "市直机关党建品牌、模范机关和学习资料的统计图表。",
                      "hide": LISTING_HIDE}),
        "# 数据总览\n\n",
        f'<p class="dj-lead">已发布党建品牌 <strong>{len(site.brands)}</strong> 个，'
        f"覆盖已登记单位 <strong>{covered}</strong>/{total} 个；模范机关案例 <strong>{len(site.models)}</strong> 篇，"
        f"学习资料 <strong>{len(site.studies)}</strong> 篇。</p>\n\n",
    ]
    headings = {"dj-chart-group": "按系统", "dj-chart-category": "按类别", "dj-chart-year": "按年份"}
    # Coverage first (it is what the page is asked about most), then the counts; two charts a row on a desktop.
    cov_bars = [Bar(c.group, len(c.covered), c.total, f"（{c.percent}）") for c in coverage]
    blocks = [("dj-h-coverage", "各系统创建覆盖率",
               render_bar_chart("dj-chart-coverage", "各系统已创建品牌的单位数 / 登记单位数（按比例）", cov_bars)
               + '<p class="dj-muted">详细名单见 <a href="../coverage/">一机关一品牌创建进度</a>。</p>')]
    blocks += [(f"dj-h-{chart_id}", headings[chart_id], render_bar_chart(chart_id, title, bars, unit))
               for chart_id, title, bars, unit in charts]
    parts.append('<div class="dj-charts">' + "".join(
        f'<section class="dj-charts__item" aria-labelledby="{h_id}"><h2 id="{h_id}">{_e(heading)}</h2>{body}</section>'
        for h_id, heading, body in blocks) + "</div>\n")
    return GeneratedPage("stats.md", "".join(parts))
