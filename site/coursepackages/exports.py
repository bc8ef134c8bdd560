"""What the coursepackages app holds of one counselor, for their personal-data download
(ACCOUNTS_PERSONAL_DATA_EXPORTERS): their packages with items in order, and their favourites.

An item's title is given while its course or series is live and public, as on the counselor's pages: one
unpublished or made private since (and perhaps renamed in a draft) is exported by its id only."""

from wagtail.models import Page

from .models import Favourite, PersonalPackage, PersonalPackageItem
from .totals import visible_targets


def _time(moment):
    return moment.isoformat() if moment else None


def personal_data(user):
    """{"packages": [...], "favourites": [...]}; a fixed number of queries."""
    rows = list(PersonalPackageItem.objects.filter(package__user=user).order_by("position", "pk"))
    favourites = list(Favourite.objects.filter(user=user).order_by("created_at", "pk"))
    visible = visible_targets({row.target_id for row in rows + favourites})
    titles = dict(Page.objects.filter(pk__in=list(visible)).values_list("pk", "title"))

    def target(row):
        shown = row.target_id in visible
        return {"page-id": row.target_id, "title": titles.get(row.target_id, "") if shown else "", "online": shown}

    items = {}
    for item in rows:
        items.setdefault(item.package_id, []).append({**target(item), "added": _time(item.added_at)})
    packages = [
        {
            "id": package.pk,
            "title": package.title,
            "copied-from": package.source_id,
            "created": _time(package.created_at),
            "last-used": _time(package.used_at),
            "items": items.get(package.pk, []),
        }
        for package in PersonalPackage.objects.filter(user=user).order_by("created_at", "pk")
    ]
    return {
        "packages": packages,
        "favourites": [{**target(row), "added": _time(row.created_at)} for row in favourites],
    }
