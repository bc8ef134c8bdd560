"""allauth raises `RateLimited` from deep inside its flows (one SMS per number every 30 s, a code
requested again too soon…) and catches it only in some views: elsewhere it reached Django as a 500. This
turns every one into the site's 429 page, in Chinese."""

from allauth.core.exceptions import RateLimited

from django.shortcuts import render

TOO_MANY = "请求过于频繁，请稍后再试。"


class RateLimitedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RateLimited):
            return None
        # accounts.sms.DailyLimitReached says what the limit is and what to do instead.
        message = getattr(exception, "message", TOO_MANY)
        return render(request, "429.html", {"message": message}, status=429)
