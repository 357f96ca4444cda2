"""What every marketer's report shares: small groups withheld, and CSV for spreadsheets.

A breakdown never shows a group of fewer than `report_min_group_size` members: such a count
is withheld (null), so a small group's behaviour is never broken down to identifiable people.

Any report becomes CSV, derived from the report's own dataclass.

A report is a dataclass: its single figures (nested dataclasses flattened as `totals.issued`,
read-only properties such as rates included) become a `figure,value` section, and each list
of rows (`by_day`, `variants`…) a section of its own under its name, with one column per
field. Sections are separated by a blank line. Deriving the CSV from the same objects the
GraphQL types are built from means the two can never disagree, and a withheld small group
stays an empty cell.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date
from enum import Enum
from typing import Any


def withheld(count: int, minimum: int) -> int | None:
    """The count, or None when it is a group too small to show (0 is shown: no one)."""
    return None if 0 < count < minimum else count


def report_csv(report: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "value"])
    writer.writerows([name, csv_cell(value)] for name, value in _flatten(report).items())
    for name, rows in _row_lists(report):
        flat = [_flatten(row) for row in rows]
        # Columns are the union over rows: an absent nested figure (the control's comparison)
        # leaves its cells empty instead of shifting the others.
        union = list(dict.fromkeys(column for row in flat for column in row))
        columns = list(dict.fromkeys(
            part for column in union
            for part in ([o for o in union if o.startswith(column + ".")] or [column])))
        writer.writerow([])
        writer.writerow([name])
        writer.writerow(columns)
        writer.writerows([csv_cell(row.get(column)) for column in columns] for row in flat)
    return out.getvalue()


def _row_lists(report: Any) -> list[tuple[str, list[Any]]]:
    return [(f.name, getattr(report, f.name)) for f in dataclasses.fields(report)
            if isinstance(getattr(report, f.name), list)]


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Column → value of a dataclass: its fields, then its public read-only properties;
    lists are left to their own sections."""
    flat: dict[str, Any] = {}
    for name in [f.name for f in dataclasses.fields(obj)] + _properties(type(obj)):
        value = getattr(obj, name)
        if isinstance(value, list):
            continue
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[prefix + name] = value
    return flat


def _properties(cls: type) -> list[str]:
    return [name for klass in reversed(cls.__mro__) for name, member in vars(klass).items()
            if isinstance(member, property) and not name.startswith("_")]


def csv_cell(value: Any) -> str:
    """A spreadsheet cell: empty for null, ISO dates, 6 significant digits for rates."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
