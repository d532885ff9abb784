"""Badges and tickets, for the views and for the areas above.

Split by topic: ``qr`` (layouts, QR codes, name fitting), ``selection`` (what is printed),
``records`` (printed, reissued); the documents, rendered from templates as ``core/pdf.py``
does: ``printing`` (the badges' PDF), ``tickets`` (the ticket PDF).
"""

import os  # noqa: F401  (tests patch ``services.os.cpu_count``)

from conference.badges.printing import (  # noqa: E402, F401
    PARALLEL_FROM,
    PART_SIZE,
    Badge,
    Workshop,
    _layout_progress,
    _LayoutProgress,
    _parts,
    _sheets,
    badge_for,
    badges_html,
    days_label,
    page_count,
    render_badges,
    workshops_by_registration,
)
from conference.badges.qr import (  # noqa: E402, F401
    _NAME_FLOOR,
    _NAME_STEPS,
    LAYOUTS,
    QR_BORDER_MODULES,
    QR_MASK,
    QR_MODULE_MM,
    QR_VERSION,
    BadgeRefused,
    EmptySelection,
    name_size,
    qr_svg,
)
from conference.badges.records import mark_printed, reissue  # noqa: E402, F401
from conference.badges.selection import (  # noqa: E402, F401
    _name_order,
    _refusal,
    _with_badge_loads,
    count_for_print,
    ensure_badge_allowed,
    registration_for_badge,
    scoped_organisation,
    select_for_print,
    selection_statement,
)
from conference.badges.tickets import (  # noqa: E402, F401
    _TICKET_KINDS,
    TICKET_AGENDA_LIMIT,
    AgendaLine,
    registration_by_manage_token,
    ticket_agenda,
    ticket_attachment,
    ticket_pdf,
)
from conference.registration.labels import BADGE_ROLE_LABELS  # noqa: E402, F401
