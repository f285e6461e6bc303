"""A test-only stand-in for the pyzstd module, for django-redis's ZStdCompressor.

django_redis.compressors.zstd imports pyzstd (PyPI), which Debian does not
package; Debian packages python3-zstd ("zstd") and Python 3.14 has
compression.zstd. Both call the real libzstd and write standard zstd frames,
which is all ZStdCompressor needs: pyzstd.compress(data), pyzstd.decompress(data)
and pyzstd.ZstdError. djangohelper.py puts this directory at the END of
sys.path, so a real pyzstd, when installed, is the one imported.
"""

try:  # Python 3.14+
    from compression import zstd as _z

    class ZstdError(Exception):
        pass

    def compress(data, level_or_option=None, zstd_dict=None):
        return _z.compress(data)

    def decompress(data, zstd_dict=None, option=None):
        try:
            return _z.decompress(data)
        except _z.ZstdError as e:
            raise ZstdError(str(e)) from e

except ImportError:  # Debian's python3-zstd
    import zstd as _z

    class ZstdError(Exception):
        pass

    def compress(data, level_or_option=None, zstd_dict=None):
        return _z.compress(data)

    def decompress(data, zstd_dict=None, option=None):
        try:
            return _z.decompress(data)
        except _z.Error as e:
            raise ZstdError(str(e)) from e
