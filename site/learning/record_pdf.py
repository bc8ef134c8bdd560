"""The printable learning record: the same data as /me/, as a PDF a counselor hands to their school.

WeasyPrint lays it out from an HTML template; Chinese text needs a CJK font on the server (Debian's
fonts-noto-cjk, installed by `make run` / `make test`). Nothing is fetched over the network: the only
resource, the radar, is embedded as a data: URL and the fetcher refuses every other scheme.
"""

import base64
import logging

from django.template.loader import render_to_string

from .charts import radar_svg, text_alternative

# WeasyPrint logs each of its seven layout steps at INFO: noise in the server's log for every PDF.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def offline_fetcher():
    """A fetcher for data: URLs only (http, https, file... are refused, and the resource left out)."""
    # Imported when a PDF is made, not when the URLs load: WeasyPrint is slow to import.
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def render_pdf(record):
    svg = radar_svg(record.areas).encode("utf-8")
    html = render_to_string(
        "learning/record_pdf.html",
        {
            "record": record,
            "radar_src": "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"),
            "radar_alt": text_alternative(record.areas),
        },
    )
    from weasyprint import HTML

    document = HTML(string=html, base_url=None, url_fetcher=offline_fetcher())
    return document.write_pdf()
