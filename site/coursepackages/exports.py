"""What the coursepackages app holds of one counselor, for their personal-data download
(ACCOUNTS_PERSONAL_DATA_EXPORTERS): their packages with items in order, and their favourites."""

from .models import Favourite, PersonalPackage, PersonalPackageItem


def _time(moment):
    return moment.isoformat() if moment else None


def personal_data(user):
    """{"packages": [...], "favourites": [...]}; three queries in all."""
    items = {}
    rows = PersonalPackageItem.objects.filter(package__user=user).select_related("target").order_by("position", "pk")
    for item in rows:
        items.setdefault(item.package_id, []).append(
            {"page-id": item.target_id, "title": item.target.title, "added": _time(item.added_at)}
        )
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
    favourites = [
        {"page-id": row.target_id, "title": row.target.title, "added": _time(row.created_at)}
        for row in Favourite.objects.filter(user=user).select_related("target").order_by("created_at", "pk")
    ]
    return {"packages": packages, "favourites": favourites}
