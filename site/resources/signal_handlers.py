from django.db.models.signals import post_save

from .models import TrainingCenter


def ensure_center_section(center):
    """Give a training center its own branch under the library (once), where its
    editors' micro-courses, series and cases live."""
    from .models import CenterSectionPage, LibraryIndexPage

    if CenterSectionPage.objects.filter(center=center).exists():
        return None
    library = LibraryIndexPage.objects.first()
    if library is None:  # no site built yet; load_demo / import create the section later
        return None
    section = CenterSectionPage(title=center.name, slug=center.code, center=center)
    library.add_child(instance=section)
    section.save_revision().publish()
    return section


def on_center_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        ensure_center_section(instance)


def register_signal_handlers():
    post_save.connect(on_center_saved, sender=TrainingCenter, dispatch_uid="resources_center_section")
