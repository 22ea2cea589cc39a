package main

import (
	"context"
	"flag"
	"os"
	"time"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/s3"
)

// s3Flags are the S3 settings every command takes. Empty values leave
// the AWS SDK's configuration in place (AWS_REGION, AWS_PROFILE,
// AWS_ENDPOINT_URL[_S3], AWS_ACCESS_KEY_ID…, ~/.aws/config and
// credentials); keys are best given that way, not on a command line
// other users can read.
type s3Flags struct {
	endpoint, region, urlStyle, accessKey, secretKey *string
	listTTL                                          *time.Duration
	cacheDir                                         *string
	cacheSize                                        *int64
	warehouse                                        *string
}

func addS3Flags(fs *flag.FlagSet) *s3Flags {
	return &s3Flags{
		endpoint:  fs.String("s3-endpoint", os.Getenv("LAKEQ_S3_ENDPOINT"), "S3 endpoint URL, e.g. http://127.0.0.1:7070 (default: AWS, or AWS_ENDPOINT_URL_S3)"),
		region:    fs.String("s3-region", os.Getenv("LAKEQ_S3_REGION"), "S3 region (default: AWS_REGION or the profile's, else us-east-1)"),
		urlStyle:  fs.String("s3-url-style", os.Getenv("LAKEQ_S3_URL_STYLE"), "path or virtual (default: path for an IP or localhost endpoint)"),
		accessKey: fs.String("s3-access-key-id", "", "static S3 access key (default: the AWS credential chain)"),
		secretKey: fs.String("s3-secret-access-key", "", "static S3 secret key (prefer AWS_SECRET_ACCESS_KEY)"),
		listTTL:   fs.Duration("s3-list-cache-ttl", 0, "keep S3 listings this long (e.g. 30s; lakeq's own writes drop them at once; 0: off)"),
		cacheDir:  fs.String("cache-dir", os.Getenv("LAKEQ_CACHE_DIR"), "keep the S3 object ranges queries read in this folder (off when empty)"),
		cacheSize: fs.Int64("cache-size-mb", 10240, "bound of --cache-dir in MiB"),
		warehouse: fs.String("warehouse", os.Getenv("LAKEQ_WAREHOUSE"), "folder or s3:// prefix for new managed tables (default DATA_DIR/warehouse)"),
	}
}

// registry is local disk and S3 as the flags configure it.
func (f *s3Flags) registry(ctx context.Context) (*storage.Registry, error) {
	c, err := s3.New(ctx, f.config())
	if err != nil {
		return nil, err
	}
	return &storage.Registry{Local: storage.Local{}, S3: c}, nil
}

func (f *s3Flags) config() s3.Config {
	return s3.Config{Endpoint: *f.endpoint, Region: *f.region, URLStyle: *f.urlStyle, AccessKey: *f.accessKey, SecretKey: *f.secretKey}
}

// memoryLimit reads --memory-limit ("" is the engine's default).
func memoryLimit(v string) (int64, bool) {
	if v == "" {
		return 0, true
	}
	return engine.ParseMemoryLimit(v)
}
