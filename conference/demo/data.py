"""The demo's data, read from ``data.toml`` beside this file (stdlib ``tomllib``).

The names and shapes are the ones the demo's code has always used: lists of tuples in the
order of the file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from conference.core.models import OrganisationKind

with (Path(__file__).with_name("data.toml")).open("rb") as file:
    _DATA = tomllib.load(file)

TZ = _DATA["timezone"]

#: name, short name, kind, city, state
CARRIERS = [
    (c["name"], c["short_name"], OrganisationKind(c["kind"]), c["city"], c["state"])
    for c in _DATA["carriers"]
]
LOCAL_CITIES = [tuple(city) for city in _DATA["local_cities"]]
FIRST_NAMES = list(_DATA["first_names"])
LAST_NAMES = list(_DATA["last_names"])
# A few names in Arabic script, so badges and lists prove they render.
ARABIC_NAMES = [tuple(name) for name in _DATA["arabic_names"]]
SPEAKERS = [(s["name"], s["organisation"], s["bio"]) for s in _DATA["speakers"]]
ROOMS = [(r["name"], r["capacity"], r["floor"], r["accessibility"]) for r in _DATA["rooms"]]
TRACKS = [(t["name"], t["colour"]) for t in _DATA["tracks"]]
WORKSHOPS_PHASE_1 = [(w["title"], w["track"]) for w in _DATA["workshops_phase_1"]]
WORKSHOPS_PHASE_2 = [(w["title"], w["track"]) for w in _DATA["workshops_phase_2"]]
