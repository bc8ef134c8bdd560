"""Which programs a member of the admin manages: the one center-scoping rule of 学员管理 and 签到与结业."""

from editorial import roles

from .models import ProgramPage


def programs_for(user):
    """The programs under the sections of the user's centers (every program for platform administrators)."""
    programs = ProgramPage.objects.all()
    if roles.is_platform_admin(user):
        return programs
    return programs.filter(pk__in=roles.pages_of_centers(roles.center_ids_for(user)).values("pk"))
