"""Door scanning, for the views and for the areas above.

Split by topic: ``outcome`` (the result of a scan and what it carries), ``checkpoints``,
``statements`` (the scan's SQL), ``scan`` (judge, record, replay, undo), ``door`` (search,
printed lists, walk-ins), ``attendance`` (counts, live figures). The door screen's tones and
words are presentation: ``checkin/presentation.py``.
"""

from conference.checkin.attendance import (  # noqa: E402, F401
    LiveCounts,
    _buckets,
    checked_in_of_carrier,
    checkpoint_count,
    live_counts,
    workshops_of_day,
)
from conference.checkin.checkpoints import (  # noqa: E402, F401
    UnknownCheckpoint,
    checkpoints,
    day_code,
    ensure_checkpoints,
    find_checkpoint,
    follow_session_change,
    today_in,
    token_digests,
    workshop_code,
)
from conference.checkin.door import (  # noqa: E402, F401
    AlreadyRegistered,
    CongressFull,
    DoorListRow,
    _escape_like,
    _fold,
    door_list,
    name_order,
    register_walk_in,
    search,
    search_answers,
)
from conference.checkin.outcome import (  # noqa: E402, F401
    MAX_NONCE_LENGTH,
    Attendee,
    Device,
    Door,
    NonceReused,
    ScanOutcome,
    ScanResult,
)
from conference.checkin.presentation import TONE, describe, role_label  # noqa: E402, F401
from conference.checkin.scan import (  # noqa: E402, F401
    _attendee,
    _judge,
    _replay,
    _scan,
    record_scan,
    scan,
    scan_response,
    undo_last,
)
from conference.checkin.statements import (  # noqa: E402, F401
    _ATTENDEE_BY_ID,
    _CHECK_IN_COLUMNS,
    _CHECK_IN_WITH_DEVICE,
    _DEVICE_NAME,
    _FIRST_CHECK_IN,
    _STATEMENTS,
    _STORED_ANSWER,
    _carrier,
    _check_in_table,
    _checkpoint,
    _congress,
    _day,
    _insert_check_in,
    _insert_record,
    _person_columns,
    _record,
    _registration,
    _scan_statement,
    _statement,
    _structure,
    _target,
    _token_table,
    _user_table,
    _with_organisation,
)
