"""`admissionsbot tours ...`: staff publish campus tour slots and read the rosters from a terminal.

Times are typed and shown in the school's `timezone` setting. Only the ticket
database is opened (no FAQ); `list` and `show` never create it. Cancelling a
slot tells each booked student once: the running bot (its leading process)
sends Discord students a DM with the other open times, and console students
see it the next time they chat.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..bootstrap import tour_rules
from ..core.limits import TOUR_LENGTH_MINUTES
from ..core.staff import cli_staff
from ..core.tour_desk import TourDesk
from ..core.tours import TourSlot, places_left, slot_when
from .common import CONFIG, DB, add_command, desk_from, settings_from, shared


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tours", help="staff: campus tour slots (add, list, show the roster, cancel)",
                       description="Publish campus tour slots that students book in the chat and on Discord, "
                       "read who booked, cancel a slot. Times are in the `timezone` setting.",
                       parents=shared(CONFIG, DB))
    t = p.add_subparsers(dest="tours_command", metavar="ACTION", required=True)

    add = add_command(t, "add", (CONFIG, DB), help="publish a slot")
    add.add_argument("when", metavar="WHEN", help="its start in the school's time zone, e.g. 2026-12-08T14:00 "
                     "(on the night clocks go back, add the offset: 2026-10-25T02:30+02:00)")
    add.add_argument("--capacity", type=int, required=True, metavar="N", help="visitors it holds in all")
    add.add_argument("--length", type=int, default=60, metavar="MINUTES",
                     help=f"how long it lasts (default 60, {TOUR_LENGTH_MINUTES[0]}-{TOUR_LENGTH_MINUTES[1]})")
    add.add_argument("--note", default="", help="shown to students with the time (e.g. where to meet)")
    add.add_argument("--as", dest="staff", default="staff", metavar="NAME", help="your name (default 'staff')")
    add.set_defaults(func=run_add)

    ls = add_command(t, "list", (CONFIG, DB), help="slots not started yet, soonest first")
    ls.add_argument("--all", action="store_true", help="past slots too")
    ls.add_argument("--json", action="store_true", help="one JSON object per slot, one per line")
    ls.set_defaults(func=run_list)

    show = add_command(t, "show", (CONFIG, DB), help="one slot and its roster, with contact details")
    show.add_argument("slot", type=int, metavar="ID", help="the slot's id (as in 'tours list', without the #)")
    show.set_defaults(func=run_show)

    cancel = add_command(t, "cancel", (CONFIG, DB), help="cancel a slot; each booked student is told once")
    cancel.add_argument("slot", type=int, metavar="ID", help="the slot's id")
    cancel.add_argument("--reason", help="told to the students and kept on their tickets")
    cancel.add_argument("--as", dest="staff", default="staff", metavar="NAME", help="your name (default 'staff')")
    cancel.set_defaults(func=run_cancel)


def tours_from(args: argparse.Namespace, *, create: bool = True) -> TourDesk:
    return TourDesk(desk_from(args, create=create), tour_rules(settings_from(args)))


def slot_line(slot: TourSlot, tours: TourDesk) -> str:
    state = "CANCELLED" if slot.cancelled else places_left(slot)
    note = f"  {slot.note}" if slot.note else ""
    return f"#{slot.id:<4} {slot_when(slot, tours.zone)}  {slot.booked}/{slot.capacity} booked, {state}{note}"


def slot_json(slot: TourSlot) -> dict[str, Any]:
    return {"id": slot.id, "starts_at": slot.starts_at.isoformat(), "length_minutes": slot.length_minutes,
            "capacity": slot.capacity, "booked": slot.booked, "note": slot.note, "cancelled": slot.cancelled,
            "cancel_reason": slot.cancel_reason}


def run_add(args: argparse.Namespace) -> int:
    tours = tours_from(args)
    slot = tours.add_slot(args.when, args.capacity, args.length, args.note, by=cli_staff(args.staff))
    print(f"Tour slot #{slot.id} published: {slot_when(slot, tours.zone)} "
          f"({slot.starts_at:%Y-%m-%d %H:%M} UTC), {slot.capacity} places.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    tours = tours_from(args, create=False)
    slots = tours.slots(everything=args.all)
    if args.json:
        for slot in slots:
            print(json.dumps(slot_json(slot), ensure_ascii=False))
    elif not slots:
        print("No tour slots." if args.all else "No upcoming tour slots. Add one with: admissionsbot tours add WHEN "
              "--capacity N")
    else:
        for slot in slots:
            print(slot_line(slot, tours))
    return 0


def run_show(args: argparse.Namespace) -> int:
    tours = tours_from(args, create=False)
    slot = tours.slot(args.slot)
    print(f"Tour slot #{slot.id}: {slot_when(slot, tours.zone)} ({slot.starts_at:%Y-%m-%d %H:%M} UTC), "
          f"{slot.length_minutes} minutes")
    print(f"  {slot.booked} of {slot.capacity} places booked ({places_left(slot)})")
    if slot.note:
        print(f"  note: {slot.note}")
    if slot.cancelled:
        print(f"  CANCELLED {slot.cancelled_at:%Y-%m-%d %H:%M} UTC" + (f": {slot.cancel_reason}"
                                                                       if slot.cancel_reason else ""))
    roster = tours.roster(slot.id)
    if not roster:
        print("  no bookings")
    for ticket, booking in roster:
        c = ticket.contact
        who = f"{c.name} <{c.email}>" if c is not None else ticket.asker.display_name
        notes = f"; notes: {c.notes}" if c is not None and c.notes else ""
        print(f"  ticket #{ticket.number}  {who}  {booking.visitors} visitor{'' if booking.visitors == 1 else 's'}"
              f"  [{booking.status.value}] via {ticket.asker.platform}{notes}")
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    tours = tours_from(args)
    slot, numbers = tours.cancel_slot(args.slot, cli_staff(args.staff), args.reason)
    told = (f"{len(numbers)} booked student(s) (tickets {', '.join(f'#{n}' for n in numbers)}) will be told once, "
            "with the other open times: on Discord by the running bot, in the console when they next chat."
            if numbers else "Nobody had booked it.")
    print(f"Tour slot #{slot.id} ({slot_when(slot, tours.zone)}) is cancelled. {told}")
    return 0
