"""Geometry for the trainer's cohort charts; the templates draw them (auto-escaped).

Like ``assignments.charts``: pure functions from numbers to coordinates, so the SVG
stays server-rendered and every chart has its numbers in a table beside it.
"""

from assignments.charts import MARGIN, PLOT, SIZE, quadrant_lines, result_dots
from assignments.scoring import MIDPOINT, config_high_from, scoring_version

# Bar charts: a wide plot with room for tick labels on the left and category labels below.
BAR_WIDTH = 480
BAR_HEIGHT = 240
BAR_LEFT = 40
BAR_RIGHT = 8
BAR_TOP = 12
BAR_BOTTOM = 36


def _nice_top(value: float) -> int:
    """A round axis maximum at or above ``value`` (at least 1)."""
    for top in (1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= top:
            return top
    return int(value) + 1


def bar_chart(categories: list[str], series: list[dict], *, top: int | None = None) -> dict:
    """Grouped bars: one group per category, one bar per series in each group.

    ``series`` items carry ``key`` (a CSS modifier), ``label`` and ``values`` (one
    number per category). ``top`` fixes the axis maximum (100 for percentages).
    """
    plot_width = BAR_WIDTH - BAR_LEFT - BAR_RIGHT
    plot_height = BAR_HEIGHT - BAR_TOP - BAR_BOTTOM
    bottom = BAR_TOP + plot_height
    highest = max((v for s in series for v in s["values"]), default=0)
    top = top or _nice_top(highest)
    group = plot_width / max(len(categories), 1)
    gap = group * 0.2
    bar = (group - gap) / max(len(series), 1)
    bars = []
    for index, item in enumerate(series):
        for position, value in enumerate(item["values"]):
            height = round(plot_height * min(value, top) / top, 1)
            bars.append(
                {
                    "key": item["key"],
                    "x": round(BAR_LEFT + position * group + gap / 2 + index * bar, 1),
                    "y": round(bottom - height, 1),
                    "width": round(max(bar - 1, 1), 1),
                    "height": height,
                    "value": value,
                }
            )
    ticks = sorted({0, top // 2, top}) if top > 1 else [0, top]
    return {
        "width": BAR_WIDTH,
        "height": BAR_HEIGHT,
        "left": BAR_LEFT,
        "right": BAR_WIDTH - BAR_RIGHT,
        "bottom": bottom,
        "bars": bars,
        "series": series,
        "labels": [
            {"text": text, "x": round(BAR_LEFT + position * group + group / 2, 1)}
            for position, text in enumerate(categories)
        ],
        "label_y": bottom + 16,
        "ticks": [
            {"value": value, "y": round(bottom - plot_height * value / top, 1)} for value in ticks
        ],
    }


def _x(value: float) -> float:
    return round(MARGIN + (value - 1) / 4 * PLOT, 1)


def _y(value: float) -> float:
    return round(MARGIN + (5 - value) / 4 * PLOT, 1)


def cohort_quadrant_chart(config: dict, results: list[dict]) -> dict:
    """The kwadrant-scan's 2x2 plot with the cohort's results as dots per cell (their
    number bounded, whatever the cohort's size), none highlighted.

    The lines sit at the current definition's ``high_from``; each result is counted in
    the quadrant it was given when scored, so a first-edition result (high from 3)
    keeps its quadrant and ``first_edition`` says how many there are.
    """
    dimensions = {d["id"]: d["label"] for d in config["dimensions"]}
    high_from = config_high_from(config)
    lines = quadrant_lines(high_from)
    mid_x, mid_y = lines.x, lines.y
    counts = dict.fromkeys(config["quadrants"], 0)
    for result in results:
        if result.get("outcome") in counts:
            counts[result["outcome"]] += 1
    return {
        "size": SIZE,
        "plot": {"left": MARGIN, "top": MARGIN, "right": MARGIN + PLOT, "bottom": MARGIN + PLOT},
        "width": PLOT,
        "mid": {"x": mid_x, "y": mid_y},
        "high_from": high_from,
        "centre": {"x": _x(MIDPOINT), "y": _y(MIDPOINT)},
        # Only worth saying when today's scan draws its lines elsewhere than 3.0.
        "first_edition": sum(1 for result in results if scoring_version(result) == 1)
        if "high_from" in config
        else 0,
        "x_label": dimensions[config["axes"]["x"]],
        "y_label": dimensions[config["axes"]["y"]],
        "labels": [
            {
                "letter": letter,
                "title": config["quadrants"][key]["title"],
                "count": counts[key],
                "x": round(x, 1),
                "y": y,
            }
            for letter, key, x, y in (
                ("A", "low_high", (MARGIN + mid_x) / 2, MARGIN + 22),
                ("B", "high_high", (mid_x + MARGIN + PLOT) / 2, MARGIN + 22),
                ("C", "low_low", (MARGIN + mid_x) / 2, MARGIN + PLOT - 12),
                ("D", "high_low", (mid_x + MARGIN + PLOT) / 2, MARGIN + PLOT - 12),
            )
            if key in counts
        ],
        "dots": result_dots(results, high_from=high_from, small=6, large=14),
        "ticks": [{"value": v, "x": _x(v), "y": _y(v)} for v in (1, 2, 3, 4, 5)],
    }
