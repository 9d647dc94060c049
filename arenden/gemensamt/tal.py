"""A number read from a request: an id, a count, a page. ``str.isdigit()`` is no test for
what ``int()`` reads: it admits superscripts and circled digits ("²", "①") that int() refuses
with a ``ValueError``, and int() in turn reads what no page of the site writes: every
script's digits ("١" is 1), spaces around the number, underscores ("1_0"), a sign. A page's
form, a link and the API write their ids and counts in ASCII digits; anything else is no
number."""

from __future__ import annotations

SIFFROR = frozenset("0123456789")


def heltal(text) -> int | None:
    """``text`` as an integer when it is written in ASCII digits (0–9) and nothing else; None
    otherwise: no text, a sign, a space, another script's digits, and a number of more digits
    than Python reads (``sys.get_int_max_str_digits()``). Whether the number is within what
    the caller takes (from 1, below 2**63) is the caller's to check."""
    if not isinstance(text, str) or not text or not SIFFROR.issuperset(text):
        return None
    try:
        return int(text)
    except ValueError:  # past the digits int() reads: no number this system handles
        return None
