package redisstore

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// The compressors of django-redis (OPTIONS["COMPRESSOR"]), as
// django_redis/compressors/*.py write them (django-redis 5.2 – 7.0):
//
//	identity  the value as is (the default)
//	zlib      zlib.compress(v, 6) when len(v) > 15
//	gzip      gzip.compress(v) when len(v) > 15 (django-redis 6.0+)
//	lzma      lzma.compress(v, preset=4), the .xz format, when len(v) > 100
//	lz4       lz4.frame.compress(v) when len(v) > 15
//	zstd      pyzstd.compress(v) when len(v) > 15
//
// The thresholds are the classes' min_length attributes: django-redis has no
// option for them. A shorter value is stored uncompressed, so on reading,
// DefaultClient.decode tries to decompress and, when the compressor raises
// CompressorError, uses the bytes as they are; so does decompress here.
// The compressed bytes are not byte for byte Python's (another encoder), but
// each is the same format, and real django-redis reads them (live_test.go).
const (
	CompressorIdentity = "django_redis.compressors.identity.IdentityCompressor"
	CompressorZlib     = "django_redis.compressors.zlib.ZlibCompressor"
	CompressorGzip     = "django_redis.compressors.gzip.GzipCompressor"
	CompressorLzma     = "django_redis.compressors.lzma.LzmaCompressor"
	CompressorLz4      = "django_redis.compressors.lz4.Lz4Compressor"
	CompressorZstd     = "django_redis.compressors.zstd.ZStdCompressor"
)

// lzmaDictCap bounds the dictionary an lzma stream may ask for (it is
// allocated before any byte is decoded): twice the 4 MiB of preset 4, the
// one django-redis's LzmaCompressor uses. Go writes with 4 MiB.
const lzmaDictCap = 8 << 20

// compressor is one django-redis compressor.
type compressor struct {
	name      string
	minLength int // compress only values longer than this
	compress  func([]byte) ([]byte, error)
	// decompress returns the original, at most limit bytes (ErrTooLarge
	// beyond), or an error that makes the value be read as it is.
	decompress func(b []byte, limit int) ([]byte, error)
}

// errNotCompressed is what a decompressor returns for bytes not in its
// format: django-redis's CompressorError.
var errNotCompressed = errors.New("not compressed")

var compressors = map[string]*compressor{
	CompressorZlib: {name: "zlib", minLength: 15, compress: func(b []byte) ([]byte, error) {
		var buf bytes.Buffer
		w, _ := zlib.NewWriterLevel(&buf, 6)
		w.Write(b)
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}, decompress: func(b []byte, limit int) ([]byte, error) {
		r, err := zlib.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, errNotCompressed
		}
		return readAllLimited(r, limit)
	}},
	CompressorGzip: {name: "gzip", minLength: 15, compress: func(b []byte) ([]byte, error) {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}, decompress: func(b []byte, limit int) ([]byte, error) {
		// gzip.decompress reads every member, as Go's reader does.
		r, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, errNotCompressed
		}
		return readAllLimited(r, limit)
	}},
	CompressorLzma: {name: "lzma", minLength: 100, compress: func(b []byte) ([]byte, error) {
		var buf bytes.Buffer
		// Python's lzma.compress writes .xz with a CRC64 check.
		w, err := xz.WriterConfig{CheckSum: xz.CRC64, DictCap: lzmaDictCap / 2}.NewWriter(&buf)
		if err != nil {
			return nil, err
		}
		w.Write(b)
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}, decompress: func(b []byte, limit int) ([]byte, error) {
		// lzma.decompress's FORMAT_AUTO: .xz or the legacy .lzma.
		if bytes.HasPrefix(b, []byte{0xfd, '7', 'z', 'X', 'Z', 0}) {
			r, err := xz.ReaderConfig{DictCap: lzmaDictCap}.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, errNotCompressed
			}
			return readAllLimited(r, limit)
		}
		if len(b) < 13 || b[0] >= 9*5*5 {
			return nil, errNotCompressed
		}
		r, err := lzma.ReaderConfig{DictCap: lzmaDictCap}.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, errNotCompressed
		}
		return readAllLimited(r, limit)
	}},
	CompressorLz4: {name: "lz4", minLength: 15, compress: func(b []byte) ([]byte, error) {
		var buf bytes.Buffer
		w := lz4.NewWriter(&buf)
		// lz4.frame.compress records the content size; so do we.
		if err := w.Apply(lz4.SizeOption(uint64(len(b)))); err != nil {
			return nil, err
		}
		w.Write(b)
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}, decompress: func(b []byte, limit int) ([]byte, error) {
		if !bytes.HasPrefix(b, []byte{0x04, 0x22, 0x4d, 0x18}) {
			return nil, errNotCompressed
		}
		return readAllLimited(lz4.NewReader(bytes.NewReader(b)), limit)
	}},
	CompressorZstd: {name: "zstd", minLength: 15, compress: func(b []byte) ([]byte, error) {
		// One segment, so the frame records its content size, as
		// pyzstd.compress (and libzstd's ZSTD_compress) write it: some
		// decoders (python-zstd's) need it.
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithSingleSegment(true))
		if err != nil {
			return nil, err
		}
		defer enc.Close()
		return enc.EncodeAll(b, nil), nil
	}, decompress: func(b []byte, limit int) ([]byte, error) {
		if !bytes.HasPrefix(b, []byte{0x28, 0xb5, 0x2f, 0xfd}) {
			return nil, errNotCompressed
		}
		dec, err := zstd.NewReader(bytes.NewReader(b), zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(uint64(limit)+1<<20), zstd.WithDecoderMaxWindow(uint64(max(limit, 1<<20))))
		if err != nil {
			return nil, errNotCompressed
		}
		defer dec.Close()
		return readAllLimited(dec, limit)
	}},
}

// readAllLimited reads r to its end: at most limit bytes (ErrTooLarge
// beyond: a decompression bomb stops there); a read error is a bad stream,
// reported as errNotCompressed wrapped with the cause.
func readAllLimited(r io.Reader, limit int) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNotCompressed, err)
	}
	if len(b) > limit {
		return nil, fmt.Errorf("%w: cache value decompresses to more than %d bytes", djangosession.ErrTooLarge, limit)
	}
	return b, nil
}

// compressValue is compressor.compress: values of at most minLength bytes
// stay as they are.
func (c *compressor) compressValue(b []byte) ([]byte, error) {
	if c == nil || len(b) <= c.minLength {
		return b, nil
	}
	out, err := c.compress(b)
	if err != nil {
		return nil, fmt.Errorf("redisstore: %s compress: %w", c.name, err)
	}
	return out, nil
}

// decompressValue is DefaultClient.decode's "with suppress(CompressorError):
// value = decompress(value)": bytes that are not in the format are read as
// they are. Only an oversized result is an error.
func (c *compressor) decompressValue(b []byte, limit int) ([]byte, error) {
	if c == nil {
		return b, nil
	}
	out, err := c.decompress(b, limit)
	if err != nil {
		if errors.Is(err, djangosession.ErrTooLarge) {
			return nil, err
		}
		return b, nil
	}
	return out, nil
}
