"""The registration area's operations, for the views and for the areas above.

Split by topic: ``rules`` (what a registration must satisfy, the refusals), ``lookup`` (by link
token, waiting-list position), ``seats`` (congress, day and quota seats, race-free),
``lifecycle`` (sign-up, confirmation, waiting list, changes, the registration's part of a
cancellation), ``mail``, ``staff`` (search, export, resend), ``imports`` (CSV). A cancellation
or a change of days also frees what other areas hold: that is composed in
``conference/attendee/lifecycle.py``.

Services take the actor, the congress and ``now`` as arguments, flush and never commit.
"""

from conference.registration.imports import (  # noqa: F401
    IMPORT_ALIASES,
    IMPORT_REQUIRED,
    IMPORT_TEMPLATE_COLUMNS,
    ImportPreview,
    ImportResult,
    ImportRow,
    import_preview,
    import_rows,
    import_template,
)
from conference.registration.lifecycle import (  # noqa: F401
    Consent,
    change_days,
    confirm,
    confirmation_link,
    move_from_waitlist,
    promote,
    refuse_if_cancelled,
    register,
    renew_expired_link,
    resend_confirmation,
    send_lost_link,
    set_photo_consent,
    sign_up,
    update_registration,
    withdraw,
)
from conference.registration.lookup import (  # noqa: F401
    PAGE_LOADS,
    by_confirm_token,
    by_manage_token,
    waitlist_position,
)
from conference.registration.mail import (  # noqa: F401
    confirm_url,
    send,
    send_mail,
)
from conference.registration.rules import (  # noqa: F401
    CONFIRM_VALID_FOR,
    PERSONAL_FIELDS,
    AlreadyRegistered,
    Erased,
    InvalidRegistration,
    LinkExpired,
    NoSeat,
    RegistrationCancelled,
    RegistrationClosed,
    check,
    link_expired,
    normalise_email,
)
from conference.registration.seats import (  # noqa: F401
    claim_day,
    claim_quota,
    free_seats,
    has_quota,
    move_to_waitlist,
    obstacle_text,
    release_day,
    release_quota,
    seat_obstacle,
    take_seats,
)
from conference.registration.staff import (  # noqa: F401
    NEED_COLUMNS,
    PAGE_SIZE,
    Filters,
    Page,
    carriers_with_locals,
    check_scope,
    export_rows,
    for_staff,
    resend,
    scope_carrier,
    search,
    status_counts,
)
