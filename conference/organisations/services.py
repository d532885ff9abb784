"""Carrier organisations, for the views and for the areas above.

Split by topic: ``carriers`` (overview, editing, quotas), ``imports`` (CSV), ``merging`` (free
text to carriers, merging carriers), ``portal`` (the coordinators' portal).
"""

from conference.organisations.carriers import (  # noqa: E402, F401
    CARRIER_FIELDS,
    CarrierRow,
    _name_taken,
    add_local_structure,
    carrier_for,
    carrier_overview,
    get_carrier,
    kind_labels,
    quota_of,
    save_carrier,
    set_quota,
)
from conference.organisations.imports import (  # noqa: E402, F401
    EMAIL,
    IMPORT_ALIASES,
    KIND_SPELLINGS,
    ImportPreview,
    apply_import,
    preview_import,
)
from conference.organisations.merging import (  # noqa: E402, F401
    map_free_text,
    mapping_targets,
    merge_carriers,
    resolve_target,
    suggest_target,
    unmapped_organisations,
)
from conference.organisations.portal import PortalPerson, portal_people  # noqa: E402, F401
