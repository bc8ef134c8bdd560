"""Stored rich text and stream bodies back to the manifest's plain text (a blank line between
paragraphs, a single newline for a line break), the inverse of `blocks.paragraphs_from_text`."""

import re
from html import unescape
from html.parser import HTMLParser

# Tags that end a paragraph of the plain text, and those that end a line within one.
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "div", "pre"}
LINE_TAGS = {"br", "li"}


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs = []
        self.current = []

    def _end_paragraph(self):
        text = "".join(self.current)
        lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._end_paragraph()
        elif tag in LINE_TAGS and self.current:
            self.current.append("\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self._end_paragraph()

    def handle_data(self, data):
        # Source newlines are not line breaks in HTML: only <br> is.
        self.current.append(data.replace("\n", " "))


def html_paragraphs(html):
    """The paragraphs of an HTML fragment as plain text; inline formatting is dropped."""
    if not html:
        return []
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    parser._end_paragraph()
    return parser.paragraphs


def html_to_text(html):
    return "\n\n".join(html_paragraphs(html))


def body_to_text(body):
    """(plain text, documents found in document blocks, number of blocks that have no plain-text form).

    Paragraphs keep their line breaks; headings and quotes become paragraphs of their own; a document
    block's file is handed back so that it can travel as an attachment; images have no plain-text form."""
    paragraphs, documents, dropped = [], [], 0
    for block in body:
        kind, value = block.block_type, block.value
        if kind == "paragraph":
            paragraphs.extend(html_paragraphs(value.source))
        elif kind == "heading":
            paragraphs.extend(p for p in [_plain(value)] if p)
        elif kind == "quote":
            text = _plain(value.get("text"))
            source = _plain(value.get("source"))
            paragraphs.extend(p for p in [text, f"——{source}" if source else ""] if p)
        elif kind == "document" and value.get("document") is not None:
            documents.append(value["document"])
        else:
            dropped += 1
    return "\n\n".join(paragraphs), documents, dropped


def _plain(value):
    # A paragraph of the manifest may not hold a blank line: collapse any into single line breaks.
    text = unescape(str(value or "")).replace("\r\n", "\n").strip()
    return re.sub(r"\n\s*\n+", "\n", text)
