"""QR codes for the profile page: an inline SVG drawn on the server by segno (pure Python).

Never emits a style attribute or element (the console's CSP is `style-src 'self'`) and never
sends the secret anywhere: the code is drawn here, not by a third-party service.
"""

from __future__ import annotations

import io

import segno
from markupsafe import Markup, escape


def qr_svg(text: str, label: str) -> Markup:
    """`text` as an SVG QR code with `label` as its accessible name; safe to put in a page."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,  # a viewBox instead of a fixed size: the stylesheet sizes it
        scale=4,
        border=4,
        svgclass="qr",
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    svg = out.getvalue().decode("ascii")
    # role=img with a label is what screen readers and axe expect of a meaningful picture.
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    if "style" in svg:  # defence in depth: a segno change must not break the CSP silently
        raise ValueError("segno produced a style attribute")
    return Markup(svg)  # noqa: S704 - drawn by segno from path data, the label is escaped
