from wagtail.admin.menu import MenuItem

from . import roles


class CenterMenuItem(MenuItem):
    """An admin menu item for the centers' work (work plans, progress, bulk upload): shown to people
    who belong to a center and to platform administrators; nobody else could use those pages."""

    def is_shown(self, request):
        return roles.works_for_centers(request.user)
