"""Bulk import of the JSON Lines manifest described in DESIGN.md.

Two phases: `validate()` reads and checks every line against the database and the rest of the
file, collecting *all* problems; only a manifest without problems reaches `write()`, which runs
in one transaction (rolled back on any failure, and always in a dry run). Re-importing a file
compares each field with what is stored and writes nothing when nothing differs.

Beyond DESIGN.md the format accepts, for the demo and for migrating centers:
`center.host`; `expert` lines (`name`, `title`, `organisation`, `level`, `bio`, `photo`: an image path);
`case.background/process/analysis/reflection`; `attachments` on micro-courses and cases too
(the export writes every resource's attachments); `series` lines (`slug`, `title`, `summary`,
`body`, `center`, `capability`, `courses`: micro-course slugs in order, `tags`, `live`).
"""

from .manifest import Line, ManifestInvalid, Problem, Summary
from .validation import Manifest
from .writing import ManifestWriter

__all__ = ["Line", "Manifest", "ManifestInvalid", "ManifestWriter", "Problem", "Summary"]
