"""Online registration with double opt-in, capacity, waitlist and self-service."""
