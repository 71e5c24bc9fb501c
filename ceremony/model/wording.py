"""Thresholds and signing progress in words, one wording each, used everywhere.

"X of Y" means one thing only: X signatures collected of the Y the threshold needs
("1 of 2 signatures"). A threshold over a set of keys is never written "2 of 3", which reads
as progress; it is "threshold 2, 3 keys". The CLI, the TUI texts that come from flows, the
review, the diff, the lint findings and the ceremony record all use these two functions.
"""

from __future__ import annotations


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def threshold_words(threshold: int, keys: int) -> str:
    """`threshold 2, 3 keys`: how many signatures a role needs, and from how many keys."""
    return f"threshold {threshold}, {_plural(keys, 'key')}"


def progress_words(signed: int, threshold: int) -> str:
    """`1 of 2 signatures`: signatures collected of the threshold needed.

    More signatures than needed (which count once each) read `3 signatures, 2 needed`.
    """
    if signed > threshold:
        return f"{_plural(signed, 'signature')}, {threshold} needed"
    return f"{signed} of {_plural(threshold, 'signature')}"
