"""The evaluation survey of an edition: questions, options, answer sets, answers

An anonymous survey keeps only the fact that a person answered (survey_participation, without
an id, a time or, on SQLite, a rowid); answer sets have random keys.

Revision ID: 0500
Revises: 0400
Create Date: 2026-12-10 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0500'
down_revision = '0400'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'survey',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('closes_on', sa.Date(), nullable=False),
        sa.Column('intro_de', sa.Text(), nullable=False),
        sa.Column('intro_en', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['congress_id'], ['congress.id'], name=op.f('fk_survey_congress_id_congress'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey')),
        sa.UniqueConstraint('congress_id', name=op.f('uq_survey_congress_id')),
    )
    op.create_table(
        'survey_question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('text_de', sa.String(length=500), nullable=False),
        sa.Column('text_en', sa.String(length=500), nullable=False),
        sa.Column('low_de', sa.String(length=100), nullable=False),
        sa.Column('low_en', sa.String(length=100), nullable=False),
        sa.Column('high_de', sa.String(length=100), nullable=False),
        sa.Column('high_en', sa.String(length=100), nullable=False),
        sa.Column('per_session', sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('rating', 'single', 'multiple', 'text')", name=op.f('ck_survey_question_known_kind')),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_question_survey_id_survey'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question')),
    )
    op.create_index(op.f('ix_survey_question_survey_id'), 'survey_question', ['survey_id'], unique=False)
    op.create_table(
        'survey_option',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('label_de', sa.String(length=200), nullable=False),
        sa.Column('label_en', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_option_question_id_survey_question'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_option')),
    )
    op.create_index(op.f('ix_survey_option_question_id'), 'survey_option', ['question_id'], unique=False)
    op.create_table(
        'survey_participation',
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_survey_participation_registration_id_registration'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_participation_survey_id_survey'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('survey_id', 'registration_id', name=op.f('pk_survey_participation')),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_survey_participation_registration_id'), 'survey_participation', ['registration_id'], unique=False)
    op.create_table(
        'survey_response',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_survey_response_registration_id_registration'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_response_survey_id_survey'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
        sa.UniqueConstraint('survey_id', 'registration_id', name=op.f('uq_survey_response_survey_id_registration_id')),
    )
    op.create_index(op.f('ix_survey_response_survey_id'), 'survey_response', ['survey_id'], unique=False)
    op.create_table(
        'survey_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.String(length=32), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('rating', sa.Integer(), nullable=True),
        sa.Column('option_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=True),
        sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)', name=op.f('ck_survey_answer_rating_range')),
        sa.ForeignKeyConstraint(['option_id'], ['survey_option.id'], name=op.f('fk_survey_answer_option_id_survey_option'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_answer_question_id_survey_question'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['response_id'], ['survey_response.id'], name=op.f('fk_survey_answer_response_id_survey_response'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('fk_survey_answer_session_id_agenda_session'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer')),
    )
    op.create_index('ix_survey_answer_question_session', 'survey_answer', ['question_id', 'session_id'], unique=False)
    op.create_index(op.f('ix_survey_answer_option_id'), 'survey_answer', ['option_id'], unique=False)
    op.create_index(op.f('ix_survey_answer_response_id'), 'survey_answer', ['response_id'], unique=False)
    op.create_index(op.f('ix_survey_answer_session_id'), 'survey_answer', ['session_id'], unique=False)


def downgrade():
    op.drop_table('survey_answer')
    op.drop_table('survey_response')
    op.drop_table('survey_participation')
    op.drop_table('survey_option')
    op.drop_table('survey_question')
    op.drop_table('survey')
