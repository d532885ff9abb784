"""Shared plumbing: time, tokens, errors, audit log, mail outbox, the congress edition."""
