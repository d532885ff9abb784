"""Extract translatable strings per area and merge them into each area's German catalogue.

Run as ``make messages`` (``python -m conference.core.messages [AREA ...]``). An area's strings
are those in ``conference/<area>/`` and ``templates/<area>/`` (and ``templates/mail/<area>/``);
``core`` also owns the top-level modules and templates. New strings arrive untranslated
(``msgstr ""``) and ``tests/test_i18n.py`` fails until they are translated.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AREAS = [
    "core",
    "accounts",
    "organisations",
    "registration",
    "agenda",
    "workshops",
    "badges",
    "checkin",
    "feeds",
    "reports",
]


def sources(area: str) -> list[Path]:
    paths = [
        ROOT / "conference" / area,
        ROOT / "templates" / area,
        ROOT / "templates" / "mail" / area,
    ]
    if area == "core":
        paths += list((ROOT / "conference").glob("*.py"))
        paths += list((ROOT / "templates").glob("*.html"))
        paths += [ROOT / "templates" / name for name in ("main", "errors")]
    return [path for path in paths if path.exists()]


def update(area: str) -> None:
    paths = sources(area)
    if not paths:
        return
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        subprocess.run(
            [
                bin_dir / "pybabel",
                "-q",
                "extract",
                "-F",
                ROOT / "babel.cfg",
                "-k",
                "_l",
                "--no-location",
                "--sort-output",
                "-o",
                pot,
                *paths,
            ],
            check=True,
        )
        target = ROOT / "conference" / "translations" / area
        po = target / "de" / "LC_MESSAGES" / "messages.po"
        command = "update" if po.exists() else "init"
        args = [
            bin_dir / "pybabel",
            "-q",
            command,
            "-i",
            pot,
            "-d",
            target,
            "-l",
            "de",
            "-w",
            "100",
        ]
        if command == "update":
            args += ["--no-fuzzy-matching", "--ignore-obsolete"]
        subprocess.run(args, check=True)


def main(areas: list[str]) -> None:
    for area in areas or AREAS:
        update(area)


if __name__ == "__main__":
    main(sys.argv[1:])


def fill(area: str, translations: dict[str, str]) -> list[str]:
    """Set German translations in an area's catalogue; returns msgids still untranslated.

    For scripts and helpers: ``fill("core", {"Log out": "Abmelden"})``.
    """
    from babel.messages.pofile import read_po, write_po

    po = ROOT / "conference" / "translations" / area / "de" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="de")
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in translations:
            value = translations[key]
            message.string = value if isinstance(message.id, str) else tuple(value)
            message.flags.discard("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, width=100)
    return [
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
