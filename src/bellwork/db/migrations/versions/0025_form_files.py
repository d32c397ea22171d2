"""form_file: a photo or file answering a form's file question, uploaded by the filler before
submitting (forms/files.py)

Revision ID: 0025
Revises: 0024
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_file",
        sa.Column("id", BigId, nullable=False),
        sa.Column("campaign_id", BigId, nullable=False),
        sa.Column("subject_id", BigId, nullable=False),
        sa.Column("owner_id", BigId, nullable=True),
        sa.Column("submission_id", BigId, nullable=True),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("thumb_key", sa.String(length=100), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["form_campaign.id"],
            name=op.f("fk_form_file_campaign_id_form_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["person.id"],
            name=op.f("fk_form_file_subject_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["person.id"],
            name=op.f("fk_form_file_owner_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["form_submission.id"],
            name=op.f("fk_form_file_submission_id_form_submission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_file")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_form_file_submission", "form_file", ["submission_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_form_file_submission", table_name="form_file")
    op.drop_table("form_file")
