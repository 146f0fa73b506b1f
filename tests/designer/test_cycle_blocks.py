"""The blocks of a form the designer has no pages for yet — its recommendations and the
kinds of measures it lists (issue 26) — survive every save the designer makes, and a
change of them is listed on the publish page."""

from __future__ import annotations

import copy
import json

from collector.schema import compile_document
from tests.designer.fixtures import REPORT, add, draft, draft_id_of, publish_report, save

RECOMMENDATIONS = [
    {
        "id": "rec_plan",
        "title": "План профориентации",
        "text": "Утвердить план профориентационной работы.",
        "indicators": ["plans"],
        "when": ["below_target", "worse_than_last"],
        "source": {"clause": "13"},
    }
]
MEASURE_KINDS = [
    {"value": "training", "label": "Повышение квалификации"},
    {"value": "meetings", "label": "Совещания"},
]


def report_with_cycle() -> dict:
    report = copy.deepcopy(REPORT)
    report["indicators"] = [
        {
            "id": "plans",
            "title": "Школы с планом",
            "formula": 'count_if(has_plan = "yes")',
            "source": {"clause": "1"},
        }
    ]
    report["recommendations"] = copy.deepcopy(RECOMMENDATIONS)
    report["measure_kinds"] = copy.deepcopy(MEASURE_KINDS)
    return report


def kept(draft_id: int) -> None:
    document = draft(draft_id).document
    assert document["recommendations"] == RECOMMENDATIONS
    assert document["measure_kinds"] == MEASURE_KINDS
    spec = compile_document(copy.deepcopy(document)).spec
    assert [r.id for r in spec.recommendations] == ["rec_plan"]
    assert [k.value for k in spec.measure_kinds] == ["training", "meetings"]


def test_designer_saves_keep_recommendations_and_measure_kinds(designer, tree):
    version = publish_report(tree["region"], report_with_cycle())
    draft_id = draft_id_of(designer.post(f"/designer/versions/{version.id}/revise", data={}))
    kept(draft_id)
    identity = {
        "id": "career-report",
        "title_ru": "Отчёт о профориентации, ред. 2",
        "kind": "unit_report",
        "unit_types": "school",
    }
    assert save(designer, draft_id, "identity", identity).status_code == 302
    kept(draft_id)
    typed = {"id": "plans", "title_ru": "Школы с планом", "formula": 'count_if(has_plan = "yes")'}
    assert save(designer, draft_id, "indicator-0", typed).status_code == 302
    kept(draft_id)
    field = add(designer, draft_id, "field", section="0", type="integer")
    saved = save(
        designer, draft_id, field, {"id": "trips", "type": "integer", "label_ru": "Экскурсий"}
    )
    assert saved.status_code == 302
    assert add(designer, draft_id, "rules") == "rule-0"
    removed = designer.post(
        f"/designer/drafts/{draft_id}/remove",
        data={"element": "rule-0", "revision": str(draft(draft_id).revision)},
    )
    assert removed.status_code == 302
    kept(draft_id)
    assert draft(draft_id).document["title"] == "Отчёт о профориентации, ред. 2"


def test_the_publish_page_lists_a_changed_recommendation_and_kind(designer, tree):
    version = publish_report(tree["region"], report_with_cycle())
    draft_id = draft_id_of(designer.post(f"/designer/versions/{version.id}/revise", data={}))
    document = copy.deepcopy(draft(draft_id).document)
    document["recommendations"][0]["text"] = "Утвердить и исполнять план."
    document["measure_kinds"] = MEASURE_KINDS[:1]
    posted = designer.post(
        f"/designer/drafts/{draft_id}/json",
        data={"revision": str(draft(draft_id).revision), "document": json.dumps(document)},
    )
    assert posted.status_code == 302
    page = designer.get(f"/designer/drafts/{draft_id}/publish").get_data(as_text=True)
    assert "No changes: there is nothing to publish." not in page
    assert 'data-kind="recommendation_changed"' in page
    assert 'data-kind="measure_kind_removed"' in page
    assert "Recommendation changed" in page and "Kind of measure removed" in page
    assert "Утвердить и исполнять план." in page


def test_a_recommendation_is_added_and_edited_in_the_designer(designer, tree):
    version = publish_report(tree["region"], report_with_cycle())
    draft_id = draft_id_of(designer.post(f"/designer/versions/{version.id}/revise", data={}))
    page = designer.get(f"/designer/drafts/{draft_id}?element=recommendation-0")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Утвердить план профориентационной работы." in html
    # A new one: proposed for the form's first indicator below its target, until written.
    assert add(designer, draft_id, "recommendations") == "recommendation-1"
    added = draft(draft_id).document["recommendations"][1]
    assert (added["id"], added["indicators"], added["when"]) == (
        "recommendation_1",
        ["plans"],
        ["below_target"],
    )
    typed = {
        "id": "rec_events",
        "title_ru": "Мероприятия",
        "text_ru": "Провести профориентационные мероприятия.",
        "indicators": "plans",
        "when": ["lowest_quartile", "worse_than_last"],
        "source_clause": "13",
    }
    assert save(designer, draft_id, "recommendation-1", typed).status_code == 302
    saved = draft(draft_id).document["recommendations"][1]
    assert saved == {
        "id": "rec_events",
        "title": "Мероприятия",
        "text": "Провести профориентационные мероприятия.",
        "indicators": ["plans"],
        "when": ["lowest_quartile", "worse_than_last"],
        "source": {"clause": "13"},
    }
    # The first is untouched, the kinds of measures too; the form compiles.
    assert draft(draft_id).document["recommendations"][0] == RECOMMENDATIONS[0]
    assert draft(draft_id).document["measure_kinds"] == MEASURE_KINDS
    spec = compile_document(copy.deepcopy(draft(draft_id).document)).spec
    assert [r.id for r in spec.recommendations] == ["rec_plan", "rec_events"]
    # A reason not offered is refused beside the boxes; nothing typed is lost.
    refused = save(designer, draft_id, "recommendation-1", typed | {"when": "someday"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200  # the editor again, as for every element's form
    assert 'data-testid="list-error"' in html and "Провести профориентационные мероприятия." in html
    assert draft(draft_id).document["recommendations"][1]["when"] == typed["when"]
    # Removed: the publish page lists it.
    removed = designer.post(
        f"/designer/drafts/{draft_id}/remove",
        data={"element": "recommendation-0", "revision": str(draft(draft_id).revision)},
    )
    assert removed.status_code == 302
    publish_page = designer.get(f"/designer/drafts/{draft_id}/publish").get_data(as_text=True)
    assert 'data-kind="recommendation_removed"' in publish_page
    assert 'data-kind="recommendation_added"' in publish_page
