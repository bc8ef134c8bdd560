"""Demo training programs for `load_demo` (docs/programs-pages.md): one open for enrolment now, one to
come and one finished, in three centers, with sessions taught by the demo experts and linked demo
micro-courses. Dates are relative to today, so the demo always shows every status."""

import datetime

from django.db import transaction
from django.utils import timezone

from access.visibility import public
from microcourses.models import MicroCoursePage
from resources.models import CapabilityArea, CareerStage, Expert, Tier, TrainingCenter

from .models import ProgramPage, ProgramSession

# slug, center code, title, summary, tier, format, place, capacity, hours, capability, stages, provinces,
# (enrolment opens, closes, starts, ends) in days from today, session topics.
PROGRAMS = [
    {
        "slug": "xinli-weiji-ganyu-shifan-peixunban",
        "center": "bnu",
        "title": "全国高校辅导员心理危机识别与干预示范培训班",
        "summary": "面向全国高校辅导员，围绕心理危机的早期识别、谈心谈话和家校协同处置开展专题教学和案例研讨。",
        "tier": "national",
        "format": "offline",
        "place": "北京师范大学（北京市海淀区新街口外大街19号）",
        "capacity": 60,
        "hours": "24",
        "capabilities": ["mental_health", "crisis_response"],
        "stages": ["new", "experienced"],
        "provinces": [],
        "days": (-3, 10, 20, 22),
        "topics": [
            "大学生心理危机的早期识别",
            "谈心谈话的方法与技巧",
            "心理危机事件的家校协同处置",
            "现场教学：学校心理健康教育中心",
        ],
    },
    {
        "slug": "wangluo-sizheng-shengji-peixunban",
        "center": "sdu",
        "title": "山东省高校辅导员网络思想政治教育能力提升培训班",
        "summary": "省内高校辅导员网络育人能力培训：网络舆情研判、网络文化产品策划与新媒体工作室建设。",
        "tier": "provincial",
        "format": "mixed",
        "place": "山东大学中心校区",
        "capacity": 40,
        "hours": "16",
        "capabilities": ["online_education"],
        "stages": ["experienced", "senior"],
        "provinces": ["山东"],
        "days": (-70, -45, -40, -38),
        "topics": ["网络舆情的研判与应对", "网络文化产品的策划与传播", "辅导员新媒体工作室建设经验交流"],
    },
    {
        "slug": "xueye-zhidao-xiaoji-peixunban",
        "center": "scu",
        "title": "辅导员学业指导与学风建设专题培训班",
        "summary": "线上专题培训：读懂专业培养方案、学业预警与帮扶、以品牌项目带动学风建设。",
        "tier": "school",
        "format": "online",
        "place": "线上（腾讯会议）",
        "capacity": 200,
        "hours": "8",
        "capabilities": ["study_style"],
        "stages": ["new"],
        "provinces": [],
        "days": (5, 25, 35, 36),
        "topics": ["读懂专业培养方案", "学业预警与学业帮扶", "以品牌项目带动院系学风建设"],
    },
]


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _build(spec, center, experts, courses, today):
    opens, closes, starts, ends = spec["days"]
    starts_on = today + datetime.timedelta(days=starts)
    ends_on = today + datetime.timedelta(days=ends)
    program = ProgramPage(
        title=spec["title"],
        slug=spec["slug"],
        summary=spec["summary"],
        center=center,
        tier=Tier.objects.filter(code=spec["tier"]).first(),
        format=spec["format"],
        place=spec["place"],
        capacity=spec["capacity"],
        hours=spec["hours"],
        provinces=spec["provinces"],
        starts_on=starts_on,
        ends_on=ends_on,
        enrol_opens=_at(today + datetime.timedelta(days=opens), 9),
        enrol_closes=_at(today + datetime.timedelta(days=closes), 18),
        min_attendance_percent=80,
        require_courses=bool(courses),
    )
    days = (ends_on - starts_on).days + 1
    sessions = []
    for index, topic in enumerate(spec["topics"]):
        day = starts_on + datetime.timedelta(days=index * days // len(spec["topics"]))
        hour = 9 if index % 2 == 0 else 14
        sessions.append(
            ProgramSession(
                sort_order=index,
                topic=topic,
                starts_at=_at(day, hour),
                ends_at=_at(day, hour + 3),
                lecturer=experts[index % len(experts)] if experts else None,
                course_before=courses[index] if index < len(courses) else None,
            )
        )
    program.sessions = sessions
    return program


@transaction.atomic
def ensure_demo_programs():
    """Create the demo programs not made yet (under their centers' sections), published. Returns them."""
    today = timezone.localdate()
    experts = list(Expert.objects.order_by("pk"))
    created = []
    for spec in PROGRAMS:
        center = TrainingCenter.objects.filter(code=spec["center"]).select_related("section").first()
        section = getattr(center, "section", None) if center else None
        if section is None or ProgramPage.objects.filter(slug=spec["slug"]).exists():
            continue
        area_codes = spec["capabilities"]
        courses = list(
            public(MicroCoursePage.objects.filter(capabilities__code__in=area_codes)).order_by("path").distinct()[:2]
        )
        program = _build(spec, center, experts, courses, today)
        section.add_child(instance=program)
        program.capabilities.set(CapabilityArea.objects.filter(code__in=area_codes))
        program.stages.set(CareerStage.objects.filter(code__in=spec["stages"]))
        program.save_revision().publish()
        created.append(program)
    return created
