"""The share QR code: an SVG of a page's absolute address, made by segno on the server."""

import functools
import io

import segno

SCALE = 4  # pixels a module at the natural size; CSS sizes it on screen and on paper (viewBox)
BORDER = 4  # the quiet zone the standard asks for, in modules


# Addresses are short (a few hundred bytes at most): a bounded cache of the newest 512 codes.
@functools.lru_cache(maxsize=512)
def qr_svg(url):
    """Inline SVG (no XML declaration, no style attribute: the page's CSP allows it) with a <title> that
    names it for screen readers. Black modules on a white quiet zone: readable on screen and on paper."""
    code = segno.make(url, micro=False, error="m")
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,  # a viewBox: the picture scales with its box
        border=BORDER,
        title=f"本页二维码：{url}",
        svgclass="share__qr-code",
        lineclass=None,
    )
    width, height = code.symbol_size(scale=SCALE, border=BORDER)
    # role=img: one picture for assistive technology, named by its <title>; a natural size without CSS.
    return out.getvalue().decode("utf-8").replace("<svg ", f'<svg role="img" width="{width}" height="{height}" ', 1)
