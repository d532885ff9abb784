"""Speakers who look after themselves (issue 19, points 6 and 7): the personal link
``/speaker/<token>`` (confirm or decline, name, organisation, bio, photo, their sessions, their
badge and calendar), a speaker's registration that takes no seat, and the materials of a
session (checked by their content).

It sits above the agenda, registration, badges and feeds (it uses all four) and beside the
call for contributions; the agenda's pages below it show its parts through template helpers
(``session_materials``, ``unconfirmed_speakers``).
"""
