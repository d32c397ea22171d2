"""Forms (issue 12; DESIGN.md "Domain model"):

- `FormTemplate` and its `FormVersion`s: what a form asks (fields.py, rules.py) as JSON. A
  version is never changed once a submission uses it; editing such a template makes the next
  version, and every submission keeps the version its filler opened.
- `FormCampaign`: a template sent to an audience on a schedule ("every weekday, 06:00–09:00").
  Its `FormTarget`s are the subjects it asks about (a student, filled by the student or a
  guardian; or the person themself), each with the unit they were reached in.
- `FormSubmission`: one per subject per period (the day, in the campaign's time zone).
- `FormDayCount`: per campaign, day and unit (a class) the expected / submitted / late /
  abnormal counts, moved by each submission. A school's, a district's or a bureau's figures
  are sums of its classes' rows by path prefix (`unit_path`), so no row is touched by more
  than one class's submissions — never a hot row for a whole city.
- `FormAnswerCount`: the same per question and answer (an option, a temperature to 0.1 °C),
  for the distributions.
- `FormCase`: an abnormal submission's follow-up (open → contacted → resolved) and its notes.
- `FormFile`: a photo or file a file question is answered with (files.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bellwork.db.base import Base, BigId, CText, utcnow

OPEN = "open"
CONTACTED = "contacted"
RESOLVED = "resolved"
CASE_STATES = (OPEN, CONTACTED, RESOLVED)


class FormTemplate(Base):
    __tablename__ = "form_template"
    __table_args__ = (Index("ix_form_template_unit", "unit_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Whose it is: a bureau's template is offered to every unit below it.
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    # The built-in template it started from (builtin.py), if any.
    builtin: Mapped[str | None] = mapped_column(String(32))
    # A template a school made from a bureau's by adding questions: the bureau's fields stay
    # as they are, so the bureau's figures add up across schools.
    base_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("form_template.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)  # the newest version's number
    created_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]
    # "form", or "report": a work report's template (reports/), kept out of forms' own list.
    # (Last, as migration 0028 added it: a SQLite table's columns keep their order.)
    purpose: Mapped[str] = mapped_column(String(8), default="form", server_default="form")


class FormVersion(Base):
    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    template_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_template.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    # FormDefinition as JSON: {"fields": [...], "rules": [...]}.
    definition: Mapped[dict[str, Any]]
    created_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the first submission uses it: from then on it is never changed.
    used: Mapped[bool] = mapped_column(default=False)


class FormCampaign(Base):
    __tablename__ = "form_campaign"
    __table_args__ = (
        UniqueConstraint("created_by", "client_id"),
        Index("ix_form_campaign_unit", "unit_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    template_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_template.id", ondelete="CASCADE")
    )
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    client_id: Mapped[str] = mapped_column(String(64))
    # {"units": [{"unit_id", "roles"}], "people": [ids]}: whom it asks about.
    audience: Mapped[dict[str, Any]]
    # "student": a student, filled by them or any of their guardians; "self": the person.
    subject: Mapped[str] = mapped_column(String(16), default="self")
    # {"kind": "once"|"daily", "weekdays": [1..7], "opens": "06:00", "deadline": "09:00",
    #  "start": "2026-11-30", "end": null}
    schedule: Mapped[dict[str, Any]]
    time_zone: Mapped[str] = mapped_column(String(64))
    # Times of day to remind those missing, and how ("app" or "ding").
    reminders: Mapped[list[str]] = mapped_column(JSON, default=list)
    remind_by: Mapped[str] = mapped_column(String(8), default="app")
    late_allowed: Mapped[bool] = mapped_column(default=True)
    # A bureau's campaign handed down: each school's own copy names it.
    parent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("form_campaign.id", ondelete="SET NULL")
    )
    # The top of its family (itself when not handed down): whose figures it adds to.
    root_id: Mapped[int | None] = mapped_column(BigId)
    target_count: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class FormTarget(Base):
    """A subject the campaign asks about, in the unit they were reached in."""

    __tablename__ = "form_target"
    __table_args__ = (
        UniqueConstraint("campaign_id", "subject_id"),
        Index("ix_form_target_unit", "campaign_id", "unit_id"),
        Index("ix_form_target_subject", "subject_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_campaign.id", ondelete="CASCADE")
    )
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    unit_path: Mapped[str] = mapped_column(CText(1000))


class FormSubmission(Base):
    __tablename__ = "form_submission"
    __table_args__ = (
        UniqueConstraint("campaign_id", "period", "subject_id"),
        UniqueConstraint("filler_id", "client_id"),
        Index("ix_form_submission_unit", "campaign_id", "period", "unit_id"),
        Index("ix_form_submission_subject", "subject_id", "period"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_campaign.id", ondelete="CASCADE")
    )
    period: Mapped[date]
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    filler_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(BigId, ForeignKey("form_version.id"))
    # The filler's id for this submission: a retry stores it once.
    client_id: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]]
    abnormal: Mapped[bool] = mapped_column(default=False)
    # The rules it matched, as their labels: why it is abnormal.
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    late: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]


class FormDayCount(Base):
    """`root_id` is the campaign at the top of a handed-down family (a bureau's, whose schools
    each run their own copy; a campaign's own id otherwise): a bureau's figures are one index
    range, (root, day, path prefix)."""

    __tablename__ = "form_day_count"
    __table_args__ = (
        UniqueConstraint("campaign_id", "period", "unit_id"),
        Index("ix_form_day_count_path", "root_id", "period", "unit_path"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_campaign.id", ondelete="CASCADE")
    )
    period: Mapped[date]
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    unit_path: Mapped[str] = mapped_column(CText(1000))
    expected: Mapped[int] = mapped_column(default=0)
    submitted: Mapped[int] = mapped_column(default=0)
    late: Mapped[int] = mapped_column(default=0)
    abnormal: Mapped[int] = mapped_column(default=0)
    root_id: Mapped[int] = mapped_column(BigId, ForeignKey("form_campaign.id", ondelete="CASCADE"))


class FormAnswerCount(Base):
    __tablename__ = "form_answer_count"
    __table_args__ = (
        UniqueConstraint("campaign_id", "period", "unit_id", "field", "value"),
        Index("ix_form_answer_count_path", "root_id", "period", "unit_path"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_campaign.id", ondelete="CASCADE")
    )
    period: Mapped[date]
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    unit_path: Mapped[str] = mapped_column(CText(1000))
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(default=0)
    root_id: Mapped[int] = mapped_column(BigId, ForeignKey("form_campaign.id", ondelete="CASCADE"))


class FormCase(Base):
    """The follow-up of one abnormal submission, visible up the tree from its unit."""

    __tablename__ = "form_case"
    __table_args__ = (
        UniqueConstraint("submission_id"),
        Index("ix_form_case_path", "unit_path", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_submission.id", ondelete="CASCADE")
    )
    campaign_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_campaign.id", ondelete="CASCADE")
    )
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    unit_path: Mapped[str] = mapped_column(CText(1000))
    state: Mapped[str] = mapped_column(String(16), default=OPEN)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]


class FormCaseNote(Base):
    __tablename__ = "form_case_note"
    __table_args__ = (Index("ix_form_case_note_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("form_case.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    # The state it moved the case to, if it did.
    state: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FormExport(Base):
    """An export of a campaign's submissions (export.py): made at once when small, by the
    `forms.export` job when large; its file is in the files store under `file_key` until
    `expires_at`."""

    __tablename__ = "form_export"
    __table_args__ = (Index("ix_form_export_person", "requested_by", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_campaign.id", ondelete="CASCADE")
    )
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    requested_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    start: Mapped[date]
    end: Mapped[date]
    format: Mapped[str] = mapped_column(String(8))
    locale: Mapped[str] = mapped_column(String(8))
    # queued → done | failed
    state: Mapped[str] = mapped_column(String(16), default="queued")
    rows: Mapped[int] = mapped_column(default=0)
    file_key: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]


class FormFile(Base):
    """(Migration 0025.) A photo or file answering a form's file question (forms/files.py):
    uploaded by a filler for a campaign, a subject and a question before submitting
    (`submission_id` null until a submission takes it), then its submission's. Readable by the
    filler, the subject and their guardians, and whoever may see names of the subject's unit
    for the campaign (audited). Deleted with its submission (retention), or a day after upload
    when no submission took it."""

    __tablename__ = "form_file"
    __table_args__ = (
        # A submission's files, and (submission_id null) the loose uploads by age for the sweep.
        Index("ix_form_file_submission", "submission_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_campaign.id", ondelete="CASCADE")
    )
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("person.id", ondelete="CASCADE"))
    owner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="SET NULL")
    )
    submission_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("form_submission.id", ondelete="CASCADE")
    )
    # The file question it answers (its key).
    field: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(100))
    thumb_key: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FormRemind(Base):
    """A "remind everyone missing" at a unit for a day (reminders.py): by whom, how (in the
    app or by DING), how many subjects were missing and how many fillers were told. The last
    one at the same campaign, day and unit says when the next may go (at most one per 5
    minutes, like DING's "remind again")."""

    __tablename__ = "form_remind"
    __table_args__ = (Index("ix_form_remind_unit", "campaign_id", "period", "unit_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("form_campaign.id", ondelete="CASCADE")
    )
    period: Mapped[date]
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("unit.id", ondelete="CASCADE"))
    sent_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("person.id", ondelete="SET NULL"))
    # "app" (form.reminder) or "ding" (a DING from the installation: `ding_id`).
    by: Mapped[str] = mapped_column(String(8))
    subjects: Mapped[int] = mapped_column(default=0)
    reached: Mapped[int] = mapped_column(default=0)
    ding_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ding_message.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
