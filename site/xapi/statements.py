"""xAPI 1.0.3 statements in the Video Profile's terms (https://w3id.org/xapi/video), from the server's own
decisions: the seconds it credited (its bitmap), not what a player claimed.

A statement is built in two steps. When the event happens (learning.tracking, in its transaction) everything
the event decided: verb, result, context, timestamp. Before its first sending, the actor (the counselor's
pseudonym) and the object (the course page's URL and title), which need queries the report path must not
make; the completed statement is then stored and sent unchanged ever after.
"""

import json
from datetime import UTC

from django.conf import settings

from wagtail.models import Page

from .models import Actor

VIDEO = "https://w3id.org/xapi/video"
EXTENSION = VIDEO + "/extensions/"
VIDEO_TYPE = VIDEO + "/activity-type/video"
VERBS = {
    "initialized": ("http://adlnet.gov/expapi/verbs/initialized", "开始观看"),
    "played": (VIDEO + "/verbs/played", "播放"),
    "paused": (VIDEO + "/verbs/paused", "暂停"),
    "seeked": (VIDEO + "/verbs/seeked", "拖动"),
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "完成"),
    "terminated": ("http://adlnet.gov/expapi/verbs/terminated", "离开"),
}
# The profile asks every statement to name it as a category.
PROFILE = {
    "objectType": "Activity",
    "id": VIDEO,
    "definition": {"type": "http://adlnet.gov/expapi/activities/profile"},
}


def dumps(body):
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def timestamp(moment):
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build(statement_id, verb, *, session_id, length, threshold, now, result=None):
    """A statement without its actor and object (see `complete`)."""
    verb_id, display = VERBS[verb]
    session = str(session_id)
    body = {
        "id": str(statement_id),
        "verb": {"id": verb_id, "display": {"zh-CN": display, "en-US": verb}},
        "context": {
            "registration": session,
            "contextActivities": {"category": [PROFILE]},
            "extensions": {
                EXTENSION + "session-id": session,
                EXTENSION + "length": round(float(length), 3),
                EXTENSION + "completion-threshold": threshold,
            },
        },
        "timestamp": timestamp(now),
    }
    if result is not None:
        body["result"] = result
    return body


def watch_result(verb, *, played_segments, progress, position, previous_position=None, watched_seconds=0):
    """`result` of a played, paused, seeked, terminated or completed statement."""
    extensions = {
        EXTENSION + "played-segments": played_segments,
        EXTENSION + "progress": round(progress, 3),
    }  # the profile: at most 3 decimals
    if verb == "seeked":
        # The profile's seek: from where the server last knew the playhead, to where the player says it went.
        extensions[EXTENSION + "time-from"] = round(max(0.0, previous_position or 0.0), 3)
        extensions[EXTENSION + "time-to"] = round(max(0.0, position), 3)
    else:
        extensions[EXTENSION + "time"] = round(max(0.0, position), 3)
    result = {"extensions": extensions}
    if verb == "completed":
        result["completion"] = True
        result["duration"] = f"PT{int(watched_seconds)}S"  # the seconds of the video watched
    return result


def base_url():
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def actor(name):
    return {"objectType": "Agent", "account": {"homePage": base_url(), "name": str(name)}}


def actor_names(user_ids):
    """{user id: pseudonym}, created for users who have none yet (two or three queries)."""
    user_ids = set(user_ids)
    names = dict(Actor.objects.filter(user_id__in=user_ids).values_list("user_id", "name"))
    missing = user_ids - names.keys()
    if missing:
        Actor.objects.bulk_create([Actor(user_id=pk) for pk in missing], ignore_conflicts=True)
        names.update(Actor.objects.filter(user_id__in=missing).values_list("user_id", "name"))
    return names


def activities(course_ids):
    """{course id: the statement's object}: the course page's URL on this site and its title. A page deleted,
    unpublished or made private (a view restriction) before its statements were sent gets an IRI of its id on
    this site (IRIs need not resolve) and no title: the LRS learns nothing the public site does not show."""
    found = {}
    for page in Page.objects.live().public().filter(pk__in=set(course_ids)):
        url = page.get_url() or f"/learning/courses/{page.pk}/"
        found[page.pk] = (base_url() + url if url.startswith("/") else url, page.title)
    objects = {}
    for pk in course_ids:
        url, title = found.get(pk, (f"{base_url()}/learning/courses/{pk}/", f"课程 {pk}"))
        objects[pk] = {
            "objectType": "Activity",
            "id": url,
            "definition": {"type": VIDEO_TYPE, "name": {"zh-CN": title}},
        }
    return objects


def complete(statements):
    """({pk: full statement dict}, [rows whose body was completed now]) for Statement rows."""
    bodies = {row.pk: json.loads(row.body) for row in statements}
    incomplete = [row for row in statements if "actor" not in bodies[row.pk]]
    if incomplete:
        names = actor_names(row.user_id for row in incomplete)
        objects = activities({row.course_id for row in incomplete})
        for row in incomplete:
            body = bodies[row.pk]
            body["actor"] = actor(names[row.user_id])
            body["object"] = objects[row.course_id]
            row.body = dumps(body)
    return bodies, incomplete
