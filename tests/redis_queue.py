"""The test run on Redis (TASKS_BACKEND=rq) uses RQ's synchronous mode with this queue: each job is written
to Redis, read back from there and run in the test process. The job's function path, arguments, status and
result make the real round trip, while the tests still see the task's effects at once."""

from django_rq.queues import DjangoRQ


class RoundTripQueue(DjangoRQ):
    def run_sync(self, job):
        stored = self.fetch_job(job.id)
        assert stored is not None, f"job {job.id} was not stored in Redis"
        return super().run_sync(stored)
