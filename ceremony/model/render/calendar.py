"""The calendar (runbook R10): every offline role, most urgent first, with its expiry, days
left and re-sign-by date; then the online roles' periods, as advice for the online side.

`ceremony calendar` and the TUI's lifecycle screens show these lines.
"""

from __future__ import annotations

from ceremony.model.calendar import Calendar, State
from ceremony.model.render import Line, Style
from ceremony.model.times import format_time

STATE_WORDS: dict[State, str] = {
    "expired": "EXPIRED: clients refuse it; re-sign now",
    "due": "DUE: re-sign now",
    "ok": "ok",
    "new": "new, not yet trusted",
}
_STATE_STYLE: dict[State, Style] = {
    "expired": "error",
    "due": "warning",
    "ok": "ok",
    "new": "muted",
}


def calendar_lines(cal: Calendar) -> list[Line]:
    lines: list[Line] = []
    for e in cal.entries:
        style = _STATE_STYLE[e.state]
        period = f"period {e.period_days} days" if e.period_days else "no period recorded"
        if e.version is None or e.expires is None or e.resign_by is None:
            lines.append(Line(f"{e.role}: {STATE_WORDS[e.state]}", style))
        else:
            days = e.days_left if e.days_left is not None else 0
            left = f"in {days} days" if days >= 0 else f"{-days} days ago"
            # Two lines, so that each fits 80 columns: the state first, then the date.
            lines.append(
                Line(
                    f"{e.role} v{e.version}: expires {format_time(e.expires)} ({left}): "
                    f"{STATE_WORDS[e.state]}",
                    style,
                )
            )
            lines.append(
                Line(
                    f"  re-sign by {format_time(e.resign_by)} ({e.resign_before_days} days "
                    f"before expiry, {period})"
                )
            )
        if e.staged is not None:
            lines.append(
                Line(f"  staged v{e.staged.version}: expires {format_time(e.staged.expires)}")
            )
    for advice in cal.online:
        period = (
            f"new versions valid {advice.period_days} days"
            if advice.period_days
            else "period set by the online side"
        )
        signers = ", ".join(advice.signers) or "no key"
        lines.append(
            Line(f"online {advice.role}: signed online by {signers}; {period} (advice)", "muted")
        )
    return lines
