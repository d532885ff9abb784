"""Rename registration.confirmed_at to placed_at: it is set when a person is waitlisted too

The column holds when the person was last placed: the double opt-in completed and they got a
seat or a waiting-list place, or a promotion gave them a seat. Batch mode, so SQLite copies the
table; PostgreSQL renames the column in place.

Revision ID: 0510
Revises: 0500
Create Date: 2026-12-12 10:00:00
"""

from alembic import op


revision = '0510'
down_revision = '0500'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('confirmed_at', new_column_name='placed_at')


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('placed_at', new_column_name='confirmed_at')
