"""The evaluation survey of an edition: built by organisers, answered by attendees after the
congress, with per-session questions taken from what each person attended."""
