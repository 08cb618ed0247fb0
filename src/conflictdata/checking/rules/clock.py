"""The clock the dates are judged by (`future-date`)."""

from __future__ import annotations

import datetime as dt

from ...contract.errors import UnusableInputError

__all__ = ["today", "SLACK"]


# Dates are judged against the clock: a claim dated yesterday is no error three days after the
# package's `created`. One day of slack, as "today" east of UTC is already tomorrow there.
SLACK = dt.timedelta(days=1)


def today() -> dt.date:
    """Today in UTC, the clock `future-date` judges by. Tests replace this function (`rules.clock.today`; or set
    CONFLICTDATA_TODAY=YYYY-MM-DD for a subprocess) instead of waiting for a date to pass."""
    import os

    fixed = os.environ.get("CONFLICTDATA_TODAY")
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            raise UnusableInputError(f"CONFLICTDATA_TODAY={fixed!r} is not a date YYYY-MM-DD; fix or unset it") from None
    return dt.datetime.now(dt.timezone.utc).date()
