"""Per-user session versions (logout ends every copy of a session cookie)

Revision ID: 0090
Revises: 0080
Create Date: 2026-12-02 10:00:00
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0090'
down_revision = '0080'
branch_labels = None
depends_on = None


def upgrade():
    # Existing sessions carry no version and end once: everybody signs in again after the upgrade.
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.String(length=32), server_default='', nullable=False)
        )
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('session_version', sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(
            user.update()
            .where(user.c.id == user_id)
            .values(session_version=secrets.token_urlsafe(12))
        )


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
