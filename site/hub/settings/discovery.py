"""Settings of the discovery app (docs/discovery.md): the footer's lines and the feeds' length.
Star-imported by base.py; every value comes from the environment, bounded, with a safe default."""

import os

from django.core.exceptions import ImproperlyConfigured


def _text(name, default, limit):
    value = os.environ.get(name, default).strip()
    if len(value) > limit:
        raise ImproperlyConfigured(f"{name} 最多 {limit} 个字符（现为 {len(value)} 个）。")
    return value


# The footer (discovery/includes/footer.html); an empty value hides its line.
HUB_ORGANISER = _text("HUB_ORGANISER", "高校思想政治工作队伍培训研修中心", 100)  # 主办单位
HUB_CONTACT_EMAIL = _text("HUB_CONTACT_EMAIL", "", 254)
HUB_CONTACT_PHONE = _text("HUB_CONTACT_PHONE", "", 40)
HUB_ICP_NUMBER = _text("HUB_ICP_NUMBER", "", 60)  # ICP备案号, e.g. 京ICP备12345678号-1

# Items per feed (RSS and Atom): the newest ones only; a reader that polls sees every new one.
DISCOVERY_FEED_ITEMS = int(os.environ.get("DISCOVERY_FEED_ITEMS") or 30)
if not 1 <= DISCOVERY_FEED_ITEMS <= 100:
    raise ImproperlyConfigured("DISCOVERY_FEED_ITEMS 须在 1 到 100 之间。")
