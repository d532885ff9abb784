"""Per-user session versions; scan answers and contact mails linked to whom they quote

Logout ends every copy of a session cookie (user.session_version). Erasing a person deletes
the stored scan answers that quote them (scan_record.registration_id) and the contact mails
they sent (contact_request.mail_id).

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

    with op.batch_alter_table('scan_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_scan_record_registration_id_registration'),
            'registration', ['registration_id'], ['id'], ondelete='CASCADE',
        )
    with op.batch_alter_table('contact_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contact_request_mail_id'), ['mail_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_contact_request_mail_id_outbox_mail'),
            'outbox_mail', ['mail_id'], ['id'], ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('contact_request', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_contact_request_mail_id_outbox_mail'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_contact_request_mail_id'))
        batch_op.drop_column('mail_id')
    with op.batch_alter_table('scan_record', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_scan_record_registration_id_registration'), type_='foreignkey'
        )
        batch_op.drop_column('registration_id')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
