"""Export of the public library as an import manifest (`manage.py export_library`), which another
installation reads with `manage.py import_resources`. See docs/content.md, "Export"."""

from .library import ExportError, ExportSummary, LibraryExport, prepare_folder

__all__ = ["ExportError", "ExportSummary", "LibraryExport", "prepare_folder"]
