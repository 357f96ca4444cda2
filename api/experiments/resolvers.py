"""A/B experiments: marketers define and read them, the app asks for its variant."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.permissions import Authenticated, requires
from domain.experiments.rules import Variant
from domain.experiments.service import ExperimentReport as ReportValue
from domain.members.models import Role
from domain.reports import report_csv


@strawberry.input
class VariantInput:
    name: str
    weight: int


@strawberry.input
class CreateExperimentInput:
    key: str
    variants: list[VariantInput] = strawberry.field(description="The first one is the control.")
    metric: str = strawberry.field(description="An event kind (VIEW, CLICK, DWELL, SHARE, SEARCH) "
                                   "converts from tracked events; any other name converts only "
                                   "through recordConversion.")


@strawberry.type
class ExperimentVariant:
    name: str
    weight: int


@strawberry.type
class Experiment:
    key: str
    metric: str
    variants: list[ExperimentVariant]
    created_at: datetime


@strawberry.type
class CreateExperimentPayload:
    experiment: Experiment


@strawberry.type(description="The caller's variant; asking logs his exposure the first time.")
class ExperimentAssignment:
    key: str
    variant: str


@strawberry.input
class RecordConversionInput:
    key: str


@strawberry.type
class RecordConversionPayload:
    converted: bool = strawberry.field(
        description="False when the caller was never exposed to the experiment.")


@strawberry.type(description="Groups under the minimum size show null counts.")
class VariantReport:
    name: str
    weight: int
    exposures: int | None
    conversions: int | None
    conversion_rate: float | None
    relative_lift: float | None = strawberry.field(description="vs the control: p/p_control − 1")
    lift_low: float | None = strawberry.field(description="95 % confidence interval, low end")
    lift_high: float | None
    z_score: float | None
    p_value: float | None = strawberry.field(description="Two-proportion z-test, two-sided")
    significant: bool | None


@strawberry.type
class ExperimentReport:
    key: str
    metric: str
    control: str
    variants: list[VariantReport]

    @classmethod
    def from_domain(cls, r: ReportValue) -> ExperimentReport:
        rows = []
        for v in r.variants:
            c = v.comparison
            rows.append(VariantReport(
                name=v.name, weight=v.weight, exposures=v.exposures, conversions=v.conversions,
                conversion_rate=v.conversion_rate,
                relative_lift=round(c.relative_lift, 4) if c else None,
                lift_low=round(c.lift_low, 4) if c else None,
                lift_high=round(c.lift_high, 4) if c else None,
                z_score=round(c.z_score, 4) if c else None,
                p_value=round(c.p_value, 6) if c else None,
                significant=c.significant if c else None))
        return cls(key=r.key, metric=r.metric, control=r.control, variants=rows)


@strawberry.type
class ExperimentQueries:
    @strawberry.field(permission_classes=[Authenticated])
    async def experiment(self, info: Info, key: str) -> ExperimentAssignment:
        variant = await info.context.services.experiments.variant_for(
            info.context.require_member().member_id, key)
        return ExperimentAssignment(key=key, variant=variant)

    @strawberry.field(permission_classes=[requires(Role.MARKETER)])
    async def experiment_report(self, info: Info, key: str) -> ExperimentReport:
        return ExperimentReport.from_domain(await info.context.services.experiments.report(key))

    @strawberry.field(permission_classes=[requires(Role.MARKETER)],
                      description="The same report as CSV text for spreadsheets.")
    async def experiment_report_csv(self, info: Info, key: str) -> str:
        return report_csv(await info.context.services.experiments.report(key))


@strawberry.type
class ExperimentMutations:
    @strawberry.mutation(permission_classes=[requires(Role.MARKETER)])
    async def create_experiment(self, info: Info, input: CreateExperimentInput) -> CreateExperimentPayload:
        experiment, variants = await info.context.services.experiments.create(
            info.context.require_member().member_id, input.key.strip(),
            [Variant(v.name.strip(), v.weight) for v in input.variants], input.metric)
        return CreateExperimentPayload(experiment=Experiment(
            key=experiment.key, metric=experiment.metric, created_at=experiment.created_at,
            variants=[ExperimentVariant(name=v.name, weight=v.weight) for v in variants]))

    @strawberry.mutation(permission_classes=[Authenticated])
    async def record_conversion(self, info: Info, input: RecordConversionInput) -> RecordConversionPayload:
        converted = await info.context.services.experiments.record_conversion(
            info.context.require_member().member_id, input.key)
        return RecordConversionPayload(converted=converted)
