"""The carriers' tables live in ``core/models.py`` (every area names a person's carrier); this
module keeps their old import path for code above the organisations area."""

from conference.core.models import (  # noqa: F401 - re-exported
    CarrierOrganisation,
    LocalStructure,
    OrganisationKind,
    OrganisationQuota,
)
