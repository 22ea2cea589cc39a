package engine

import (
	"context"
	"regexp"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/s3"
)

// The per-session S3 settings, named as DuckDB's httpfs names them. A
// session that sets any of them reads s3:// through its own client; the
// others keep the engine's (server flags, then the SDK's environment).
var s3Settings = map[string]bool{
	"s3_region": true, "s3_endpoint": true, "s3_url_style": true,
	"s3_access_key_id": true, "s3_secret_access_key": true, "s3_session_token": true,
}

var s3Names = []string{"s3_access_key_id", "s3_endpoint", "s3_region", "s3_secret_access_key", "s3_session_token", "s3_url_style"}

// s3Defaults are a new session's s3_ settings: the engine's own (never
// its keys, which SHOW must not reveal).
func s3Defaults(c s3.Config) map[string]string {
	return map[string]string{"s3_region": c.Region, "s3_endpoint": c.Endpoint, "s3_url_style": c.URLStyle,
		"s3_access_key_id": "", "s3_secret_access_key": "", "s3_session_token": ""}
}

func s3Signature(settings map[string]string) string {
	var b strings.Builder
	for _, k := range s3Names {
		b.WriteString(settings[k])
		b.WriteByte(0)
	}
	return b.String()
}

// secretSettings never show their values: SHOW and pg_settings print
// this instead, and statement texts setting them are redacted.
var secretSettings = map[string]bool{"s3_secret_access_key": true, "s3_session_token": true}

const redacted = "********"

// secretText finds a secret setting's value in a statement's text: SET
// s3_secret_access_key = '…' (or TO), and set_config('s3_…', '…', …).
var secretText = regexp.MustCompile(`(?i)(\b(?:s3_secret_access_key|s3_session_token)\b['"]?\s*(?:=|\bTO\b|,)\s*)('(?:[^']|'')*'|[^\s;,)]+)`)

// redactSQL hides secret values in a statement's text, for the query
// history, pg_stat_activity and logs.
func redactSQL(sql string) string {
	low := strings.ToLower(sql)
	if strings.Contains(low, "password") {
		sql = redact(sql) // CREATE EXTERNAL SCHEMA … PASSWORD '…', roles
	}
	if !strings.Contains(low, "s3_") {
		return sql
	}
	return secretText.ReplaceAllString(sql, "${1}'"+redacted+"'")
}

// applyS3Setting validates one s3_ setting; the session's client is
// rebuilt at its next use.
func (s *Session) applyS3Setting(name, val string) error {
	if name == "s3_url_style" {
		switch strings.ToLower(val) {
		case "path", "virtual", "vhost", "":
		default:
			return sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"s3_url_style\": \"%s\" (path or virtual)", val)
		}
	}
	return nil
}

// fs is the session's storage: the engine's, or its own S3 client when
// the session set s3_ settings.
func (s *Session) fs() *storage.Registry {
	s.mu.Lock()
	defer s.mu.Unlock()
	sig := s3Signature(s.Settings)
	if sig == s3Signature(s3Defaults(s.eng.cfg.S3)) {
		return s.eng.fs
	}
	if s.s3fs != nil && s.s3sig == sig {
		return s.s3fs
	}
	s.s3sig = sig
	cfg := s.eng.cfg.S3
	set := func(k string, dst *string) {
		if v := s.Settings[k]; v != "" {
			*dst = v
		}
	}
	set("s3_region", &cfg.Region)
	set("s3_endpoint", &cfg.Endpoint)
	set("s3_access_key_id", &cfg.AccessKey)
	set("s3_secret_access_key", &cfg.SecretKey)
	set("s3_session_token", &cfg.SessionToken)
	switch strings.ToLower(s.Settings["s3_url_style"]) {
	case "path":
		cfg.URLStyle = "path"
	case "virtual", "vhost":
		cfg.URLStyle = "virtual"
	}
	if cfg.Endpoint != "" && !strings.Contains(cfg.Endpoint, "://") {
		cfg.Endpoint = "https://" + cfg.Endpoint // DuckDB's s3_endpoint is a host name
	}
	fs, err := s3.New(context.Background(), cfg)
	if err != nil {
		return &storage.Registry{Local: s.eng.fs.Local, S3: failingFS{err}}
	}
	s.s3fs = &storage.Registry{Local: s.eng.fs.Local, S3: fs}
	return s.s3fs
}

// failingFS answers every call with the configuration error that kept
// the session's S3 client from being built.
type failingFS struct{ err error }

func (f failingFS) Stat(context.Context, string) (storage.ObjectInfo, error) {
	return storage.ObjectInfo{}, f.err
}
func (f failingFS) Open(context.Context, string) (storage.File, error) { return nil, f.err }
func (f failingFS) List(context.Context, string, string, func(storage.ListPage) error) error {
	return f.err
}
func (f failingFS) Create(context.Context, string) (storage.Writer, error) { return nil, f.err }
func (f failingFS) Delete(context.Context, ...string) error                { return f.err }
