"""Congress editions, for the views and for the areas above.

Split by topic: ``checks`` (limits, refusals, reading, validation), ``changes`` (create, change,
open, close, delete), ``copying`` (a new edition from an old one), ``notices`` (texts, privacy
notices, the organising body). Services flush, never commit.
"""

from conference.checkin.services import ensure_checkpoints  # noqa: E402, F401
from conference.core.errors import Conflict  # noqa: E402, F401
from conference.editions.changes import (  # noqa: E402, F401
    _sync_days,
    close_registration,
    create_edition,
    delete_edition,
    deletion_blockers,
    mark_current,
    open_registration,
    set_day_capacities,
    set_programme_published,
    update_edition,
)
from conference.editions.checks import (  # noqa: E402, F401
    LOGO_FORMATS,
    MAX_DAYS,
    MAX_LOGO_BYTES,
    MAX_LOGO_PIXELS,
    MAX_TEXT,
    PRIVACY,
    SLUG,
    TEXT_KINDS,
    EditionInput,
    EditionRefused,
    _change_problems,
    _days_in_use,
    _free_slug,
    _has_check_ins,
    _problems,
    _slug_taken,
    _slugify,
    _user_id,
    edition_or_404,
    editions,
    registration_counts,
    time_zones,
)
from conference.editions.copying import (  # noqa: E402, F401
    CopyPreview,
    CopyStep,
    _copy_day_capacities,
    _copy_parts,
    _copy_phases,
    _copy_quotas,
    _copy_texts,
    copies_along,
    copy_defaults,
    copy_edition,
    copy_preview,
)
from conference.editions.notices import (  # noqa: E402, F401
    _check_text,
    check_logo,
    consent_versions,
    logo,
    newest_privacy_notice,
    organising_body,
    privacy_notice,
    privacy_notices,
    save_organising_body,
    save_privacy_notice,
    save_text,
    text_of,
)
