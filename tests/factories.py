"""Factories for every model the tests build (wagtail-factories for pages)."""

import datetime

import factory
import wagtail_factories
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import CounselorProfile
from cases.models import CaseIndexPage, CasePage
from home.models import HomePage
from microcourses.models import CourseSeriesPage, MicroCoursePage, SeriesItem
from programs.models import Enrolment, ProgramPage, ProgramSession
from resources.models import (
    CapabilityArea,
    CareerStage,
    CenterSectionPage,
    CourseType,
    Expert,
    LibraryIndexPage,
    NoticeIndexPage,
    PolicyDocumentPage,
    Requirement,
    Tier,
    TrainingCenter,
)


def vocabulary(model, code):
    return model.objects.get(code=code)


class TrainingCenterFactory(DjangoModelFactory):
    class Meta:
        model = TrainingCenter
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"center-{n}")
    name = factory.Sequence(lambda n: f"第{n}培训研修中心")
    host_university = "示例大学"
    theme = "心理健康教育"
    province = "北京市"


class ExpertFactory(DjangoModelFactory):
    class Meta:
        model = Expert
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"专家{n}")
    title = "教授"
    organisation = "示例大学"
    level = Expert.Level.NATIONAL


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "高校辅导员培训研修资源库"


class LibraryIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = LibraryIndexPage

    title = "资源库"
    slug = "library"


class CaseIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CaseIndexPage

    title = "工作案例"
    slug = "cases"


class NoticeIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = NoticeIndexPage

    title = "通知公告"
    slug = "notices"


class CenterSectionPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CenterSectionPage

    title = factory.LazyAttribute(lambda o: o.center.name)
    slug = factory.LazyAttribute(lambda o: o.center.code)
    center = factory.SubFactory(TrainingCenterFactory)


class ResourcePageFactory(wagtail_factories.PageFactory):
    """Sets the many-to-many taxonomies and tags from lists of codes/names."""

    summary = factory.Faker("sentence", locale="zh_CN")
    # Chinese titles slugify to (almost) nothing: give every page its own slug.
    slug = factory.Sequence(lambda n: f"resource-{n}")

    @factory.post_generation
    def capabilities(obj, create, codes, **kwargs):
        if codes:
            obj.capabilities = [vocabulary(CapabilityArea, c) for c in codes]
            obj.save()

    @factory.post_generation
    def tags(obj, create, names, **kwargs):
        if names:
            obj.tags.set(names)
            obj.save()


class MicroCoursePageFactory(ResourcePageFactory):
    class Meta:
        model = MicroCoursePage
        skip_postgeneration_save = True  # the hooks save

    title = factory.Sequence(lambda n: f"微课{n}：谈心谈话的方法")
    lecturer = factory.SubFactory(ExpertFactory)
    duration_seconds = 600
    learning_hours = "0.50"
    course_type = factory.LazyFunction(lambda: vocabulary(CourseType, "theory"))
    requirement = factory.LazyFunction(lambda: vocabulary(Requirement, "required"))
    tier = factory.LazyFunction(lambda: vocabulary(Tier, "national"))

    @factory.post_generation
    def stages(obj, create, codes, **kwargs):
        if codes:
            obj.stages = [vocabulary(CareerStage, c) for c in codes]
            obj.save()


class CasePageFactory(ResourcePageFactory):
    class Meta:
        model = CasePage
        skip_postgeneration_save = True  # the hooks save

    title = factory.Sequence(lambda n: f"案例{n}：一次心理危机的处置")
    school = "示例大学"
    background = "<p>学生A在期中考试后情绪低落。</p>"
    process = "<p>辅导员及时开展谈心谈话。</p>"
    analysis = "<p>早发现、早干预是关键。</p>"
    reflection = "<p>要建立家校协同机制。</p>"


class PolicyDocumentPageFactory(ResourcePageFactory):
    class Meta:
        model = PolicyDocumentPage
        skip_postgeneration_save = True  # the hooks save

    title = factory.Sequence(lambda n: f"关于做好第{n}项工作的通知")
    issuer = "教育部办公厅"
    doc_number = factory.Sequence(lambda n: f"教思政厅函〔2023〕{n}号")
    index_number = factory.Sequence(lambda n: f"360A12-07-2023-{n:04d}-1")
    publication_date = "2023-05-05"
    category = "高等教育"


class CourseSeriesPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CourseSeriesPage

    title = factory.Sequence(lambda n: f"系列{n}")
    slug = factory.Sequence(lambda n: f"series-{n}")
    summary = "按顺序学习"


class SeriesItemFactory(DjangoModelFactory):
    class Meta:
        model = SeriesItem

    page = factory.SubFactory(CourseSeriesPageFactory)
    course = factory.SubFactory(MicroCoursePageFactory)
    sort_order = factory.Sequence(lambda n: n)  # InlinePanel and the importer number items the same way


class CounselorFactory(DjangoModelFactory):
    """A counselor as sign-up leaves one: a verified e-mail address (allauth's EmailAddress), a profile,
    and the password `password` unless given."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"counselor{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.edu.cn")
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def profile(user, create, extracted, **kwargs):
        if not create:
            return
        user.save()
        EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        defaults = {"name": "张老师", "school": "北京师范大学", "province": "北京", "start_year": 2022, **kwargs}
        CounselorProfile.objects.update_or_create(user=user, defaults=defaults)


def _days(n):
    return timezone.now() + datetime.timedelta(days=n)


class ProgramPageFactory(ResourcePageFactory):
    """A program open for enrolment now (closing in a week), held in two weeks, with no sessions
    unless ProgramSessionFactory adds them. Create it under a CenterSectionPage (parent=...)."""

    class Meta:
        model = ProgramPage
        skip_postgeneration_save = True  # the hooks save

    title = factory.Sequence(lambda n: f"第{n}期辅导员骨干示范培训班")
    slug = factory.Sequence(lambda n: f"program-{n}")
    tier = factory.LazyFunction(lambda: vocabulary(Tier, "national"))
    format = "offline"
    place = "北京师范大学"
    capacity = 30
    hours = "16.0"
    min_attendance_percent = 80
    require_courses = False
    enrol_opens = factory.LazyFunction(lambda: _days(-1))
    enrol_closes = factory.LazyFunction(lambda: _days(7))
    starts_on = factory.LazyFunction(lambda: _days(14).date())
    ends_on = factory.LazyFunction(lambda: _days(16).date())

    @factory.post_generation
    def stages(obj, create, codes, **kwargs):
        if codes:
            obj.stages = [vocabulary(CareerStage, c) for c in codes]
            obj.save()


class ProgramSessionFactory(DjangoModelFactory):
    class Meta:
        model = ProgramSession

    program = factory.SubFactory(ProgramPageFactory)
    topic = factory.Sequence(lambda n: f"专题{n}：学生心理危机识别与干预")
    # Under way now, so that its QR check-in is open (programs.checkin.window) unless a test says otherwise.
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    lecturer = factory.SubFactory(ExpertFactory)
    sort_order = factory.Sequence(lambda n: n)


class EnrolmentFactory(DjangoModelFactory):
    """An application as the enrolment service would leave it (status given; seats are not checked)."""

    class Meta:
        model = Enrolment

    program = factory.SubFactory(ProgramPageFactory)
    user = factory.SubFactory(CounselorFactory)
    status = Enrolment.PENDING
    name = factory.LazyAttribute(lambda o: o.user.counselor_profile.name)
    school = "北京师范大学"
    province = "北京"
    email = factory.LazyAttribute(lambda o: o.user.email)
