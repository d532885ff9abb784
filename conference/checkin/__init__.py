"""Door scanning: checkpoints, check-ins, the scan API and live counts."""


def init_app(app) -> None:
    """Listen to the agenda (which must not know who listens): a workshop with sign-up that
    moves or is renamed keeps its checkpoint current."""
    from conference.checkin.services import follow_session_change
    from conference.core.signals import session_changed

    session_changed.connect(follow_session_change)
