"""The designer's logic: who may design what, drafts kept as schema documents, every save
audited, and publishing through the same compiler as `flask schemas load`."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from flask_babel import gettext as _
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action, allowed
from collector.auth.services import can, grants_of, scope_clause, top_units
from collector.designer import document as doc
from collector.designer import slugs
from collector.designer.document import Element
from collector.errors import ActionForbidden, NotInScope
from collector.models import FormDraft, FormResponse, FormVersion, OrgUnit, User
from collector.models.base import utcnow
from collector.models.drafts import DISCARDED, DRAFT, PUBLISHED
from collector.models.responses import ResponseState
from collector.publishing.services import publish as publish_version
from collector.routing import id_value
from collector.schema import Compiled, SchemaError, compile_document
from collector.schema.compiler import load
from collector.schema.diff import (
    Change,
    answers_touched,
    diff_documents,
    option_codes,
    published_ids,
)
from collector.schema.errors import Issue
from collector.schema.validate import MAX_JSON_DEPTH, control_text_at, depth_issues

# The largest schema of the seeds is about 260 KB; a file four times that is not a form.
MAX_UPLOAD_BYTES = 1024 * 1024


class DesignRefused(ValueError):
    """A change the designer does not make; the message says why, for the user."""


class StaleDraft(DesignRefused):
    """Someone saved the draft after this page was loaded."""


class PublishRefused(DesignRefused):
    def __init__(self, message: str, issues: Sequence[Issue] = ()) -> None:
        super().__init__(message)
        self.issues = list(issues)


# --- who may design ----------------------------------------------------------------------


def may_design(user: User, unit: OrgUnit | None) -> bool:
    """A coordinator for their subtree; the whole installation (None) for an admin."""
    return allowed(grants_of(user), Action.DESIGN_FORMS, unit.path if unit is not None else "")


def design_units(session: Session, user: User) -> list[OrgUnit | None]:
    """The units a user may design forms for: the tops of their scope (None: everywhere)."""
    found: list[OrgUnit | None] = []
    if may_design(user, None):
        found.append(None)
    found += top_units(session, user, Action.DESIGN_FORMS)
    return found


def unit_choice(session: Session, user: User, value: str | None) -> OrgUnit | None:
    """The unit picked on a "designed for" list, checked against the user's rights."""
    unit = None
    if value:
        try:
            # ASCII digits within PostgreSQL's INTEGER: "²" passes str.isdigit, not int().
            unit = session.get(OrgUnit, id_value(value))
        except ValueError:
            raise NotInScope(value) from None
        if unit is None or not can(user, Action.VIEW_UNIT, unit):
            raise NotInScope(value)  # a unit the user does not see is not said to exist
    if not may_design(user, unit):
        raise ActionForbidden(Action.DESIGN_FORMS)
    return unit


def may_revise(session: Session, user: User, version: FormVersion) -> bool:
    """Whether the user may make the next version of a published form: a coordinator of
    the unit it belongs to, an admin of any."""
    if version.owner_unit_id is None:
        return may_design(user, None)
    unit = version_owner(session, version)
    return unit is not None and may_design(user, unit)


def version_owner(session: Session, version: FormVersion) -> OrgUnit | None:
    if version.owner_unit_id is None:
        return None
    return session.get(OrgUnit, version.owner_unit_id)


def _require_draft_rights(user: User, draft: FormDraft) -> None:
    if not may_design(user, draft.unit):
        raise NotInScope(draft.id)


def draft_of(session: Session, user: User, draft_id: int) -> FormDraft:
    draft = session.get(FormDraft, draft_id)
    if draft is None:
        raise NotInScope(draft_id)
    _require_draft_rights(user, draft)
    return draft


def drafts(session: Session, user: User) -> list[FormDraft]:
    """The open drafts of the units the user designs for."""
    query = select(FormDraft).where(FormDraft.status == DRAFT)
    if not may_design(user, None):
        query = query.join(OrgUnit, OrgUnit.id == FormDraft.unit_id).where(
            scope_clause(user, Action.DESIGN_FORMS)
        )
    return list(session.scalars(query.order_by(FormDraft.updated_at.desc())))


# A published version's columns other than its document: id, form_id, version, title,
# kind, published_at, owner_unit_id.
VersionRow: TypeAlias = "Row[int, str, int, str, str, datetime, int | None]"


@dataclass(frozen=True)
class PublishedForm:
    latest: VersionRow
    versions: list[VersionRow]
    revisable: bool


def published_forms(session: Session, user: User) -> list[PublishedForm]:
    """Every published form with its versions, newest first: any may be copied or
    downloaded; the next version only by those who may revise it."""
    by_form: dict[str, list[VersionRow]] = {}
    rows = session.execute(
        select(
            FormVersion.id,
            FormVersion.form_id,
            FormVersion.version,
            FormVersion.title,
            FormVersion.kind,
            FormVersion.published_at,
            FormVersion.owner_unit_id,
        ).order_by(FormVersion.form_id, FormVersion.version.desc())
    )
    # Only the columns the list shows: a document can be a quarter of a megabyte.
    for row in rows:
        by_form.setdefault(row.form_id, []).append(row)
    owners = {
        unit.id: unit
        for unit in session.scalars(
            select(OrgUnit).where(
                OrgUnit.id.in_({r.owner_unit_id for v in by_form.values() for r in v} - {None})
            )
        )
    }
    admin = may_design(user, None)
    found = []
    for versions in by_form.values():
        latest = versions[0]
        owner = owners.get(latest.owner_unit_id)
        revisable = admin or (owner is not None and may_design(user, owner))
        found.append(PublishedForm(latest, versions, revisable))
    return sorted(found, key=lambda f: f.latest.title)


def latest_version(session: Session, form_id: str) -> FormVersion | None:
    return session.scalar(
        select(FormVersion)
        .where(FormVersion.form_id == form_id)
        .order_by(FormVersion.version.desc())
        .limit(1)
    )


def version_by_id(session: Session, version_id: int) -> FormVersion:
    version = session.get(FormVersion, version_id)
    if version is None:
        raise NotInScope(version_id)
    return version


def version_json(version: FormVersion) -> str:
    """A published version as the file `flask schemas check` reads: the stored document."""
    return json.dumps(version.document, ensure_ascii=False, indent=2) + "\n"


# --- starting drafts ---------------------------------------------------------------------


def _new_draft(
    session: Session,
    user: User,
    unit: OrgUnit | None,
    document: dict[str, Any],
    base: FormVersion | None = None,
    new_version: bool = False,
    how: str = "new",
) -> FormDraft:
    draft = FormDraft(
        form_id=_document_id(document),
        title=_document_title(document),
        unit_id=unit.id if unit is not None else None,
        base_version_id=base.id if base is not None else None,
        new_version=new_version,
        document=document,
        created_by=user.id,
        updated_by=user.id,
    )
    session.add(draft)
    session.flush()
    record(session, user, "form.draft_start", draft, how=how, form_id=draft.form_id)
    return draft


def _document_id(document: Any) -> str:
    value = document.get("id") if isinstance(document, dict) else None
    return value[:64] if isinstance(value, str) else ""


def _document_title(document: Any) -> str:
    title = document.get("title") if isinstance(document, dict) else None
    if isinstance(title, dict):
        title = title.get("ru")
    return str(title)[:500] if isinstance(title, str) and title else _("(untitled)")


def _free_form_id(session: Session, wanted: str) -> bool:
    return latest_version(session, wanted) is None


def _taken_form_id(session: Session, wanted: str) -> bool:
    """Held by a published form or by a draft (which would publish under it)."""
    if not _free_form_id(session, wanted):
        return True
    drafted = select(FormDraft.id).where(FormDraft.form_id == wanted, FormDraft.status == DRAFT)
    return session.scalar(drafted.limit(1)) is not None


def start_blank(
    session: Session,
    user: User,
    unit: OrgUnit | None,
    form_id: str | None,
    title: str,
    kind: str,
) -> FormDraft:
    """A new form's draft; without an id, one made from the title (a Latin
    transliteration, free among the published forms and the drafts)."""
    if not may_design(user, unit):
        raise ActionForbidden(Action.DESIGN_FORMS)
    if not form_id:
        form_id = slugs.free(slugs.slug(title), lambda wanted: _taken_form_id(session, wanted))
    elif not _free_form_id(session, form_id):
        raise DesignRefused(
            _("The id %(id)s belongs to a published form: choose another.", id=form_id)
        )
    document = {
        "id": form_id,
        "version": 1,
        "title": title,
        "kind": kind,
        "respondents": {"unit_types": ["school"]},
        "source": {},
        "sections": [{"id": "section_1", "title": "Раздел 1", "fields": []}],
    }
    return _new_draft(session, user, unit, document)


def start_copy(
    session: Session, user: User, unit: OrgUnit | None, version: FormVersion
) -> FormDraft:
    """A new form from a copy of a published version (its id made free)."""
    if not may_design(user, unit):
        raise ActionForbidden(Action.DESIGN_FORMS)
    document = copy.deepcopy(version.document)
    stem, number = f"{version.form_id}-copy"[:60], 1
    wanted = stem
    while not _free_form_id(session, wanted):
        number += 1
        wanted = f"{stem}{number}"
    document["id"] = wanted
    document["version"] = 1
    return _new_draft(session, user, unit, document, base=version, how="copy")


def start_version(session: Session, user: User, version: FormVersion) -> FormDraft:
    """The next version of a published form, from its newest version."""
    if not may_revise(session, user, version):
        raise ActionForbidden(Action.DESIGN_FORMS)
    latest = latest_version(session, version.form_id) or version
    unit = version_owner(session, latest)
    document = copy.deepcopy(latest.document)
    return _new_draft(session, user, unit, document, base=latest, new_version=True, how="version")


def start_upload(
    session: Session, user: User, unit: OrgUnit | None, content: bytes, filename: str
) -> FormDraft:
    """A draft from an uploaded schema file. A file that is not JSON is refused (there is
    nothing to keep); a JSON document with errors becomes a draft listing them. A file of
    a published form's id becomes its next version where the user may revise it."""
    if not may_design(user, unit):
        raise ActionForbidden(Action.DESIGN_FORMS)
    if len(content) > MAX_UPLOAD_BYTES:
        raise DesignRefused(
            _(
                "%(name)s is %(size).1f MB; a form schema may be at most %(limit)d MB.",
                name=filename,
                size=len(content) / 1024 / 1024,
                limit=MAX_UPLOAD_BYTES // 1024 // 1024,
            )
        )
    try:
        document = load(content)
    except SchemaError as error:
        if error.issues[0].code == "json_too_deep":
            raise DesignRefused(
                _("%(name)s is not a form schema: %(why)s", name=filename, why=_too_deep())
            ) from None
        raise DesignRefused(
            _("%(name)s is not a JSON file: %(why)s", name=filename, why=error.issues[0].message)
        ) from None
    if not isinstance(document, dict):
        raise DesignRefused(_("%(name)s holds JSON, but not a form schema object.", name=filename))
    try:
        check_storable(document)
    except DesignRefused as refused:
        raise DesignRefused(_("%(name)s: %(why)s", name=filename, why=str(refused))) from None
    latest = latest_version(session, _document_id(document))
    if latest is not None and may_revise(session, user, latest):
        return _new_draft(
            session,
            user,
            version_owner(session, latest),
            document,
            latest,
            new_version=True,
            how="upload",
        )
    return _new_draft(session, user, unit, document, how="upload")


def _too_deep() -> str:
    return _(
        "arrays and objects nest more than %(limit)d levels deep; a form needs about ten.",
        limit=MAX_JSON_DEPTH,
    )


# --- saving ------------------------------------------------------------------------------


def misshapen() -> DesignRefused:
    """A change the editor cannot make where a hand-made draft has another shape
    ("sections": "x", "rules": 5, a question that is a number)."""
    return DesignRefused(
        _(
            "This part of the draft is not in the shape the editor changes: "
            "mend it on the JSON page."
        )
    )


def check_storable(document: dict[str, Any]) -> None:
    """Refuse a document a draft cannot hold: nested past the bound, a text with control
    characters (PostgreSQL refuses a NUL: a 500 on save), or larger than an upload may be."""
    too_deep = depth_issues(document)
    if too_deep:
        raise DesignRefused(_("The text is not a form schema: %(why)s", why=_too_deep()))
    where = control_text_at(document)
    if where is not None:
        raise DesignRefused(
            _(
                "The text at %(path)s holds control characters (such as NUL); only tab and "
                "line breaks may be kept.",
                path=where,
            )
        )
    size = len(json.dumps(document, ensure_ascii=False).encode())
    if size > MAX_UPLOAD_BYTES:
        raise DesignRefused(
            _(
                "The form would be %(size).1f MB; a form schema may be at most %(limit)d MB.",
                size=size / 1024 / 1024,
                limit=MAX_UPLOAD_BYTES // 1024 // 1024,
            )
        )


def editable_copy(draft: FormDraft) -> dict[str, Any]:
    """A copy of the draft's document to change and save. A draft nested past the bound
    (stored before there was one) is refused: copying it would recurse past Python's limit,
    and the JSON page, which replaces it whole, is where it is mended."""
    issues = depth_issues(draft.document)
    if issues:
        raise DesignRefused(
            _(
                "The draft nests arrays and objects more than %(limit)d levels deep at "
                "%(path)s: mend it on the JSON page, or discard it.",
                limit=MAX_JSON_DEPTH,
                path=issues[0].path,
            )
        )
    return copy.deepcopy(draft.document)


def published_documents(session: Session, draft: FormDraft) -> list[dict[str, Any]]:
    """The documents of every published version of the form a new version continues."""
    if not draft.new_version or draft.base_version is None:
        return []
    return list(
        session.scalars(
            select(FormVersion.document)
            .where(FormVersion.form_id == draft.base_version.form_id)
            .order_by(FormVersion.version)
        )
    )


@dataclass(frozen=True)
class Published:
    """What earlier versions fixed: field ids and option codes."""

    field_ids: frozenset[str]
    codes: dict[str, set[str]]
    # Reports compare an indicator with earlier campaigns' by its id.
    indicator_ids: frozenset[str] = frozenset()


def published(session: Session, draft: FormDraft) -> Published:
    ids: set[str] = set()
    indicators: set[str] = set()
    codes: dict[str, set[str]] = {}
    for document in published_documents(session, draft):
        ids |= published_ids(document)
        indicators |= {i["id"] for i in document.get("indicators", [])}
        for key, values in option_codes(document).items():
            codes.setdefault(key, set()).update(values)
    return Published(frozenset(ids), codes, frozenset(indicators))


def check_fixed_indicator(fixed: Published, old_id: str | None, new_id: str) -> None:
    """Refuse renaming a published indicator: earlier campaigns' values go by its id."""
    if old_id in fixed.indicator_ids and new_id != old_id:
        raise DesignRefused(
            _(
                "The indicator %(id)s is in a published version: its id cannot change "
                "(reports compare it with earlier campaigns by it). Change its title instead.",
                id=old_id,
            )
        )


def check_fixed(
    fixed: Published, old_id: str | None, new_id: str, renamed_codes: list[tuple[str, str]]
) -> None:
    """Refuse renaming a published field or a published option code of it."""
    if old_id in fixed.field_ids and new_id != old_id:
        raise DesignRefused(
            _(
                "The field %(id)s is in a published version: its id cannot change "
                "(answers are lined up by it). Change its question instead.",
                id=old_id,
            )
        )
    for before, after in renamed_codes:
        if before and before != after and before in fixed.codes.get(new_id, set()):
            raise DesignRefused(
                _(
                    "The option code %(old)s of %(field)s is in a published version: it "
                    "cannot become %(new)s (answers given with it would change meaning). "
                    "Change its label, or add a new option and remove this one.",
                    old=before,
                    field=new_id,
                    new=after,
                )
            )


def save(
    session: Session,
    user: User,
    draft: FormDraft,
    document: dict[str, Any],
    revision: str | int | None,
    what: str,
) -> None:
    """Store the edited document as the draft's new revision, audited."""
    _require_draft_rights(user, draft)
    if draft.status != DRAFT:
        raise DesignRefused(_("This draft has been published; start a new version to change it."))
    if revision is not None and str(revision) != str(draft.revision):
        raise StaleDraft(
            _("Someone saved this draft after you opened it; reload to see their changes.")
        )
    check_storable(document)
    if draft.new_version and draft.base_version is not None:
        if _document_id(document) != draft.base_version.form_id:
            raise DesignRefused(
                _(
                    "A new version keeps its form's id %(id)s.",
                    id=draft.base_version.form_id,
                )
            )
    draft.document = document
    draft.form_id = _document_id(document)
    draft.title = _document_title(document)
    draft.revision += 1
    draft.updated_by = user.id
    draft.updated_at = utcnow()
    record(session, user, "form.draft_save", draft, what=what, revision=draft.revision)


def save_element(
    session: Session,
    user: User,
    draft: FormDraft,
    element: Element,
    form: Any,
    revision: str | None,
    add: str | None = None,
) -> str:
    """Store an element's form (forms.py: its `store` writes the element's keys) as the
    draft's next revision; a published field's id and option codes and a published
    indicator's id refused; `add`: a new option, row or column saved with it. Returns the
    element's key after (a question moved to another section has another)."""
    document = editable_copy(draft)
    raw = doc.raw(document, element)
    key = element.key
    if element.kind in ("field", "indicator"):
        fixed = published(session, draft)
        if element.kind == "field":
            codes = [(e.form.original.data or "", e.form.value.data or "") for e in form.options]
            check_fixed(fixed, raw.get("id"), form.id.data, codes)
        else:
            check_fixed_indicator(fixed, raw.get("id"), form.id.data)
    previous_label = doc.text_of_title(raw, "label")
    try:
        form.store(raw)
    except (LookupError, TypeError, AttributeError, ValueError):
        raise misshapen() from None
    if element.kind == "field":
        if raw.get("id") not in fixed.field_ids:
            # field_3 becomes an id made from the question's words.
            doc.name_from_label(document, element, previous_label)
        section = form.section.data
        if section is not None and section != element.section:
            if 0 <= section < len(document["sections"]):
                key = doc.move_field_to(document, element, section)
        if add is not None:
            # Saved with what was typed: a closed tab keeps it.
            doc.add_list_item(doc.raw(document, doc.parse_key(document, key)), add)
    save(session, user, draft, document, revision, element.key)
    return key


def save_text(
    session: Session, user: User, draft: FormDraft, text: str, revision: str | None
) -> None:
    """Replace the whole document by edited JSON text (kept by the caller when refused)."""
    size = len(text.encode())
    if size > MAX_UPLOAD_BYTES:
        raise DesignRefused(
            _(
                "The text is %(size).1f MB; a form schema may be at most %(limit)d MB.",
                size=size / 1024 / 1024,
                limit=MAX_UPLOAD_BYTES // 1024 // 1024,
            )
        )
    try:
        document = load(text)
    except SchemaError as error:
        if error.issues[0].code == "json_too_deep":
            raise DesignRefused(
                _("The text is not a form schema: %(why)s", why=_too_deep())
            ) from None
        raise DesignRefused(error.issues[0].message) from None
    if not isinstance(document, dict):
        raise DesignRefused(_("The text is JSON, but not a form schema object."))
    save(session, user, draft, document, revision, "json")


def discard(session: Session, user: User, draft: FormDraft) -> None:
    _require_draft_rights(user, draft)
    draft.status = DISCARDED
    record(session, user, "form.draft_discard", draft)


# --- publishing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Preparation:
    """What publishing would do: the version it replaces and the differences."""

    previous: FormVersion | None
    changes: list[Change]
    answers: int  # responses given (begun at least) with earlier versions of the form
    touched: dict[Change, int]  # per warned change, the responses holding what it orphans


def compile_draft(draft: FormDraft) -> Compiled:
    """The draft compiled (a copy of it: the draft stays as it is). Its depth is checked
    before the copy: a draft stored before the depth bound may be too deep to copy."""
    too_deep = depth_issues(draft.document)
    if too_deep:
        raise SchemaError(too_deep)
    return compile_document(copy.deepcopy(draft.document))


def _compiled(
    session: Session, user: User, draft: FormDraft
) -> tuple[Compiled, FormVersion | None]:
    """The draft compiled as publishing will, and the version it follows; refused with
    every error listed."""
    _require_draft_rights(user, draft)
    try:
        compiled = compile_draft(draft)
    except SchemaError as error:
        raise PublishRefused(
            _("The form has %(n)d errors; mend them and publish again.", n=len(error.errors)),
            error.errors,
        ) from None
    previous = latest_version(session, compiled.spec.id)
    if previous is not None and not draft.new_version:
        raise PublishRefused(
            _(
                "The id %(id)s belongs to a published form (%(title)s): give this form an id "
                "of its own.",
                id=compiled.spec.id,
                title=previous.title,
            )
        )
    return compiled, previous


def prepare(session: Session, user: User, draft: FormDraft) -> Preparation:
    """What publishing would do: the differences and the answers they concern."""
    previous = _compiled(session, user, draft)[1]
    if previous is None:
        return Preparation(None, [], 0, {})
    changes = diff_documents(previous.document, draft.document)
    given = (
        select(FormResponse.answers)
        .where(FormResponse.form_id == previous.form_id)
        .where(FormResponse.status != ResponseState.NOT_STARTED.value)
    )
    answers = session.scalar(select(func.count()).select_from(given.subquery())) or 0
    # One pass over the answers given, only when a change may orphan some of them.
    touched = (
        answers_touched(changes, session.scalars(given.execution_options(yield_per=500)))
        if any(c.warning for c in changes)
        else {}
    )
    return Preparation(previous, changes, answers, touched)


def publish(session: Session, user: User, draft: FormDraft, revision: str | None) -> FormVersion:
    compiled, previous = _compiled(session, user, draft)
    if revision is not None and str(revision) != str(draft.revision):
        raise StaleDraft(
            _("Someone saved this draft after you opened it; reload to see their changes.")
        )
    if previous is not None and not may_revise(session, user, previous):
        raise ActionForbidden(Action.DESIGN_FORMS)
    # A new version stays its form's; a form of its own belongs to the draft's unit.
    owner = version_owner(session, previous) if previous is not None else draft.unit
    result = publish_version(session, compiled, user, source_file=None, owner=owner)
    version = result.form_version
    if not result.created:
        raise DesignRefused(
            _(
                "Nothing changed since version %(n)d: there is nothing to publish.",
                n=version.version,
            )
        )
    draft.status = PUBLISHED
    draft.published_version_id = version.id
    draft.document = dict(draft.document, version=version.version)
    return version
