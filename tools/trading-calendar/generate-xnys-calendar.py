"""Writes libs/indicators/src/sessions/xnys-calendar.json from the exchange_calendars package (XNYS).

The US equity calendar (NYSE; Nasdaq observes the same holidays and 13:00 early closes) is taken from
exchange_calendars (https://github.com/gerrymanoim/exchange_calendars), the maintained successor of
Quantopian's trading_calendars, whose XNYS calendar encodes the NYSE's published holiday rules, the
special closures (e.g. Hurricane Sandy 2012-10-29/30, national days of mourning) and the early closes.
The JSON keeps only what a weekday rule cannot tell: weekdays without a session, and sessions whose
open or close differs from 09:30-16:00 America/New_York.

Usage (any machine with Python 3.10+):
    python3 -m venv /tmp/xcal && /tmp/xcal/bin/pip install exchange_calendars
    /tmp/xcal/bin/python tools/trading-calendar/generate-xnys-calendar.py
"""

import json
import pathlib
import sys

import exchange_calendars as xcals
import pandas as pd

START = "1990-01-01"
END = "2030-12-31"
OUT = pathlib.Path(__file__).resolve().parents[2] / "libs/indicators/src/sessions/xnys-calendar.json"


def main() -> None:
    cal = xcals.get_calendar("XNYS", start=START, end=END)
    sessions = cal.sessions
    session_set = set(sessions.strftime("%Y-%m-%d"))
    weekdays = pd.bdate_range(START, END)
    closed = [d for d in weekdays.strftime("%Y-%m-%d") if d not in session_set]
    irregular = []
    for session in sessions:
        open_ = cal.session_open(session).tz_convert("America/New_York")
        close = cal.session_close(session).tz_convert("America/New_York")
        o, c = open_.strftime("%H:%M"), close.strftime("%H:%M")
        if (o, c) != ("09:30", "16:00"):
            irregular.append({"date": session.strftime("%Y-%m-%d"), "open": o, "close": c})
    data = {
        "source": f"exchange_calendars {xcals.__version__} XNYS",
        "timeZone": "America/New_York",
        "firstDate": START,
        "lastDate": END,
        "regularOpen": "09:30",
        "regularClose": "16:00",
        "closedWeekdays": closed,
        "irregularSessions": irregular,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"{OUT}: {len(closed)} closed weekdays, {len(irregular)} irregular sessions", file=sys.stderr)


if __name__ == "__main__":
    main()
