"""Text laid out by hand for 80 columns: broken only between items, a hash never cut."""

from __future__ import annotations

from ceremony.tui.opening import fact_lines
from ceremony.tui.widgets import grouped_lines, item_lines


def test_a_long_fact_breaks_between_items_never_inside_one() -> None:
    lines = fact_lines(
        "libraries   tuf 7.0.1, securesystemslib 1.6.0, cryptography 50.0.2, pynacl 1.6.2, "
        "python-pkcs11 0.10.1, textual 8.2.8, qrcode 8.2"
    )
    assert lines[0] == "  libraries"
    assert all(len(line) <= 76 for line in lines)
    joined = "\n".join(lines)
    for item in ("tuf 7.0.1,", "cryptography 50.0.2,", "python-pkcs11 0.10.1,", "qrcode 8.2"):
        assert item in joined
    digest = "ab" * 32
    assert fact_lines(f"package     sha256 {digest} (154 files)") == [
        "  package",
        f"    sha256 {digest}",
        "    (154 files)",
    ]


def test_people_break_between_names_never_inside_one() -> None:
    people = ["lead (coordinator)", "alice (keyholder)", "bob (keyholder)", "carol (keyholder)"]
    lines = item_lines("Present: ", people, 40)
    assert lines == [
        "Present: lead (coordinator),",
        "  alice (keyholder), bob (keyholder),",
        "  carol (keyholder)",
    ]


def test_a_fingerprint_in_two_lines_of_eight_groups() -> None:
    groups = " ".join(f"{i:04x}" for i in range(16))
    assert grouped_lines(groups) == [
        "    0000 0001 0002 0003 0004 0005 0006 0007",
        "    0008 0009 000a 000b 000c 000d 000e 000f",
    ]
