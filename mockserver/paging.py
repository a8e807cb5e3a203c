"""Page-based pagination (``page[number]``, ``page[size]``) and ``sort`` for list endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from mockserver import errors as E

T = TypeVar("T")
MAX_PAGE_SIZE = 250
DEFAULT_PAGE_SIZE = 20


def _invalid_page(pointer: str) -> E.ApiError:
    # pointer without a leading slash, exactly as the spec's examples ("page/number")
    return E.error(
        422, E.BAD_REQUEST, E.T_INVALID_PAGINATION, E.D_INVALID_PAGINATION, pointer=pointer
    )


@dataclass(frozen=True)
class Page:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    def slice(self, items: list[T]) -> tuple[list[T], dict[str, int]]:
        start = (self.number - 1) * self.size
        return items[start : start + self.size], self.meta(len(items))

    def meta(self, total: int) -> dict[str, int]:
        """The ``meta`` of this page of ``total`` results."""
        return {
            "page_number": self.number,
            "page_size": self.size,
            "total_pages": -(-total // self.size),
            "total_results": total,
        }


def _int(raw: Any, pointer: str, low: int, high: int | None) -> int:
    text = raw.strip() if isinstance(raw, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > 18:
        raise _invalid_page(pointer)  # > 18 digits: beyond any page (and int() refuses 4,301)
    value = int(text)
    if value < low or (high is not None and value > high):
        raise _invalid_page(pointer)
    return value


def parse_page(query: dict[str, Any]) -> Page:
    raw = query.get("page")
    if raw is None:
        return Page()
    if not isinstance(raw, dict):
        raise _invalid_page("page")
    for key in sorted(raw):
        if key not in ("number", "size"):
            raise _invalid_page(f"page/{key}")
    number = _int(raw["number"], "page/number", 1, None) if "number" in raw else 1
    size = _int(raw["size"], "page/size", 1, MAX_PAGE_SIZE) if "size" in raw else DEFAULT_PAGE_SIZE
    return Page(number, size)


def parse_sort(query: dict[str, Any], allowed: tuple[str, ...]) -> tuple[str, bool] | None:
    """``(field, descending)`` or ``None`` for the default; a ``-`` prefix means descending."""
    raw = query.get("sort")
    if raw is None:
        return None
    if isinstance(raw, str):
        descending = raw.startswith("-")
        name = raw[1:] if descending else raw
        if name in allowed:
            return name, descending
    raise E.error(422, E.BAD_REQUEST, E.T_INVALID_SORT, E.D_INVALID_SORT, pointer="/sort")
