"""A Redis cache backend for Django 3.2, storing exactly as Django 4.x's does.

Django 3.2 has no django.core.cache.backends.redis (it arrived in 4.0), so
3.2's cache and cached_db session engines cannot be pointed at Redis with
Django alone. This test-only backend lets the harness do that, and writes
what django.core.cache.backends.redis.RedisCache (4.0 - 5.2) writes:

  - key: BaseCache.make_key(key, version) = "<KEY_PREFIX>:<version>:<key>",
    validated like make_and_validate_key;
  - value: a plain int (type(v) is int, not bool) is stored as its decimal
    digits; anything else as pickle.dumps(v, pickle.HIGHEST_PROTOCOL);
    reading tries int(data) first, then pickle.loads;
  - expiry: SET ... EX <timeout>; timeout None = no expiry; timeout <= 0
    deletes; add() is SET NX (with timeout 0: SET NX then DELETE).
  - several servers (LOCATION list or "a,b" / "a;b"): writes go to the first,
    reads to a random other one, as in 4.x.

The code follows Django 4.2's django/core/cache/backends/redis.py (BSD
licence), trimmed to what the sessions framework uses.
"""

import pickle
import random
import re

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.utils.functional import cached_property


class RedisSerializer:
    def __init__(self, protocol=None):
        self.protocol = pickle.HIGHEST_PROTOCOL if protocol is None else protocol

    def dumps(self, obj):
        # Only skip pickling for integers; int subclasses such as bool are pickled.
        if type(obj) is int:
            return obj
        return pickle.dumps(obj, self.protocol)

    def loads(self, data):
        try:
            return int(data)
        except ValueError:
            return pickle.loads(data)


class RedisCacheClient:
    def __init__(self, servers, **options):
        import redis

        self._lib = redis
        self._servers = servers
        self._pools = {}
        self._serializer = RedisSerializer()
        self._pool_options = options

    def _get_connection_pool(self, write):
        if write or len(self._servers) == 1:
            index = 0
        else:
            index = random.randint(1, len(self._servers) - 1)
        if index not in self._pools:
            self._pools[index] = self._lib.ConnectionPool.from_url(
                self._servers[index], **self._pool_options)
        return self._pools[index]

    def get_client(self, key=None, *, write=False):
        return self._lib.Redis(connection_pool=self._get_connection_pool(write))

    def add(self, key, value, timeout):
        client = self.get_client(key, write=True)
        value = self._serializer.dumps(value)
        if timeout == 0:
            ret = bool(client.set(key, value, nx=True))
            if ret:
                client.delete(key)
            return ret
        return bool(client.set(key, value, ex=timeout, nx=True))

    def get(self, key, default):
        value = self.get_client(key).get(key)
        return default if value is None else self._serializer.loads(value)

    def set(self, key, value, timeout):
        client = self.get_client(key, write=True)
        value = self._serializer.dumps(value)
        if timeout == 0:
            client.delete(key)
        else:
            client.set(key, value, ex=timeout)

    def touch(self, key, timeout):
        client = self.get_client(key, write=True)
        if timeout is None:
            return bool(client.persist(key))
        return bool(client.expire(key, timeout))

    def delete(self, key):
        return bool(self.get_client(key, write=True).delete(key))

    def get_many(self, keys):
        keys = list(keys)
        ret = self.get_client(None).mget(keys)
        return {k: self._serializer.loads(v) for k, v in zip(keys, ret) if v is not None}

    def has_key(self, key):
        return bool(self.get_client(key).exists(key))

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        if not client.exists(key):
            raise ValueError("Key '%s' not found." % key)
        return client.incr(key, delta)

    def set_many(self, data, timeout):
        pipeline = self.get_client(None, write=True).pipeline()
        pipeline.mset({k: self._serializer.dumps(v) for k, v in data.items()})
        if timeout is not None:
            for key in data:
                pipeline.expire(key, timeout)
        pipeline.execute()

    def delete_many(self, keys):
        self.get_client(None, write=True).delete(*keys)

    def clear(self):
        return bool(self.get_client(None, write=True).flushdb())


class RedisCache(BaseCache):
    def __init__(self, server, params):
        super().__init__(params)
        if isinstance(server, str):
            self._servers = re.split("[;,]", server)
        else:
            self._servers = server
        self._options = params.get("OPTIONS", {})

    @cached_property
    def _cache(self):
        return RedisCacheClient(self._servers, **self._options)

    def _key(self, key, version):
        key = self.make_key(key, version=version)
        self.validate_key(key)
        return key

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        if timeout == DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        # None: the key persists; non-positive values delete it.
        return None if timeout is None else max(0, int(timeout))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._cache.add(self._key(key, version), value, self.get_backend_timeout(timeout))

    def get(self, key, default=None, version=None):
        return self._cache.get(self._key(key, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._cache.set(self._key(key, version), value, self.get_backend_timeout(timeout))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._cache.touch(self._key(key, version), self.get_backend_timeout(timeout))

    def delete(self, key, version=None):
        return self._cache.delete(self._key(key, version))

    def get_many(self, keys, version=None):
        key_map = {self._key(key, version): key for key in keys}
        ret = self._cache.get_many(key_map.keys())
        return {key_map[k]: v for k, v in ret.items()}

    def has_key(self, key, version=None):
        return self._cache.has_key(self._key(key, version))

    def incr(self, key, delta=1, version=None):
        return self._cache.incr(self._key(key, version), delta)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        safe = {self._key(k, version): v for k, v in data.items()}
        self._cache.set_many(safe, self.get_backend_timeout(timeout))
        return []

    def delete_many(self, keys, version=None):
        if not keys:
            return
        self._cache.delete_many([self._key(k, version) for k in keys])

    def clear(self):
        return self._cache.clear()
