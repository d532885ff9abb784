"""The sandbox for organisers' mail texts: check, fill in, make HTML.

A text is plain text with placeholders in single braces, ``{first_name}``. ``problems`` reads
every field with ``string.Formatter().parse`` and refuses what is not a bare name the mail
offers: unknown or misspelt names, attribute or index access (``{first_name.__class__}``,
``{x[0]}``), conversions (``!r``), format specs (``:>10``), positional fields (``{}``,
``{0}``), unbalanced braces, and Jinja-style ``{{ config }}`` or ``{% ... %}``. Only a checked
text reaches ``render``, which is ``str.format_map`` over a dict of plain strings: no
attribute lookup, no template language, nothing of the app (its config, its objects) is in
reach. ``to_html`` makes the HTML part from the same filled-in text: escaped, paragraphs at
blank lines, line breaks kept, web addresses clickable.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from string import Formatter

from flask_babel import gettext as _
from markupsafe import escape

NAME = re.compile(r"^[a-z][a-z_]*$")
TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
URL = re.compile(r"https?://[^\s<>\"']+")
TRAILING = ".,;:!?)]»«“”„\"'"


def problems(text: str, allowed: Iterable[str]) -> list[str]:
    """What keeps ``text`` from being sent, as translated sentences (none: it may be saved)."""
    allowed = list(allowed)
    found: list[str] = []
    if TEMPLATE_SYNTAX.search(text):
        found.append(
            _(
                "Double braces and template commands are not possible here. A placeholder is "
                "one name in one pair of braces, such as {first_name}."
            )
        )
        return found
    try:
        fields = list(Formatter().parse(text))
    except ValueError:
        return [
            _(
                "A brace is not closed or not opened. A placeholder is one name in one pair of "
                "braces, such as {first_name}."
            )
        ]
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        problem = _field_problem(name, spec, conversion, allowed)
        if problem and problem not in found:
            found.append(problem)
    return found


def _field_problem(name: str, spec: str, conversion: str | None, allowed: list[str]) -> str | None:
    known = ", ".join("{" + n + "}" for n in allowed)
    if not name.strip():
        return _("Empty braces {} are not a placeholder. This mail offers: %(known)s.", known=known)
    bare = re.split(r"[.\[]", name.strip(), maxsplit=1)[0]
    if bare != name.strip() and bare in allowed:
        return _(
            "“{%(field)s}” is not possible: a placeholder is a name only, such as {%(name)s}.",
            field=name,
            name=bare,
        )
    if not NAME.match(name) or name not in allowed:
        close = difflib.get_close_matches(name.strip().lower(), allowed, n=1, cutoff=0.6)
        if close:
            return _(
                "Unknown placeholder {%(name)s}. Did you mean {%(suggestion)s}?",
                name=name,
                suggestion=close[0],
            )
        return _(
            "Unknown placeholder {%(name)s}. This mail offers: %(known)s.", name=name, known=known
        )
    if conversion is not None or spec:
        return _(
            "“{%(field)s}” is not possible: a placeholder is a name only, such as {%(name)s}.",
            field=name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""),
            name=name,
        )
    return None


def used(text: str) -> set[str]:
    """The placeholder names a (checked) text uses."""
    return {name for _literal, name, _spec, _conv in Formatter().parse(text) if name}


def render(text: str, values: Mapping[str, str]) -> str:
    """A checked text with its placeholders filled in. ``values`` are plain strings."""
    return text.format_map({key: str(value) for key, value in values.items()})


def one_line(text: str, limit: int = 300) -> str:
    """A subject: one line (no header injection through a value), at most ``limit`` long."""
    return " ".join(text.split())[:limit]


def _linkify(line: str) -> str:
    parts = []
    position = 0
    for match in URL.finditer(line):
        url = match.group(0).rstrip(TRAILING)
        if not url:
            continue
        parts.append(str(escape(line[position : match.start()])))
        parts.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        position = match.start() + len(url)
    parts.append(str(escape(line[position:])))
    return "".join(parts)


def to_html(text: str, *, language: str, title: str) -> str:
    """The HTML part of a mail from its filled-in plain text."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(_linkify(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
    )
    return (
        "<!doctype html>\n"
        f'<html lang="{escape(language)}">\n'
        f'<head><meta charset="utf-8"><title>{escape(title)}</title></head>\n'
        '<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a;">\n'
        f"{body}\n"
        "</body>\n"
        "</html>\n"
    )
