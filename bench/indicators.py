"""Every indicator of a survey at every level, against a bare pandas groupby.

Builds a synthetic country as DataFrames (no database): regions, municipalities and
schools of uneven sizes, pupils per grade per school, and the answers of a parents' poll
(bench/common.py) in the shape `answers_frame` gives them. Then times
`Engine(...).compute()` for all the survey's indicators at school, municipality and region
(a new Engine each run, as the report service makes one per computation: nothing carried
over from an earlier run), and the same numbers computed the fastest plain pandas way
beside it (the baseline: every term vectorised, summed per unit with one groupby and per
level from the units' sums; no Python per response), and checks that both agree. Goal:
the engine takes at most twice the baseline's time.

Also times `answers_frame` (the JSON answers as columns) on up to 100,000 responses
against `pandas.DataFrame.from_records` building the same columns.

    PYTHONPATH=. .venv/bin/python bench/indicators.py            (SCALE=national: the country)
    PYTHONPATH=. .venv/bin/python bench/indicators.py --profile  (where the engine's time goes)
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bench.common import (
    ACTIVITIES,
    GRADES,
    INDICATORS,
    Scale,
    best_of,
    note,
    peak_rss_mb,
    report,
    scale,
    survey_document,
)
from collector.indicators.engine import Computed, Engine
from collector.indicators.frame import (
    LEVELS,
    UnitPlace,
    answers_frame,
    figures_frame,
    units_frame,
)
from collector.schema import compile_document
from collector.schema.spec import FormSpec

SCRIPT = "indicators"
GOAL = 2.0
YEAR = 2025
SEED = 20251
ANSWERS_FRAME_ROWS = 100_000
# Grades the survey's headcount (figure("pupils", 8, 11)) counts.
HEADCOUNT_GRADES = (8, 11)
# The smallest group a survey's figures are shown for (the form's min_group_size).
MIN_GROUP_SIZE = compile_document(survey_document()).spec.min_group_size


@dataclass
class Country:
    units: pd.DataFrame  # units_frame: index unit_id, columns school, municipality, region
    figures: pd.DataFrame  # figures_frame: pupils per grade per school
    answers: pd.DataFrame  # answers_frame's shape: one row per response


def build_country(size: Scale, spec: FormSpec, rng: np.random.Generator) -> Country:
    regions = np.arange(1, size.regions + 1)
    # Every region has a municipality and every municipality a school; the rest fall
    # unevenly (a city has far more schools than a rural district).
    mun_region = np.concatenate([regions, rng.choice(regions, size.municipalities - size.regions)])
    mun_ids = np.arange(10_001, 10_001 + size.municipalities)
    weight = rng.lognormal(0, 0.8, size.municipalities)
    school_mun = np.concatenate(
        [
            np.arange(size.municipalities),
            rng.choice(
                size.municipalities, size.schools - size.municipalities, p=weight / weight.sum()
            ),
        ]
    )
    school_ids = np.arange(1_000_001, 1_000_001 + size.schools)
    places = [
        UnitPlace(int(s), int(s), int(mun_ids[m]), int(mun_region[m]))
        for s, m in zip(school_ids, school_mun, strict=True)
    ]
    units = units_frame(places)

    # Pupils per grade 1–11: a village school of a few dozen, a city school of a thousand.
    per_grade = rng.lognormal(3.3, 0.8, size.schools)
    pupils = np.maximum(
        0, rng.normal(per_grade[:, None], per_grade[:, None] * 0.15, (size.schools, 11))
    )
    pupils = np.rint(pupils).astype(int)
    figures = figures_frame(
        (int(school_ids[i]), "pupils", grade, float(pupils[i, grade - 1]))
        for i in range(size.schools)
        for grade in range(1, 12)
    )

    # A tenth of the schools do not answer; the others in proportion to their pupils.
    senior = pupils[:, 7:11].sum(axis=1) + 1.0
    senior[rng.random(size.schools) < 0.1] = 0
    school_of = rng.choice(size.schools, size.responses, p=senior / senior.sum())
    answers = synthetic_answers(spec, school_ids[school_of], school_of, size.schools, rng)
    return Country(units, figures, answers)


def synthetic_answers(
    spec: FormSpec,
    unit_ids: np.ndarray,
    school_of: np.ndarray,
    schools: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The answers frame built from numpy columns directly, with the column names and
    types `answers_frame` gives (checked against it on a slice in `time_answers_frame`)."""
    n = len(unit_ids)
    grade_values = np.array(GRADES, dtype=object)
    grade = grade_values[rng.choice(len(GRADES), n, p=[0.3, 0.3, 0.2, 0.2])]

    # Schools differ: how well parents are informed, how satisfied they are.
    informed_rate = rng.beta(7, 3, schools)[school_of]
    informed = pd.arrays.BooleanArray(rng.random(n) < informed_rate, rng.random(n) < 0.04)

    shift = rng.normal(0, 0.6, schools)[school_of]
    satisfaction = np.clip(np.rint(rng.normal(3.8, 1.0, n) + shift), 1, 5)
    satisfaction[rng.random(n) < 0.06] = np.nan

    # A multiple choice as lists: one list per combination of the 5 options, shared.
    chances = np.array([0.55, 0.3, 0.4, 0.2, 0.6])
    ticked = rng.random((n, len(ACTIVITIES))) < chances
    combination = ticked @ (1 << np.arange(len(ACTIVITIES)))
    lists = np.empty(1 << len(ACTIVITIES), dtype=object)
    for mask in range(len(lists)):
        lists[mask] = [a for bit, a in enumerate(ACTIVITIES) if mask >> bit & 1]
    activities = lists[combination]
    activities[rng.random(n) < 0.05] = None

    events = rng.poisson(3.0, n).astype("float64")
    events[rng.random(n) < 0.08] = np.nan

    columns: dict[str, Any] = {
        "unit_id": pd.Series(unit_ids, dtype="int64"),
        "activities": pd.Series(activities, dtype="object"),
        "events": pd.Series(events, dtype="float64"),
        "grade": pd.Series(grade, dtype="object"),
        "informed": pd.Series(informed, dtype="boolean"),
        "satisfaction": pd.Series(satisfaction, dtype="float64"),
    }
    shape = answers_frame(spec, [])
    frame = pd.DataFrame({name: columns[name] for name in shape.columns})
    assert frame.dtypes.equals(shape.dtypes), (frame.dtypes, shape.dtypes)
    return frame


# --- the baseline: the same numbers with bare pandas --------------------------------


def ticked(choices: pd.Series, options: Sequence[str]) -> list[np.ndarray]:
    """Per response and option: whether the multiple choice holds the option. The lists
    are exploded once (one row per tick, indexed by the response's position) and compared
    at once, no Python per response."""
    ticks = choices.explode()
    by, option = ticks.index.to_numpy(), ticks.to_numpy()
    return [np.bincount(by[option == o], minlength=len(choices)) > 0 for o in options]


def response_terms(answers: pd.DataFrame) -> pd.DataFrame:
    """Per response, each term an indicator adds up (a count is a 0/1 column)."""
    informed = answers["informed"]
    informed_known = informed.notna().to_numpy()
    informed_true = informed.fillna(False).to_numpy(dtype=bool)
    satisfaction = answers["satisfaction"].to_numpy()
    satisfaction_known = ~np.isnan(satisfaction)
    satisfied = satisfaction >= 4
    events = answers["events"].to_numpy()
    activities = answers["activities"].reset_index(drop=True)
    trips, tests = ticked(activities, ["trips", "tests"])
    grade = answers["grade"]
    return pd.DataFrame(
        {
            "responses": np.ones(len(answers), dtype="int64"),
            "informed_true": informed_true,
            "informed_known": informed_known,
            "satisfied": satisfied,
            "satisfaction_known": satisfaction_known,
            "satisfaction_sum": np.nan_to_num(satisfaction),
            "trips": trips,
            "tests": tests,
            "activities_known": activities.notna().to_numpy(),
            "events_known": ~np.isnan(events),
            "events_sum": np.nan_to_num(events),
            "seniors": grade.isin(["10", "11"]).to_numpy(),
            "grade_known": grade.notna().to_numpy(),
            "informed_satisfied": informed_true & satisfied,
            "informed_or_satisfaction_known": informed_known | satisfaction_known,
        }
    )


# Survey figures of fewer respondents than the form's smallest group are not shown, to
# keep them anonymous (the engine's rule, so the baseline's too): the respondents are the
# responses that answered what the formula reads.
RESPONDENTS = {
    "informed_share": "informed_known",
    "satisfied_share": "satisfaction_known",
    "satisfaction_mean": "satisfaction_known",
    "trips_count": "activities_known",
    "tests_share": "activities_known",
    "events_mean": "events_known",
    "events_per_100": "events_known",
    "seniors_share": "grade_known",
    "informed_satisfied": "informed_or_satisfaction_known",
}


def indicator_values(sums: pd.DataFrame, headcount: pd.Series) -> pd.DataFrame:
    """The 9 indicators from the summed terms of each group (NaN: a group without
    responses), in numpy: a handful of operations over a few thousand groups."""
    term = {name: sums[name].to_numpy(dtype="float64") for name in sums.columns}

    def ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(bottom != 0, top / bottom, np.nan)

    events_sum = np.where(term["events_known"] > 0, term["events_sum"], np.nan)
    values = {
        "informed_share": ratio(term["informed_true"], term["informed_known"]) * 100,
        "satisfied_share": ratio(term["satisfied"], term["satisfaction_known"]) * 100,
        "satisfaction_mean": ratio(term["satisfaction_sum"], term["satisfaction_known"]),
        "trips_count": term["trips"],
        "tests_share": ratio(term["tests"], term["activities_known"]) * 100,
        "events_mean": ratio(term["events_sum"], term["events_known"]),
        "events_per_100": ratio(events_sum, headcount.to_numpy(dtype="float64")) * 100,
        "seniors_share": ratio(term["seniors"], term["grade_known"]) * 100,
        "informed_satisfied": term["informed_satisfied"],
    }
    for indicator, known in RESPONDENTS.items():
        answering = np.nan_to_num(term[known])
        too_few = (answering > 0) & (answering < MIN_GROUP_SIZE)
        values[indicator] = np.where(too_few, np.nan, values[indicator])
    return pd.DataFrame(values, index=sums.index)


def baseline(units: pd.DataFrame, answers: pd.DataFrame, figures: pd.DataFrame) -> dict[str, Any]:
    """Per level: a frame of the indicators' values per group (every expected group,
    NaN where there is no value), the units that answered and were expected, and the
    responses and headcount of the response rate.

    The fastest plain way: the terms are summed over the responses once, per unit, and
    each level sums its units' totals (every term is a count or a sum of whole numbers, so
    no rounding differs from summing the responses per level)."""
    per_unit = response_terms(answers).groupby(answers["unit_id"].to_numpy()).sum()
    low, high = HEADCOUNT_GRADES
    chosen_figures = figures[
        (figures["figure"] == "pupils") & (figures["grade"] >= low) & (figures["grade"] <= high)
    ]
    pupils = chosen_figures.groupby("unit_id")["value"].sum()
    levels: dict[str, Any] = {}
    for level in LEVELS:
        place = units[level].dropna().astype("int64")
        groups = pd.Index(np.sort(place.unique()))
        answering_place = place.reindex(per_unit.index).to_numpy()
        sums = per_unit.groupby(answering_place).sum().reindex(groups)
        headcount = pupils.groupby(place.reindex(pupils.index).to_numpy()).sum().reindex(groups)
        levels[level] = {
            "values": indicator_values(sums, headcount),
            "answered": pd.Series(answering_place).value_counts().reindex(groups, fill_value=0),
            "expected": place.value_counts().reindex(groups),
            "responses": sums["responses"].fillna(0),
            "headcount": headcount,
        }
    return levels


def check_same(computed: Computed, expected: dict[str, Any]) -> None:
    """The engine and the baseline give the same numbers, group by group."""
    values = pd.DataFrame(
        [(v.indicator, v.level, v.group, v.value, v.answered, v.expected) for v in computed.values],
        columns=["indicator", "level", "group", "value", "answered", "expected"],
    )
    values["value"] = values["value"].astype("float64")
    rates = pd.DataFrame(
        [(p.level, p.group, p.responses, p.headcount) for p in computed.participation],
        columns=["level", "group", "responses", "headcount"],
    ).astype({"headcount": "float64"})
    for level in LEVELS:
        base = expected[level]
        groups = base["values"].index
        at_level = values[values["level"] == level]
        for indicator in (i["id"] for i in INDICATORS):
            mine = at_level[at_level["indicator"] == indicator].set_index("group")
            assert mine.index.equals(groups), (level, indicator)
            assert np.allclose(
                mine["value"].to_numpy(),
                base["values"][indicator].to_numpy(),
                rtol=1e-9,
                atol=1e-9,
                equal_nan=True,
            ), (level, indicator)
            assert (mine["answered"].to_numpy() == base["answered"].to_numpy()).all()
            assert (mine["expected"].to_numpy() == base["expected"].to_numpy()).all()
        rate = rates[rates["level"] == level].set_index("group")
        assert rate.index.equals(groups), level
        assert (rate["responses"].to_numpy() == base["responses"].to_numpy()).all(), level
        assert np.allclose(
            rate["headcount"].to_numpy(), base["headcount"].to_numpy(), equal_nan=True
        ), level


# --- answers_frame, informational ----------------------------------------------------


def as_responses(frame: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    """The stored JSON answers the frame's rows came from (a skipped question is absent)."""
    names = [c for c in frame.columns if c != "unit_id"]
    columns = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in names]
    numbers = {"events", "satisfaction"}
    responses = []
    for unit, *row in zip(frame["unit_id"].tolist(), *columns, strict=True):
        answers = {
            name: int(value) if name in numbers else value
            for name, value in zip(names, row, strict=True)
            if value is not None
        }
        responses.append((int(unit), answers))
    return responses


def records_baseline(
    responses: list[tuple[int, dict[str, Any]]], shape: pd.DataFrame
) -> pd.DataFrame:
    names = [c for c in shape.columns if c != "unit_id"]
    frame = pd.DataFrame.from_records([a for _, a in responses], columns=names)
    frame.insert(0, "unit_id", np.fromiter((u for u, _ in responses), "int64", len(responses)))
    for name in names:
        dtype = shape[name].dtype
        if dtype == np.dtype(object):
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame


def time_answers_frame(spec: FormSpec, answers: pd.DataFrame, repeats: int) -> None:
    part = answers.iloc[:ANSWERS_FRAME_ROWS].reset_index(drop=True)
    responses = as_responses(part)
    took, built = best_of(lambda: answers_frame(spec, responses), repeats)
    pd.testing.assert_frame_equal(built, part)  # the fast path has answers_frame's shape
    plain, made = best_of(lambda: records_baseline(responses, part), repeats)
    pd.testing.assert_frame_equal(made, part)
    report(
        f"answers_frame, {len(part):,} JSON answers to columns (informational)",
        took,
        plain,
        script=SCRIPT,
    )


def profile(engine: Engine) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    engine.compute()
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true", help="profile one engine run")
    args = parser.parse_args()
    size = scale()
    spec = compile_document(survey_document()).spec
    country = build_country(size, spec, np.random.default_rng(SEED))
    groups = sum(int(country.units[level].nunique()) for level in LEVELS)
    note(
        f"indicators ({size.name}): {size.regions:,} regions, {size.municipalities:,}"
        f" municipalities, {size.schools:,} schools, {len(country.answers):,} responses,"
        f" {len(INDICATORS)} indicators × {groups:,} groups",
        script=SCRIPT,
    )

    def compute() -> Computed:
        engine = Engine(spec, country.units, country.answers, country.figures, year=YEAR)
        return engine.compute()

    if args.profile:
        profile(Engine(spec, country.units, country.answers, country.figures, year=YEAR))
        return
    measured, computed = best_of(compute, size.repeats)
    plain, expected = best_of(
        lambda: baseline(country.units, country.answers, country.figures), size.repeats
    )
    check_same(computed, expected)
    report(
        f"all {len(INDICATORS)} indicators of a survey at all levels, {len(country.answers):,}"
        " responses (a new Engine's compute vs plain pandas groupby)",
        measured,
        plain,
        goal=GOAL,
        script=SCRIPT,
    )
    time_answers_frame(spec, country.answers, min(size.repeats, 2))
    note(f"indicators ({size.name}): peak memory {peak_rss_mb():,.0f} MB", script=SCRIPT)


if __name__ == "__main__":
    main()
