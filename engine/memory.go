package engine

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/lakeq/lakeq/sqlerr"
)

// The memory settings (DESIGN.md, Memory): memory_limit bounds the
// memory a query's operators hold (hash aggregate, join build, sort,
// top-N, window, set operations); past it they spill to the data
// directory's tmp folder, and past max_temp_directory_size of spilled
// files the query fails with 53200.
const (
	settingMemLimit = "memory_limit"
	settingTempSize = "max_temp_directory_size"
)

// parseBytes reads a size as PostgreSQL and DuckDB users write it:
// "1GB", "512 MB", "64kB", "2GiB", "1.5GB", a plain number of bytes, or
// a percentage of total (RAM, or the temp folder's disk).
func parseBytes(v string, total int64) (int64, bool) {
	s := strings.ToLower(strings.TrimSpace(strings.Trim(v, "'\" ")))
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f <= 0 || f > 100 || total <= 0 {
			return 0, false
		}
		return int64(f / 100 * float64(total)), true
	}
	units := []struct {
		suf string
		n   float64
	}{{"tib", 1 << 40}, {"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10},
		{"tb", 1 << 40}, {"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"t", 1 << 40}, {"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}, {"b", 1}}
	mult := 1.0
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suf); ok {
			s, mult = strings.TrimSpace(num), u.n
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || math.IsInf(f, 0) || f*mult > math.MaxInt64/2 {
		return 0, false
	}
	return int64(f * mult), true
}

// ParseMemoryLimit reads a --memory-limit flag: a size ("4GB") or a
// share of RAM ("50%").
func ParseMemoryLimit(v string) (int64, bool) { return parseBytes(v, totalRAM()) }

// formatBytes renders a size the way parseBytes reads it back (to a
// tenth of the unit).
func formatBytes(n int64) string {
	for _, u := range []struct {
		suf string
		n   int64
	}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"kB", 1 << 10}} {
		if n >= u.n {
			if n%u.n == 0 {
				return strconv.FormatInt(n/u.n, 10) + u.suf
			}
			return strconv.FormatFloat(float64(n)/float64(u.n), 'f', 1, 64) + u.suf
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// totalRAM is the machine's memory (0 when unknown).
func totalRAM() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// diskAvailable is the space free to lakeq on dir's file system.
func diskAvailable(dir string) int64 {
	var st syscall.Statfs_t
	for d := dir; ; d = filepath.Dir(d) {
		if syscall.Statfs(d, &st) == nil {
			return int64(st.Bavail) * int64(st.Bsize)
		}
		if d == filepath.Dir(d) {
			return 0
		}
	}
}

// defaultMemLimit is the engine's memory_limit: Config.MemLimit, else
// 80% of RAM as DuckDB's.
func (e *Engine) defaultMemLimit() int64 {
	if e.cfg.MemLimit > 0 {
		return e.cfg.MemLimit
	}
	return totalRAM() * 8 / 10
}

// tempDir is where this process's queries spill: a folder per process
// (its staging token), so that the spill files of one that died are
// removed by the next start (cleanTemp) and a live one's are not.
func (e *Engine) tempDir() string { return filepath.Join(e.cfg.DataDir, "tmp", e.staging.Token()) }

// cleanTemp removes the spill folders of lakeq processes that are gone.
func (e *Engine) cleanTemp() {
	ents, _ := os.ReadDir(filepath.Join(e.cfg.DataDir, "tmp"))
	for _, d := range ents {
		if !e.staging.Alive(d.Name()) {
			os.RemoveAll(filepath.Join(e.cfg.DataDir, "tmp", d.Name()))
		}
	}
}

// checkMemSetting validates SET memory_limit / max_temp_directory_size
// and returns the value as SHOW prints it.
func (s *Session) checkMemSetting(name, val string) (string, error) {
	total := totalRAM()
	if name == settingTempSize {
		total = diskAvailable(s.eng.tempDir())
	}
	n, ok := parseBytes(val, total)
	if !ok {
		return "", sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\" (a size such as '4GB', '512MB' or '80%%')", name, strings.Trim(val, "'\" "))
	}
	if name == settingMemLimit && n < 1<<20 {
		return "", sqlerr.New(sqlerr.InvalidParameterValue, "memory_limit %s is below 1MB", formatBytes(n))
	}
	return formatBytes(n), nil
}

// memLimits are the running session's memory_limit and
// max_temp_directory_size in bytes.
func (s *Session) memLimits() (mem, temp int64) {
	mem, _ = parseBytes(s.Settings[settingMemLimit], totalRAM())
	temp, _ = parseBytes(s.Settings[settingTempSize], diskAvailable(s.eng.tempDir()))
	return mem, temp
}
