"""Mailings to participants, the people each reached, and scheduled mail rules

A mailing is expanded into the outbox in batches (its cursor moves by a conditional UPDATE);
(mailing, registration) is unique, so nobody gets one mailing twice; a rule sets off at most
one mailing (mailing.rule_id is unique).

Revision ID: 0550
Revises: 0510
Create Date: 2026-12-02 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0550'
down_revision = '0510'
branch_labels = None
depends_on = None


def _texts():
    return [
        sa.Column('subject_de', sa.String(length=200), nullable=False),
        sa.Column('body_de', sa.Text(), nullable=False),
        sa.Column('subject_en', sa.String(length=200), nullable=False),
        sa.Column('body_en', sa.Text(), nullable=False),
        sa.Column('attach_ticket', sa.Boolean(), nullable=False),
        sa.Column('attach_calendar', sa.Boolean(), nullable=False),
        sa.Column('recipients', sa.JSON(), nullable=False),
    ]


def upgrade():
    op.create_table(
        'mailing_rule',
        *_texts(),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('anchor', sa.String(length=20), nullable=False),
        sa.Column('days', sa.Integer(), nullable=False),
        sa.Column('send_time', sa.Time(), nullable=False),
        sa.Column('preset', sa.String(length=20), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ran_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("anchor IN ('before_start', 'after_end')", name=op.f('ck_mailing_rule_known_anchor')),
        sa.CheckConstraint('days >= 0 AND days <= 365', name=op.f('ck_mailing_rule_days_in_range')),
        sa.ForeignKeyConstraint(['congress_id'], ['congress.id'], name=op.f('fk_mailing_rule_congress_id_congress'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mailing_rule')),
        sa.UniqueConstraint('congress_id', 'preset', name=op.f('uq_mailing_rule_congress_id_preset')),
    )
    op.create_index(op.f('ix_mailing_rule_congress_id'), 'mailing_rule', ['congress_id'], unique=False)
    op.create_table(
        'mailing',
        *_texts(),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('cursor', sa.Integer(), nullable=False),
        sa.Column('recipient_count', sa.Integer(), nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('form_key', sa.String(length=43), nullable=True),
        sa.CheckConstraint("state IN ('expanding', 'queued')", name=op.f('ck_mailing_known_state')),
        sa.ForeignKeyConstraint(['congress_id'], ['congress.id'], name=op.f('fk_mailing_congress_id_congress'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_mailing_created_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['rule_id'], ['mailing_rule.id'], name=op.f('fk_mailing_rule_id_mailing_rule'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mailing')),
        sa.UniqueConstraint('rule_id', name=op.f('uq_mailing_rule_id')),
        sa.UniqueConstraint('form_key', name=op.f('uq_mailing_form_key')),
    )
    op.create_index(op.f('ix_mailing_congress_id'), 'mailing', ['congress_id'], unique=False)
    op.create_index(op.f('ix_mailing_state'), 'mailing', ['state'], unique=False)
    op.create_table(
        'mailing_recipient',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mailing_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('outbox_mail_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['mailing_id'], ['mailing.id'], name=op.f('fk_mailing_recipient_mailing_id_mailing'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['outbox_mail_id'], ['outbox_mail.id'], name=op.f('fk_mailing_recipient_outbox_mail_id_outbox_mail'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_mailing_recipient_registration_id_registration'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mailing_recipient')),
        sa.UniqueConstraint('mailing_id', 'registration_id', name=op.f('uq_mailing_recipient_mailing_id_registration_id')),
    )
    op.create_index(op.f('ix_mailing_recipient_outbox_mail_id'), 'mailing_recipient', ['outbox_mail_id'], unique=False)
    op.create_index(op.f('ix_mailing_recipient_registration_id'), 'mailing_recipient', ['registration_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_mailing_recipient_registration_id'), table_name='mailing_recipient')
    op.drop_index(op.f('ix_mailing_recipient_outbox_mail_id'), table_name='mailing_recipient')
    op.drop_table('mailing_recipient')
    op.drop_index(op.f('ix_mailing_state'), table_name='mailing')
    op.drop_index(op.f('ix_mailing_congress_id'), table_name='mailing')
    op.drop_table('mailing')
    op.drop_index(op.f('ix_mailing_rule_congress_id'), table_name='mailing_rule')
    op.drop_table('mailing_rule')
