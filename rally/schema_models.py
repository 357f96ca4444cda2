"""Imports every model module so `Base.metadata` knows the whole schema."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

MODEL_MODULES = ("rally.outbox", "rally.idempotency", "domain.models", "gamification.models")


def metadata() -> MetaData:
    for module in MODEL_MODULES:
        importlib.import_module(module)
    from rally.db import Base

    return Base.metadata
