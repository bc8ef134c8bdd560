import json
from pathlib import Path

from django.core.management.base import BaseCommand

from .import_resources import run_import

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_MANIFEST = DEMO_DIR / "manifest.jsonl"
# Generated on first use (git-ignored): short lecture-like videos the demo courses point at.
# Each its own length, so each is its own file (videos are recognised by content).
DEMO_VIDEOS = {DEMO_DIR / "files" / "videos" / f"demo-lecture-{n}.mp4": 12 + 4 * n for n in (1, 2, 3)}


class Command(BaseCommand):
    help = (
        "Build the demo site (centers, experts, micro-courses with videos, cases, policy documents) "
        "through the importer. Idempotent."
    )

    def handle(self, **options):
        from media.ffmpeg import make_sample_lecture

        for path, seconds in DEMO_VIDEOS.items():
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                self.stdout.write(f"generating demo video {path.name} …")
                partial = path.with_suffix(".part.mp4")
                make_sample_lecture(partial, seconds=seconds)
                partial.rename(path)  # a half-written file never passes for a demo video
        run_import(self, DEMO_MANIFEST)

        # This year's work plans, so that the submission dashboard (报送进度) is not empty.
        from editorial.demo import ensure_demo_plans

        lines = [json.loads(text) for text in DEMO_MANIFEST.read_text("utf-8").splitlines() if text.strip()]
        plans = ensure_demo_plans([line["code"] for line in lines if line.get("kind") == "center"])
        self.stdout.write(f"  work plans   created {len(plans)}")

        # A recommended course package (课程套餐) of the demo courses for new counselors.
        from coursepackages.demo import ensure_demo_package

        package = ensure_demo_package()
        self.stdout.write(f"  packages     created {1 if package else 0}")

        # Training programs (培训项目): one open for enrolment, one to come, one finished.
        from programs.demo import ensure_demo_programs

        programs = ensure_demo_programs()
        self.stdout.write(f"  programs     created {len(programs)}")
