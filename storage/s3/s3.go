// Package s3 is the storage.FileSystem of s3:// paths, on aws-sdk-go-v2:
// AWS S3 and S3-compatible servers (versitygw, Ceph, R2, MinIO). It takes
// configuration as AWS users already have it — the SDK's credential
// chain and standard variables (AWS_REGION, AWS_PROFILE,
// AWS_ENDPOINT_URL[_S3]) — plus lakeq's own endpoint, region, URL style
// and static keys, which win when set.
package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
)

// Config is lakeq's S3 settings; a zero field leaves the SDK's own
// configuration (environment, shared files) in place.
type Config struct {
	Endpoint string // e.g. http://127.0.0.1:7070; "" = AWS (or AWS_ENDPOINT_URL_S3)
	Region   string // "" = AWS_REGION / the profile's, else us-east-1
	// URLStyle is "path", "virtual" or "" (path for an IP or localhost
	// endpoint, virtual-hosted otherwise).
	URLStyle                           string
	AccessKey, SecretKey, SessionToken string
	// MaxAttempts bounds the tries of one request (0 = 5); each waits an
	// exponential backoff with jitter after a 500, a 503 SlowDown, a reset
	// connection, a timeout or a truncated body.
	MaxAttempts int
	// RequestTimeout bounds one request, body included (0 = 30 s).
	RequestTimeout time.Duration
	// PartSize is a multipart upload's part size, and the size past which
	// an object is uploaded in parts (0 = 8 MiB; S3's minimum is 5 MiB).
	PartSize int64
}

// FS is the S3 FileSystem. Safe for concurrent use.
type FS struct {
	cli      *s3.Client
	cfg      Config
	endpoint string // for error messages

	trMu sync.Mutex
	trs  []*http.Transport // the transports the SDK built, to close idle connections
}

// Close releases idle connections. The FS stays usable.
func (f *FS) Close() error {
	f.trMu.Lock()
	defer f.trMu.Unlock()
	for _, tr := range f.trs {
		tr.CloseIdleConnections()
	}
	return nil
}

var _ storage.FileSystem = (*FS)(nil)

// New builds the FileSystem; it sends no request.
func New(ctx context.Context, cfg Config) (*FS, error) {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.PartSize <= 0 {
		cfg.PartSize = 8 << 20
	}
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = cfg.MaxAttempts
				o.MaxBackoff = 5 * time.Second
				// no client-side retry quota: a burst of 503s must not
				// turn into failures the next attempts would not have
				o.RateLimiter = ratelimit.None
			})
		}),
		// The SDK's default CRC checksums on every request break
		// S3-compatible servers: only when an operation requires them.
		awsconfig.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		awsconfig.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	if cfg.AccessKey != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken)))
	}
	// a BuildableClient, so that the SDK can still add AWS_CA_BUNDLE's
	// certificates to it
	fs := &FS{cfg: cfg}
	// RequestTimeout bounds each attempt (headers and body); the SDK
	// retries one that runs out
	hc := awshttp.NewBuildableClient().WithTimeout(cfg.RequestTimeout).WithDialerOptions(func(d *net.Dialer) {
		d.Timeout = 5 * time.Second
	}).WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConnsPerHost = 64
		tr.ResponseHeaderTimeout = cfg.RequestTimeout
		fs.trMu.Lock()
		fs.trs = append(fs.trs, tr)
		fs.trMu.Unlock()
	})
	opts = append(opts, awsconfig.WithHTTPClient(hc))
	ac, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.InvalidParameterValue, "S3 configuration")
	}
	if ac.Region == "" {
		ac.Region = "us-east-1"
	}
	fs.cli = s3.NewFromConfig(ac, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		ep := cfg.Endpoint
		if ep == "" && o.BaseEndpoint != nil {
			ep = *o.BaseEndpoint // AWS_ENDPOINT_URL[_S3]
		}
		fs.endpoint = ep
		switch cfg.URLStyle {
		case "path":
			o.UsePathStyle = true
		case "virtual":
			o.UsePathStyle = false
		default:
			o.UsePathStyle = localEndpoint(ep)
		}
	})
	if fs.endpoint == "" {
		fs.endpoint = "AWS S3 (" + ac.Region + ")"
	}
	return fs, nil
}

// localEndpoint reports an endpoint addressed by IP or localhost, which
// virtual-hosted bucket names cannot reach.
func localEndpoint(ep string) bool {
	if ep == "" {
		return false
	}
	u, err := url.Parse(ep)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || strings.HasSuffix(h, ".localhost") || net.ParseIP(h) != nil
}

// split cuts s3://bucket/key.
func split(path string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(path, "s3://")
	if !ok {
		return "", "", sqlerr.New(sqlerr.InvalidParameterValue, "\"%s\" is not an s3:// path", path)
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", sqlerr.New(sqlerr.InvalidParameterValue, "\"%s\" names no bucket", path)
	}
	return bucket, key, nil
}

func join(bucket, key string) string { return "s3://" + bucket + "/" + key }

// fail turns an SDK error into a sqlerr naming the object and S3's code;
// no credential appears in it (the SDK's errors hold none).
func (f *FS) fail(err error, verb, path string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
	}
	var ae smithy.APIError
	code, status := "", 0
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	switch {
	case code == "NoSuchBucket":
		b, _, _ := split(path)
		return sqlerr.New(sqlerr.UndefinedFile, "could not %s \"%s\": bucket \"%s\" does not exist (S3 NoSuchBucket)", verb, path, b)
	case code == "NoSuchKey" || code == "NotFound" || status == http.StatusNotFound:
		return sqlerr.New(sqlerr.UndefinedFile, "could not %s \"%s\": no such object (S3 %s)", verb, path, orStatus(code, status))
	case code == "PreconditionFailed" || status == http.StatusPreconditionFailed:
		return sqlerr.New(sqlerr.ObjectNotInPrerequisiteState, "object \"%s\" was replaced while the query read it (S3 PreconditionFailed): run the query again", path)
	case code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "InvalidToken" || code == "ExpiredToken":
		return sqlerr.New(sqlerr.InvalidAuthorization, "could not %s \"%s\": the S3 credentials were refused (S3 %s)", verb, path, code)
	case code == "AccessDenied" || status == http.StatusForbidden:
		return sqlerr.New(sqlerr.InsufficientPrivilege, "could not %s \"%s\": access denied (S3 %s)", verb, path, orStatus(code, status))
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return sqlerr.New(sqlerr.IOError, "could not %s \"%s\": %s did not answer in time", verb, path, f.endpoint)
	}
	if code != "" {
		return sqlerr.New(sqlerr.IOError, "could not %s \"%s\": S3 %s (HTTP %d)", verb, path, code, status)
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return sqlerr.New(sqlerr.IOError, "could not %s \"%s\": cannot reach %s: %v", verb, path, f.endpoint, oe.Err)
	}
	return sqlerr.Wrap(err, sqlerr.IOError, "could not %s \"%s\"", verb, path)
}

func orStatus(code string, status int) string {
	if code != "" {
		return code
	}
	return fmt.Sprintf("HTTP %d", status)
}

// reqCtx bounds one call, all its attempts and their backoffs included
// (each attempt is bounded by the HTTP client's RequestTimeout).
func (f *FS) reqCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, time.Duration(f.cfg.MaxAttempts)*(f.cfg.RequestTimeout+5*time.Second))
}

// Stat implements storage.FileSystem.
func (f *FS) Stat(ctx context.Context, path string) (storage.ObjectInfo, error) {
	bucket, key, err := split(path)
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	if key == "" || strings.HasSuffix(key, "/") {
		return storage.ObjectInfo{}, sqlerr.New(sqlerr.UndefinedFile, "\"%s\" is a prefix, not an object", path)
	}
	rc, cancel := f.reqCtx(ctx)
	defer cancel()
	out, err := f.cli.HeadObject(rc, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		err = f.fail(err, "stat", path)
		if sqlerr.Code(err) == sqlerr.UndefinedFile {
			// a HEAD's 404 has no body to tell a missing key from a
			// missing bucket: ask about the bucket (on this error only)
			if _, berr := f.cli.HeadBucket(rc, &s3.HeadBucketInput{Bucket: &bucket}); berr != nil {
				if e := f.fail(berr, "stat", path); sqlerr.Code(e) == sqlerr.UndefinedFile {
					return storage.ObjectInfo{}, sqlerr.New(sqlerr.UndefinedFile, "could not stat \"%s\": bucket \"%s\" does not exist (S3 NoSuchBucket)", path, bucket)
				}
			}
		}
		return storage.ObjectInfo{}, err
	}
	return storage.ObjectInfo{Path: path, Size: aws.ToInt64(out.ContentLength), ModTime: aws.ToTime(out.LastModified), ETag: aws.ToString(out.ETag)}, nil
}

// Open implements storage.FileSystem: one HEAD, then ranged GETs pinned
// to the ETag it saw.
func (f *FS) Open(ctx context.Context, path string) (storage.File, error) {
	info, err := f.Stat(ctx, path)
	if err != nil {
		return nil, err
	}
	bucket, key, _ := split(path)
	return &file{fs: f, ctx: ctx, bucket: bucket, key: key, info: info}, nil
}

// OpenInfo implements storage.InfoOpener: a listed object opens without
// a HEAD, pinned to the listing's size and ETag.
func (f *FS) OpenInfo(ctx context.Context, info storage.ObjectInfo) (storage.File, error) {
	bucket, key, err := split(info.Path)
	if err != nil {
		return nil, err
	}
	return &file{fs: f, ctx: ctx, bucket: bucket, key: key, info: info}, nil
}

// List implements storage.FileSystem, a page per ListObjectsV2 call.
func (f *FS) List(ctx context.Context, prefix, delimiter string, page func(storage.ListPage) error) error {
	bucket, key, err := split(prefix)
	if err != nil {
		return err
	}
	in := &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: aws.String(key)}
	if delimiter != "" {
		in.Delimiter = aws.String(delimiter)
	}
	for {
		rc, cancel := f.reqCtx(ctx)
		out, err := f.cli.ListObjectsV2(rc, in)
		cancel()
		if err != nil {
			return f.fail(err, "list", prefix)
		}
		var pg storage.ListPage
		for _, o := range out.Contents {
			k := aws.ToString(o.Key)
			if strings.HasSuffix(k, "/") && aws.ToInt64(o.Size) == 0 {
				continue // a "folder marker" some tools write
			}
			pg.Objects = append(pg.Objects, storage.ObjectInfo{Path: join(bucket, k), Size: aws.ToInt64(o.Size), ModTime: aws.ToTime(o.LastModified), ETag: aws.ToString(o.ETag)})
		}
		for _, p := range out.CommonPrefixes {
			pg.Prefixes = append(pg.Prefixes, join(bucket, aws.ToString(p.Prefix)))
		}
		if len(pg.Objects)+len(pg.Prefixes) > 0 {
			if err := page(pg); err != nil {
				return err
			}
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			return nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// Delete implements storage.FileSystem, up to 1,000 keys per request.
func (f *FS) Delete(ctx context.Context, paths ...string) error {
	byBucket := map[string][]s3types.ObjectIdentifier{}
	var order []string
	for _, p := range paths {
		bucket, key, err := split(p)
		if err != nil {
			return err
		}
		if _, ok := byBucket[bucket]; !ok {
			order = append(order, bucket)
		}
		byBucket[bucket] = append(byBucket[bucket], s3types.ObjectIdentifier{Key: aws.String(key)})
	}
	for _, bucket := range order {
		ids := byBucket[bucket]
		for len(ids) > 0 {
			n := min(len(ids), 1000)
			rc, cancel := f.reqCtx(ctx)
			out, err := f.cli.DeleteObjects(rc, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &s3types.Delete{Objects: ids[:n], Quiet: aws.Bool(true)}})
			cancel()
			if err != nil {
				return f.fail(err, "delete", join(bucket, aws.ToString(ids[0].Key)))
			}
			for _, e := range out.Errors {
				if aws.ToString(e.Code) != "NoSuchKey" {
					return sqlerr.New(sqlerr.IOError, "could not delete \"%s\": S3 %s", join(bucket, aws.ToString(e.Key)), aws.ToString(e.Code))
				}
			}
			ids = ids[n:]
		}
	}
	return nil
}

// Upload is an unfinished multipart upload.
type Upload struct {
	Path string // s3://bucket/key of the object it would make
	ID   string
}

// Uploads lists the unfinished multipart uploads of objects whose paths
// begin with prefix.
func (f *FS) Uploads(ctx context.Context, prefix string) ([]Upload, error) {
	bucket, key, err := split(prefix)
	if err != nil {
		return nil, err
	}
	var ups []Upload
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)}
	for {
		rc, cancel := f.reqCtx(ctx)
		out, err := f.cli.ListMultipartUploads(rc, in)
		cancel()
		if err != nil {
			return nil, f.fail(err, "list the uploads of", prefix)
		}
		for _, u := range out.Uploads {
			ups = append(ups, Upload{Path: join(bucket, aws.ToString(u.Key)), ID: aws.ToString(u.UploadId)})
		}
		if !aws.ToBool(out.IsTruncated) {
			return ups, nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}

// AbortUploads implements storage.UploadAborter: it aborts the unfinished
// multipart uploads of each object (a writer killed between its first
// part and its completion leaves one).
func (f *FS) AbortUploads(ctx context.Context, paths ...string) (int, error) {
	n := 0
	for _, p := range paths {
		ups, err := f.Uploads(ctx, p)
		if err != nil {
			return n, err
		}
		for _, u := range ups {
			if u.Path != p {
				continue // another object whose name begins with p's
			}
			bucket, key, _ := split(u.Path)
			rc, cancel := f.reqCtx(ctx)
			_, err := f.cli.AbortMultipartUpload(rc, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(u.ID)})
			cancel()
			if err != nil {
				return n, f.fail(err, "abort the upload of", p)
			}
			n++
		}
	}
	return n, nil
}

var _ storage.UploadAborter = (*FS)(nil)

// file is an open object. ReadAt sends a ranged GET with If-Match, so a
// replaced object fails (PreconditionFailed) instead of mixing contents;
// a body cut short is read again, never returned as data.
type file struct {
	fs          *FS
	ctx         context.Context // the opening query's: cancelling it stops a read in flight
	bucket, key string
	info        storage.ObjectInfo
}

func (r *file) Size() int64              { return r.info.Size }
func (r *file) Info() storage.ObjectInfo { return r.info }
func (r *file) Close() error             { return nil }

// ReadAt implements io.ReaderAt.
func (r *file) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.info.Size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	want := int64(len(p))
	var eof error
	if off+want > r.info.Size {
		want = r.info.Size - off
		eof = io.EOF
	}
	if want == 0 {
		return 0, eof
	}
	rng := fmt.Sprintf("bytes=%d-%d", off, off+want-1)
	var lastErr error
	for attempt := 0; attempt < r.fs.cfg.MaxAttempts; attempt++ {
		if attempt > 0 {
			backoff(attempt)
		}
		n, err := r.get(rng, p[:want])
		if err == nil {
			return n, eof
		}
		lastErr = err
		if !retryableBody(err) {
			return 0, err
		}
	}
	return 0, sqlerr.New(sqlerr.IOError, "could not read \"%s\" (%s) after %d attempts: %v", r.info.Path, rng, r.fs.cfg.MaxAttempts, lastErr)
}

// errShort is a body that ended before the range did.
var errShort = errors.New("short body")

func (r *file) get(rng string, p []byte) (int, error) {
	rc, cancel := r.fs.reqCtx(r.ctx)
	defer cancel()
	in := &s3.GetObjectInput{Bucket: &r.bucket, Key: &r.key, Range: &rng}
	if r.info.ETag != "" {
		in.IfMatch = aws.String(r.info.ETag)
	} else if !r.info.ModTime.IsZero() {
		// a server that keeps no ETag: pin to the modification time, which
		// HTTP dates give to the second (and a server may keep finer)
		in.IfUnmodifiedSince = aws.Time(r.info.ModTime.Truncate(time.Second).Add(time.Second))
	}
	out, err := r.fs.cli.GetObject(rc, in)
	if err != nil {
		return 0, r.fs.fail(err, "read", r.info.Path)
	}
	defer out.Body.Close()
	if cl := aws.ToInt64(out.ContentLength); cl != int64(len(p)) {
		return 0, fmt.Errorf("%w: Content-Length %d for a range of %d bytes", errShort, cl, len(p))
	}
	n, err := io.ReadFull(out.Body, p)
	if err != nil {
		return n, fmt.Errorf("%w: %d of %d bytes: %v", errShort, n, len(p), err)
	}
	// a body longer than it said is as wrong as a shorter one
	var extra [1]byte
	if m, _ := out.Body.Read(extra[:]); m > 0 {
		return 0, fmt.Errorf("%w: body longer than the %d bytes asked", errShort, len(p))
	}
	return n, nil
}

// retryableBody reports a failure worth another GET: a body cut short,
// too long, or broken while read (the SDK retried the request itself).
func retryableBody(err error) bool { return errors.Is(err, errShort) }

func backoff(attempt int) {
	d := time.Duration(1<<min(attempt, 6)) * 50 * time.Millisecond
	time.Sleep(d/2 + rand.N(d/2+1))
}

// Create implements storage.FileSystem: the object is buffered up to one
// part and PUT on Close; a larger one is a multipart upload, completed on
// Close and aborted by Abort (or by a failed Close).
func (f *FS) Create(ctx context.Context, path string) (storage.Writer, error) {
	bucket, key, err := split(path)
	if err != nil {
		return nil, err
	}
	if key == "" || strings.HasSuffix(key, "/") {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "\"%s\" is a prefix, not an object name", path)
	}
	return &writer{fs: f, ctx: ctx, bucket: bucket, key: key, path: path}, nil
}

type writer struct {
	fs          *FS
	ctx         context.Context
	bucket, key string
	path        string
	buf         bytes.Buffer
	uploadID    *string
	parts       []s3types.CompletedPart
	done        bool
	err         error
}

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, sqlerr.New(sqlerr.Internal, "write to closed object \"%s\"", w.path)
	}
	if w.err != nil {
		return 0, w.err
	}
	w.buf.Write(p)
	for int64(w.buf.Len()) >= w.fs.cfg.PartSize {
		if err := w.uploadPart(w.buf.Next(int(w.fs.cfg.PartSize))); err != nil {
			w.err = err
			return 0, err
		}
	}
	return len(p), nil
}

func (w *writer) uploadPart(data []byte) error {
	if w.uploadID == nil {
		rc, cancel := w.fs.reqCtx(w.ctx)
		out, err := w.fs.cli.CreateMultipartUpload(rc, &s3.CreateMultipartUploadInput{Bucket: &w.bucket, Key: &w.key})
		cancel()
		if err != nil {
			return w.fs.fail(err, "write", w.path)
		}
		w.uploadID = out.UploadId
	}
	n := int32(len(w.parts) + 1)
	rc, cancel := w.fs.reqCtx(w.ctx)
	defer cancel()
	out, err := w.fs.cli.UploadPart(rc, &s3.UploadPartInput{Bucket: &w.bucket, Key: &w.key, UploadId: w.uploadID, PartNumber: aws.Int32(n),
		Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data)))})
	if err != nil {
		return w.fs.fail(err, "write", w.path)
	}
	w.parts = append(w.parts, s3types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(n)})
	return nil
}

// Close publishes the object.
func (w *writer) Close() error {
	if w.done {
		return w.err
	}
	if w.err != nil {
		w.Abort()
		return w.err
	}
	if w.uploadID == nil {
		w.done = true
		rc, cancel := w.fs.reqCtx(w.ctx)
		defer cancel()
		data := w.buf.Bytes()
		_, err := w.fs.cli.PutObject(rc, &s3.PutObjectInput{Bucket: &w.bucket, Key: &w.key, Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data)))})
		w.err = w.fs.fail(err, "write", w.path)
		return w.err
	}
	if w.buf.Len() > 0 {
		if err := w.uploadPart(w.buf.Bytes()); err != nil {
			w.err = err
			w.Abort()
			return err
		}
	}
	w.done = true
	rc, cancel := w.fs.reqCtx(w.ctx)
	defer cancel()
	_, err := w.fs.cli.CompleteMultipartUpload(rc, &s3.CompleteMultipartUploadInput{Bucket: &w.bucket, Key: &w.key, UploadId: w.uploadID,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: w.parts}})
	if err != nil {
		w.err = w.fs.fail(err, "write", w.path)
		w.abortUpload()
	}
	w.uploadID = nil
	return w.err
}

// Abort abandons the object: nothing was published, parts are dropped.
func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	return w.abortUpload()
}

func (w *writer) abortUpload() error {
	if w.uploadID == nil {
		return nil
	}
	id := w.uploadID
	w.uploadID = nil
	rc, cancel := w.fs.reqCtx(context.WithoutCancel(w.ctx))
	defer cancel()
	_, err := w.fs.cli.AbortMultipartUpload(rc, &s3.AbortMultipartUploadInput{Bucket: &w.bucket, Key: &w.key, UploadId: id})
	return w.fs.fail(err, "abort the upload of", w.path)
}
