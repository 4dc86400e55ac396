"""`admissionsbot stats`: the figures from the recorded turns and tickets, as text, JSON or a chart."""

from __future__ import annotations

import argparse
import json
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ..bootstrap import build_desk, build_insights
from ..config import Settings
from ..core.desk import utcnow
from ..core.errors import AdmissionsError
from ..core.stats import report_json, report_lines
from .common import CONFIG, DB, add_command, settings_from

SINCE_HELP = "only what happened since DATE (YYYY-MM-DD, midnight in the `timezone` setting) or since N days (7d)"


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "stats", (CONFIG, DB),
        help="figures: questions, answers, hand-offs, tours, feedback, tickets, time to claim and to reply",
        description="Counted from every recorded student turn and ticket: questions, answered by the bot, "
        "clarified (and resolved by a pick), offered a person, passed to staff, tours requested, answer feedback "
        "per entry, tickets by status, median and 90th-percentile time to claim and to first reply, the oldest "
        "open ticket. Only reads the ticket database (never creates it); needs no FAQ.",
    )
    p.add_argument("--since", metavar="DATE", help=SINCE_HELP)
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.add_argument("--chart", metavar="FILE.png",
                   help="also draw questions per day by outcome and time to first reply into FILE.png "
                   "(needs: pip install 'admissionsbot[charts]')")
    p.set_defaults(func=run)


def parse_since(text: str | None, settings: Settings, now: datetime) -> datetime | None:
    """`--since`: an ISO date (local midnight) or `Nd` (N days before now); AdmissionsError otherwise."""
    if text is None:
        return None
    value = text.strip()
    days = re.fullmatch(r"(\d{1,5})\s*d(ays?)?", value)
    if days:
        return now - timedelta(days=int(days.group(1)))
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise AdmissionsError(f"--since {text!r} is not a date like 2026-11-30 or a number of days like 7d.") from None
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(settings.timezone))


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    since = parse_since(args.since, settings, utcnow())
    chart = Path(args.chart) if args.chart else None
    if chart is not None:
        from ..adapters.charts import require_charts

        require_charts()  # before any work: say how to install the extra
    desk = build_desk(settings, create=False)
    try:
        report = build_insights(settings, desk).report(since)
    finally:
        desk.shutdown()
    if chart is not None:
        from ..adapters.charts import write_chart

        write_chart(report, chart)
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    else:
        print(f"Since {since:%Y-%m-%d %H:%M %Z}:" if since else "All time:")
        for line in report_lines(report):
            print(line)
        if report.feedback:
            print("Answer feedback (one vote per student per answer):")
            for f in report.feedback[:10]:
                print(f"  {f.entry_id:32} not what I asked {f.not_helpful:>4}   helpful {f.helpful:>4}")
    if chart is not None and not args.json:
        print(f"Chart written to {chart}.")
    return 0
