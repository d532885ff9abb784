"""Rooms, tracks, sessions, speakers, the agenda builder and the public programme."""
