package tests3

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Fault is what the proxy does to one request.
type Fault int

const (
	Pass          Fault = iota
	SlowDown            // 503 with S3's SlowDown error
	InternalError       // 500 with S3's InternalError
	ResetMidBody        // half the body, then the connection is cut
	Stall               // no answer for Proxy.StallFor, then the real one
	Truncate            // a Content-Length the body does not reach
	ShortLength         // a Content-Length (and body) one byte short
)

// Proxy is a fault-injecting HTTP proxy in front of a real S3 server:
// Plan picks each request's fault (nil: none). Requests and faults are
// counted. Safe for concurrent use.
type Proxy struct {
	URL      string
	StallFor time.Duration

	mu       sync.Mutex
	plan     func(r *http.Request, n int) Fault
	n        int
	Injected map[Fault]int
	requests map[string]int // by method, ListObjectsV2 as "LIST"
	bytes    int64          // response body bytes sent
	srv      *httptest.Server
	target   *url.URL
	// the proxy's own connections to the server, closed with it (the
	// server keeps them alive between requests)
	upstream *http.Transport
}

// StartProxy runs a proxy to the server until the test ends.
func StartProxy(t testing.TB, s *Server) *Proxy {
	t.Helper()
	p, err := NewProxy(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// NewProxy runs a proxy to the server until Close.
func NewProxy(s *Server) (*Proxy, error) {
	target, err := url.Parse(s.Endpoint)
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, StallFor: 3 * time.Second, Injected: map[Fault]int{}, upstream: &http.Transport{MaxIdleConnsPerHost: 64}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	return p, nil
}

// Close stops the proxy and its connections.
func (p *Proxy) Close() {
	p.srv.CloseClientConnections()
	p.srv.Close()
	p.upstream.CloseIdleConnections()
}

// SetPlan replaces the fault plan; n counts requests from 1 since then.
func (p *Proxy) SetPlan(plan func(r *http.Request, n int) Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plan, p.n = plan, 0
}

// Traffic returns the requests served by method and the body bytes
// sent since the last ResetTraffic.
func (p *Proxy) Traffic() (map[string]int, int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.requests {
		out[k] = v
	}
	return out, p.bytes
}

// ResetTraffic zeroes the traffic counters.
func (p *Proxy) ResetTraffic() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests, p.bytes = map[string]int{}, 0
}

// Count returns how many times fault f was injected.
func (p *Proxy) Count(f Fault) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.Injected[f]
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.n++
	if p.requests == nil {
		p.requests = map[string]int{}
	}
	kind := r.Method
	if kind == http.MethodGet && r.URL.Query().Has("list-type") {
		kind = "LIST" // ListObjectsV2
	}
	p.requests[kind]++
	f := Pass
	if p.plan != nil {
		f = p.plan(r, p.n)
	}
	if f != Pass {
		p.Injected[f]++
	}
	stall := p.StallFor
	p.mu.Unlock()

	switch f {
	case SlowDown, InternalError:
		code, status := "SlowDown", http.StatusServiceUnavailable
		if f == InternalError {
			code, status = "InternalError", http.StatusInternalServerError
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>injected</Message></Error>`)
		return
	case Stall:
		select {
		case <-time.After(stall):
		case <-r.Context().Done():
			return
		}
	}
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host = p.target.Scheme, p.target.Host
	out.RequestURI = ""
	// the signature covers the Host header: keep the client's
	out.Host = r.Host
	resp, err := p.upstream.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	switch f {
	case ResetMidBody, Truncate:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(resp.StatusCode)
		w.Write(body[:len(body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		if f == ResetMidBody {
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
				}
			}
		}
		return // Truncate: the server closes a connection whose body fell short
	case ShortLength:
		if len(body) > 0 {
			body = body[:len(body)-1]
		}
	}
	if r.Method != http.MethodHead { // a HEAD's Content-Length is the object's
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
	p.mu.Lock()
	p.bytes += int64(len(body))
	p.mu.Unlock()
}
