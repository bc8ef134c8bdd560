"""Simultaneous applications and cancellations never exceed a program's capacity (issue 16's Done-when).

Each thread is a counselor posting the program page's form through the whole stack (Django's test
client: middleware, view, form, the enrolment service), with its own database connection; a barrier
starts them together. On SQLite the test database is a file (hub.settings.test), so the threads share
it, and the settings' IMMEDIATE transactions queue the writers; on PostgreSQL (DATABASE_URL) the
program's ProgramSeats row is locked with SELECT … FOR UPDATE. The same test runs on both."""

import threading

import pytest

from django.core import mail
from django.db import connection
from django.test import Client

from programs.models import Enrolment

from . import factories

# serialized_rollback: a transactional test empties the tables; restore what migrations seeded.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOLDS_SEAT = Enrolment.HOLDS_SEAT


def shared_database():
    """Threads see the same database: a file on SQLite (an in-memory one is per connection)."""
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        assert name and ":memory:" not in name and "mode=memory" not in name, name
    return connection.vendor


def clients_for(count, prefix):
    clients = []
    for n in range(count):
        user = factories.CounselorFactory(username=f"{prefix}{n}", profile__name=f"学员{n}")
        client = Client()
        client.force_login(user)
        clients.append((user, client))
    return clients


def at_once(jobs):
    """Run the callables in as many threads, released together; returns (results, exceptions)."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [], []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait(timeout=60)
            result = job()
            with lock:
                results.append(result)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def apply_job(client, program, name):
    def job():
        response = client.post(f"/programs/{program.pk}/enrolment/", {"name": name, "school": "示例大学"})
        return response.status_code, response.get("Location", "")

    return job


def cancel_job(client, program):
    def job():
        response = client.post(f"/programs/{program.pk}/enrolment/cancel/")
        return response.status_code, response.get("Location", "")

    return job


@pytest.fixture
def program(centers):
    a, _b = centers
    return factories.ProgramPageFactory(parent=a.section, center=a, capacity=10, title="并发报名测试班")


def test_fifty_simultaneous_applications_for_ten_seats(program):
    vendor = shared_database()
    clients = clients_for(50, "racer")
    results, errors = at_once([apply_job(client, program, user.username) for user, client in clients])
    assert not errors, errors
    assert len(results) == 50 and all(status == 302 and "#enrolment" in where for status, where in results)

    rows = Enrolment.objects.filter(program=program)
    assert rows.count() == 50, vendor
    assert rows.filter(status__in=HOLDS_SEAT).count() == 10, vendor
    assert rows.filter(status=Enrolment.WAITING).count() == 40, vendor
    # The waiting list has one order: 40 distinct places, the earliest queued first.
    queue = list(rows.filter(status=Enrolment.WAITING).order_by("queued_at", "pk").values_list("queued_at", flat=True))
    assert len(queue) == 40 and queue == sorted(queue)
    # Those with a seat applied before everyone waiting.
    last_seat = max(rows.filter(status__in=HOLDS_SEAT).values_list("applied_at", flat=True))
    assert last_seat <= queue[0]


def test_simultaneous_cancellations_and_applications_keep_the_capacity_and_the_order(program):
    vendor = shared_database()
    holders, waiting, newcomers = clients_for(10, "seat"), clients_for(15, "wait"), clients_for(10, "new")
    for user, client in holders + waiting:  # one after another: the order is known
        client.post(f"/programs/{program.pk}/enrolment/", {"name": user.username})
    assert Enrolment.objects.filter(status__in=HOLDS_SEAT).count() == 10
    mail.outbox.clear()

    jobs = [cancel_job(client, program) for _user, client in holders[:6]]
    jobs += [apply_job(client, program, user.username) for user, client in newcomers]
    results, errors = at_once(jobs)
    assert not errors, errors
    assert all(status == 302 for status, _where in results)

    rows = Enrolment.objects.filter(program=program)
    assert rows.filter(status=Enrolment.CANCELLED).count() == 6
    assert rows.filter(status__in=HOLDS_SEAT).count() == 10, vendor
    # The six freed seats went to the first six of the waiting list, never to a newcomer.
    promoted = set(
        rows.filter(status=Enrolment.PENDING, user__username__startswith="wait").values_list(
            "user__username", flat=True
        )
    )
    assert promoted == {f"wait{n}" for n in range(6)}, promoted
    assert not rows.filter(user__username__startswith="new").exclude(status=Enrolment.WAITING).exists()
    assert rows.filter(status=Enrolment.WAITING).count() == 9 + 10
    # Each promoted applicant was told once, after their transaction committed.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(f"wait{n}@example.edu.cn" for n in range(6))
