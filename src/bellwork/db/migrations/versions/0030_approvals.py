"""approvals: templates on forms' templates with versioned flows, requests, their steps,
approvers' tasks, the timeline, attachments, copies and delegations (approvals/)

Revision ID: 0030
Revises: 0029
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "approval_delegation",
        sa.Column("id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("delegate_id", BigId, nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["person.id"],
            name=op.f("fk_approval_delegation_delegate_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_approval_delegation_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_delegation")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("approval_delegation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_approval_delegation_person", ["person_id", "ends_on"], unique=False
        )

    op.create_table(
        "approval_template",
        sa.Column("id", BigId, nullable=False),
        sa.Column("form_template_id", BigId, nullable=False),
        sa.Column("unit_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("flow_version", sa.Integer(), nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
            name=op.f("fk_approval_template_created_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["form_template_id"],
            ["form_template.id"],
            name=op.f("fk_approval_template_form_template_id_form_template"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_approval_template_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_template")),
        sa.UniqueConstraint("form_template_id", name=op.f("uq_approval_template_form_template_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("approval_template", schema=None) as batch_op:
        batch_op.create_index("ix_approval_template_unit", ["unit_id", "id"], unique=False)

    op.create_table(
        "approval_flow",
        sa.Column("id", BigId, nullable=False),
        sa.Column("template_id", BigId, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("flow", sa.JSON(), nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
            name=op.f("fk_approval_flow_created_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["approval_template.id"],
            name=op.f("fk_approval_flow_template_id_approval_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_flow")),
        sa.UniqueConstraint(
            "template_id", "version", name=op.f("uq_approval_flow_template_id_version")
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "approval_request",
        sa.Column("id", BigId, nullable=False),
        sa.Column("template_id", BigId, nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("flow_version", sa.Integer(), nullable=False),
        sa.Column("submitter_id", BigId, nullable=False),
        sa.Column("subject_id", BigId, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["person.id"],
            name=op.f("fk_approval_request_subject_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitter_id"],
            ["person.id"],
            name=op.f("fk_approval_request_submitter_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["approval_template.id"],
            name=op.f("fk_approval_request_template_id_approval_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_request")),
        sa.UniqueConstraint(
            "submitter_id", "client_id", name=op.f("uq_approval_request_submitter_id_client_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("approval_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_approval_request_leave", ["subject_id", "status", "starts_on"], unique=False
        )
        batch_op.create_index("ix_approval_request_submitter", ["submitter_id", "id"], unique=False)

    op.create_table(
        "approval_copy",
        sa.Column("id", BigId, nullable=False),
        sa.Column("request_id", BigId, nullable=False),
        sa.Column("person_id", BigId, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_approval_copy_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["approval_request.id"],
            name=op.f("fk_approval_copy_request_id_approval_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_copy")),
        sa.UniqueConstraint(
            "request_id", "person_id", name=op.f("uq_approval_copy_request_id_person_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("approval_copy", schema=None) as batch_op:
        batch_op.create_index("ix_approval_copy_person", ["person_id", "request_id"], unique=False)

    op.create_table(
        "approval_event",
        sa.Column("id", BigId, nullable=False),
        sa.Column("request_id", BigId, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("actor_id", BigId, nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("target_id", BigId, nullable=True),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["person.id"],
            name=op.f("fk_approval_event_actor_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["approval_request.id"],
            name=op.f("fk_approval_event_request_id_approval_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["person.id"],
            name=op.f("fk_approval_event_target_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_event")),
        sa.UniqueConstraint("request_id", "seq", name=op.f("uq_approval_event_request_id_seq")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("approval_event", schema=None) as batch_op:
        batch_op.create_index("ix_approval_event_actor", ["actor_id", "request_id"], unique=False)

    op.create_table(
        "approval_step",
        sa.Column("id", BigId, nullable=False),
        sa.Column("request_id", BigId, nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["approval_request.id"],
            name=op.f("fk_approval_step_request_id_approval_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_step")),
        sa.UniqueConstraint(
            "request_id",
            "round",
            "position",
            name=op.f("uq_approval_step_request_id_round_position"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "approval_file",
        sa.Column("id", BigId, nullable=False),
        sa.Column("request_id", BigId, nullable=False),
        sa.Column("event_id", BigId, nullable=True),
        sa.Column("uploader_id", BigId, nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("thumb_key", sa.String(length=100), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["approval_event.id"],
            name=op.f("fk_approval_file_event_id_approval_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["approval_request.id"],
            name=op.f("fk_approval_file_request_id_approval_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploader_id"],
            ["person.id"],
            name=op.f("fk_approval_file_uploader_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_file")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("approval_file", schema=None) as batch_op:
        batch_op.create_index("ix_approval_file_request", ["request_id", "event_id"], unique=False)

    op.create_table(
        "approval_task",
        sa.Column("id", BigId, nullable=False),
        sa.Column("step_id", BigId, nullable=False),
        sa.Column("request_id", BigId, nullable=False),
        sa.Column("approver_id", BigId, nullable=False),
        sa.Column("on_behalf_of", BigId, nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approver_id"],
            ["person.id"],
            name=op.f("fk_approval_task_approver_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["on_behalf_of"],
            ["person.id"],
            name=op.f("fk_approval_task_on_behalf_of_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["approval_request.id"],
            name=op.f("fk_approval_task_request_id_approval_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["approval_step.id"],
            name=op.f("fk_approval_task_step_id_approval_step"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_task")),
        sa.UniqueConstraint(
            "step_id", "approver_id", name=op.f("uq_approval_task_step_id_approver_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("approval_task", schema=None) as batch_op:
        batch_op.create_index(
            "ix_approval_task_inbox", ["approver_id", "status", "request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("approval_task", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_task_inbox")

    op.drop_table("approval_task")
    with op.batch_alter_table("approval_file", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_file_request")

    op.drop_table("approval_file")
    op.drop_table("approval_step")
    with op.batch_alter_table("approval_event", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_event_actor")

    op.drop_table("approval_event")
    with op.batch_alter_table("approval_copy", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_copy_person")

    op.drop_table("approval_copy")
    with op.batch_alter_table("approval_request", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_request_submitter")
        batch_op.drop_index("ix_approval_request_leave")

    op.drop_table("approval_request")
    op.drop_table("approval_flow")
    with op.batch_alter_table("approval_template", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_template_unit")

    op.drop_table("approval_template")
    with op.batch_alter_table("approval_delegation", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_delegation_person")

    op.drop_table("approval_delegation")
