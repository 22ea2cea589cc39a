package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progressDelay is how long a statement runs before its progress line
// shows; progressTick how often the line is redrawn.
const (
	progressDelay = time.Second
	progressTick  = 200 * time.Millisecond
)

// progress draws one line on a terminal's stderr while a statement runs:
// rows produced, bytes scanned out of the bytes the plan expects, elapsed
// time and an ETA. Output to the same terminal goes through writer, which
// clears the line first; the next tick draws it again below.
type progress struct {
	mu    sync.Mutex
	w     io.Writer // the terminal (stderr)
	shown bool
	width int // the terminal's width, to keep the line on one row
	rows  atomic.Int64
	live  func() (read, planned int64)
	start time.Time
	stop  chan struct{}
	done  chan struct{}
}

// startProgress begins drawing for a statement (nil w: never draws).
func startProgress(w io.Writer, width int, live func() (int64, int64)) *progress {
	p := &progress{w: w, width: width, live: live, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	if w == nil {
		close(p.done)
		return p
	}
	go func() {
		defer close(p.done)
		t := time.NewTimer(progressDelay)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.draw()
				t.Reset(progressTick)
			}
		}
	}()
	return p
}

// add counts rows the statement produced.
func (p *progress) add(n int) { p.rows.Add(int64(n)) }

// end stops drawing and removes the line.
func (p *progress) end() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
	p.clear()
}

func (p *progress) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.shown {
		io.WriteString(p.w, "\r\x1b[K")
		p.shown = false
	}
	p.mu.Unlock()
}

func (p *progress) draw() {
	line := p.line(time.Since(p.start))
	if p.width > 1 && len([]rune(line)) >= p.width {
		line = string([]rune(line)[:p.width-1])
	}
	p.mu.Lock()
	io.WriteString(p.w, "\r\x1b[K"+line)
	p.shown = true
	p.mu.Unlock()
}

// line is the progress text after elapsed.
func (p *progress) line(elapsed time.Duration) string {
	parts := []string{fmt.Sprintf("%s rows", groupDigits(p.rows.Load()))}
	read, planned := p.live()
	eta := ""
	switch {
	case planned > 0:
		frac := min(1, float64(read)/float64(planned))
		parts = append(parts, fmt.Sprintf("%s of %s scanned (%.0f%%)", humanBytes(read), humanBytes(planned), frac*100))
		if frac > 0.01 && frac < 1 {
			left := time.Duration(float64(elapsed) * (1 - frac) / frac)
			eta = "ETA " + roundDuration(left)
		}
	case read > 0:
		parts = append(parts, humanBytes(read)+" scanned")
	}
	parts = append(parts, roundDuration(elapsed))
	if eta != "" {
		parts = append(parts, eta)
	}
	return "[" + strings.Join(parts, " · ") + "]"
}

func roundDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// groupDigits writes n with thousands separators (12,345,678).
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// progressWriter clears the progress line before output reaches the
// terminal it shares with it.
type progressWriter struct {
	w io.Writer
	p *progress
}

func (pw progressWriter) Write(b []byte) (int, error) {
	p := pw.p
	p.mu.Lock() // not redrawn between the clear and the write
	defer p.mu.Unlock()
	if p.shown {
		io.WriteString(p.w, "\r\x1b[K")
		p.shown = false
	}
	return pw.w.Write(b)
}
