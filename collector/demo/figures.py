"""Plausible reference figures for a demo school, from its size and the grades it teaches.
Deterministic: the school's code seeds the numbers."""

from __future__ import annotations

import random

from collector.demo.kaluga import SEED, DemoUnit

# Pupils per class and classes per grade, by setting.
_CLASS_SIZE = {"city": (22, 30), "centre": (16, 26), "village": (3, 12)}
_CLASSES = {"city": (2, 4), "centre": (1, 2), "village": (1, 1)}

Figures = dict[tuple[str, int], int]


def school_figures(school: DemoUnit) -> Figures:
    rng = random.Random(f"{SEED}-{school.code}")
    low, high = _CLASS_SIZE[school.setting]
    figures: Figures = {}
    classes_by_grade: dict[int, int] = {}
    for grade in range(1, school.top_grade + 1):
        # Fewer classes in grades 10–11: many leave for colleges after grade 9.
        classes = rng.randint(*_CLASSES[school.setting])
        if grade >= 10:
            classes = max(1, classes - 1)
        pupils = sum(rng.randint(low, high) for _ in range(classes))
        classes_by_grade[grade] = classes
        figures[("pupils", grade)] = pupils
        figures[("pupils_ovz", grade)] = rng.randint(0, pupils // 12)
        figures[("pupils_disabled", grade)] = rng.randint(0, pupils // 30)
    for grade in (9, 11):
        if grade <= school.top_grade:
            pupils = figures[("pupils", grade)]
            figures[("graduates", grade)] = max(0, pupils - rng.randint(0, 2))
    classes = sum(classes_by_grade.values())
    upper = sum(c for g, c in classes_by_grade.items() if g >= 5)
    primary = sum(c for g, c in classes_by_grade.items() if g <= 4)
    subject = max(1, upper // 5) if upper else 0
    staff = {
        "class_teachers": classes,
        "teachers_primary": primary,
        "teachers_math": max(1, upper // 4) if upper else 0,
        "teachers_physics": subject,
        "teachers_informatics": subject,
        "teachers_chemistry": subject if school.top_grade >= 9 else 0,
        "teachers_biology": subject,
        "teachers_technology": subject,
        "deputy_directors": 1 + (classes > 15) + (classes > 30) + (school.setting == "city"),
        "psychologists": rng.randint(1, 2) if school.setting == "city" else rng.randint(0, 1),
        "social_pedagogues": rng.randint(0, 1 + (school.setting == "city")),
    }
    staff["teachers_total"] = (
        sum(v for k, v in staff.items() if k.startswith("teachers_"))
        + round(upper * 0.8)
        + staff["psychologists"]
        + staff["social_pedagogues"]
    )
    figures.update({(key, 0): value for key, value in staff.items()})
    return figures
