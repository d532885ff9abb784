"""Registration questions organisers shape per edition, and their own mail texts

Revision ID: 0400
Revises: 0300
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa

from conference.core.time import UTCDateTime


revision = '0400'
down_revision = '0300'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=30), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('text_de', sa.String(length=500), nullable=False),
        sa.Column('text_en', sa.String(length=500), nullable=False),
        sa.Column('help_de', sa.Text(), nullable=False),
        sa.Column('help_en', sa.Text(), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('min_value', sa.Integer(), nullable=True),
        sa.Column('max_value', sa.Integer(), nullable=True),
        sa.Column('visible_to_coordinators', sa.Boolean(), nullable=False),
        sa.Column('condition_option_id', sa.Integer(), nullable=True),
        sa.Column('archived_at', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            'min_value IS NULL OR max_value IS NULL OR min_value <= max_value',
            name=op.f('ck_question_range'),
        ),
        sa.ForeignKeyConstraint(
            ['congress_id'], ['congress.id'], name=op.f('fk_question_congress_id_congress'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question')),
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index(
            'ix_question_congress_scope', ['congress_id', 'scope', 'position'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_question_condition_option_id'), ['condition_option_id'], unique=False
        )

    op.create_table(
        'question_option',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text_de', sa.String(length=300), nullable=False),
        sa.Column('text_en', sa.String(length=300), nullable=False),
        sa.Column('archived_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['question_id'], ['question.id'], name=op.f('fk_question_option_question_id_question'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question_option')),
    )
    with op.batch_alter_table('question_option', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_question_option_question_id'), ['question_id'], unique=False
        )

    # The condition points at an option of another question: added once both tables exist.
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_question_condition_option_id_question_option'),
            'question_option', ['condition_option_id'], ['id'], ondelete='SET NULL',
        )

    op.create_table(
        'registration_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['question_id'], ['question.id'], name=op.f('fk_registration_answer_question_id_question'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['registration_id'], ['registration.id'],
            name=op.f('fk_registration_answer_registration_id_registration'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_answer')),
        sa.UniqueConstraint(
            'registration_id', 'question_id',
            name=op.f('uq_registration_answer_registration_id_question_id'),
        ),
    )
    with op.batch_alter_table('registration_answer', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_registration_answer_question_id'), ['question_id'], unique=False
        )

    op.create_table(
        'registration_answer_choice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('answer_id', sa.Integer(), nullable=False),
        sa.Column('option_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['answer_id'], ['registration_answer.id'],
            name=op.f('fk_registration_answer_choice_answer_id_registration_answer'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['option_id'], ['question_option.id'],
            name=op.f('fk_registration_answer_choice_option_id_question_option'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_answer_choice')),
        sa.UniqueConstraint(
            'answer_id', 'option_id',
            name=op.f('uq_registration_answer_choice_answer_id_option_id'),
        ),
    )
    with op.batch_alter_table('registration_answer_choice', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_registration_answer_choice_option_id'), ['option_id'], unique=False
        )

    op.create_table(
        'mail_text',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['congress_id'], ['congress.id'], name=op.f('fk_mail_text_congress_id_congress'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_text')),
        sa.UniqueConstraint(
            'congress_id', 'kind', 'language', name=op.f('uq_mail_text_congress_id_kind_language')
        ),
    )


def downgrade():
    op.drop_table('mail_text')
    with op.batch_alter_table('registration_answer_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_answer_choice_option_id'))
    op.drop_table('registration_answer_choice')
    with op.batch_alter_table('registration_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_answer_question_id'))
    op.drop_table('registration_answer')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_question_condition_option_id_question_option'), type_='foreignkey'
        )
    with op.batch_alter_table('question_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_option_question_id'))
    op.drop_table('question_option')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_condition_option_id'))
        batch_op.drop_index('ix_question_congress_scope')
    op.drop_table('question')
