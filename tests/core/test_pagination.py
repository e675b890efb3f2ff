"""CappedPaginator: exact below the cap, "more than" above it, pages reachable either way."""

import pytest

from hexie.core.pagination import CappedPaginator


def test_exact_below_and_at_the_cap():
    paginator = CappedPaginator(list(range(5)), 2, cap=5)
    assert paginator.count == 5 and not paginator.capped
    assert paginator.num_pages == 3
    assert list(paginator.get_page(3)) == [4]


def test_more_than_the_cap():
    paginator = CappedPaginator(list(range(7)), 2, cap=5)
    page = paginator.get_page(1)
    assert paginator.capped and paginator.count == 6
    assert paginator.known_pages == 2
    assert list(page) == [0, 1] and page.has_next()


def test_a_page_past_the_cap_counts_far_enough_to_know_its_neighbours():
    paginator = CappedPaginator(list(range(9)), 2, cap=5)
    page = paginator.get_page(4)  # counts up to 8 + 1 rows
    assert paginator.capped and paginator.count == 9
    assert list(page) == [6, 7] and page.has_previous() and page.has_next()
    last = CappedPaginator(list(range(9)), 2, cap=5).get_page(5)  # counts up to 10 + 1
    assert list(last) == [8] and not last.has_next()
    assert not last.paginator.capped and last.paginator.count == 9


@pytest.mark.parametrize("number,expected", [
    ("x", [0, 1]), (None, [0, 1]),
    # Django falls back to the last page; with the count capped, the last page known.
    ("-3", [4, 5]), ("0", [4, 5]),
    # Asking for a page that far counts everything: the real last page.
    ("99999999999999999999999999", [8]), (1e300, [8]),
])
def test_odd_page_numbers_fall_back_as_django_does(number, expected):
    assert list(CappedPaginator(list(range(9)), 2, cap=5).get_page(number)) == expected
