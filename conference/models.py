"""Every model, imported once so that metadata (Alembic, create_all) sees the whole schema."""

from conference.accounts.models import ApiToken, Role, User
from conference.agenda.models import (
    AgendaSession,
    Room,
    SessionKind,
    SessionSpeaker,
    SessionStatus,
    Speaker,
    Track,
)
from conference.checkin.models import CheckIn, Checkpoint, ScanRecord
from conference.core.models import (
    AuditLog,
    CarrierOrganisation,
    Congress,
    CongressDay,
    LocalStructure,
    OrganisationKind,
    OrganisationQuota,
    OutboxAttachment,
    OutboxMail,
)
from conference.editions.models import EditionText, OrganisingBody, PrivacyNotice
from conference.mailings.models import Mailing, MailingRecipient, MailingRule
from conference.mailtexts.models import MailText
from conference.questions.models import (
    Question,
    QuestionOption,
    RegistrationAnswer,
    RegistrationAnswerChoice,
)
from conference.registration.models import (
    BadgeRole,
    Diet,
    ProgrammeRole,
    Registration,
    RegistrationDay,
    Sector,
    Status,
)
from conference.reports.models import ContactRequest, DirectoryProfile
from conference.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyOption,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
)
from conference.workshops.models import (
    PhaseMode,
    WaitlistEntry,
    WorkshopPhase,
    WorkshopPreference,
    WorkshopSeat,
)

__all__ = [
    "AgendaSession",
    "ApiToken",
    "AuditLog",
    "BadgeRole",
    "CarrierOrganisation",
    "CheckIn",
    "Checkpoint",
    "Congress",
    "CongressDay",
    "ContactRequest",
    "Diet",
    "DirectoryProfile",
    "EditionText",
    "LocalStructure",
    "Mailing",
    "MailingRecipient",
    "MailingRule",
    "MailText",
    "OrganisationKind",
    "OrganisationQuota",
    "OrganisingBody",
    "OutboxAttachment",
    "OutboxMail",
    "PhaseMode",
    "PrivacyNotice",
    "ProgrammeRole",
    "Question",
    "QuestionOption",
    "Registration",
    "RegistrationAnswer",
    "RegistrationAnswerChoice",
    "RegistrationDay",
    "Role",
    "Room",
    "ScanRecord",
    "Sector",
    "SessionKind",
    "SessionSpeaker",
    "SessionStatus",
    "Speaker",
    "Status",
    "Survey",
    "SurveyAnswer",
    "SurveyOption",
    "SurveyParticipation",
    "SurveyQuestion",
    "SurveyResponse",
    "Track",
    "User",
    "WaitlistEntry",
    "WorkshopPhase",
    "WorkshopPreference",
    "WorkshopSeat",
]
