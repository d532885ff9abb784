"""Registrations sort by a collation key of their names (German rules on every database)

Revision ID: 0110
Revises: 0090
Create Date: 2026-12-01 20:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0110'
down_revision = '0090'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.LargeBinary(), nullable=True))

    # Existing rows get their key from their names, in batches (the app keeps it up to date).
    from conference.core.collation import name_key

    connection = op.get_bind()
    rows = connection.execute(sa.text('SELECT id, first_name, last_name FROM registration')).all()
    update = sa.text('UPDATE registration SET name_key = :key WHERE id = :id')
    for start in range(0, len(rows), 1000):
        connection.execute(
            update,
            [
                {'id': id_, 'key': name_key(last, first)}
                for id_, first, last in rows[start:start + 1000]
            ],
        )

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.create_index('ix_registration_congress_name_key', ['congress_id', 'name_key'], unique=False)


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_congress_name_key')
        batch_op.drop_column('name_key')
