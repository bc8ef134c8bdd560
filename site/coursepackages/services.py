"""What counselors do with their packages and favourites; every id they send is checked here.

Each function either does the whole change or raises Refused with the Chinese message to show: nothing is
stored for a refused request.
"""

import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from .models import CoursePackagePage, Favourite, PersonalPackage, PersonalPackageItem
from .totals import visible_targets

DEFAULT_TITLE = "我的课程套餐"
TITLE_MAX = 60


class Refused(Exception):
    """A request the counselor gets a message for, and nothing is stored."""


def parse_id(value):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise Refused("请求无效：缺少课程编号。") from None
    if not 0 < number < 2**31:
        raise Refused("请求无效：课程编号不正确。")
    return number


def check_page(value):
    """(page id, kind) of a live, public micro-course or series, or Refused."""
    page_id = parse_id(value)
    kind = visible_targets([page_id]).get(page_id)
    if kind is None:
        raise Refused("只能加入已发布的微课或系列微课。")
    return page_id, kind


def clean_title(value):
    title = " ".join(str(value or "").split())
    if not title:
        raise Refused("请填写套餐名称。")
    # A NUL byte is refused by PostgreSQL (a 500), and no control character belongs in a name.
    if any(unicodedata.category(ch) == "Cc" for ch in title):
        raise Refused("套餐名称中有无法显示的字符，请重新填写。")
    if len(title) > TITLE_MAX:
        raise Refused(f"套餐名称不能超过 {TITLE_MAX} 个字。")
    return title


def own_package(user, package_id):
    """The user's package with this id; anyone else's (or none) is a 404."""
    try:
        return PersonalPackage.objects.get(pk=int(package_id), user=user)
    except (PersonalPackage.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("没有这个套餐") from None


def lock_user(user):
    """Serialises one counselor's changes (inside a transaction): two quick clicks, or two tabs, must not
    both pass a limit that each checked before the other wrote."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _check_room_for_package(user):
    if PersonalPackage.objects.filter(user=user).count() >= settings.COURSEPACKAGES_MAX_PACKAGES:
        raise Refused(f"最多可以保存 {settings.COURSEPACKAGES_MAX_PACKAGES} 个课程套餐，请先删除不用的套餐。")


@transaction.atomic
def create_package(user, title, source=None):
    title = clean_title(title)
    lock_user(user)
    _check_room_for_package(user)
    return PersonalPackage.objects.create(user=user, title=title, source=source)


def current_package(user):
    """The package 加入套餐 fills by default: the one used last, or a new 我的课程套餐."""
    package = PersonalPackage.objects.filter(user=user).order_by("-used_at", "-pk").first()
    return package or create_package(user, DEFAULT_TITLE)


@transaction.atomic
def add_item(user, page_value, package_value=None):
    """Adds a course or series to a package. Returns (package, added: bool)."""
    page_id, _kind = check_page(page_value)
    lock_user(user)
    package = own_package(user, package_value) if package_value not in (None, "") else current_package(user)
    # Lock the package: two quick clicks must not pass the limit or take the same position.
    package = PersonalPackage.objects.select_for_update().get(pk=package.pk)
    items = PersonalPackageItem.objects.filter(package=package)
    if items.filter(target_id=page_id).exists():
        package.touch()
        return package, False
    if items.count() >= settings.COURSEPACKAGES_MAX_ITEMS:
        raise Refused(f"一个套餐最多包含 {settings.COURSEPACKAGES_MAX_ITEMS} 门课程或系列，请新建一个套餐。")
    last = items.aggregate(last=Max("position"))["last"]
    PersonalPackageItem.objects.create(package=package, target_id=page_id, position=(last or 0) + 1)
    package.touch()
    return package, True


def _own_item(package, item_value):
    try:
        return PersonalPackageItem.objects.get(pk=int(item_value), package=package)
    except (PersonalPackageItem.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("没有这个条目") from None


def remove_item(package, item_value):
    _own_item(package, item_value).delete()
    package.touch()


@transaction.atomic
def move_item(package, item_value, step):
    """Swaps an item with its neighbour above (step -1) or below (+1); the ends stay where they are."""
    item = _own_item(package, item_value)
    items = list(PersonalPackageItem.objects.select_for_update().filter(package=package).order_by("position", "pk"))
    # Removed in another tab between the two reads: the same 404 as any missing item.
    index = next((i for i, row in enumerate(items) if row.pk == item.pk), None)
    if index is None:
        raise Http404("没有这个条目")
    other = index + step
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        # Renumber all: positions stay dense and distinct whatever happened before.
        for position, row in enumerate(items, start=1):
            if row.position != position:
                row.position = position
                row.save(update_fields=["position"])
    package.touch()


def rename(package, title):
    package.title = clean_title(title)
    package.used_at = timezone.now()
    package.save(update_fields=["title", "used_at"])


@transaction.atomic
def copy_recommended(user, page_value):
    """A new personal package holding the live items of a live, public recommended package."""
    page_id = parse_id(page_value)
    source = CoursePackagePage.objects.live().public().filter(pk=page_id).first()
    if source is None:
        raise Refused("只能复制已发布的推荐课程套餐。")
    package = create_package(user, source.title[:TITLE_MAX], source=source)
    visible = visible_targets(source.target_ids())
    targets = [pk for pk in dict.fromkeys(source.target_ids()) if pk in visible]
    PersonalPackageItem.objects.bulk_create(
        PersonalPackageItem(package=package, target_id=pk, position=n)
        for n, pk in enumerate(targets[: settings.COURSEPACKAGES_MAX_ITEMS], start=1)
    )
    return package


def toggle_favourite(user, page_value, wanted=None):
    """Adds or removes a favourite. `wanted` ("1" add, "0" remove) is what the button showed, so that a
    double click does not undo the first; without it the favourite is toggled. Returns True when it is
    now a favourite."""
    page_id = parse_id(page_value)
    try:
        with transaction.atomic():
            lock_user(user)
            return _set_favourite(user, page_id, wanted)
    except IntegrityError:
        # The same favourite written at the same moment by another request (a database without row
        # locks): it is there, which is what was asked.
        return True


def _set_favourite(user, page_id, wanted):
    existing = Favourite.objects.filter(user=user, target_id=page_id)
    present = existing.exists()
    if wanted == "1" and present:
        return True
    if present:
        # Removing needs no check: it only ever shrinks the counselor's own list.
        existing.delete()
        return False
    if wanted == "0":
        return False
    check_page(page_id)
    if Favourite.objects.filter(user=user).count() >= settings.COURSEPACKAGES_MAX_FAVOURITES:
        raise Refused(f"最多可以收藏 {settings.COURSEPACKAGES_MAX_FAVOURITES} 门课程，请先取消一些收藏。")
    Favourite.objects.create(user=user, target_id=page_id)
    return True
