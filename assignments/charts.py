"""Geometry for the server-rendered SVG charts; the templates draw them (auto-escaped)."""

import math
from collections import Counter
from dataclasses import dataclass

from assignments.scoring import MIDPOINT, PHASE_KEYS_ORDER, result_high_from

SIZE = 360
MARGIN = 56
PLOT = SIZE - 2 * MARGIN


def _x(value: float) -> float:
    return round(MARGIN + (value - 1) / 4 * PLOT, 1)


def _y(value: float) -> float:
    return round(MARGIN + (5 - value) / 4 * PLOT, 1)


@dataclass(frozen=True)
class Point:
    x: float
    y: float


def quadrant_lines(high_from: float) -> Point:
    """Where the lines between low and high cross: at the threshold, not the midpoint."""
    return Point(_x(high_from), _y(high_from))


# A cohort's results are drawn as one dot per cell of a quarter point on the 1–5 scale,
# sized by how many results fall in it: at most 18 × 18 dots, whatever the cohort's size.
DOT_STEP = 0.25
DOT_SMALL = 5
DOT_LARGE = 12


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    count: int
    r: float


def _cell_centre(value: float, high_from: float) -> float:
    """The middle of the cell ``value`` falls in. Cells are counted from the line, so a
    dot stays on the side of the line its scores are on."""
    index = math.floor((value - high_from) / DOT_STEP + 1e-9)
    low = max(1.0, high_from + index * DOT_STEP)
    high = min(5.0, high_from + (index + 1) * DOT_STEP)
    return (low + high) / 2


def result_dots(
    results: list[dict], *, high_from: float, small: float = DOT_SMALL, large: float = DOT_LARGE
) -> list[Dot]:
    """A cohort's results as dots: one per cell with results, ``small`` for one result
    and up to ``large`` for the fullest cell (the area grows with the count)."""
    cells = Counter(
        (_cell_centre(r["x"], high_from), _cell_centre(r["y"], high_from))
        for r in results
        if r.get("x") is not None and r.get("y") is not None
    )
    most = max(cells.values(), default=1)
    return [
        Dot(
            x=_x(x),
            y=_y(y),
            count=count,
            r=round(small + (large - small) * math.sqrt((count - 1) / (most - 1)), 1)
            if most > 1
            else small,
        )
        for (x, y), count in sorted(cells.items())
    ]


def quadrant_chart(config: dict, result: dict, cohort_results: list[dict] | None) -> dict:
    """Coordinates for the 2x2 chart: the learner's point and, if shown, the cohort's
    (as dots per cell, see ``result_dots``).

    The lines sit where the result was scored high: a first-edition result at 3.0.
    """
    dimensions = {d["id"]: d["label"] for d in config["dimensions"]}
    high_from = result_high_from(result)
    mid = quadrant_lines(high_from)
    quadrants = config["quadrants"]
    return {
        "size": SIZE,
        "plot": {
            "left": MARGIN,
            "top": MARGIN,
            "right": MARGIN + PLOT,
            "bottom": MARGIN + PLOT,
            "width": PLOT,
        },
        "mid": mid,
        "high_from": high_from,
        # Axis titles stay centred on the plot wherever the lines are.
        "centre": Point(_x(MIDPOINT), _y(MIDPOINT)),
        "x_label": dimensions[config["axes"]["x"]],
        "y_label": dimensions[config["axes"]["y"]],
        # Letters in the chart, titles in the legend below it: long titles do not fit an SVG.
        "labels": [
            {
                "letter": letter,
                "key": key,
                "title": quadrants[key]["title"],
                "current": key == result["outcome"],
                "x": x,
                "y": y,
            }
            for letter, key, x, y in (
                ("A", "low_high", (MARGIN + mid.x) / 2, MARGIN + 22),
                ("B", "high_high", (mid.x + MARGIN + PLOT) / 2, MARGIN + 22),
                ("C", "low_low", (MARGIN + mid.x) / 2, MARGIN + PLOT - 12),
                ("D", "high_low", (mid.x + MARGIN + PLOT) / 2, MARGIN + PLOT - 12),
            )
        ],
        "you": Point(_x(result["x"]), _y(result["y"])),
        "cohort": result_dots(cohort_results or [], high_from=high_from),
        "cohort_count": sum(1 for r in cohort_results or [] if "x" in r),
        "ticks": [{"value": v, "x": _x(v), "y": _y(v)} for v in (1, 2, 3, 4, 5)],
    }


def phase_steps(config: dict, outcome: str, previous: str | None = None) -> list[dict]:
    """The four-step bar: which step is the learner's now, and which it was before."""
    width = 100 / len(PHASE_KEYS_ORDER)
    return [
        {
            "key": phase["key"],
            "title": phase["title"],
            "x": round(index * width, 2),
            "width": round(width, 2),
            "current": phase["key"] == outcome,
            "previous": previous is not None and phase["key"] == previous,
            "index": index + 1,
        }
        for index, phase in enumerate(config["phases"])
    ]
