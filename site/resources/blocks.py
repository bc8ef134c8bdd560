"""The one body StreamBlock every resource page uses (like bakerydemo's BaseStreamBlock)."""

from django.utils.html import escape

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock
from wagtail.rich_text import RichText

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4", "document-link"]


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        form_classname = "title"
        description = "小标题"
        preview_value = "一、总体目标"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label="引文")
    source = blocks.CharBlock(label="出处", required=False)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        description = "引用一段原文并注明出处"
        preview_value = {"text": "育人为本，德育为先。", "source": "教育部"}


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label="文件")
    title = blocks.CharBlock(label="显示名称", required=False)

    class Meta:
        icon = "doc-full"
        template = "blocks/document_block.html"
        description = "正文中的文件下载链接"

    def get_api_representation(self, value, context=None):
        document = value["document"]
        return {"title": value["title"] or document.title, "url": document.url}


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock(label="小标题")
    paragraph = blocks.RichTextBlock(
        label="段落",
        features=RICH_TEXT_FEATURES,
        description="正文段落",
        preview_value="<p>辅导员是开展大学生思想政治教育的骨干力量。</p>",
    )
    image = ImageBlock(label="图片", description="带替代文本的图片")
    quote = QuoteBlock(label="引文")
    document = DocumentBlock(label="文件")


def paragraphs_from_text(text):
    """Turn plain text (a blank line between paragraphs) into paragraph blocks.

    This is the import format's `body`; single newlines inside a paragraph are kept as line breaks.
    """
    stream = []
    for para in (p.strip() for p in text.replace("\r\n", "\n").split("\n\n")):
        if para:
            html = "<p>" + "<br/>".join(escape(line) for line in para.split("\n")) + "</p>"
            stream.append(("paragraph", RichText(html)))
    return stream
