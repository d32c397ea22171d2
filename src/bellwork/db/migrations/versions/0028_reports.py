"""reports: work report templates (on forms' templates), reports, their readers, comments and
the reminders sent (reports/)

Revision ID: 0028
Revises: 0027
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _person_fk(table: str, column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["person.id"], name=op.f(f"fk_{table}_{column}_person"), ondelete=ondelete
    )


def upgrade() -> None:
    with op.batch_alter_table("form_template") as batch:
        batch.add_column(
            sa.Column("purpose", sa.String(length=8), server_default="form", nullable=False)
        )
    op.create_table(
        "report_template",
        sa.Column("id", BigId, nullable=False),
        sa.Column("form_template_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("deadline", sa.String(length=5), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("remind_before", sa.Integer(), nullable=False),
        sa.Column("remind_by", sa.String(length=8), nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["form_template_id"],
            ["form_template.id"],
            name=op.f("fk_report_template_form_template_id_form_template"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_report_template_unit_id_unit"), ondelete="CASCADE"
        ),
        _person_fk("report_template", "created_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_template")),
        sa.UniqueConstraint("form_template_id", name=op.f("uq_report_template_form_template_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_report_template_unit", "report_template", ["unit_id", "id"], unique=False)
    op.create_table(
        "report",
        sa.Column("id", BigId, nullable=False),
        sa.Column("template_id", BigId, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author_id", BigId, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["report_template.id"],
            name=op.f("fk_report_template_id_report_template"),
            ondelete="CASCADE",
        ),
        _person_fk("report", "author_id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("author_id", "client_id", name=op.f("uq_report_author_id_client_id")),
        sa.UniqueConstraint(
            "template_id", "author_id", "period", name=op.f("uq_report_template_id_author_id_period")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_report_template_period", "report", ["template_id", "period"], unique=False
    )
    op.create_table(
        "report_reader",
        sa.Column("id", BigId, nullable=False),
        sa.Column("report_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_report_reader_report_id_report"),
            ondelete="CASCADE",
        ),
        _person_fk("report_reader", "person_id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_reader")),
        sa.UniqueConstraint("report_id", "person_id", name=op.f("uq_report_reader_report_id_person_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_report_reader_inbox",
        "report_reader",
        ["person_id", "role", "report_id"],
        unique=False,
    )
    op.create_table(
        "report_comment",
        sa.Column("id", BigId, nullable=False),
        sa.Column("report_id", BigId, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("author_id", BigId, nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_report_comment_report_id_report"),
            ondelete="CASCADE",
        ),
        _person_fk("report_comment", "author_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_comment")),
        sa.UniqueConstraint("report_id", "seq", name=op.f("uq_report_comment_report_id_seq")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "report_reminder",
        sa.Column("id", BigId, nullable=False),
        sa.Column("template_id", BigId, nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["report_template.id"],
            name=op.f("fk_report_reminder_template_id_report_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_reminder")),
        sa.UniqueConstraint("template_id", "period", name=op.f("uq_report_reminder_template_id_period")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("report_reminder")
    op.drop_table("report_comment")
    op.drop_index("ix_report_reader_inbox", table_name="report_reader")
    op.drop_table("report_reader")
    op.drop_index("ix_report_template_period", table_name="report")
    op.drop_table("report")
    op.drop_index("ix_report_template_unit", table_name="report_template")
    op.drop_table("report_template")
    with op.batch_alter_table("form_template") as batch:
        batch.drop_column("purpose")
