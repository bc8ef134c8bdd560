"""The production guard's test of SECRET_KEY: long, varied and not repetitive.

Shannon's estimate (bits per character, from the character frequencies, times the length) refuses
keys of few distinct characters ("x" * 50 has 0 bits, "ab" * 25 has 50); it cannot see a repeated
pattern ("abcdefghij" * 5 scores 166 bits), which the share of distinct character pairs does: in a
random key almost every pair is new (a 64-character hex key: ~89 %), in a repeated one few are."""

import math
from collections import Counter

MIN_LENGTH = 50  # Django's own deployment check (security.W009) asks for 50
MIN_BITS = 128
MIN_DISTINCT_PAIRS = 0.6


def estimated_bits(key):
    counts = Counter(key)
    per_char = sum(-n / len(key) * math.log2(n / len(key)) for n in counts.values()) if key else 0.0
    return per_char * len(key)


def weakness(key):
    """Why the key is not good enough for production, or None."""
    if len(key) < MIN_LENGTH:
        return f"it has {len(key)} characters, at least {MIN_LENGTH} are needed"
    if key.startswith(("dev-", "test-", "change-me", "django-insecure")):
        return "it is a development or placeholder key"
    bits = estimated_bits(key)
    if bits < MIN_BITS:
        return f"its estimated entropy is {bits:.0f} bits, at least {MIN_BITS} are needed"
    pairs = [key[i : i + 2] for i in range(len(key) - 1)]
    if len(set(pairs)) < MIN_DISTINCT_PAIRS * len(pairs):
        return "it repeats a pattern"
    return None
