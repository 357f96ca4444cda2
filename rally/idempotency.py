"""Idempotency keys: the first call with a key does the work; repeats get its stored answer.

The key row is inserted inside the use case's transaction. A concurrent repeat blocks on the
unique index until the first transaction ends, then reads the committed answer, so a key
pays exactly once whatever the concurrency.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import BigInteger, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from rally.db import Base, created_at_column
from rally.errors import Conflict, InvalidInput
from rally.sql import Sql, json_text
from rally.uow import UnitOfWork

MAX_KEY_LENGTH = 128


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    member_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    operation: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = created_at_column()


_CLAIM = Sql("INSERT INTO idempotency_keys (member_id, operation, key, request_hash)"
             " VALUES (:m, :op, :key, :hash) ON CONFLICT DO NOTHING RETURNING 1")
_STORED = Sql("SELECT request_hash, response FROM idempotency_keys"
              " WHERE member_id = :m AND operation = :op AND key = :key")
_REMEMBER = Sql("UPDATE idempotency_keys SET response = CAST(:response AS jsonb)"
                " WHERE member_id = :m AND operation = :op AND key = :key")


def fingerprint(request: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(request, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def claim(
    uow: UnitOfWork, member_id: int, operation: str, key: str, request: dict[str, Any]
) -> dict[str, Any] | None:
    """None when this call owns the key; the first call's response when the key was used."""
    check_key(key)
    request_hash = fingerprint(request)
    inserted = await uow.fetchval(_CLAIM, {"m": member_id, "op": operation, "key": key,
                                           "hash": request_hash})
    if inserted is not None:
        return None
    return await stored_response(uow, member_id, operation, key, request_hash)


def check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"idempotencyKey must be 1–{MAX_KEY_LENGTH} characters")


async def stored_response(uow: UnitOfWork, member_id: int, operation: str, key: str,
                          request_hash: str) -> dict[str, Any]:
    """The first call's response to a key this call could not claim; CONFLICT when that
    call asked something else.

    A statement of its own, after the claim: the claim waited on the unique index until the
    first call's transaction ended, and only a new statement's snapshot sees what it stored.
    """
    stored = await uow.fetchrow(_STORED, {"m": member_id, "op": operation, "key": key})
    assert stored is not None  # the claim that failed found this row
    if stored.request_hash != request_hash:
        raise Conflict("this idempotencyKey was already used for a different request")
    return stored.response or {}


async def remember(
    uow: UnitOfWork, member_id: int, operation: str, key: str, response: dict[str, Any]
) -> None:
    await uow.execute(_REMEMBER, {"m": member_id, "op": operation, "key": key,
                                  "response": json_text(response)})
