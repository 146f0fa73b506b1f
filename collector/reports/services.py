"""A campaign's indicators for a user: the engine's inputs read from the database within
the user's subtree (expected units with their places in the tree, counted responses,
reference figures of the campaign's year), and the results cut to the groups the user
may see."""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.campaigns.services import review_scopes
from collector.indicators.coded import CodedColumn
from collector.indicators.engine import Computed, Engine, IndicatorValue, Participation
from collector.indicators.frame import (
    LEVELS,
    UnitPlace,
    units_frame,
)
from collector.models import (
    AuditEvent,
    Campaign,
    CampaignDataVersion,
    FormResponse,
    ImportBatch,
    OrgUnit,
    ReferenceFigure,
    User,
)
from collector.models.units import UnitLike, UnitRecord, tree_key
from collector.publishing.versions import spec_of
from collector.reports import snapshots
from collector.reports.inputs import read_inputs
from collector.reports.kept_answers import INDEX_COLUMN, column_of, columns_of, frame_of
from collector.reports.refused import Refused
from collector.reports.units import ReportUnits
from collector.schema.spec import FormSpec


class Basis(enum.StrEnum):
    """Which unit reports count: the accepted ones (the default), or all submitted."""

    ACCEPTED = "accepted"
    SUBMITTED = "submitted"


COUNTED = {
    Basis.ACCEPTED: ("accepted",),
    Basis.SUBMITTED: ("submitted", "resubmitted", "accepted"),
}
LEVEL_OF_TYPE = {"region": "region", "municipality": "municipality"}
# The shape of a kept snapshot; changed with what it holds (2: figures missing counted;
# 3: precision per indicator, missing figures of a sum named; 4: the answers kept
# column by column beside it, read only when a view needs them; 5: the reference figures
# kept there too, read only by a view that computes again; statuses as codes).
SNAPSHOT_FORMAT = 5
# The reference figures' name among the kept columns (no field's id begins with NUL).
FIGURES_KEPT = "\x00figures"
T = TypeVar("T")
logger = logging.getLogger(__name__)


def level_of(unit: UnitLike) -> str:
    return LEVEL_OF_TYPE.get(unit.unit_type, "school")


# Reads the named columns of the answers the figures are of (None: every column).
AnswersReader = Callable[[Sequence[str] | None], pd.DataFrame]


@dataclass
class Report:
    campaign: Campaign
    spec: FormSpec
    basis: Basis
    computed: Computed
    units: ReportUnits  # every unit a group or an expected unit refers to
    scopes: list[str]
    unit_frame: pd.DataFrame
    # The answers are read when a view asks for them: the figures and the kept views
    # need none, and a million answers' frame is hundreds of MB.
    read_answers: AnswersReader
    read_column: Callable[[str], pd.Series | CodedColumn | None]
    answer_count: int = 0
    # The reference figures are read when a view computes again (by respondent group, per
    # unit for analysis): a page of the kept figures and the export need none.
    read_figures: Callable[[], pd.DataFrame | None] = lambda: None
    # Stored values no door accepts now, left out of every figure and named on the page.
    refused: Refused = Refused(0, ())
    # The data stamp the figures are of (collector.reports.snapshots); empty: not kept.
    stamp: str = ""
    _answers: pd.DataFrame | None = dataclasses.field(default=None, repr=False)
    _figures: pd.DataFrame | None = dataclasses.field(default=None, repr=False)
    # By unit id: the groups within it (Report._groups_of), found once per Report.
    _groups_within: dict[int, set[int]] = dataclasses.field(default_factory=dict, repr=False)
    # By (groups array, root): Report._under's positions, with the array they are of.
    _positions: dict[tuple[int, int], tuple[Any, list[int]]] = dataclasses.field(
        default_factory=dict, repr=False
    )

    @property
    def answers(self) -> pd.DataFrame:
        """Every column of the answers the figures are of."""
        if self._answers is None:
            self._answers = self.read_answers(None)
        return self._answers

    @property
    def figures(self) -> pd.DataFrame | None:
        """The reference figures the indicators were computed with."""
        if self._figures is None:
            self._figures = self.read_figures()
        return self._figures

    def answer_column(self, name: str) -> pd.Series | CodedColumn | None:
        """One column of the answers as kept: a choice or text column as codes into its
        distinct values (collector.indicators.coded) when it is read from the snapshot."""
        if self._answers is not None:
            return self._answers[name] if name in self._answers.columns else None
        return self.read_column(name)

    def remember(self, part: Hashable, compute: Callable[[], T]) -> T:
        """A view of these figures (`part` names it and its choices), computed once per
        data stamp and kept beside the snapshot."""
        if not self.stamp:
            return compute()
        return snapshots.remembered(
            self.campaign.id, self.basis.value, self.scopes, self.stamp, part, compute
        )

    def visible(self, group: int) -> bool:
        unit = self.units.get(group)
        return unit is not None and self._in_scopes(unit)

    def _in_scopes(self, unit: UnitLike) -> bool:
        return any(unit.path.startswith(p) for p in self.scopes)

    def _under(self, groups: Any, root: OrgUnit) -> list[int]:
        """Positions of the groups the user sees within `root`'s subtree, in the tree's
        order of their units (numbers in names as numbers). Found once per level's
        groups and root: a level's tables share one array of groups."""
        key = (id(groups), root.id)
        kept = self._positions.get(key)
        if kept is not None and kept[0] is groups:
            return kept[1]
        # A root holding every scope holds every group the user sees: no lookup.
        whole = all(scope.startswith(root.path) for scope in self.scopes)
        near = None if whole else self._groups_of(root)
        units = self.units
        found = []
        for i, group in enumerate(groups.tolist()):  # the tables' arrays of group ids
            if near is not None and group not in near:
                continue
            unit = units.get(group)
            if unit is not None and unit.path.startswith(root.path) and self._in_scopes(unit):
                found.append((tree_key(unit), i))
        found.sort()
        positions = [i for _key, i in found]
        self._positions[key] = (groups, positions)
        return positions

    def _groups_of(self, root: UnitLike) -> set[int]:
        """Every group an expected unit within `root` counts in (`root` and the groups
        above it among them), from the unit frame: a municipality's page then reads the
        records of its own schools, not of every school of the country."""
        if root.id not in self._groups_within:
            frame = self.unit_frame
            level = level_of(root)
            inside = frame[frame[level].eq(root.id).fillna(False).to_numpy(dtype=bool)]
            self._groups_within[root.id] = {
                int(group) for column in LEVELS for group in inside[column].dropna()
            }
        return self._groups_within[root.id]

    def value(self, indicator: str, group: int) -> IndicatorValue | None:
        unit = self.units.get(group)
        if unit is None or not self.visible(group):
            return None
        return self.computed.value(indicator, level_of(unit), group)

    def values_at(self, indicator: str, level: str, root: OrgUnit) -> list[IndicatorValue]:
        """The indicator for each visible group of a level within `root`'s subtree."""
        table = self.computed.tables.get((indicator, level))
        if table is None:
            return []
        return [table.row(i) for i in self._under(table.groups, root)]

    def values_under(self, indicator: str, root: OrgUnit) -> list[IndicatorValue]:
        """The indicator for each visible group one level below `root`."""
        return self.values_at(indicator, child_level(root), root)

    def participation(self, group: int) -> Participation | None:
        unit = self.units.get(group)
        if unit is None or not self.visible(group):
            return None
        table = self.computed.participation_tables.get(level_of(unit))
        if table is None:
            return None
        found = [i for i, g in enumerate(table.groups) if int(g) == group]
        return table.row(found[0]) if found else None

    def participation_under(self, root: OrgUnit) -> list[Participation]:
        table = self.computed.participation_tables.get(child_level(root))
        if table is None:
            return []
        return [table.row(i) for i in self._under(table.groups, root)]


@dataclass
class CategoryRow:
    """One respondent group (a teacher's subject, a child's grade) at the unit shown."""

    value: str
    label: str
    responses: int
    values: dict[str, IndicatorValue]
    # The group's population and response rate, when the form gives its headcount.
    headcount: float | None = None

    @property
    def rate(self) -> float | None:
        return 100 * self.responses / self.headcount if self.headcount else None


def by_category(report: Report, root: OrgUnit, language: str) -> list[CategoryRow]:
    """Each indicator at `root` computed over one respondent group's answers at a time
    (the small-group rule applies to each)."""
    name = report.spec.category_field
    if name is None or name not in report.answers.columns or not report.visible(root.id):
        return []
    field = report.spec.field(name)
    level = level_of(root)
    rows = []
    for option in field.options:
        subset = report.answers[report.answers[name] == option.value]
        # The group's own population is the base of its response rate.
        spec = replace(report.spec, headcount=report.spec.category_headcount.get(option.value))
        computed = Engine(
            spec, report.unit_frame, subset, report.figures, year=report.campaign.academic_year
        ).compute(levels=(level,))
        values = {
            i.id: found
            for i in report.spec.indicators
            if (found := computed.value(i.id, level, root.id)) is not None
        }
        table = computed.participation_tables.get(level)
        responses, headcount = 0, None
        if table is not None:
            hits = [p for p, g in enumerate(table.groups) if int(g) == root.id]
            if hits:
                group = table.row(hits[0])
                responses, headcount = group.responses, group.headcount
        rows.append(
            CategoryRow(option.value, option.label.get(language), responses, values, headcount)
        )
    return rows


def child_level(root: OrgUnit) -> str:
    level = level_of(root)
    return LEVELS[max(LEVELS.index(level) - 1, 0)]


def places(
    session: Session, units: Sequence[OrgUnit]
) -> tuple[list[UnitPlace], dict[int, OrgUnit]]:
    """Each unit's school, municipality and region, read from the ids on its path; and
    every unit met on the way, by id."""
    known = {u.id: u for u in units}
    ancestor_ids = {int(i) for u in units for i in u.path.strip("/").split("/")} - known.keys()
    if ancestor_ids:
        known.update(
            (u.id, u) for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ancestor_ids)))
        )
    # Units under one parent share their municipality and region: found once per parent
    # (a national campaign has forty thousand schools under two thousand parents).
    above: dict[str, tuple[int | None, int | None]] = {}
    found = []
    for unit in units:
        parent = unit.path[: unit.path.rstrip("/").rfind("/") + 1]
        if parent not in above:
            chain = [known[int(i)] for i in parent.strip("/").split("/") if i and int(i) in known]
            above[parent] = (
                next((u.id for u in reversed(chain) if u.unit_type == "municipality"), None),
                next((u.id for u in chain if u.unit_type == "region"), None),
            )
        municipality, region = above[parent]
        if unit.unit_type == "municipality":
            municipality = unit.id
        elif unit.unit_type == "region" and region is None:
            region = unit.id
        school = unit.id if level_of(unit) == "school" else None
        found.append(UnitPlace(unit.id, school, municipality, region, unit.school_type))
    return found, known


def campaign_report(
    session: Session,
    user: User,
    campaign: Campaign,
    basis: Basis = Basis.ACCEPTED,
    *,
    stored: bool = True,
    stamp: str | None = None,
) -> Report:
    """The campaign's indicators for the user. A snapshot computed since the last change
    of the campaign's data is used when there is one (`stored`); otherwise they are
    computed now and the snapshot kept. `stamp`: the data stamp when the caller has just
    read it."""
    spec = spec_of(campaign.form_version)
    scopes = review_scopes(user, campaign)
    stamp = stamp or data_stamp(session, campaign)
    if stored:
        found = snapshots.load(campaign.id, basis.value, scopes, stamp)
        kept = _kept_report(session, campaign, spec, basis, scopes, stamp, found)
        if kept is not None:
            return kept
    expected, answers, refused, answered_units, figures = read_inputs(
        session, campaign, spec, COUNTED[basis], scopes
    )
    unit_places, known = places(session, expected)
    unit_frame = units_frame(unit_places)
    engine = Engine(
        spec,
        unit_frame,
        answers,
        figures,
        year=campaign.academic_year,
        answered_units=answered_units,
    )
    computed = engine.compute()
    content = (SNAPSHOT_FORMAT, computed, unit_frame, None, refused, len(answers))
    beside = {**columns_of(answers), FIGURES_KEPT: figures}
    snapshots.save(campaign.id, basis.value, scopes, stamp, content, beside)
    records = {i: UnitRecord.of(unit) for i, unit in known.items()}
    units = ReportUnits(session, unit_frame, scopes, records)
    report = _report(session, campaign, spec, basis, scopes, stamp, units, content)
    report._answers = answers
    report._figures = figures
    return report


def latest_report(
    session: Session, user: User, campaign: Campaign, basis: Basis = Basis.ACCEPTED
) -> tuple[Report, datetime] | None:
    """The figures last kept for the user, whatever data they are of, and when they were
    computed; None when none are kept. A large campaign's page shows them while a job
    computes the figures of its data as it is now."""
    scopes = review_scopes(user, campaign)
    found = snapshots.load_latest(campaign.id, basis.value, scopes)
    if found is None:
        return None
    stamp, content, written = found
    if not stamp.startswith(_stamp_identity(campaign)):
        return None  # of another campaign under the same id, or of another version
    spec = spec_of(campaign.form_version)
    kept = _kept_report(session, campaign, spec, basis, scopes, stamp, content)
    if kept is None:
        return None
    return kept, datetime.fromtimestamp(written, UTC)


def _kept_report(
    session: Session,
    campaign: Campaign,
    spec: FormSpec,
    basis: Basis,
    scopes: list[str],
    stamp: str,
    found: Any,
) -> Report | None:
    """The Report of a kept snapshot; None for one of another format (an older
    version's), which is computed again."""
    if not (isinstance(found, tuple) and len(found) == 6 and found[0] == SNAPSHOT_FORMAT):
        return None
    return _report(
        session, campaign, spec, basis, scopes, stamp, ReportUnits(session, found[2], scopes), found
    )


def _report(
    session: Session,
    campaign: Campaign,
    spec: FormSpec,
    basis: Basis,
    scopes: list[str],
    stamp: str,
    known: ReportUnits,
    content: tuple[Any, ...],
) -> Report:
    """The Report of a snapshot's content, kept or just computed."""
    _format, computed, unit_frame, _figures, refused, answer_count = content

    read_now: list[tuple[pd.DataFrame, pd.DataFrame]] = []

    def inputs_now() -> tuple[pd.DataFrame, pd.DataFrame]:
        """The answers and figures read from the database, once: those kept beside these
        figures are gone (written over by newer ones since)."""
        if not read_now:
            logger.warning("answers of campaign %s not kept beside its figures", campaign.id)
            found = read_inputs(session, campaign, spec, COUNTED[basis], scopes)
            read_now.append((found[1], found[4]))
        return read_now[0]

    def answers_now() -> pd.DataFrame:
        return inputs_now()[0]

    def read_figures() -> pd.DataFrame | None:
        kept = (
            None
            if read_now
            else snapshots.load_columns(campaign.id, basis.value, scopes, stamp, [FIGURES_KEPT])
        )
        figures = None if kept is None else kept.get(FIGURES_KEPT)
        return figures if isinstance(figures, pd.DataFrame) else inputs_now()[1]

    def read_answers(names: Sequence[str] | None) -> pd.DataFrame:
        wanted = None if names is None else [INDEX_COLUMN, *names]
        kept = snapshots.load_columns(
            campaign.id, basis.value, scopes, stamp, wanted, leave_out=(FIGURES_KEPT,)
        )
        frame = None if kept is None else frame_of(kept, names)
        if frame is None:
            answers = answers_now()
            frame = answers if names is None else answers[[n for n in names if n in answers]]
        return frame

    def read_column(name: str) -> pd.Series | CodedColumn | None:
        kept = (
            None
            if read_now
            else snapshots.load_columns(campaign.id, basis.value, scopes, stamp, [name])
        )
        if kept is None:
            answers = answers_now()
            return answers[name] if name in answers.columns else None
        return column_of(kept.get(name))

    return Report(
        campaign,
        spec,
        basis,
        computed,
        known,
        scopes,
        unit_frame,
        read_answers,
        read_column,
        answer_count,
        read_figures,
        refused,
        stamp,
    )


# Audit actions that change what formulas read of a unit (its figures, its school type).
UNIT_FACT_ACTIONS = ("unit.update", "units.import", "figures.update", "figures.import")


def data_stamp(session: Session, campaign: Campaign) -> str:
    """Changes whenever anything the indicators read changes: the campaign's responses
    (the marks the database draws at each change: CampaignDataVersion; the last move
    through review, which every change of state leaves in the audit), its reference
    figures, its form version. Read on every view of a report: a few rows and small
    counts, never the responses counted."""
    marks = session.execute(
        select(CampaignDataVersion.shard, CampaignDataVersion.mark)
        .where(CampaignDataVersion.campaign_id == campaign.id)
        .order_by(CampaignDataVersion.shard)
    )
    changed = ".".join(f"{shard}-{mark}" for shard, mark in marks)
    moved = session.scalar(
        select(func.max(AuditEvent.id))
        .join(FormResponse, AuditEvent.object_id == FormResponse.id)
        .where(AuditEvent.object_type == "form_response", FormResponse.campaign_id == campaign.id)
    )
    figures = session.execute(
        select(func.count(), func.max(ReferenceFigure.id)).where(
            ReferenceFigure.academic_year == campaign.academic_year
        )
    ).one()
    uploaded = session.scalar(
        select(func.max(ImportBatch.id)).where(ImportBatch.campaign_id == campaign.id)
    )
    # Figures changed in place and units' types changed leave no new row behind; their
    # audit events do.
    edited = session.scalar(
        select(func.max(AuditEvent.id)).where(AuditEvent.action.in_(UNIT_FACT_ACTIONS))
    )
    return (
        f"{_stamp_identity(campaign)}{changed}:{moved}:"
        f"{figures[0]}:{figures[1]}:{uploaded}:{edited}"
    )


def response_count(session: Session, campaign: Campaign) -> int:
    """How many responses the campaign has (a count of them all: asked only when no
    figures of its data are kept, to choose between computing now and a job)."""
    found = session.scalar(
        select(func.count())
        .select_from(FormResponse)
        .where(FormResponse.campaign_id == campaign.id)
    )
    return int(found or 0)


def _stamp_identity(campaign: Campaign) -> str:
    """How a data stamp begins: which campaign (an id may be used again after a
    deletion), which form version its figures are of, and the shape they are kept in
    (a snapshot of an older shape is of no data stamp now: a job computes it again)."""
    return f"{campaign.created_at}:{campaign.form_version_id}:{SNAPSHOT_FORMAT}:"
