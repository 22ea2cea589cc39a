#!/usr/bin/env python3
"""Fill in a sqllogictest file's expected results from a real PostgreSQL.

    scripts/pgexpect.py [--port 55432] [--host /tmp/pgref] FILE.slt...

Each file runs in a fresh database. Query records get PostgreSQL's
results (formatted as the slt runner formats them); statement/query
error records are checked to fail in PostgreSQL too (with the SQLSTATE,
when one is given). Records marked `onlyif lakeq` (lakeq's own behaviour,
where it differs from PostgreSQL's) are left alone; the slt runner runs
them. (`skipif postgresql` would skip them in lakeq too, which answers to
both names.)
lakeq's behaviour is then tested against these files by `go test`.
"""
import argparse, hashlib, os, subprocess, sys, re

def psql(args, sql, db, sets=()):
    cmd = ["psql", "-X", "-h", args.host, "-p", str(args.port), "-U", args.user, "-d", db,
           "-qAt", "-F", "\x1f", "-R", "\x1e", "-P", "null=<<NULL>>", "-v", "ON_ERROR_STOP=1",
           "-v", "VERBOSITY=verbose"]
    # session settings made by earlier SET records are replayed first
    for s in sets:
        cmd += ["-c", s]
    cmd += ["-c", sql]
    env = dict(os.environ, PGOPTIONS="-c TimeZone=UTC -c extra_float_digits=1")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr

def fmt(v, letter):
    if v == "<<NULL>>":
        return "NULL"
    if letter == "I":
        try:
            return str(int(float(v))) if v not in ("t", "f") else ("1" if v == "t" else "0")
        except ValueError:
            m = re.match(r"^\s*[-+]?\d+", v)
            return str(int(m.group(0))) if m else "0"
    if letter == "R":
        try:
            return "%.3f" % float(v)
        except ValueError:
            return "0.000"
    if v == "":
        return "(empty)"
    # each byte outside printable ASCII as @, as the Go runner renders it
    return "".join(chr(c) if 0x20 <= c <= 0x7e else "@" for c in v.encode("utf-8"))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="/tmp/pgref")
    ap.add_argument("--port", default=55432, type=int)
    ap.add_argument("--user", default="postgres")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    bad = 0
    for path in args.files:
        db = "slt_" + hashlib.md5(path.encode()).hexdigest()[:10]
        psql(args, "DROP DATABASE IF EXISTS " + db, "postgres")
        psql(args, "CREATE DATABASE " + db, "postgres")
        lines = open(path).read().split("\n")
        out, i, skip, sets = [], 0, False, []
        while i < len(lines):
            line = lines[i]
            s = line.strip()
            if s.startswith("skipif postgresql") or (s.startswith("onlyif") and "postgresql" not in s):
                skip = True
            if not (s.startswith("statement") or s.startswith("query")):
                out.append(line); i += 1; continue
            head = s.split()
            out.append(line); i += 1
            sql = []
            while i < len(lines) and lines[i].strip() not in ("", "----"):
                sql.append(lines[i]); out.append(lines[i]); i += 1
            has_exp = i < len(lines) and lines[i].strip() == "----"
            old = []
            if has_exp:
                i += 1
                while i < len(lines) and lines[i] != "":
                    old.append(lines[i]); i += 1
            text = "\n".join(sql)
            if skip:
                skip = False
                if has_exp:
                    out.append("----"); out.extend(old)
                continue
            rc, so, se = psql(args, text, db, sets)
            if rc == 0 and re.match(r"(?i)^\s*(SET|RESET)\s", text):
                sets.append(text)
            if len(head) > 1 and head[1] == "error":
                want = " ".join(head[2:])
                if rc == 0:
                    print(f"{path}: PostgreSQL did not fail: {text}", file=sys.stderr); bad += 1
                elif re.fullmatch(r"[0-9A-Z]{5}", want) and f"ERROR:  {want}:" not in se:
                    print(f"{path}: PostgreSQL failed differently ({se.strip().splitlines()[0]}), expected {want}: {text}", file=sys.stderr); bad += 1
                if has_exp:
                    out.append("----"); out.extend(old)
                continue
            if rc != 0:
                print(f"{path}: PostgreSQL error: {se.strip()} in: {text}", file=sys.stderr); bad += 1
                if has_exp:
                    out.append("----"); out.extend(old)
                continue
            if head[0] == "statement":
                continue
            typ = head[1]
            sortmode = head[2] if len(head) > 2 else "nosort"
            so = so[:-1] if so.endswith("\n") else so
            rows = [r.split("\x1f") for r in so.split("\x1e") if r != ""] if so != "" else []
            # the SET statements print nothing; psql -c prints only the last result
            vals = [[fmt(v, typ[k] if k < len(typ) else "T") for k, v in enumerate(r)] for r in rows]
            if sortmode == "rowsort":
                vals.sort()
            flat = [v for r in vals for v in r]
            if sortmode == "valuesort":
                flat.sort()
            out.append("----")
            if len(flat) > 24:
                h = hashlib.md5("".join(v + "\n" for v in flat).encode()).hexdigest()
                out.append(f"{len(flat)} values hashing to {h}")
            else:
                ncol = len(typ)
                if ncol > 1 and all(" " not in v for v in flat):
                    for r in range(0, len(flat), ncol):
                        out.append(" ".join(flat[r:r+ncol]))
                else:
                    out.extend(flat)
        open(path, "w").write("\n".join(out))
        psql(args, "DROP DATABASE IF EXISTS " + db, "postgres")
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
