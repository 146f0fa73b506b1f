"""The Russian catalogue covers every interface text, and the template is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "collector" / "translations"


def message_ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_every_message_has_a_russian_translation():
    with (TRANSLATIONS / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    untranslated = [m.id for m in catalogue if m.id and not m.string]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_catalogue_holds_every_text_of_the_source(tmp_path: Path):
    """Fails when a text was added without `make messages` and a translation."""
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "mark_for_translation",
            "-o",
            str(fresh),
            str(ROOT),
        ]
    )
    in_source = message_ids(fresh)
    translated = message_ids(TRANSLATIONS / "ru" / "LC_MESSAGES" / "messages.po")
    assert sorted(in_source - translated) == []
