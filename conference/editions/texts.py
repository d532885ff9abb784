"""Organisers' Markdown as safe HTML, and the templates the texts start from.

Rendering is markdown-it-py (CommonMark, raw HTML off) and the result goes through nh3
(ammonia) with a short list of tags, so neither a ``<script>`` typed into the imprint nor a
``javascript:`` link survives. Headings move one level down: the page has its own ``<h1>``.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

#: A gap the organiser still has to fill: "[[Name des Verantwortlichen]]".
GAP = re.compile(r"\[\[([^\[\]\n]{1,200})\]\]")

# "breaks": a line break in the text is one on the page (addresses in the imprint).
_HTML_GAP = re.compile(r"\[\[([^\[\]<>]{1,200})\]\]")

_parser = MarkdownIt("commonmark", {"html": False, "breaks": True, "typographer": False})
_parser.enable("table")


def render_markdown(text: str) -> Markup:
    """The text as sanitised HTML, safe to put into a page or a PDF."""
    tokens = _parser.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 1)}"
    html = nh3.clean(
        _parser.renderer.render(tokens, _parser.options, {}),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    # Gaps stand out; their text is already escaped by the sanitiser.
    return Markup(_HTML_GAP.sub(r'<mark class="gap">[[\1]]</mark>', html))


def gaps(text: str) -> list[str]:
    """The marked gaps left in a text, in order, each once."""
    found: list[str] = []
    for match in GAP.finditer(text or ""):
        if match.group(1) not in found:
            found.append(match.group(1))
    return found


# --- the templates ---------------------------------------------------------------------------
# German and English are both kept here (not in the catalogue): they are the organiser's
# starting text in each language, not words of the interface.

PRIVACY_DE = """\
Wir freuen uns über Ihr Interesse an unserem Kongress. Hier informieren wir Sie nach Art. 13 der
Datenschutz-Grundverordnung (DSGVO) darüber, welche personenbezogenen Daten wir bei Ihrer
Anmeldung erheben und was mit ihnen geschieht.

# Verantwortliche Stelle

[[Name der verantwortlichen Organisation]]
[[Straße und Hausnummer]], [[PLZ und Ort]]
E-Mail: [[E-Mail-Adresse]] · Telefon: [[Telefonnummer]]

# Datenschutzbeauftragte Person

[[Name oder Stelle der bzw. des Datenschutzbeauftragten]], erreichbar unter
[[E-Mail-Adresse der bzw. des Datenschutzbeauftragten]].

# Welche Daten wir verarbeiten und wozu

- **Anmeldung und Organisation:** Name, E-Mail-Adresse, Organisation, Rolle im Programm, die
  Kongresstage, die Sie besuchen, und Ihre Workshop-Wahl: um Ihre Teilnahme zu planen, Ihr
  Namensschild und Ihr Ticket zu drucken und Sie über Änderungen zu informieren.
- **Barrierefreiheit und Verpflegung:** Ihre Angaben zu Unterstützungsbedarfen und zur
  Verpflegung, nur damit wir vor Ort passend planen können.
- **Einlass:** der Zeitpunkt, zu dem Sie sich am Einlass angemeldet haben, für die
  Teilnahmebescheinigung und die Teilnahmestatistik.
- **Fotos:** nur, wenn Sie eingewilligt haben, [[Zweck der Fotos, z. B. Dokumentation und Öffentlichkeitsarbeit]].
- [[weitere Zwecke, falls vorhanden]]

# Rechtsgrundlagen

- Ihre Einwilligung (Art. 6 Abs. 1 lit. a DSGVO), die Sie jederzeit mit Wirkung für die Zukunft
  widerrufen können;
- die Durchführung der Veranstaltung, zu der Sie sich angemeldet haben (Art. 6 Abs. 1 lit. b
  DSGVO);
- Angaben zu Unterstützungsbedarfen, soweit sie Gesundheitsdaten sind, nur mit Ihrer
  ausdrücklichen Einwilligung (Art. 9 Abs. 2 lit. a DSGVO);
- [[weitere Rechtsgrundlagen, z. B. Nachweispflichten gegenüber der Förderstelle nach Art. 6 Abs. 1 lit. c DSGVO]].

# Empfänger

Ihre Daten erhalten nur, wer sie für die genannten Zwecke braucht:

- die Druckerei für Namensschilder und Unterlagen: [[Name und Ort der Druckerei]];
- der Veranstaltungsort: [[Name des Veranstaltungsorts]] (nur Teilnehmendenzahlen und
  Bedarfe, keine Namen, soweit nicht für den Einlass nötig);
- der technische Dienstleister, der diese Anmeldung betreibt: [[Name des Hosting-Anbieters]];
- die Förderstelle erhält ausschließlich zusammengefasste Zahlen ohne Namen.

Eine Übermittlung in Staaten außerhalb der Europäischen Union findet nicht statt.

# Speicherdauer

Wir löschen oder anonymisieren Ihre personenbezogenen Daten [[Anzahl]] Monate nach dem Ende
des Kongresses. Zusammengefasste Zahlen ohne Personenbezug bleiben erhalten.

# Ihre Rechte

Sie haben das Recht auf Auskunft (Art. 15 DSGVO), Berichtigung (Art. 16), Löschung (Art. 17),
Einschränkung der Verarbeitung (Art. 18), Datenübertragbarkeit (Art. 20) und Widerspruch
(Art. 21). Eine Einwilligung können Sie jederzeit widerrufen; die bis dahin erfolgte
Verarbeitung bleibt rechtmäßig. Über Ihren persönlichen Link können Sie Ihre Angaben selbst
ändern und Ihre Anmeldung stornieren.

# Beschwerderecht

Sie können sich bei einer Datenschutz-Aufsichtsbehörde beschweren, insbesondere bei der für
uns zuständigen: [[Name und Anschrift der zuständigen Aufsichtsbehörde]].
"""

PRIVACY_EN = """\
Thank you for your interest in our congress. As Art. 13 of the General Data Protection
Regulation (GDPR) asks, this notice tells you which personal data we collect when you register
and what happens to them.

# Controller

[[Name of the organisation responsible]]
[[Street and number]], [[Postcode and town]]
E-mail: [[E-mail address]] · Phone: [[Phone number]]

# Data protection officer

[[Name or office of the data protection officer]], reachable at
[[E-mail address of the data protection officer]].

# What we process and why

- **Registration and organisation:** name, e-mail address, organisation, role in the programme,
  the congress days you attend and your workshop choices: to plan your attendance, print your
  badge and ticket and inform you about changes.
- **Accessibility and catering:** what you tell us about your needs and your diet, only so that
  we can plan for you at the venue.
- **Admission:** when you checked in at the entrance, for your certificate of attendance and
  the attendance figures.
- **Photographs:** only if you agreed, [[purpose of the photographs, e.g. documentation and public relations]].
- [[further purposes, if any]]

# Legal bases

- your consent (Art. 6(1)(a) GDPR), which you may withdraw at any time for the future;
- holding the event you registered for (Art. 6(1)(b) GDPR);
- needs that are health data only with your explicit consent (Art. 9(2)(a) GDPR);
- [[further legal bases, e.g. reporting duties towards the funder under Art. 6(1)(c) GDPR]].

# Recipients

Only those who need your data for these purposes receive them:

- the printer of badges and documents: [[name and town of the printer]];
- the venue: [[name of the venue]] (only numbers and needs, no names unless admission needs
  them);
- the technical provider running this registration: [[name of the hosting provider]];
- the funder receives aggregated figures without names only.

Your data are not transferred to countries outside the European Union.

# Retention

We delete or anonymise your personal data [[number]] months after the end of the congress.
Aggregated figures without personal data remain.

# Your rights

You have the right of access (Art. 15 GDPR), rectification (Art. 16), erasure (Art. 17),
restriction of processing (Art. 18), data portability (Art. 20) and to object (Art. 21). You may
withdraw a consent at any time; processing until then remains lawful. With your personal link
you can change your details and cancel your registration yourself.

# Right to lodge a complaint

You may lodge a complaint with a data protection supervisory authority, in particular the one
responsible for us: [[name and address of the supervisory authority]].
"""

IMPRINT_DE = """\
# Angaben gemäß § 5 DDG

[[Name der Organisation, Rechtsform]]
[[Straße und Hausnummer]]
[[PLZ und Ort]]

Vertreten durch: [[vertretungsberechtigte Personen]]

# Kontakt

Telefon: [[Telefonnummer]]
E-Mail: [[E-Mail-Adresse]]

# Registereintrag

Eingetragen im [[Vereinsregister/Handelsregister]] des Amtsgerichts [[Ort]] unter
[[Registernummer]].

# Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV

[[Name, Anschrift]]
"""

IMPRINT_EN = """\
# Information according to § 5 DDG

[[Name of the organisation, legal form]]
[[Street and number]]
[[Postcode and town]]

Represented by: [[persons authorised to represent]]

# Contact

Phone: [[Phone number]]
E-mail: [[E-mail address]]

# Register entry

Registered in the [[register of associations/commercial register]] of the local court of
[[town]] under [[register number]].

# Responsible for the content under § 18(2) MStV

[[Name, address]]
"""

ACCESSIBILITY_DE = """\
[[Name der Organisation]] ist bemüht, diese Website im Einklang mit der
Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) barrierefrei zugänglich zu machen.

# Stand der Vereinbarkeit mit den Anforderungen

Diese Website ist mit den Anforderungen der BITV 2.0 [[vollständig/teilweise]] vereinbar.
[[Nicht barrierefreie Inhalte und die Gründe dafür, falls vorhanden]]

Diese Erklärung wurde am [[Datum]] erstellt. Grundlage ist [[eine Selbstbewertung/ein Test durch …]].

# Barrieren melden: Kontakt zu den Feedback-Ansprechpartner:innen

Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen? Schreiben Sie uns: [[E-Mail-Adresse]],
Telefon [[Telefonnummer]].

# Schlichtungsverfahren

Wenn auch nach Ihrem Feedback keine zufriedenstellende Lösung gefunden wurde, können Sie sich an
die Schlichtungsstelle nach § 16 BGG wenden: [[Schlichtungsstelle BGG, Anschrift, Website]].
"""

ACCESSIBILITY_EN = """\
[[Name of the organisation]] strives to make this website accessible in accordance with the
German Barrier-Free Information Technology Ordinance (BITV 2.0).

# Compliance status

This website is [[fully/partially]] compliant with BITV 2.0.
[[Content that is not accessible and the reasons, if any]]

This statement was prepared on [[date]], based on [[a self-assessment/a test by …]].

# Report barriers: feedback contact

Have you noticed a barrier? Write to us: [[e-mail address]], phone [[phone number]].

# Conciliation procedure

If no satisfactory solution is found after your feedback, you may turn to the conciliation
body under § 16 BGG: [[conciliation body BGG, address, website]].
"""

WELCOME_DE = """\
[[Ein paar Sätze zur Einladung: worum es beim Kongress geht, für wen er ist und was Teilnehmende erwartet.]]
"""

WELCOME_EN = """\
[[A few sentences of invitation: what the congress is about, who it is for and what attendees can expect.]]
"""

TEMPLATES = {
    "privacy": (PRIVACY_DE, PRIVACY_EN),
    "imprint": (IMPRINT_DE, IMPRINT_EN),
    "accessibility": (ACCESSIBILITY_DE, ACCESSIBILITY_EN),
    "welcome": (WELCOME_DE, WELCOME_EN),
}
