"""A/B experiments: definition (marketers), assignment with exposure logging (the app),
conversions, and the report.

Conversions: an experiment whose `metric` is a tracked event kind (VIEW, CLICK, DWELL,
SHARE, SEARCH) converts an exposed member automatically from `trackEvents`; any other
metric name is converted by the app calling `recordConversion`. Either way a member
converts at most once, and only after he was exposed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from domain.audit import service as audit
from domain.experiments.models import (
    Experiment,
    ExperimentConversion,
    ExperimentExposure,
    ExperimentVariant,
)
from domain.experiments.rules import Comparison, Variant, assign, check_definition, compare
from rally.errors import Conflict, NotFound
from rally.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class VariantResult:
    name: str
    weight: int
    exposures: int | None  # None when fewer than the minimum group size
    conversions: int | None
    conversion_rate: float | None
    comparison: Comparison | None  # against the control; None for the control itself


@dataclass(frozen=True)
class ExperimentReport:
    key: str
    metric: str
    control: str
    variants: list[VariantResult]


class ExperimentService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def create(self, actor_id: int, key: str, variants: list[Variant],
                     metric: str) -> tuple[Experiment, list[Variant]]:
        check_definition(key, variants, metric)
        async with self._uow() as uow:
            created = await uow.session.execute(
                insert(Experiment).values(key=key, metric=metric.strip(), created_by=actor_id)
                .on_conflict_do_nothing().returning(Experiment))
            experiment = created.scalar_one_or_none()
            if experiment is None:
                raise Conflict("an experiment with this key exists", field="key")
            await uow.session.execute(insert(ExperimentVariant), [
                {"experiment_id": experiment.id, "position": i, "name": v.name, "weight": v.weight}
                for i, v in enumerate(variants)])
            await audit.record(uow, actor_id=actor_id, action="CREATE_EXPERIMENT",
                               target_type="EXPERIMENT", target_id=experiment.id,
                               after={"key": key, "metric": metric,
                                      "variants": [[v.name, v.weight] for v in variants]})
            await uow.commit()
            return experiment, variants

    async def variant_for(self, member_id: int, key: str) -> str:
        """The member's variant; the first read logs his exposure."""
        async with self._uow() as uow:
            experiment, variants = await _load(uow, key)
            name = assign(member_id, key, variants)
            await uow.session.execute(insert(ExperimentExposure).values(
                experiment_id=experiment.id, member_id=member_id, variant=name,
                exposed_at=await uow.now()).on_conflict_do_nothing())
            await uow.commit()
            return name

    async def record_conversion(self, member_id: int, key: str) -> bool:
        """True when the member counts as converted (he must have been exposed first)."""
        async with self._uow() as uow:
            experiment, _ = await _load(uow, key)
            exposure = await uow.session.scalar(select(ExperimentExposure.variant).where(
                ExperimentExposure.experiment_id == experiment.id,
                ExperimentExposure.member_id == member_id))
            if exposure is None:
                return False
            await uow.session.execute(insert(ExperimentConversion).values(
                experiment_id=experiment.id, member_id=member_id, variant=exposure,
                converted_at=await uow.now()).on_conflict_do_nothing())
            await uow.commit()
            return True

    async def report(self, key: str) -> ExperimentReport:
        async with self._uow() as uow:
            experiment, variants = await _load(uow, key)
            exposures = await _counts(uow, ExperimentExposure, experiment.id)
            conversions = await _counts(uow, ExperimentConversion, experiment.id)
        minimum = self._uow.settings.report_min_group_size
        control = variants[0].name
        control_counts = (conversions.get(control, 0), exposures.get(control, 0))
        results = []
        for v in variants:
            n, x = exposures.get(v.name, 0), conversions.get(v.name, 0)
            shown = n >= minimum
            comparison = (compare(control_counts, (x, n))
                          if shown and v.name != control and control_counts[1] >= minimum else None)
            results.append(VariantResult(v.name, v.weight, n if shown else None,
                                         x if shown else None,
                                         round(x / n, 4) if shown else None, comparison))
        return ExperimentReport(experiment.key, experiment.metric, control, results)


async def _load(uow: UnitOfWork, key: str) -> tuple[Experiment, list[Variant]]:
    experiment = await uow.session.scalar(select(Experiment).where(Experiment.key == key))
    if experiment is None:
        raise NotFound("no experiment with this key", key=key)
    rows = await uow.session.execute(
        select(ExperimentVariant.name, ExperimentVariant.weight)
        .where(ExperimentVariant.experiment_id == experiment.id)
        .order_by(ExperimentVariant.position))
    return experiment, [Variant(name, weight) for name, weight in rows]


async def _counts(uow: UnitOfWork, model: type, experiment_id: int) -> dict[str, int]:
    rows = await uow.session.execute(
        select(model.variant, func.count()).where(model.experiment_id == experiment_id)  # type: ignore[attr-defined]
        .group_by(model.variant))  # type: ignore[attr-defined]
    return {variant: n for variant, n in rows}
