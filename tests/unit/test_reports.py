"""Reports as CSV: figures, then one section per list of rows, columns stable across rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from domain.reports import report_csv


@dataclass(frozen=True)
class _Lift:
    low: float
    high: float


@dataclass(frozen=True)
class _Row:
    day: date
    members: int | None
    lift: _Lift | None

    @property
    def doubled(self) -> int | None:
        return None if self.members is None else self.members * 2


@dataclass(frozen=True)
class _Report:
    name: str
    total: _Lift
    rows: list[_Row]


def test_figures_then_rows_with_union_columns_and_empty_cells() -> None:
    text = report_csv(_Report("a,b", _Lift(0.1, 0.25), [
        _Row(date(2026, 1, 1), None, None), _Row(date(2026, 1, 2), 7, _Lift(1 / 3, 2.0))]))
    figures, rows = text.split("\n\n")
    assert list(csv.reader(io.StringIO(figures))) == [
        ["figure", "value"], ["name", "a,b"], ["total.low", "0.1"], ["total.high", "0.25"]]
    assert list(csv.reader(io.StringIO(rows))) == [
        ["rows"], ["day", "members", "lift.low", "lift.high", "doubled"],
        ["2026-01-01", "", "", "", ""], ["2026-01-02", "7", "0.333333", "2", "14"]]
