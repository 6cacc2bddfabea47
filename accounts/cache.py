"""The shared cache, failing open for allauth's rate limits too.

django-redis with IGNORE_EXCEPTIONS turns every error into "nothing there": ``get``
returns the default, ``set`` and ``delete`` do nothing. That is right for a cache
but wrong for ``add``, which then answers None ("someone else holds the key").
allauth takes a lock with ``cache.add`` before counting a login, a password reset
or an MFA code; with Redis down that lock never comes, so everyone would get 429.
Here ``add`` answers True instead (the key was free), so an outage lifts the rate
limits (and allauth's used-TOTP-code check) and nothing else.

``incr`` and ``decr`` raise ValueError, as Django does for a key that is not
there, instead of returning None: callers already handle a missing counter.
"""

import logging

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)


class FailOpenRedisCache(RedisCache):
    def add(self, *args, **kwargs):
        try:
            return self.client.add(*args, **kwargs)
        except ConnectionInterrupted as error:
            if not self._ignore_exceptions:
                raise error.__cause__ from None
            logger.warning("Cache unreachable: add() treated as done (%s)", error.__cause__)
            return True

    def incr(self, key, delta=1, version=None, client=None):
        try:
            return self.client.incr(key, delta=delta, version=version, client=client)
        except ConnectionInterrupted as error:
            if not self._ignore_exceptions:
                raise error.__cause__ from None
            raise ValueError(f"Key {key!r} not found (cache unreachable)") from None

    def decr(self, key, delta=1, version=None, client=None):
        return self.incr(key, delta=-delta, version=version, client=client)
