"""Readable ASCII slugs for Chinese titles: 心理危机识别与干预 → xinli-weiji-shibie-yu-ganyu.

Wagtail's editor fills the slug from the title as typed, which for a Chinese title gives a slug of
Chinese characters that browsers show percent-encoded (/%E5%BF%83%E7%90%86.../). The page form turns
such a slug into pinyin, a word (jieba's segmentation) per hyphenated part, as the demo content's are."""

import re

from pypinyin import lazy_pinyin

from django.utils.text import slugify

MAX_LENGTH = 80
ASCII_SLUG = re.compile(r"^[A-Za-z0-9_-]+$")


def is_ascii_slug(value):
    return bool(value) and bool(ASCII_SLUG.match(value))


def pinyin_slug(text):
    """The pinyin slug of `text`; "" when nothing in it can be spelt (only punctuation)."""
    # The search's segmenter: jieba with the field's dictionary (新入职, 辅导员, 谈心谈话 stay whole).
    from search.analysis import tokenizer

    words = []
    for word in tokenizer().cut(text or ""):
        # Letters and digits pass through as they are; a Chinese word becomes its syllables run together.
        spelt = "".join(lazy_pinyin(word, errors=lambda chars: chars))
        part = slugify(spelt)
        if part:
            words.append(part)
    slug = "-".join(words)
    if len(slug) > MAX_LENGTH:
        slug = slug[:MAX_LENGTH].rsplit("-", 1)[0] or slug[:MAX_LENGTH]
    return slug.strip("-")


def available_slug(base, is_available):
    """`base`, or `base-2`, `base-3`… whichever `is_available(slug)` accepts first (bounded)."""
    if is_available(base):
        return base
    for number in range(2, 1000):
        candidate = f"{base}-{number}"
        if is_available(candidate):
            return candidate
    return base  # Wagtail's own check then names the clash
