"""API users and token revocations (only a token's SHA-256 is stored).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_users")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_users_token_sha256")),
    )
    op.create_table(
        "api_user_revocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["api_users.id"], name=op.f("fk_api_user_revocations_user_id_api_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_user_revocations")),
    )
    with op.batch_alter_table("api_user_revocations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_user_revocations_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("api_user_revocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_user_revocations_user_id"))
    op.drop_table("api_user_revocations")
    op.drop_table("api_users")
