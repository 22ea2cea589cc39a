package engine

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
)

// secretBox encrypts the credentials a mount keeps in the catalog
// (AES-256-GCM) under a key kept outside the catalog store, so that the
// store — a shared PostgreSQL catalog, a copied catalog.db — never holds a
// password in clear: Config.SecretKey (LAKEQ_SECRET_KEY; any string, hashed
// to the key), else the key file DATA_DIR/secret.key (32 random bytes,
// mode 0600, made on first use). Processes sharing a catalog must share
// the key. Safe for concurrent use.
type secretBox struct {
	aead cipher.AEAD
}

const sealedPrefix = "lakeq-aes-gcm-v1:"

func openSecretBox(key, dataDir string) (*secretBox, error) {
	var k []byte
	if key != "" {
		h := sha256.Sum256([]byte(key))
		k = h[:]
	} else {
		p := filepath.Join(dataDir, "secret.key")
		b, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			b = make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				return nil, err
			}
			// O_EXCL: of two processes making it at once, one key wins and
			// the other reads it
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if errors.Is(err, fs.ErrExist) {
				return openSecretBox("", dataDir)
			}
			if err != nil {
				return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not create the secret key file \"%s\"", p)
			}
			if _, err := f.Write(b); err != nil {
				f.Close()
				os.Remove(p)
				return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not write the secret key file \"%s\"", p)
			}
			if err := f.Sync(); err != nil {
				f.Close()
				return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not write the secret key file \"%s\"", p)
			}
			f.Close()
		case err != nil:
			return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not read the secret key file \"%s\"", p)
		case len(b) != 32:
			if len(b) == 0 { // a maker between its create and its write
				return nil, sqlerr.New(sqlerr.ObjectNotInPrerequisiteState, "the secret key file \"%s\" is empty", p)
			}
			return nil, sqlerr.New(sqlerr.DataCorrupted, "the secret key file \"%s\" holds %d bytes, not 32", p, len(b))
		}
		k = b
	}
	blk, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, err
	}
	return &secretBox{aead: aead}, nil
}

// seal encrypts a secret for the catalog.
func (b *secretBox) seal(plain string) (string, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	ct := b.aead.Seal(nonce, nonce, []byte(plain), nil)
	return sealedPrefix + base64.StdEncoding.EncodeToString(ct), nil
}

// open decrypts what seal made; what names the secret's owner for the
// error (a key that is not the one it was sealed with).
func (b *secretBox) open(sealed, what string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", sqlerr.New(sqlerr.DataCorrupted, "the password of %s is not stored encrypted", what)
	}
	ct, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(ct) < b.aead.NonceSize() {
		return "", sqlerr.New(sqlerr.DataCorrupted, "the stored password of %s is corrupt", what)
	}
	plain, err := b.aead.Open(nil, ct[:b.aead.NonceSize()], ct[b.aead.NonceSize():], nil)
	if err != nil {
		return "", sqlerr.New(sqlerr.InvalidAuthorization, "the password of %s was encrypted with another key (LAKEQ_SECRET_KEY or %s)", what, "DATA_DIR/secret.key")
	}
	return string(plain), nil
}
