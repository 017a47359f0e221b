"""Calendar spans of an episode and of a membership, shared by billing, remuneration and indicators.

Entities keep instants in UTC, but billing and yearly allowances are counted in French calendar
days: an ESCAP activated at 23:30 UTC on 31 December is active on 1 January in Paris. Every function
here therefore converts instants with ``core.clock.paris_date`` (Europe/Paris unless ``tz`` says
otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from escap_desktop.core.clock import paris_date
from escap_desktop.core.entities import Escap, Membership, MembershipStatus

_ONCE_ACCEPTED = (MembershipStatus.ACCEPTED, MembershipStatus.LEFT, MembershipStatus.REMOVED)


@dataclass(frozen=True, slots=True)
class DateSpan:
    """Consecutive calendar days, both ends included; ``end`` is None while still running."""

    start: date
    end: date | None = None

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def intersection(self, other: DateSpan) -> DateSpan | None:
        """The days in both spans, or None when they have none in common."""
        start = max(self.start, other.start)
        ends = [end for end in (self.end, other.end) if end is not None]
        end = min(ends) if ends else None
        if end is not None and end < start:
            return None
        return DateSpan(start, end)

    def overlaps(self, other: DateSpan) -> bool:
        return self.intersection(other) is not None

    def without(self, holes: Iterable[DateSpan]) -> list[DateSpan]:
        """The days of this span outside every hole, as consecutive spans in order."""
        pieces = [self]
        for hole in sorted(holes, key=lambda h: h.start):
            last = pieces.pop()
            common = last.intersection(hole)
            if common is None:
                pieces.append(last)
                continue
            if common.start > last.start:
                pieces.append(DateSpan(last.start, common.start - timedelta(days=1)))
            if common.end is not None and (last.end is None or common.end < last.end):
                pieces.append(DateSpan(common.end + timedelta(days=1), last.end))
            if not pieces:
                return []
        return pieces

    def days(self, until: date) -> int:
        """Number of days from ``start`` to ``end`` (or ``until`` while running), at least 0."""
        end = self.end if self.end is not None and self.end <= until else until
        return max((end - self.start).days, 0)


def year_span(year: int) -> DateSpan:
    """1 January to 31 December of ``year``."""
    return DateSpan(date(year, 1, 1), date(year, 12, 31))


def active_span(escap: Escap, tz: tzinfo | None = None) -> DateSpan | None:
    """The days the team was active: activation to closure; None if it was never activated."""
    if escap.activated_at is None:
        return None
    start = paris_date(escap.activated_at, tz)
    end = paris_date(escap.closed_at, tz) if escap.closed_at is not None else None
    return DateSpan(start, max(end, start) if end is not None else None)


def was_accepted(membership: Membership) -> bool:
    """True for a member who accepted at some point, including one who left or was removed.

    A LEFT or REMOVED membership without an answer date was an invitation withdrawn before any
    answer: that professional never was a member.
    """
    if membership.status is MembershipStatus.ACCEPTED:
        return True
    return membership.status in _ONCE_ACCEPTED and membership.responded_at is not None


def membership_span(membership: Membership, tz: tzinfo | None = None) -> DateSpan | None:
    """The days the professional was an accepted member; None if they never accepted.

    Acceptance is ``responded_at`` (``invited_at`` for a member added as accepted directly, such
    as the creator). A departure without a date counts as a departure on the acceptance day, so
    that incomplete records never extend a membership.
    """
    if not was_accepted(membership):
        return None
    start = paris_date(membership.responded_at or membership.invited_at, tz)
    if membership.status is MembershipStatus.ACCEPTED:
        return DateSpan(start)
    end = paris_date(membership.left_at, tz) if membership.left_at is not None else start
    return DateSpan(start, max(end, start))


def active_membership_span(
    escap: Escap, membership: Membership, tz: tzinfo | None = None
) -> DateSpan | None:
    """The days the professional was a member while the team was active, or None."""
    active = active_span(escap, tz)
    member = membership_span(membership, tz)
    if active is None or member is None:
        return None
    return active.intersection(member)
