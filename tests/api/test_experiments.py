"""Experiments: definition, assignment with exposure, conversions, the report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from api.relay import decode_id, to_global_id
from domain.experiments.models import Experiment, ExperimentConversion, ExperimentExposure
from domain.experiments.rules import Variant, assign
from tests.support import GraphQLClient, post_without_events

CREATE = """mutation($input: CreateExperimentInput!) { createExperiment(input: $input) {
  experiment { key metric variants { name weight } } } }"""
ASSIGN = "query($key: String!) { experiment(key: $key) { key variant } }"
CONVERT = "mutation($key: String!) { recordConversion(input: {key: $key}) { converted } }"
REPORT = """query($key: String!) { experimentReport(key: $key) { key metric control variants {
  name weight exposures conversions conversionRate relativeLift liftLow liftHigh zScore pValue
  significant } } }"""
TRACK = """mutation($input: TrackEventsInput!) { trackEvents(input: $input) { accepted } }"""
AB = {"key": "cta-color", "metric": "signup",
      "variants": [{"name": "blue", "weight": 1}, {"name": "green", "weight": 1}]}


async def count(container, model) -> int:
    async with container.uow() as uow:
        return await uow.session.scalar(select(func.count()).select_from(model))



@pytest.fixture(autouse=True)
async def tracked_post(clean_state: None, container) -> None:
    """Tracked events must target a real post; this one announces nothing to the rollups."""
    await post_without_events(container, 1)

async def test_a_marketer_creates_an_experiment(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    created = (await client.execute(CREATE, {"input": AB}, marketer.token))["createExperiment"]
    assert created["experiment"] == {"key": "cta-color", "metric": "signup",
                                     "variants": [{"name": "blue", "weight": 1},
                                                  {"name": "green", "weight": 1}]}
    error = await client.error(CREATE, {"input": AB}, marketer.token)
    assert error["extensions"]["code"] == "CONFLICT"
    assert await count(container, Experiment) == 1


async def test_bad_experiments_are_refused_and_nothing_is_created(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    zero = {**AB, "variants": [{"name": "blue", "weight": 0}, {"name": "green", "weight": 0}]}
    one = {**AB, "variants": [{"name": "blue", "weight": 1}]}
    for bad in (zero, one, {**AB, "key": "Has Spaces"}):
        error = await client.error(CREATE, {"input": bad}, marketer.token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
    member = await client.register("Alice")
    error = await client.error(CREATE, {"input": AB}, member.token)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert await count(container, Experiment) == 0


async def test_the_variant_is_stable_and_the_first_read_logs_the_exposure(
        client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    await client.execute(CREATE, {"input": AB}, marketer.token)
    alice = await client.register("Alice")
    answers = [(await client.execute(ASSIGN, {"key": "cta-color"}, alice.token))["experiment"]
               for _ in range(3)]
    expected = assign(decode_id(alice.id, "User"), "cta-color", [Variant("blue", 1), Variant("green", 1)])
    assert answers == [{"key": "cta-color", "variant": expected}] * 3
    assert await count(container, ExperimentExposure) == 1
    error = await client.error(ASSIGN, {"key": "no-such"}, alice.token)
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_only_exposed_members_convert_and_only_once(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    await client.execute(CREATE, {"input": AB}, marketer.token)
    alice, bob = await client.register("Alice"), await client.register("Bob")
    await client.execute(ASSIGN, {"key": "cta-color"}, alice.token)
    for _ in range(2):
        result = await client.execute(CONVERT, {"key": "cta-color"}, alice.token)
        assert result["recordConversion"]["converted"] is True
    assert (await client.execute(CONVERT, {"key": "cta-color"}, bob.token))["recordConversion"] == {
        "converted": False}
    assert await count(container, ExperimentConversion) == 1


async def test_an_event_metric_converts_from_tracked_events(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    await client.execute(CREATE, {"input": {**AB, "key": "feed-cards", "metric": "CLICK"}},
                         marketer.token)
    alice = await client.register("Alice")
    click = {"clientEventId": "c1", "kind": "CLICK", "targetId": to_global_id("Post", 1),
             "occurredAt": datetime.now(UTC).isoformat()}
    await client.execute(TRACK, {"input": {"events": [click]}}, alice.token)
    assert await count(container, ExperimentConversion) == 0  # not exposed yet
    await client.execute(ASSIGN, {"key": "feed-cards"}, alice.token)
    view = {**click, "clientEventId": "v1", "kind": "VIEW"}
    await client.execute(TRACK, {"input": {"events": [view]}}, alice.token)
    assert await count(container, ExperimentConversion) == 0  # a VIEW is not the metric
    click2 = {**click, "clientEventId": "c2", "occurredAt": datetime.now(UTC).isoformat()}
    await client.execute(TRACK, {"input": {"events": [click2]}}, alice.token)
    assert await count(container, ExperimentConversion) == 1


async def test_the_report_compares_variants_and_hides_small_groups(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    await client.execute(CREATE, {"input": AB}, marketer.token)
    async with container.uow() as uow:
        experiment_id = await uow.session.scalar(select(Experiment.id))
        exposures = ([{"member_id": i, "variant": "blue"} for i in range(1000)]
                     + [{"member_id": 5000 + i, "variant": "green"} for i in range(1000)])
        conversions = ([{"member_id": i, "variant": "blue"} for i in range(100)]
                       + [{"member_id": 5000 + i, "variant": "green"} for i in range(130)])
        for model, rows in ((ExperimentExposure, exposures), (ExperimentConversion, conversions)):
            await uow.session.execute(model.__table__.insert(),
                                      [{**r, "experiment_id": experiment_id} for r in rows])
        await uow.commit()
    report = (await client.execute(REPORT, {"key": "cta-color"}, marketer.token))["experimentReport"]
    blue, green = report["variants"]
    assert report["control"] == "blue"
    assert (blue["exposures"], blue["conversions"], blue["conversionRate"]) == (1000, 100, 0.1)
    assert blue["relativeLift"] is None
    assert (green["conversionRate"], green["relativeLift"], green["zScore"]) == (0.13, 0.3, 2.1027)
    assert green["pValue"] < 0.05 and green["significant"] is True
    assert green["liftLow"] < 0.3 < green["liftHigh"]

    await client.execute(CREATE, {"input": {**AB, "key": "tiny"}}, marketer.token)
    alice = await client.register("Alice")
    await client.execute(ASSIGN, {"key": "tiny"}, alice.token)
    tiny = (await client.execute(REPORT, {"key": "tiny"}, marketer.token))["experimentReport"]
    assert all(v["exposures"] is None and v["conversionRate"] is None for v in tiny["variants"])


async def test_reports_are_for_marketers(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    await client.execute(CREATE, {"input": AB}, marketer.token)
    alice = await client.register("Alice")
    error = await client.error(REPORT, {"key": "cta-color"}, alice.token)
    assert error["extensions"]["code"] == "FORBIDDEN"
    error = await client.error('{ experimentReportCsv(key: "cta-color") }', token=alice.token)
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_the_app_must_log_in_to_get_a_variant(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    await client.execute(CREATE, {"input": AB}, marketer.token)
    assert (await client.error(ASSIGN, {"key": "cta-color"}))["extensions"]["code"] == "UNAUTHENTICATED"
    missing = await client.error(REPORT, {"key": "nope"}, marketer.token)
    assert missing["extensions"]["code"] == "NOT_FOUND"
    assert await count(container, ExperimentExposure) == 0
