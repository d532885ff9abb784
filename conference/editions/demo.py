"""The demo's organising body and texts, set through the editions' services like an organiser
would (``conference/demo.py`` calls ``set_up``)."""

from __future__ import annotations

import io
from datetime import datetime

from conference.core.models import Congress
from conference.editions import services
from conference.editions.texts import GAP, TEMPLATES

ACTOR = "demo"
BODY_NAME = "Netzwerkstelle Fachkongress (Demo)"
BODY_ADDRESS = "Musterstraße 1\n10115 Berlin"

# What the demo writes into the templates' gaps; any other gap reads "(Demo)".
FILLED = {
    "Name der verantwortlichen Organisation": BODY_NAME,
    "Name of the organisation responsible": BODY_NAME,
    "Name der Organisation": BODY_NAME,
    "Name of the organisation": BODY_NAME,
    "Name der Organisation, Rechtsform": f"{BODY_NAME}, eingetragener Verein",
    "Name of the organisation, legal form": f"{BODY_NAME}, registered association",
    "Straße und Hausnummer": "Musterstraße 1",
    "Street and number": "Musterstraße 1",
    "PLZ und Ort": "10115 Berlin",
    "Postcode and town": "10115 Berlin",
    "E-Mail-Adresse": "kongress@example.org",
    "E-mail address": "kongress@example.org",
    "e-mail address": "kongress@example.org",
    "Telefonnummer": "030 1234567",
    "Phone number": "+49 30 1234567",
    "phone number": "+49 30 1234567",
    "Anzahl": "24",
    "number": "24",
    "Name des Veranstaltungsorts": "Tagungszentrum am Spreeufer (Demo)",
    "name of the venue": "Tagungszentrum am Spreeufer (Demo)",
    "Name und Ort der Druckerei": "Druckerei Beispiel, Berlin (Demo)",
    "name and town of the printer": "Druckerei Beispiel, Berlin (Demo)",
    "vollständig/teilweise": "teilweise",
    "fully/partially": "partially",
}

WELCOME = (
    "Zwei Tage Austausch der Programmträger, ihrer lokalen Strukturen, der Pat:innen, "
    "Mentor:innen und Lots:innen sowie von Fachleuten aus Politik, Verwaltung und Wissenschaft.\n\n"
    "**Plenarien, ein Podium und zwei Workshop-Phasen** mit je acht parallelen Workshops.\n",
    "Two days of exchange between the carrier organisations, their local structures, sponsors, "
    "mentors and guides, and experts from politics, administration and research.\n\n"
    "**Plenaries, a panel and two workshop phases** with eight parallel workshops each.\n",
)


def _filled(text: str) -> str:
    return GAP.sub(lambda match: FILLED.get(match.group(1), "(Demo)"), text)


def logo_png() -> bytes:
    """A small invented logo: the initials on the brand colour."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 80), (11, 79, 124))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 72, 72), outline=(255, 255, 255), width=4)
    draw.text((24, 30), "FK", fill=(255, 255, 255))
    draw.text((88, 30), "Demo", fill=(255, 255, 255))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def set_up(congresses: list[Congress], *, now: datetime) -> None:
    services.save_organising_body(
        BODY_NAME, BODY_ADDRESS, logo_data=logo_png(), actor=ACTOR, now=now
    )
    for congress in congresses:
        de, en = TEMPLATES["privacy"]
        services.save_privacy_notice(congress, _filled(de), _filled(en), actor=ACTOR, now=now)
        for kind in ("imprint", "accessibility"):
            de, en = TEMPLATES[kind]
            services.save_text(congress, kind, _filled(de), _filled(en), actor=ACTOR, now=now)
        services.save_text(congress, "welcome", *WELCOME, actor=ACTOR, now=now)
