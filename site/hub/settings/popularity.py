"""Popularity (大数据比选): courses' viewers, completions and ratings, and the sorts built on them
(docs/popularity.md). Star-imported by base.py, after learning.py."""

import os

from django.core.exceptions import ImproperlyConfigured

from .learning import LEARNING_ANALYTICS_MIN_VIEWERS


def _number(name, default, low, high, kind=float):
    value = kind(os.environ.get(name) or default)
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, not {value}")
    return value


# A course ranks by its completion rate (完成率最高) only from this many viewers on, and shows the rate only
# then: below, one or two viewers would make a rate of 0 % or 100 % that says nothing.
POPULARITY_MIN_VIEWERS = _number("POPULARITY_MIN_VIEWERS", LEARNING_ANALYTICS_MIN_VIEWERS, 1, 100000, int)
# 评分最高 sorts by a damped average: (sum of ratings + WEIGHT × MEAN) / (number of ratings + WEIGHT), so
# that one 5-star rating does not top fifty ratings of 4.8. WEIGHT is how many imagined ratings of MEAN
# each course starts with.
POPULARITY_RATING_PRIOR_WEIGHT = _number("POPULARITY_RATING_PRIOR_WEIGHT", "5", 0, 1000)
POPULARITY_RATING_PRIOR_MEAN = _number("POPULARITY_RATING_PRIOR_MEAN", "3.5", 1, 5)
# The worker counts every course's numbers again from their rows at most this often (fixing drift:
# deleted accounts take their progress with them).
POPULARITY_REFRESH_MINUTES = _number("POPULARITY_REFRESH_MINUTES", "60", 1, 100000, int)
