"""`Sql`: SQLAlchemy-style `:name` parameters numbered once into asyncpg's `$n`."""

from __future__ import annotations

import pytest

from rally.sql import Sql


def test_names_are_numbered_in_order_of_first_use_and_reused() -> None:
    statement = Sql("SELECT :b, CAST(:a AS int), :b + 1")
    assert statement.text == "SELECT $1, CAST($2 AS int), $1 + 1"
    assert statement.arguments({"a": 7, "b": 3, "unused": 0}) == [3, 7]


def test_casts_literals_and_words_with_colons_are_left_alone() -> None:
    statement = Sql("SELECT '{}'::bigint[], x::text, 'a:b', :v")
    assert statement.text == "SELECT '{}'::bigint[], x::text, 'a:b', $1"
    assert statement.names == ("v",)


def test_a_missing_value_is_named_before_anything_is_sent() -> None:
    with pytest.raises(KeyError, match="no value for m"):
        Sql("SELECT :m, :n").arguments({"n": 1})
