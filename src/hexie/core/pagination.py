"""Pagination for lists that can hold a province: count only as far as the page needs."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# A page number is turned into a row limit; past this the count is simply exact.
_MAX_REACH = 10**12


class CappedPaginator(Paginator):
    """A paginator whose ``count`` reads at most ``cap`` + 1 rows (docs/decisions.md D17).

    Below the cap the count is exact. Above it, ``capped`` is true and ``count`` is cap + 1,
    i.e. "more than ``cap``": there is one more page to go to, so next/previous and the known
    pages keep working. Asking for page n counts up to max(cap, n × per_page) + 1 rows, so
    going on past the cap always finds the next page. An exact COUNT(*) over a whole province
    (a million rows) costs more than the page itself; a bounded one costs a few milliseconds.
    """

    def __init__(self, object_list, per_page, cap: int, few_rows_ordering=None,
                 few_rows: int | None = None, **kwargs):
        """``few_rows_ordering``: the ordering of the page query when at most ``few_rows``
        (default: ``cap``) rows match, e.g. one that no index provides. With a LIMIT,
        PostgreSQL may otherwise walk an index in the list's order past every row that does
        not match (a whole table for a rare search); sorting a few rows is bounded."""
        super().__init__(object_list, per_page, **kwargs)
        self.cap = int(cap)
        self.reach = self.cap
        self.few_rows_ordering = few_rows_ordering
        self.few_rows = self.cap if few_rows is None else min(int(few_rows), self.cap)

    def validate_number(self, number):
        if "count" not in self.__dict__:
            try:
                wanted = int(number) * self.per_page
            except (TypeError, ValueError, OverflowError):
                wanted = 0
            self.reach = max(self.cap, min(wanted, _MAX_REACH))
        return super().validate_number(number)

    def page(self, number):
        number = self.validate_number(number)
        if (self.few_rows_ordering and self.count <= self.few_rows
                and hasattr(self.object_list, "query")):
            bottom = (number - 1) * self.per_page
            top = bottom + self.per_page
            if top + self.orphans >= self.count:
                top = self.count
            rows = self.object_list.order_by(*self.few_rows_ordering)[bottom:top]
            return self._get_page(rows, number, self)
        return super().page(number)

    @cached_property
    def count(self):
        if hasattr(self.object_list, "query"):
            # Ordering does not change how many rows there are; without it PostgreSQL may
            # stop after cap + 1 rows of any index instead of sorting every match.
            counted = self.object_list.order_by()[: self.reach + 1].count()
        else:
            counted = min(len(self.object_list), self.reach + 1)
        return counted

    @property
    def capped(self) -> bool:
        """True when there are more rows than were counted (``count`` is then a lower bound)."""
        return self.count > self.reach

    @property
    def known_pages(self) -> int:
        """Full pages known to exist when capped (shown as "n+")."""
        return self.reach // self.per_page
