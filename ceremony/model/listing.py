"""Lists of names in messages: the first few, then how many more.

A ceremony can delegate to 100,000 projects; an error, a status line or a finding that named
every role would be a 50 KB line nobody reads. Every message that lists roles or keyholders
names at most `FEW` of them and says how many more there are; the caller says which command
shows them all.
"""

from __future__ import annotations

from collections.abc import Sequence

FEW = 5
"""How many names a message shows before "and N more"."""


def first_few(names: Sequence[str], limit: int = FEW) -> str:
    """`a, b, c`, or `a, b, c, d, e and 12 more` when there are more than `limit` names."""
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def more_than_few(names: Sequence[str], limit: int = FEW) -> bool:
    """Whether `first_few` leaves names out (the caller then says where they all are)."""
    return len(names) > limit
