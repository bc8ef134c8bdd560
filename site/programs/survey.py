"""The participants' survey (质量评估): when it is open, who answers it, which sessions they rate,
how an answer is checked and stored (docs/programs-survey.md).

- Open from the end of the program's last session (a program without sessions: the day after its
  `ends_on`) until the end of `program.survey_deadline()` (a date, inclusive, in the site's time zone).
- Answered by participants: approved enrolments who attended at least one session (a program without
  sessions: every approved enrolment). Each rates the sessions they attended: what they did not hear
  is not theirs to judge, and the lecturers' evaluation stays honest.
- One SurveyResponse per enrolment, changed in place until the deadline; its SessionRatings are
  replaced on each save, each with the session's lecturer at that moment (the snapshot the
  lecturers' results are counted by).
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from .models import Attendance, Enrolment, ProgramSession, SessionRating, SurveyResponse

SCORES = (1, 2, 3, 4, 5)
SCORE_LABELS = {1: "很不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "非常满意"}
MAX_COMMENT = SurveyResponse._meta.get_field("comment").max_length

# States of a program's survey.
NONE, UPCOMING, OPEN, CLOSED = "none", "upcoming", "open", "closed"

# The form's names of a session's two scores: session-<id>-content, session-<id>-teaching.
SESSION_FIELD = re.compile(r"^session-(\d{1,19})-(content|teaching)$")

REQUIRED = "请为“{label}”评分。"
BAD_SCORE = "“{label}”的评分应为 1 到 5 分。"
TOO_LONG = "意见和建议最多 {limit} 字（现为 {length} 字），请删减后再提交。"
FOREIGN_SESSION = "问卷中有不属于本项目或您未参加的课程，请刷新页面后重新填写。"


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class Window:
    state: str
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None  # the first moment after the deadline
    deadline: datetime.date | None = None


UNKNOWN = object()


def window(program, now=None, last_session_end=UNKNOWN):
    """The survey's Window. `last_session_end` (None: no sessions) may be passed when already known
    (one query less, e.g. annotated on a listing's programs)."""
    now = now or timezone.now()
    deadline = program.survey_deadline()
    if last_session_end is UNKNOWN:
        last_session_end = program.sessions.aggregate(last=Max("ends_at"))["last"]
    if last_session_end is not None:
        opens_at = last_session_end
    elif program.ends_on is not None:
        opens_at = _day_start(program.ends_on + datetime.timedelta(days=1))
    else:
        opens_at = None
    if deadline is None or opens_at is None:
        return Window(NONE, deadline=deadline)
    closes_at = _day_start(deadline + datetime.timedelta(days=1))
    if now < opens_at:
        state = UPCOMING if opens_at < closes_at else CLOSED
    elif now < closes_at:
        state = OPEN
    else:
        state = CLOSED
    return Window(state, opens_at, closes_at, deadline)


@dataclass
class Participation:
    """What one user has to do with one program's survey."""

    enrolment: Enrolment | None = None
    sessions: list = field(default_factory=list)  # the sessions they rate, in schedule order
    program_has_sessions: bool = False
    response: SurveyResponse | None = None
    ratings: dict = field(default_factory=dict)  # session id -> SessionRating

    @property
    def eligible(self):
        return self.enrolment is not None and (bool(self.sessions) or not self.program_has_sessions)


def participation(program, user, with_response=True):
    """The user's Participation in the program's survey; four queries at most."""
    result = Participation()
    if not user.is_authenticated:
        return result
    result.enrolment = Enrolment.objects.filter(program=program, user=user, status=Enrolment.APPROVED).first()
    if result.enrolment is None:
        return result
    attended = Attendance.objects.filter(enrolment=result.enrolment).values("session_id")
    result.sessions = list(
        ProgramSession.objects.filter(program=program, pk__in=attended)
        .select_related("lecturer")
        .order_by("starts_at", "sort_order", "pk")
    )
    result.program_has_sessions = bool(result.sessions) or ProgramSession.objects.filter(program=program).exists()
    if with_response:
        result.response = SurveyResponse.objects.filter(enrolment=result.enrolment).prefetch_related("ratings").first()
        if result.response is not None:
            result.ratings = {rating.session_id: rating for rating in result.response.ratings.all()}
    return result


# -- the form -------------------------------------------------------------------------------------


@dataclass
class Question:
    """One 1–5 question of the form: a fieldset of five radio buttons."""

    name: str
    label: str  # what the error messages call it
    legend: str
    value: int | None = None
    error: str = ""


@dataclass
class SessionBlock:
    session: ProgramSession
    questions: list


@dataclass
class SurveyForm:
    general: list
    blocks: list
    comment: str = ""
    comment_error: str = ""
    errors: list = field(default_factory=list)  # every message, in the form's order

    @property
    def questions(self):
        return self.general + [q for block in self.blocks for q in block.questions]

    def cleaned(self):
        """{name: score} and the comment, once valid."""
        return {q.name: q.value for q in self.questions}, self.comment


def _session_questions(session):
    questions = [Question(f"session-{session.pk}-content", f"{session.topic}·课程内容", "课程内容")]
    if session.lecturer_id:
        # A session without a lecturer (a visit to a practice base) is rated on its content only.
        name = session.lecturer.name
        questions.append(Question(f"session-{session.pk}-teaching", f"{session.topic}·主讲人{name}", f"主讲人 {name}"))
    return questions


def empty_form(taking):
    general = [
        Question("overall", "总体满意度", "总体满意度：您对本次培训总体是否满意？"),
        Question("organisation", "组织管理", "组织管理：报名、日程、场地、服务等安排"),
    ]
    blocks = [SessionBlock(session, _session_questions(session)) for session in taking.sessions]
    return SurveyForm(general, blocks)


def initial_form(taking):
    """The form with the participant's saved answers (or empty)."""
    form = empty_form(taking)
    response = taking.response
    if response is None:
        return form
    form.general[0].value, form.general[1].value = response.overall, response.organisation
    for block in form.blocks:
        rating = taking.ratings.get(block.session.pk)
        if rating is None:
            continue
        block.questions[0].value = rating.content
        if len(block.questions) > 1:
            block.questions[1].value = rating.teaching
    form.comment = response.comment
    return form


def _score(raw):
    try:
        value = int(str(raw).strip())
    except ValueError:
        return None
    return value if value in SCORES else None


def bound_form(taking, data):
    """The form filled from POST `data`, with its errors. A posted session the participant may not
    rate (another program's, one not attended, an unknown id) is an error of the whole form."""
    form = empty_form(taking)
    allowed = {session.pk for session in taking.sessions}
    for key in data:
        match = SESSION_FIELD.match(key)
        if match and int(match.group(1)) not in allowed:
            form.errors.append(FOREIGN_SESSION)
            break
    for question in form.questions:
        raw = data.get(question.name, "")
        if raw in ("", None):
            question.error = REQUIRED.format(label=question.label)
        else:
            question.value = _score(raw)
            if question.value is None:
                question.error = BAD_SCORE.format(label=question.label)
        if question.error:
            form.errors.append(question.error)
    # Line ends as the browser sends them (\r\n) count once, as the textarea's maxlength counts them.
    form.comment = str(data.get("comment", "")).replace("\r\n", "\n").strip()
    if len(form.comment) > MAX_COMMENT:
        form.comment_error = TOO_LONG.format(limit=MAX_COMMENT, length=len(form.comment))
        form.errors.append(form.comment_error)
    return form


@transaction.atomic
def save(taking, form):
    """Store the valid `form` as the participant's one response. Returns (response, created)."""
    now = timezone.now()
    enrolment = taking.enrolment
    # One participant's simultaneous saves are serialised on their enrolment's row (PostgreSQL; SQLite
    # serialises writers anyway), so the second finds the response the first created.
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).values_list("pk", flat=True).first()
    scores, comment = form.cleaned()
    response = SurveyResponse.objects.filter(enrolment=enrolment).first()
    created = response is None
    if created:
        response = SurveyResponse(enrolment=enrolment, program_id=enrolment.program_id, submitted_at=now)
    response.overall = scores["overall"]
    response.organisation = scores["organisation"]
    response.comment = comment
    response.updated_at = now
    response.full_clean(exclude=["enrolment", "program"])
    response.save()
    SessionRating.objects.filter(response=response).delete()
    ratings = []
    for session in taking.sessions:
        content = scores[f"session-{session.pk}-content"]
        teaching = scores.get(f"session-{session.pk}-teaching", content)
        ratings.append(
            SessionRating(
                response=response, session=session, lecturer_id=session.lecturer_id, content=content, teaching=teaching
            )
        )
    SessionRating.objects.bulk_create(ratings)
    return response, created


def personal_data(user):
    """The user's survey answers, for their copy of their data (ACCOUNTS_PERSONAL_DATA_EXPORTERS);
    two queries. Deleting the account deletes them (enrolment and response cascade)."""
    responses = (
        SurveyResponse.objects.filter(enrolment__user=user)
        .select_related("program")
        .prefetch_related(
            Prefetch(
                "ratings", SessionRating.objects.select_related("session", "lecturer").order_by("session__starts_at")
            )
        )
        .order_by("submitted_at", "pk")
    )
    return {
        "survey-responses": [
            {
                "program-id": response.program_id,
                "program": response.program.title,
                "overall": response.overall,
                "organisation": response.organisation,
                "comment": response.comment,
                "submitted": response.submitted_at.isoformat(),
                "updated": response.updated_at.isoformat(),
                "sessions": [
                    {
                        "session": rating.session.topic,
                        "lecturer": rating.lecturer.name if rating.lecturer else None,
                        "content": rating.content,
                        "lecturer-score": rating.teaching,
                    }
                    for rating in response.ratings.all()
                ],
            }
            for response in responses
        ]
    }
