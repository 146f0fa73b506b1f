"""A small registry of profile classes (Tomsk 2016, row 4.3 in miniature) for the
registry tests."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from collector.extensions import db
from collector.publishing.services import publish
from collector.registries.services import Registry, registry
from collector.schema import compile_document
from tests.campaigns.factories import new_campaign

CLASSES: dict[str, Any] = {
    "id": "test-classes",
    "version": 1,
    "kind": "registry",
    "title": {"ru": "Реестр профильных классов", "en": "Profile classes"},
    "respondents": {"unit_types": ["school"], "roles": ["school_respondent"]},
    "source": {"document": "Концепция 2016", "clause": "5.2, строка 4.3", "seed": "000"},
    "registry": {
        "record_title": "class_name",
        "public": True,
        "summaries": [
            {"id": "by_profile", "title": "Классы по профилям", "by": "profile", "sum": "pupils"},
            {"id": "by_customer", "title": "Классы по заказчикам", "by": "customer"},
        ],
    },
    "sections": [
        {
            "id": "passport",
            "title": "Паспорт класса",
            "fields": [
                {
                    "id": "class_name",
                    "type": "text",
                    "label": "Наименование класса",
                    "required": True,
                },
                {
                    "id": "profile",
                    "type": "single_choice",
                    "label": "Профиль программы",
                    "required": True,
                    "options": [
                        {"value": "tech", "label": "Технологический"},
                        {"value": "science", "label": "Естественно-научный"},
                    ],
                },
                {"id": "customer", "type": "text", "label": "Базовая организация – заказчик"},
                {
                    "id": "pupils",
                    "type": "integer",
                    "label": "Контингент обучающихся",
                    "unit": "чел.",
                    "min": 0,
                    "max": 40,
                },
                {"id": "curator", "type": "person", "label": "Куратор класса"},
                {"id": "budget", "type": "integer", "label": "Финансирование", "public": False},
            ],
        }
    ],
    "indicators": [
        {
            "id": "classes",
            "code": "4.3",
            "title": "Число профильных классов",
            "unit": "ед.",
            "formula": "count_if(true)",
            "source": {"clause": "4.3"},
        },
        {
            "id": "tech_classes",
            "title": "Классы технологического профиля",
            "unit": "ед.",
            "formula": 'count_if(profile = "tech")',
            "source": {"clause": "4.3"},
        },
        {
            "id": "pupils_total",
            "title": "Обучающихся в профильных классах",
            "unit": "чел.",
            "formula": "sum(pupils)",
            "source": {"clause": "4.3"},
        },
    ],
}


def classes_document() -> dict[str, Any]:
    return copy.deepcopy(CLASSES)


def publish_classes() -> Registry:
    publish(db.session, compile_document(classes_document()), None)
    db.session.commit()
    return registry(db.session, "test-classes")


def passport(name: str, profile: str = "tech", pupils: int = 25, **more: Any) -> dict[str, Any]:
    return {"class_name": name, "profile": profile, "pupils": pupils, **more}


def registry_campaign(tree: dict[str, Any], people: dict[str, Any], title: str) -> Any:
    """An open campaign of the classes registry: every school of the first region is to
    confirm its classes."""
    publish_classes()
    return new_campaign(
        tree,
        people,
        deadline=datetime(2027, 5, 30, 18, 0),
        document=classes_document(),
        title=title,
        opened=True,
    )
