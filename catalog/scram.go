package catalog

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/xdg-go/scram"

	"github.com/lakeq/lakeq/sqlerr"
)

// scramIterations is PostgreSQL's default (scram_iterations = 4096).
const scramIterations = 4096

// NewVerifier makes a SCRAM-SHA-256 verifier of a password, in
// PostgreSQL's pg_authid format, with a random salt. The password itself
// is not kept.
func NewVerifier(user, password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", sqlerr.Wrap(err, sqlerr.Internal, "generating a salt")
	}
	client, err := scram.SHA256.NewClient(user, password, "")
	if err != nil {
		return "", sqlerr.Wrap(err, sqlerr.InvalidParameterValue, "password cannot be used")
	}
	sc := client.GetStoredCredentials(scram.KeyFactors{Salt: string(salt), Iters: scramIterations})
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", scramIterations, b64(salt), b64(sc.StoredKey), b64(sc.ServerKey)), nil
}

// ParseVerifier reads a verifier made by NewVerifier (or PostgreSQL).
func ParseVerifier(v string) (scram.StoredCredentials, error) {
	var sc scram.StoredCredentials
	bad := sqlerr.New(sqlerr.DataCorrupted, "stored password verifier is malformed")
	rest, ok := strings.CutPrefix(v, "SCRAM-SHA-256$")
	if !ok {
		return sc, bad
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return sc, bad
	}
	iters, salt64, ok1 := strings.Cut(params, ":")
	stored64, server64, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return sc, bad
	}
	n, err := strconv.Atoi(iters)
	salt, err1 := base64.StdEncoding.DecodeString(salt64)
	stored, err2 := base64.StdEncoding.DecodeString(stored64)
	server, err3 := base64.StdEncoding.DecodeString(server64)
	if err != nil || err1 != nil || err2 != nil || err3 != nil {
		return sc, bad
	}
	sc.KeyFactors = scram.KeyFactors{Salt: string(salt), Iters: n}
	sc.StoredKey, sc.ServerKey = stored, server
	return sc, nil
}

// CheckPassword verifies a cleartext password against a verifier.
func CheckPassword(v, user, password string) bool {
	sc, err := ParseVerifier(v)
	if err != nil {
		return false
	}
	client, err := scram.SHA256.NewClient(user, password, "")
	if err != nil {
		return false
	}
	got := client.GetStoredCredentials(sc.KeyFactors)
	return string(got.StoredKey) == string(sc.StoredKey) && string(got.ServerKey) == string(sc.ServerKey)
}
