"""Paging for lists that grow with the whole diarium (the postlista, search hits): one page
is read, plus one row to know whether there is a next, and the hits are counted only up to a
ceiling. Django's Paginator counts every row, which at a million ärenden costs more than the
page itself."""

from __future__ import annotations

#: hits are counted up to this many; beyond it the page says "fler än"
TAK = 1000
#: the highest page number asked for (beyond it the offset would overflow the database)
SISTA = 100_000


class Sida:
    """A page of ``qs``: ``object_list``, ``number``, ``has_next`` … as Django's Page, and
    ``antal`` (at most ``TAK + 1``: ``fler_an_tak`` then says the count stopped there)."""

    paginator = None

    def __init__(self, qs, nummer, per_sida: int, *, rakna: bool = False):
        try:
            self.number = min(max(1, int(nummer or 1)), SISTA)
        except (TypeError, ValueError):
            self.number = 1
        start = (self.number - 1) * per_sida
        rader = list(qs[start : start + per_sida + 1])
        self.object_list = rader[:per_sida]
        self._fler = len(rader) > per_sida
        self.antal = qs[: TAK + 1].count() if rakna else None
        self.fler_an_tak = self.antal is not None and self.antal > TAK

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._fler

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
