"""Door devices by id: check-ins name their API token or staff user, nonces belong to a device

Revision ID: 0120
Revises: 0110
Create Date: 2026-12-01 20:00:00

``check_in.device`` held a token's name or a staff user's e-mail address: two tokens with the
same name undid each other's check-ins, and the door was shown an e-mail address. It becomes
``api_token_id`` / ``user_id``; existing rows are matched by e-mail address or by a token name
that only one token has (the others keep neither, like system check-ins).

``scan_record`` nonces were global and the stored answer quoted the attendee. Nonces are now
unique per device and the answer is stored without the person. Stored answers only matter for
a few minutes (a resent scan), so the old ones are dropped rather than rewritten.
"""
from alembic import op
import sqlalchemy as sa


revision = '0120'
down_revision = '0110'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_token_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
    op.execute(
        'UPDATE check_in SET user_id = (SELECT "user".id FROM "user" '
        'WHERE "user".email = check_in.device)'
    )
    op.execute(
        'UPDATE check_in SET api_token_id = (SELECT MIN(api_token.id) FROM api_token '
        'WHERE api_token.name = check_in.device HAVING COUNT(*) = 1) '
        'WHERE user_id IS NULL'
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_check_in_api_token_id_api_token'), 'api_token', ['api_token_id'],
            ['id'], ondelete='SET NULL'
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_check_in_user_id_user'), 'user', ['user_id'], ['id'],
            ondelete='SET NULL'
        )
        batch_op.create_index('ix_check_in_api_token_at', ['api_token_id', 'checked_in_at'],
                              unique=False)
        batch_op.create_index('ix_check_in_user_at', ['user_id', 'checked_in_at'], unique=False)
        batch_op.drop_column('device')

    op.execute('DELETE FROM scan_record')
    with op.batch_alter_table('scan_record', schema=None) as batch_op:
        batch_op.drop_constraint('uq_scan_record_nonce', type_='unique')
        batch_op.add_column(sa.Column('device', sa.String(length=40), nullable=False))
        # registration_id (and its foreign key) came with 0090.
        batch_op.create_unique_constraint(
            batch_op.f('uq_scan_record_device_nonce'), ['device', 'nonce']
        )
        batch_op.create_index(batch_op.f('ix_scan_record_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_record_registration_id'), ['registration_id'],
                              unique=False)


def downgrade():
    op.execute('DELETE FROM scan_record')
    with op.batch_alter_table('scan_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scan_record_registration_id'))
        batch_op.drop_index(batch_op.f('ix_scan_record_at'))
        batch_op.drop_constraint(batch_op.f('uq_scan_record_device_nonce'), type_='unique')
        batch_op.drop_column('device')
        batch_op.create_unique_constraint('uq_scan_record_nonce', ['nonce'])

    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('device', sa.String(length=120), nullable=False, server_default='')
        )
    op.execute(
        'UPDATE check_in SET device = COALESCE('
        '(SELECT api_token.name FROM api_token WHERE api_token.id = check_in.api_token_id), '
        '(SELECT "user".email FROM "user" WHERE "user".id = check_in.user_id), \'\')'
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.alter_column('device', server_default=None)
        batch_op.drop_index('ix_check_in_user_at')
        batch_op.drop_index('ix_check_in_api_token_at')
        batch_op.drop_constraint(batch_op.f('fk_check_in_user_id_user'), type_='foreignkey')
        batch_op.drop_constraint(
            batch_op.f('fk_check_in_api_token_id_api_token'), type_='foreignkey'
        )
        batch_op.drop_column('user_id')
        batch_op.drop_column('api_token_id')
