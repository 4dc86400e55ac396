"""The stats chart as a PNG: questions per day stacked by outcome, and the time to a first staff reply.

matplotlib is an optional extra (`pip install 'admissionsbot[charts]'`): the
bot and every other command work without it, and `stats --chart` or `/stats`
say how to install it instead of failing. It is imported inside the functions
only, with the non-interactive Agg backend (no display, safe in a worker thread
because each chart has its own Figure, never pyplot's global state).
"""

from __future__ import annotations

import io
from pathlib import Path

from ..core.errors import AdmissionsError
from ..core.records import TurnOutcome
from ..core.stats import OUTCOMES, Report

INSTALL = "pip install 'admissionsbot[charts]'"
COLOURS = {
    TurnOutcome.ANSWERED: "#2e7d32", TurnOutcome.CLARIFIED: "#f9a825", TurnOutcome.OFFERED: "#ef6c00",
    TurnOutcome.FILED: "#c62828", TurnOutcome.TOUR_FORM: "#1565c0", TurnOutcome.SMALLTALK: "#90a4ae",
    TurnOutcome.REFUSED: "#6a1b9a",
}


class ChartsUnavailable(AdmissionsError):
    """matplotlib is not installed; the message says how to install it."""


def require_charts() -> None:
    """Raise ChartsUnavailable unless matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ChartsUnavailable(f"Charts need matplotlib, an optional extra: {INSTALL}") from exc


def chart_png(report: Report) -> bytes:
    """The chart as PNG bytes (blocking: call it from a worker thread in async code)."""
    require_charts()
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 6.5), dpi=100, layout="constrained")
    top, bottom = figure.subplots(2, 1, height_ratios=(3, 2))
    days = [d for d, _ in report.per_day]
    base = [0] * len(days)
    for outcome in OUTCOMES:
        counts = [counts[outcome] for _, counts in report.per_day]
        if any(counts):
            top.bar(days, counts, bottom=base, label=outcome.value, color=COLOURS[outcome], width=0.8)
            base = [b + c for b, c in zip(base, counts, strict=True)]
    top.set_title(f"Questions per day by outcome ({report.questions} questions)")
    top.set_ylabel("questions")
    if days:
        top.legend(loc="upper left", fontsize="small", ncols=4)
    else:
        top.text(0.5, 0.5, "no questions recorded", ha="center", va="center", transform=top.transAxes)
    reply_days = [d for d, _ in report.reply_hours_by_day]
    hours = [h for _, h in report.reply_hours_by_day]
    bottom.plot(reply_days, hours, marker="o", color="#1565c0")
    bottom.set_title("Median time to first staff reply, by the day the ticket was filed")
    bottom.set_ylabel("hours")
    if not reply_days:
        bottom.text(0.5, 0.5, "no staff replies yet", ha="center", va="center", transform=bottom.transAxes)
    for axes in (top, bottom):
        axes.tick_params(axis="x", labelrotation=30)
        axes.grid(axis="y", alpha=0.3)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def write_chart(report: Report, path: Path) -> None:
    """Write the chart to `path`; AdmissionsError when it cannot be written."""
    data = chart_png(report)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise AdmissionsError(f"Cannot write the chart to {path}: {exc.strerror or exc}.") from exc
