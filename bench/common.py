"""Shared by the benchmarks: the scale of a run, timing, the survey they all use, and the
report lines (printed, and collected for docs/performance.md by bench/run_all.py).

    SCALE=tiny      a smoke run for CI: every benchmark runs, nothing is written to the docs
    SCALE=small     (default) about 1/20 of the country, well under two minutes in all
    SCALE=national  85 regions, 2,300 municipalities, 40,000 schools, 1,000,000 responses
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# bench/run_all.py names a file here; each measure is appended to it as one JSON line.
RESULTS_ENV = "BENCH_RESULTS"


@dataclass(frozen=True)
class Scale:
    name: str
    regions: int
    municipalities: int
    schools: int
    responses: int
    # Survey answers sent over HTTP to each server (the Collector's, the minimal one).
    submissions: int
    # Best of how many runs of the indicator computation.
    repeats: int


SCALES = {
    # A smoke run for CI (`make bench-smoke`): every benchmark runs, the ratios are printed
    # but mean little at this size, and docs/performance.md is not written.
    "tiny": Scale("tiny", 2, 6, 60, 2_000, 200, 1),
    "small": Scale("small", 4, 115, 2_000, 50_000, 2_000, 3),
    "national": Scale("national", 85, 2_300, 40_000, 1_000_000, 20_000, 2),
}


def scale() -> Scale:
    name = os.environ.get("SCALE", "small").strip().lower() or "small"
    if name not in SCALES:
        raise SystemExit(f"SCALE must be one of {', '.join(SCALES)}, not {name!r}")
    return SCALES[name]


def best_of(function: Callable[[], T], repeats: int) -> tuple[float, T]:
    """The shortest wall time of `repeats` calls (at least one), in seconds, and the last
    call's result."""
    start = time.perf_counter()
    result = function()
    best = time.perf_counter() - start
    for _ in range(repeats - 1):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_rss_mb() -> float:
    """The largest resident memory this process has had so far (Linux: ru_maxrss is KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class Measure:
    script: str
    name: str
    measured: float
    baseline: float
    unit: str  # "s" (lower is better) or "req/s" (higher is better)
    ratio: float  # how many times slower than the baseline
    goal: float | None
    met: bool | None
    line: str


def figure_text(value: float, unit: str) -> str:
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    if value < 1e-3:
        return f"{value * 1e6:,.1f} µs"
    if value < 1:
        return f"{value * 1e3:,.1f} ms"
    return f"{value:,.2f} s"


def measure_of(
    name: str,
    measured: float,
    baseline: float,
    goal: float | None = None,
    unit: str = "s",
    script: str = "",
) -> Measure:
    """A figure against its baseline: their ratio (times slower than the baseline: a time
    over the baseline's time, or the baseline's rate over a rate) and whether the goal (at
    most that ratio) is met, with the line that says so."""
    ratio = baseline / measured if unit == "req/s" else measured / baseline
    met = None if goal is None else ratio <= goal
    verdict = "no goal" if goal is None else f"goal ≤ {goal:g}: {'met' if met else 'missed'}"
    line = (
        f"{name}: {figure_text(measured, unit)} vs baseline {figure_text(baseline, unit)}"
        f" → ratio {ratio:.2f} ({verdict})"
    )
    return Measure(script, name, measured, baseline, unit, ratio, goal, met, line)


def report(
    name: str,
    measured: float,
    baseline: float,
    goal: float | None = None,
    unit: str = "s",
    script: str = "",
) -> Measure:
    """Print the measure's line and keep it for the docs."""
    measure = measure_of(name, measured, baseline, goal, unit, script)
    print(measure.line, flush=True)
    _record({"kind": "measure", **asdict(measure)})
    return measure


def note(text: str, script: str = "") -> None:
    """An informational line (sizes, the database used): printed and kept for the docs."""
    print(text, flush=True)
    _record({"kind": "note", "script": script, "line": text})


def _record(entry: dict[str, Any]) -> None:
    path = os.environ.get(RESULTS_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")


# The survey both benchmarks use: a parents' poll as a region would run it, with a field
# of each kind the indicators count (one choice, yes/no, a 5-point rating, a multiple
# choice of 5 options, a whole number) and a headcount for the response rate.
ACTIVITIES = ("tests", "trips", "meetings", "internships", "online")
GRADES = ("8", "9", "10", "11")

INDICATORS: list[dict[str, Any]] = [
    {"id": "informed_share", "title": "Знают о профориентации", "formula": "share(informed)"},
    {
        "id": "satisfied_share",
        "title": "Удовлетворены (4–5 баллов)",
        "formula": "share(satisfaction >= 4)",
        "targets": {"2025": 70},
    },
    {"id": "satisfaction_mean", "title": "Средняя оценка", "formula": "mean(satisfaction)"},
    {
        "id": "trips_count",
        "title": "Ответы с экскурсиями на предприятия",
        "formula": 'count_if(selected(activities, "trips"))',
    },
    {
        "id": "tests_share",
        "title": "Прошли профориентационное тестирование",
        "formula": 'share(selected(activities, "tests"))',
    },
    {"id": "events_mean", "title": "Мероприятий на ответ", "formula": "mean(events)"},
    {
        "id": "events_per_100",
        "title": "Посещений мероприятий на 100 обучающихся 8–11 классов",
        "formula": 'sum(events) / figure("pupils", 8, 11) * 100',
    },
    {
        "id": "seniors_share",
        "title": "Ответы родителей старшеклассников",
        "formula": 'share(grade == "10" or grade == "11")',
    },
    {
        "id": "informed_satisfied",
        "title": "Знают и удовлетворены",
        "formula": "count_if(informed and satisfaction >= 4)",
    },
]


def survey_document() -> dict[str, Any]:
    return {
        "id": "bench-parent-poll",
        "version": 1,
        "title": {"ru": "Опрос родителей о профориентации", "en": "Parent poll on guidance"},
        "kind": "survey",
        "respondents": {
            "unit_types": ["school"],
            "anonymous": True,
            "multiple_per_browser": True,
            "headcount": 'figure("pupils", 8, 11)',
        },
        "source": {"document": "Синтетическая анкета для замеров производительности"},
        "sections": [
            {
                "id": "poll",
                "title": "Профориентация",
                "fields": [
                    {
                        "id": "grade",
                        "type": "single_choice",
                        "label": "В каком классе учится ваш ребёнок?",
                        "required": True,
                        "options": [{"value": g, "label": f"{g} класс"} for g in GRADES],
                    },
                    {
                        "id": "informed",
                        "type": "yes_no",
                        "label": "Знаете ли вы о профориентационных мероприятиях школы?",
                    },
                    {
                        "id": "satisfaction",
                        "type": "rating",
                        "label": "Оцените профориентационную работу школы",
                        "scale": {"min": 1, "max": 5},
                    },
                    {
                        "id": "activities",
                        "type": "multiple_choice",
                        "label": "В чём ребёнок участвовал в этом году?",
                        "options": [
                            {"value": "tests", "label": "Профориентационное тестирование"},
                            {"value": "trips", "label": "Экскурсии на предприятия"},
                            {"value": "meetings", "label": "Встречи с представителями профессий"},
                            {"value": "internships", "label": "Профессиональные пробы"},
                            {"value": "online", "label": "Онлайн-уроки «Проектории»"},
                        ],
                    },
                    {
                        "id": "events",
                        "type": "integer",
                        "label": "Сколько профориентационных мероприятий посетил ребёнок?",
                        "min": 0,
                        "max": 100,
                    },
                ],
            }
        ],
        "indicators": [
            {"source": {"document": "Синтетическая анкета"}, **indicator}
            for indicator in INDICATORS
        ],
    }


def _status_kb(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith(field))


def start_peak() -> int:
    """This process's resident memory now, its peak reset to it (Linux: clear_refs 5), so
    that what an export adds is measured apart from what was loaded before it."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kb("VmRSS:")


def peak_since(base: int) -> float:
    """The MB this process's peak grew by since `start_peak` gave `base`."""
    return (_status_kb("VmHWM:") - base) / 1024
