"""Editions set up in the browser: texts, versioned privacy notices, the organising body

Exactly one edition is current (a partial unique index). Every existing edition gets its
privacy notice as version 1, labelled as its registrations recorded it so far.

Revision ID: 0300
Revises: 0120
Create Date: 2026-12-01 22:00:00
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0300'
down_revision = '0120'
branch_labels = None
depends_on = None

# The one sentence the registration form showed before notices were written here.
OLD_NOTICE_DE = (
    "Wir speichern Ihre Daten, um den Kongress zu organisieren, Ihr Namensschild zu drucken und "
    "Sie über Änderungen zu informieren; sie werden nach Ablauf der Aufbewahrungsfrist gelöscht."
)
OLD_NOTICE_EN = (
    "We store your data to organise the congress, print your badge and inform you about "
    "changes; it is deleted after the retention period."
)


def upgrade():
    op.create_table(
        'edition_text',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('body_de', sa.Text(), nullable=False),
        sa.Column('body_en', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['congress_id'], ['congress.id'], name=op.f('fk_edition_text_congress_id_congress'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_edition_text')),
        sa.UniqueConstraint('congress_id', 'kind', name=op.f('uq_edition_text_congress_id_kind')),
    )
    op.create_table(
        'privacy_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('congress_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=40), nullable=False),
        sa.Column('body_de', sa.Text(), nullable=False),
        sa.Column('body_en', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['congress_id'], ['congress.id'], name=op.f('fk_privacy_notice_congress_id_congress'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_user_id'], ['user.id'], name=op.f('fk_privacy_notice_created_by_user_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notice')),
        sa.UniqueConstraint('congress_id', 'label', name=op.f('uq_privacy_notice_congress_id_label')),
        sa.UniqueConstraint('congress_id', 'number', name=op.f('uq_privacy_notice_congress_id_number')),
    )
    op.create_table(
        'organising_body',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('logo', sa.LargeBinary(), nullable=True),
        sa.Column('logo_mimetype', sa.String(length=20), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_organising_body_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organising_body')),
    )

    connection = op.get_bind()
    congress = sa.table(
        'congress',
        sa.column('id', sa.Integer),
        sa.column('is_current', sa.Boolean),
        sa.column('starts_on', sa.Date),
        sa.column('consent_text_version', sa.String),
    )
    # Before the index: keep one current edition (the newest of those marked), or mark the
    # newest when none was (the public pages showed that one anyway).
    rows = connection.execute(
        sa.select(congress.c.id, congress.c.is_current, congress.c.consent_text_version)
        .order_by(congress.c.starts_on.desc(), congress.c.id.desc())
    ).all()
    if rows:
        keep = next((row.id for row in rows if row.is_current), rows[0].id)
        connection.execute(congress.update().values(is_current=sa.false()))
        connection.execute(
            congress.update().where(congress.c.id == keep).values(is_current=sa.true())
        )
    with op.batch_alter_table('congress', schema=None) as batch_op:
        batch_op.create_index(
            'uq_congress_current',
            ['is_current'],
            unique=True,
            sqlite_where=sa.text('is_current'),
            postgresql_where=sa.text('is_current'),
        )

    notice = sa.table(
        'privacy_notice',
        sa.column('congress_id', sa.Integer),
        sa.column('number', sa.Integer),
        sa.column('label', sa.String),
        sa.column('body_de', sa.Text),
        sa.column('body_en', sa.Text),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    for row in rows:
        connection.execute(
            notice.insert().values(
                congress_id=row.id,
                number=1,
                label=(row.consent_text_version or '1')[:40],
                body_de=OLD_NOTICE_DE,
                body_en=OLD_NOTICE_EN,
                created_at=now,
            )
        )


def downgrade():
    with op.batch_alter_table('congress', schema=None) as batch_op:
        batch_op.drop_index(
            'uq_congress_current',
            sqlite_where=sa.text('is_current'),
            postgresql_where=sa.text('is_current'),
        )
    op.drop_table('organising_body')
    op.drop_table('privacy_notice')
    op.drop_table('edition_text')
