"""Badges: layouts, refusals, QR codes and name fitting."""

from __future__ import annotations

import qrcode
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M

from conference.core.errors import Conflict, Invalid

LAYOUTS = ("a6", "a4")

# The QR code: error correction M survives a scratched or folded badge; a 43-character token is
# version 4 (33 modules), so 1.1 mm modules make a 36 mm symbol (45 mm with the quiet zone), which
# phone cameras and door scanners read from 30 cm and more.
QR_MODULE_MM = 1.1
QR_BORDER_MODULES = 4
QR_VERSION = 4
# Choosing the "best" of the 8 masks costs 5 ms per code in pure Python (5 s per 1,000 badges);
# every mask decodes, and random tokens give near-equal penalties, so one fixed mask is used.
QR_MASK = 2


class BadgeRefused(Conflict):
    code = "badge_refused"


class EmptySelection(Invalid):
    code = "empty_selection"


# --- QR codes and name fitting -------------------------------------------------------------------


def qr_svg(token: str, *, module_mm: float = QR_MODULE_MM) -> Markup:
    """The token as an inline vector SVG, sized in millimetres.

    qrcode computes the matrix; the path is drawn here with one stroked line per horizontal run
    of dark modules instead of qrcode's one square per module (SvgPathImage): WeasyPrint parses
    every path coordinate in Python, and runs need far fewer of them (profiled: 24 ms -> 10 ms
    per badge). Measured on 1,000 A6 badges (CPU seconds, loaded machine): no QR 13.7 s, this
    SVG 21.5 s, a 41 x 41 pixel PNG with ``image-rendering: pixelated`` 14.6 s. The PNG would be
    cheaper, but DESIGN.md asks for vector SVG, so the SVG stays.
    """
    code = qrcode.QRCode(
        version=QR_VERSION if len(token) <= 62 else None,  # 62 bytes fit version 4-M
        error_correction=ERROR_CORRECT_M,
        border=QR_BORDER_MODULES,
        mask_pattern=QR_MASK,
    )
    code.add_data(token)
    code.make(fit=code.version is None)
    matrix = code.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}.5h{x - start}")
            else:
                x += 1
    width = f"{size * module_mm:.1f}mm"
    # Generated from [A-Za-z0-9_-] tokens and numbers only: safe markup.
    return Markup(  # noqa: S704
        f'<svg class="qr" width="{width}" height="{width}" viewBox="0 0 {size} {size}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img"><path d="{"".join(runs)}" '
        'fill="none" stroke="#000" stroke-width="1"/></svg>'
    )


# Font sizes (pt) for a line of the badge, from the longest that fits on one line of the 93 mm
# text width down to a floor where long names wrap (and hyphenate) over several lines.
# WeasyPrint has no fit-to-width, so the class is chosen here from the name's length; Noto Sans
# Bold averages about 0.6 em per character.
_NAME_STEPS = ((9, 30), (12, 26), (15, 22), (19, 18), (24, 15), (32, 12), (44, 10))
_NAME_FLOOR = 9


def name_size(text: str, *, scale: float = 1.0) -> int:
    """The font size in points for a name on the badge (see ``_NAME_STEPS``)."""
    length = len(text)
    for limit, size in _NAME_STEPS:
        if length <= limit:
            return max(_NAME_FLOOR, round(size * scale))
    return _NAME_FLOOR
