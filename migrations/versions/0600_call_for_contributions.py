"""The call for contributions: the call of an edition, its formats and review criteria,
submissions with co-presenters and answers to the extra questions, reviews and their scores,
reviewers' tracks; speakers' personal links and sessions' materials

Revision ID: 0600
Revises: 0550
Create Date: 2026-12-02 02:22:37.950750
"""
from alembic import op
import sqlalchemy as sa


revision = '0600'
down_revision = '0550'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cfp_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('congress_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('intro_de', sa.Text(), nullable=False),
    sa.Column('intro_en', sa.Text(), nullable=False),
    sa.Column('abstract_limit', sa.Integer(), nullable=False),
    sa.Column('anonymous_review', sa.Boolean(), nullable=False),
    sa.Column('decisions_released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['congress_id'], ['congress.id'], name=op.f('fk_cfp_call_congress_id_congress'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_call')),
    sa.UniqueConstraint('congress_id', name=op.f('uq_cfp_call_congress_id'))
    )
    op.create_table('cfp_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('name_de', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('weight >= 1 AND weight <= 10', name=op.f('ck_cfp_criterion_weight_range')),
    sa.ForeignKeyConstraint(['call_id'], ['cfp_call.id'], name=op.f('fk_cfp_criterion_call_id_cfp_call'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_criterion'))
    )
    with op.batch_alter_table('cfp_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cfp_criterion_call_id'), ['call_id'], unique=False)

    op.create_table('cfp_format',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('name_de', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('session_kind', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_cfp_format_positive_duration')),
    sa.ForeignKeyConstraint(['call_id'], ['cfp_call.id'], name=op.f('fk_cfp_format_call_id_cfp_call'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_format'))
    )
    with op.batch_alter_table('cfp_format', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cfp_format_call_id'), ['call_id'], unique=False)

    op.create_table('cfp_reviewer_track',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_cfp_reviewer_track_track_id_track'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_cfp_reviewer_track_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'track_id', name=op.f('pk_cfp_reviewer_track'))
    )
    with op.batch_alter_table('cfp_reviewer_track', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cfp_reviewer_track_track_id'), ['track_id'], unique=False)

    op.create_table('cfp_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('congress_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('decision_mailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('abstract', sa.Text(), nullable=False),
    sa.Column('format_id', sa.Integer(), nullable=True),
    sa.Column('track_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('target_group', sa.String(length=300), nullable=False),
    sa.Column('max_participants', sa.Integer(), nullable=True),
    sa.Column('accessibility', sa.Text(), nullable=False),
    sa.Column('carrier_id', sa.Integer(), nullable=True),
    sa.Column('organisation_other', sa.String(length=200), nullable=False),
    sa.Column('first_name', sa.String(length=200), nullable=False),
    sa.Column('last_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('mail_language', sa.String(length=5), nullable=False),
    sa.Column('manage_token', sa.String(length=64), nullable=False),
    sa.Column('confirm_token', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['carrier_id'], ['carrier_organisation.id'], name=op.f('fk_cfp_submission_carrier_id_carrier_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['congress_id'], ['congress.id'], name=op.f('fk_cfp_submission_congress_id_congress'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['format_id'], ['cfp_format.id'], name=op.f('fk_cfp_submission_format_id_cfp_format'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('fk_cfp_submission_session_id_agenda_session'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_cfp_submission_track_id_track'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_submission')),
    sa.UniqueConstraint('confirm_token', name=op.f('uq_cfp_submission_confirm_token')),
    sa.UniqueConstraint('manage_token', name=op.f('uq_cfp_submission_manage_token')),
    sa.UniqueConstraint('session_id', name=op.f('uq_cfp_submission_session_id'))
    )
    with op.batch_alter_table('cfp_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cfp_submission_carrier_id'), ['carrier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cfp_submission_congress_id'), ['congress_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cfp_submission_format_id'), ['format_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cfp_submission_track_id'), ['track_id'], unique=False)

    op.create_table('cfp_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_cfp_answer_question_id_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['cfp_submission.id'], name=op.f('fk_cfp_answer_submission_id_cfp_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_answer')),
    sa.UniqueConstraint('submission_id', 'question_id', name=op.f('uq_cfp_answer_submission_id_question_id'))
    )
    with op.batch_alter_table('cfp_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cfp_answer_question_id'), ['question_id'], unique=False)

    op.create_table('cfp_presenter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['cfp_submission.id'], name=op.f('fk_cfp_presenter_submission_id_cfp_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_presenter'))
    )
    with op.batch_alter_table('cfp_presenter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cfp_presenter_submission_id'), ['submission_id'], unique=False)

    op.create_table('cfp_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_cfp_review_reviewer_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['cfp_submission.id'], name=op.f('fk_cfp_review_submission_id_cfp_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_review')),
    sa.UniqueConstraint('submission_id', 'reviewer_id', name=op.f('uq_cfp_review_submission_id_reviewer_id'))
    )
    with op.batch_alter_table('cfp_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cfp_review_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cfp_review_submission_id'), ['submission_id'], unique=False)

    op.create_table('cfp_answer_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['cfp_answer.id'], name=op.f('fk_cfp_answer_choice_answer_id_cfp_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['question_option.id'], name=op.f('fk_cfp_answer_choice_option_id_question_option'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_answer_choice')),
    sa.UniqueConstraint('answer_id', 'option_id', name=op.f('uq_cfp_answer_choice_answer_id_option_id'))
    )
    with op.batch_alter_table('cfp_answer_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cfp_answer_choice_option_id'), ['option_id'], unique=False)

    op.create_table('cfp_review_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.CheckConstraint('score >= 1 AND score <= 5', name=op.f('ck_cfp_review_score_score_range')),
    sa.ForeignKeyConstraint(['criterion_id'], ['cfp_criterion.id'], name=op.f('fk_cfp_review_score_criterion_id_cfp_criterion'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['cfp_review.id'], name=op.f('fk_cfp_review_score_review_id_cfp_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_review_score')),
    sa.UniqueConstraint('review_id', 'criterion_id', name=op.f('uq_cfp_review_score_review_id_criterion_id'))
    )
    with op.batch_alter_table('cfp_review_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cfp_review_score_criterion_id'), ['criterion_id'], unique=False)
    op.create_table('session_material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('fk_session_material_session_id_agenda_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_material'))
    )
    with op.batch_alter_table('session_material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_material_session_id'), ['session_id'], unique=False)

    op.create_table('speaker_access',
    sa.Column('speaker_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['speaker_id'], ['speaker.id'], name=op.f('fk_speaker_access_speaker_id_speaker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('speaker_id', name=op.f('pk_speaker_access')),
    sa.UniqueConstraint('token', name=op.f('uq_speaker_access_token'))
    )


def downgrade():
    op.drop_table('speaker_access')
    with op.batch_alter_table('session_material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_material_session_id'))

    op.drop_table('session_material')
    with op.batch_alter_table('cfp_review_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cfp_review_score_criterion_id'))

    op.drop_table('cfp_review_score')
    with op.batch_alter_table('cfp_answer_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cfp_answer_choice_option_id'))

    op.drop_table('cfp_answer_choice')
    with op.batch_alter_table('cfp_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cfp_review_submission_id'))
        batch_op.drop_index(batch_op.f('ix_cfp_review_reviewer_id'))

    op.drop_table('cfp_review')
    with op.batch_alter_table('cfp_presenter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cfp_presenter_submission_id'))

    op.drop_table('cfp_presenter')
    with op.batch_alter_table('cfp_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cfp_answer_question_id'))

    op.drop_table('cfp_answer')
    with op.batch_alter_table('cfp_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cfp_submission_track_id'))
        batch_op.drop_index(batch_op.f('ix_cfp_submission_format_id'))
        batch_op.drop_index(batch_op.f('ix_cfp_submission_congress_id'))
        batch_op.drop_index(batch_op.f('ix_cfp_submission_carrier_id'))

    op.drop_table('cfp_submission')
    with op.batch_alter_table('cfp_reviewer_track', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cfp_reviewer_track_track_id'))

    op.drop_table('cfp_reviewer_track')
    with op.batch_alter_table('cfp_format', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cfp_format_call_id'))

    op.drop_table('cfp_format')
    with op.batch_alter_table('cfp_criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cfp_criterion_call_id'))

    op.drop_table('cfp_criterion')
    op.drop_table('cfp_call')
