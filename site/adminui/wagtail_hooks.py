from wagtail import hooks
from wagtail.admin.menu import SubmenuMenuItem


@hooks.register("construct_help_menu")
def drop_wagtail_release_notes(request, menu_items):
    # "What's new in Wagtail 8.0": Wagtail's release notes, in English, on wagtail.org. The editor guide stays.
    menu_items[:] = [item for item in menu_items if not item.name.startswith("whats-new-in-wagtail")]


@hooks.register("construct_main_menu")
def drop_wagtail_version(request, menu_items):
    # Wagtail's settings menu signs itself "Wagtail v8.0.1" at the bottom; the same menu without it.
    for index, item in enumerate(menu_items):
        if item.name == "settings" and isinstance(item, SubmenuMenuItem):
            menu_items[index] = SubmenuMenuItem(
                item.label,
                item.menu,
                name=item.name,
                icon_name=item.icon_name,
                classname=item.classname,
                order=item.order,
                attrs=item.attrs,
            )
