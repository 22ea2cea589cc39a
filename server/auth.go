package server

import (
	"context"
	"crypto/rand"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/xdg-go/scram"

	"github.com/lakeq/lakeq/catalog"
)

// authenticate runs the configured method for user. Failures are 28P01
// (wrong password) or 28000 (no such role, login not allowed), logged
// without any secret.
func (c *conn) authenticate(ctx context.Context, user string) bool {
	u, err := c.srv.eng.Catalog().GetUser(ctx, user)
	if err != nil {
		c.fatal("58000", "could not read role \"%s\": %v", user, err)
		return false
	}
	method := c.srv.cfg.Auth
	if method == "trust" {
		if u == nil {
			c.fatal("28000", "role \"%s\" does not exist", user)
			return false
		}
		return c.canLogin(u)
	}
	fail := func() bool {
		c.fatal("28P01", "password authentication failed for user \"%s\"", user)
		return false
	}
	// An unknown role or one without a password gets the same exchange
	// and the same error, so that roles cannot be probed.
	verifier := ""
	if u != nil {
		verifier = u.Verifier
	}
	switch method {
	case "password":
		c.send(&pgproto3.AuthenticationCleartextPassword{})
		pw, ok := c.readPassword(pgproto3.AuthTypeCleartextPassword)
		if !ok || verifier == "" || !catalog.CheckPassword(verifier, user, pw) {
			return fail()
		}
	case "md5", "scram-sha-256":
		// lakeq keeps SCRAM verifiers only, so md5 is served by SCRAM as
		// PostgreSQL does for SCRAM-encrypted passwords.
		if !c.scram(user, verifier) {
			return fail()
		}
	default:
		c.fatal("28000", "authentication method %q is not supported", method)
		return false
	}
	if u == nil {
		return fail()
	}
	return c.canLogin(u)
}

func (c *conn) canLogin(u *catalog.User) bool {
	if !u.CanLogin {
		c.fatal("28000", "role \"%s\" is not permitted to log in", u.Name)
		return false
	}
	return true
}

func (c *conn) readPassword(authType uint32) (string, bool) {
	if err := c.flush(); err != nil {
		return "", false
	}
	if err := c.be.SetAuthType(authType); err != nil {
		return "", false
	}
	msg, err := c.be.Receive()
	if err != nil {
		return "", false
	}
	pm, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return "", false
	}
	return pm.Password, true
}

// scram runs a SCRAM-SHA-256 exchange against the stored verifier. With
// no verifier (unknown role, no password) it runs against a random one,
// which fails at the proof like a wrong password does.
func (c *conn) scram(user, verifier string) bool {
	sc, err := catalog.ParseVerifier(verifier)
	if err != nil {
		var salt [16]byte
		rand.Read(salt[:])
		sc = scram.StoredCredentials{KeyFactors: scram.KeyFactors{Salt: string(salt[:]), Iters: 4096}, StoredKey: salt[:], ServerKey: salt[:]}
	}
	srv, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return sc, nil })
	if err != nil {
		return false
	}
	conv := srv.NewConversation()
	c.send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256"}})
	if err := c.flush(); err != nil {
		return false
	}
	if err := c.be.SetAuthType(pgproto3.AuthTypeSASL); err != nil {
		return false
	}
	msg, err := c.be.Receive()
	if err != nil {
		return false
	}
	init, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok || init.AuthMechanism != "SCRAM-SHA-256" {
		return false
	}
	first, err := conv.Step(string(init.Data))
	if err != nil {
		return false
	}
	c.send(&pgproto3.AuthenticationSASLContinue{Data: []byte(first)})
	if err := c.flush(); err != nil {
		return false
	}
	if err := c.be.SetAuthType(pgproto3.AuthTypeSASLContinue); err != nil {
		return false
	}
	msg, err = c.be.Receive()
	if err != nil {
		return false
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return false
	}
	final, err := conv.Step(string(resp.Data))
	if err != nil || !conv.Valid() {
		return false
	}
	c.send(&pgproto3.AuthenticationSASLFinal{Data: []byte(final)})
	return true
}
