"""Reports, for the views and for the areas above.

Split by topic: ``counts``, ``dashboard`` (its figures; the charts are drawn by
``core/charts.py``), ``facts`` (funder report, key figures, needs list), ``certificates``.
"""

from conference.reports.certificates import (  # noqa: E402, F401
    Attendance,
    CertificateNotAvailable,
    attendances,
    certificate_for,
    congress_over,
    organisation_attendances,
)
from conference.reports.counts import (  # noqa: E402, F401
    checked_in_counts,
    congress_stats,
    registration_counts,
    workshop_fill,
)
from conference.reports.dashboard import (  # noqa: E402, F401
    CHART_ROWS,
    Figure,
    _active,
    _as_date,
    _confirmed,
    _date_of,
    _day_label,
    _grouped,
    _top,
    dashboard_figures,
    diet_labels,
    question_figures,
    role_labels,
    sector_labels,
)
from conference.reports.facts import ReportFacts, key_figures, needs_list, report_facts  # noqa: E402, F401
