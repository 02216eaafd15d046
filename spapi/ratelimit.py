"""Token buckets for Amazon's usage plans (pure Python; clock injectable).

A bucket holds at most ``burst`` tokens and refills at ``rate`` tokens per second; each request
takes one. It starts full, so a run uses the whole burst before pacing at ``rate``.

Buckets live in a module-level registry (:func:`bucket_for`) keyed by (seller key, operation), so
the quota already spent survives from one sync run to the next *within one process*. State is per
process: several Odoo workers each keep their own buckets, and after a restart a bucket starts full
again; Amazon's 429 (handled by draining the bucket) covers the difference.
"""

import threading
import time


def capped_backoff(attempts, first, cap):
    """The wait after ``attempts`` failures (or polls): ``first`` after the first, doubled after
    each next one, never above ``cap`` (numbers or timedeltas)."""
    exponent = min(max(1, int(attempts)) - 1, 24)  # 2**24 times any first wait is past any cap
    return min(cap, first * 2**exponent)


class TokenBucket:
    def __init__(self, rate, burst, clock=time.monotonic):
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.rate = float(rate)
        self.burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._hold_until = None
        self._lock = threading.RLock()

    def _refill(self):
        now = self._clock()
        elapsed = max(0.0, now - self._stamp)
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate)
        self._stamp = now
        return now

    @property
    def tokens(self):
        """Tokens available now (may be negative after :meth:`take` without waiting)."""
        with self._lock:
            self._refill()
            return self._tokens

    def wait_time(self):
        """Seconds until one token is available (0.0 if one is available now)."""
        with self._lock:
            now = self._refill()
            wait = 0.0 if self._tokens >= 1 else (1.0 - self._tokens) / self.rate
            if self._hold_until is not None:
                wait = max(wait, self._hold_until - now)
            return max(0.0, wait)

    def take(self):
        """Take one token. Taken early, the bucket goes into debt: later waits get longer."""
        with self._lock:
            self._refill()
            self._tokens -= 1.0

    def drain(self):
        """Empty the bucket (after a 429), so the next request waits a full period."""
        with self._lock:
            self._refill()
            self._tokens = min(self._tokens, 0.0)

    def hold(self, seconds):
        """No token before ``seconds`` from now (honours a ``Retry-After`` header)."""
        with self._lock:
            until = self._clock() + max(0.0, float(seconds))
            if self._hold_until is None or until > self._hold_until:
                self._hold_until = until

    def set_rate(self, rate):
        """Adopt the rate Amazon announces (``x-amzn-RateLimit-Limit``); ignores nonsense."""
        try:
            rate = float(rate)
        except (TypeError, ValueError):
            return
        if not rate > 0 or rate == float("inf"):
            return
        with self._lock:
            self._refill()
            self.rate = rate


_registry = {}
_registry_lock = threading.Lock()


def bucket_for(key, rate, burst, clock=time.monotonic):
    """The process-wide bucket for ``key`` (e.g. ``(seller_key, operation)``), created full."""
    with _registry_lock:
        bucket = _registry.get(key)
        if bucket is None:
            bucket = _registry[key] = TokenBucket(rate, burst, clock=clock)
        return bucket


def forget(key=None):
    """Drop one bucket (or all, for tests); the next :func:`bucket_for` starts full again."""
    with _registry_lock:
        if key is None:
            _registry.clear()
        else:
            _registry.pop(key, None)
