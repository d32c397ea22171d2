"""forms: templates and their versions, campaigns and their targets, submissions, the
per-unit-per-day counters, the follow-up of abnormal answers and exports (forms/)

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_template",
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("builtin", sa.String(length=32), nullable=True),
        sa.Column("base_id", BigId, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["base_id"],
            ["form_template.id"],
            name=op.f("fk_form_template_base_id_form_template"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
            name=op.f("fk_form_template_created_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_form_template_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_template")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_form_template_unit", "form_template", ["unit_id", "id"], unique=False)
    op.create_table(
        "form_campaign",
        sa.Column("id", BigId, nullable=False),
        sa.Column("template_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("reminders", sa.JSON(), nullable=False),
        sa.Column("remind_by", sa.String(length=8), nullable=False),
        sa.Column("late_allowed", sa.Boolean(), nullable=False),
        sa.Column("parent_id", BigId, nullable=True),
        sa.Column("root_id", BigId, nullable=True),
        sa.Column("target_count", sa.Integer(), nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
            name=op.f("fk_form_campaign_created_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["form_campaign.id"],
            name=op.f("fk_form_campaign_parent_id_form_campaign"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["form_template.id"],
            name=op.f("fk_form_campaign_template_id_form_template"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_form_campaign_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_campaign")),
        sa.UniqueConstraint(
            "created_by", "client_id", name=op.f("uq_form_campaign_created_by_client_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_form_campaign_unit", "form_campaign", ["unit_id", "id"], unique=False)
    op.create_table(
        "form_version",
        sa.Column("id", BigId, nullable=False),
        sa.Column("template_id", BigId, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
            name=op.f("fk_form_version_created_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["form_template.id"],
            name=op.f("fk_form_version_template_id_form_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_version")),
        sa.UniqueConstraint(
            "template_id", "number", name=op.f("uq_form_version_template_id_number")
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "form_answer_count",
        sa.Column("id", BigId, nullable=False),
        sa.Column("campaign_id", BigId, nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column(
            "unit_path",
            sa.String(length=1000).with_variant(
                sa.String(length=1000, collation="C"), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("root_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["form_campaign.id"],
            name=op.f("fk_form_answer_count_campaign_id_form_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["root_id"],
            ["form_campaign.id"],
            name=op.f("fk_form_answer_count_root_id_form_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_form_answer_count_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_answer_count")),
        sa.UniqueConstraint(
            "campaign_id",
            "period",
            "unit_id",
            "field",
            "value",
            name=op.f("uq_form_answer_count_campaign_id_period_unit_id_field_value"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_form_answer_count_path",
        "form_answer_count",
        ["root_id", "period", "unit_path"],
        unique=False,
    )
    op.create_table(
        "form_day_count",
        sa.Column("id", BigId, nullable=False),
        sa.Column("campaign_id", BigId, nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column(
            "unit_path",
            sa.String(length=1000).with_variant(
                sa.String(length=1000, collation="C"), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("submitted", sa.Integer(), nullable=False),
        sa.Column("late", sa.Integer(), nullable=False),
        sa.Column("abnormal", sa.Integer(), nullable=False),
        sa.Column("root_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["form_campaign.id"],
            name=op.f("fk_form_day_count_campaign_id_form_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["root_id"],
            ["form_campaign.id"],
            name=op.f("fk_form_day_count_root_id_form_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_form_day_count_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_day_count")),
        sa.UniqueConstraint(
            "campaign_id",
            "period",
            "unit_id",
            name=op.f("uq_form_day_count_campaign_id_period_unit_id"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_form_day_count_path", "form_day_count", ["root_id", "period", "unit_path"], unique=False
    )
    op.create_table(
        "form_export",
        sa.Column("id", BigId, nullable=False),
        sa.Column("campaign_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("requested_by", BigId, nullable=True),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("file_key", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["form_campaign.id"],
            name=op.f("fk_form_export_campaign_id_form_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["person.id"],
            name=op.f("fk_form_export_requested_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_form_export_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_export")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_form_export_person", "form_export", ["requested_by", "id"], unique=False)
    op.create_table(
        "form_submission",
        sa.Column("id", BigId, nullable=False),
        sa.Column("campaign_id", BigId, nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("subject_id", BigId, nullable=False),
        sa.Column("filler_id", BigId, nullable=True),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("version_id", BigId, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("abnormal", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["form_campaign.id"],
            name=op.f("fk_form_submission_campaign_id_form_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["filler_id"],
            ["person.id"],
            name=op.f("fk_form_submission_filler_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["person.id"],
            name=op.f("fk_form_submission_subject_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_form_submission_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["form_version.id"],
            name=op.f("fk_form_submission_version_id_form_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submission")),
        sa.UniqueConstraint(
            "campaign_id",
            "period",
            "subject_id",
            name=op.f("uq_form_submission_campaign_id_period_subject_id"),
        ),
        sa.UniqueConstraint(
            "filler_id", "client_id", name=op.f("uq_form_submission_filler_id_client_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_form_submission_subject", "form_submission", ["subject_id", "period"], unique=False
    )
    op.create_index(
        "ix_form_submission_unit",
        "form_submission",
        ["campaign_id", "period", "unit_id"],
        unique=False,
    )
    op.create_table(
        "form_target",
        sa.Column("id", BigId, nullable=False),
        sa.Column("campaign_id", BigId, nullable=False),
        sa.Column("subject_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column(
            "unit_path",
            sa.String(length=1000).with_variant(
                sa.String(length=1000, collation="C"), "postgresql"
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["form_campaign.id"],
            name=op.f("fk_form_target_campaign_id_form_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["person.id"],
            name=op.f("fk_form_target_subject_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_form_target_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_target")),
        sa.UniqueConstraint(
            "campaign_id", "subject_id", name=op.f("uq_form_target_campaign_id_subject_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_form_target_subject", "form_target", ["subject_id"], unique=False)
    op.create_index("ix_form_target_unit", "form_target", ["campaign_id", "unit_id"], unique=False)
    op.create_table(
        "form_case",
        sa.Column("id", BigId, nullable=False),
        sa.Column("submission_id", BigId, nullable=False),
        sa.Column("campaign_id", BigId, nullable=False),
        sa.Column("subject_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column(
            "unit_path",
            sa.String(length=1000).with_variant(
                sa.String(length=1000, collation="C"), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["form_campaign.id"],
            name=op.f("fk_form_case_campaign_id_form_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["person.id"],
            name=op.f("fk_form_case_subject_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["form_submission.id"],
            name=op.f("fk_form_case_submission_id_form_submission"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_form_case_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_case")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_form_case_submission_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_form_case_path", "form_case", ["unit_path", "state"], unique=False)
    op.create_table(
        "form_case_note",
        sa.Column("id", BigId, nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("author_id", BigId, nullable=True),
        sa.Column("state", sa.String(length=16), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_form_case_note_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["form_case.id"],
            name=op.f("fk_form_case_note_case_id_form_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_case_note")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_form_case_note_case", "form_case_note", ["case_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_form_case_note_case", table_name="form_case_note")
    op.drop_table("form_case_note")
    op.drop_index("ix_form_case_path", table_name="form_case")
    op.drop_table("form_case")
    op.drop_index("ix_form_target_unit", table_name="form_target")
    op.drop_index("ix_form_target_subject", table_name="form_target")
    op.drop_table("form_target")
    op.drop_index("ix_form_submission_unit", table_name="form_submission")
    op.drop_index("ix_form_submission_subject", table_name="form_submission")
    op.drop_table("form_submission")
    op.drop_index("ix_form_export_person", table_name="form_export")
    op.drop_table("form_export")
    op.drop_index("ix_form_day_count_path", table_name="form_day_count")
    op.drop_table("form_day_count")
    op.drop_index("ix_form_answer_count_path", table_name="form_answer_count")
    op.drop_table("form_answer_count")
    op.drop_table("form_version")
    op.drop_index("ix_form_campaign_unit", table_name="form_campaign")
    op.drop_table("form_campaign")
    op.drop_index("ix_form_template_unit", table_name="form_template")
    op.drop_table("form_template")
