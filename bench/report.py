#!/usr/bin/env python3
# Copyright (c) 2026 The sshgate authors. SPDX-License-Identifier: ISC
"""bench/report.py OUTDIR: the tables of a bench/run.

Reads OUTDIR/samples.csv (metric,path,round,value,unit, one line per
measured value, written by bench/bench.sh) and writes OUTDIR/table.md (the
main table, then the details) and OUTDIR/results.json (the machine, the
settings, every row of the tables with the numbers behind it, and every
sample). Ratios are taken round by round between runs that alternated
(direct, ProxyJump, naive, sshgate, direct, ...), and their median is
reported.
"""

import csv
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

PATHS = ["direct", "proxyjump", "naive", "sshgate"]
NAMES = {"direct": "direct", "proxyjump": "ProxyJump",
         "naive": "naive gate", "sshgate": "sshgate"}
GIB = 1 << 30


def run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (p.stdout + p.stderr).strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1048576)
    osname = "?"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass

    def pkg(name):
        return run(["dpkg-query", "-W", "-f=${Version}", name])

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "cpu_flags": " ".join(sorted(flags & {"aes", "vaes", "avx2",
                                              "avx512f", "sha_ni"})),
        "memory": mem,
        "kernel": platform.release(),
        "os": osname,
        "openssh": run(["ssh", "-V"]),
        "libssh": pkg("libssh-4"),
        "openssl": run(["openssl", "version"]),
        # Debian 13 renamed it in the 64-bit time_t transition
        "libcurl": pkg("libcurl4") or pkg("libcurl4t64"),
        "cgroup": {"v2": "cgroup v2", "v1": "cgroup v1 cpuacct",
                   "proc": "/proc process trees (no usable cgroup; "
                           "each daemon the init of its own PID "
                           "namespace; 10 ms ticks)"}.get(
                       os.environ.get("BENCH_CG_KIND", ""), "?"),
    }


def load(outdir):
    samples = []
    with open(os.path.join(outdir, "samples.csv"), newline="") as f:
        for row in csv.DictReader(f):
            samples.append(row)
    return samples


class Data:
    def __init__(self, samples):
        self.samples = samples
        self.by = {}
        for s in samples:
            self.by.setdefault((s["metric"], s["path"]), []).append(s)

    def values(self, metric, path):
        out = []
        for s in self.by.get((metric, path), []):
            try:
                out.append(float(s["value"]))
            except ValueError:
                pass
        return out

    def raw(self, metric, path):
        return [s["value"] for s in self.by.get((metric, path), [])]

    def rounds(self, metric, path):
        out = {}
        for s in self.by.get((metric, path), []):
            try:
                out[s["round"]] = float(s["value"])
            except ValueError:
                pass
        return out

    def one(self, metric, default=None):
        v = self.values(metric, "all")
        return v[0] if v else default


def median(v):
    return statistics.median(v) if v else None


def pctl(v, q):
    if not v:
        return None
    v = sorted(v)
    i = (len(v) - 1) * q
    lo = int(i)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (i - lo)


def size_name(n):
    if n is None:
        return "?"
    n = int(n)
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return "%d %s" % (n // div, unit)
    return "%d bytes" % n


# A row: how to get one number per path (and per round, for the ratio),
# what the ratio compares, and the target.
#   kind: "median" (lower is better), "rate" (MB/s from wall times, higher
#   is better), "per_gib" (CPU s per GiB), "mb" (kB -> MB), "sum",
#   "p50"/"p95", "revoke"
def rows(d):
    bulk = d.one("bulk_bytes")
    sftp = d.one("sftp_bytes")
    sessions = d.one("mem_sessions")
    par = d.one("par_logins")
    b, s = size_name(bulk), size_name(sftp)
    r = [
        dict(id="login", label="login latency, fresh connection running `true` (s)",
             kind="median", metric="login_wall_s", base="direct",
             target=("<=", 1.35, "ratio"), fmt="%.3f"),
        dict(id="login_gate_cpu", label="gate CPU per login (s)",
             kind="median", metric="login_gate_cpu_s", base="naive",
             target=("<=", 0.045, "abs"), fmt="%.4f", na=["direct"]),
    ]
    for cipher, cname, want in (("default", "client's default cipher", 1.15),
                                ("aes128-gcm", "aes128-gcm", 1.0)):
        for direction, dname in (("up", "upload"), ("down", "download")):
            r.append(dict(
                id="%s_%s" % (direction, cipher),
                label="%s %s through cat, %s (MB/s)" % (dname, b, cname),
                kind="rate", metric="%s_%s_wall_s" % (direction, cipher),
                bytes=bulk, base="naive", target=(">=", want, "ratio"),
                fmt="%.0f"))
    for op in ("put", "get"):
        r.append(dict(id="sftp_" + op,
                      label="sftp %s of %s, default cipher (MB/s)" % (op, s),
                      kind="rate", metric="sftp_%s_wall_s" % op, bytes=sftp,
                      base="naive", target=(">=", 1.15, "ratio"), fmt="%.0f"))
    for cipher, cname in (("default", "default cipher"),
                          ("aes128-gcm", "aes128-gcm")):
        for direction, dname in (("up", "upload"), ("down", "download")):
            r.append(dict(
                id="gate_cpu_gib_%s_%s" % (direction, cipher),
                label="gate CPU per GiB relayed, %s, %s (s)" % (dname, cname),
                kind="per_gib", metric="%s_%s_gate_cpu_s" % (direction, cipher),
                bytes=bulk, base="naive", target=("<=", 0.85, "ratio"),
                fmt="%.2f", na=["direct"]))
    for op in ("put", "get"):
        r.append(dict(id="gate_cpu_gib_sftp_" + op,
                      label="gate CPU per GiB relayed, sftp %s (s)" % op,
                      kind="per_gib", metric="sftp_%s_gate_cpu_s" % op,
                      bytes=sftp, base="naive", target=("<=", 0.85, "ratio"),
                      fmt="%.2f", na=["direct"]))
    r += [
        dict(id="mem_pss",
             label="PSS per idle PTY session on the gate, %d sessions (MB)"
             % (sessions or 0),
             kind="mb", metric="mem_gate_pss_kb", base="naive",
             target=("<=", 3.0, "abs"), fmt="%.2f", na=["direct"]),
        dict(id="mem_uss",
             label="USS per idle PTY session on the gate, %d sessions (MB)"
             % (sessions or 0),
             kind="mb", metric="mem_gate_uss_kb", base="naive", fmt="%.2f",
             na=["direct"]),
        dict(id="par_wall", label="%d parallel logins, wall (s)" % (par or 0),
             kind="median", metric="par_wall_s", base="direct",
             target=("<=", 1.4, "ratio"), fmt="%.2f"),
        dict(id="par_failures",
             label="%d parallel logins, failed logins (all rounds)" % (par or 0),
             kind="sum", metric="par_failures", fmt="%d"),
        dict(id="akc_miss_p50", label="authkeys-cmd per call, API asked, p50 (ms)",
             kind="p50", metric="akc_miss_ms", fmt="%.1f",
             na=["direct", "proxyjump", "naive"]),
        dict(id="akc_miss_p95", label="authkeys-cmd per call, API asked, p95 (ms)",
             kind="p95", metric="akc_miss_ms", fmt="%.1f",
             na=["direct", "proxyjump", "naive"]),
        dict(id="akc_hit_p50", label="authkeys-cmd per call, cache hit, p50 (ms)",
             kind="p50", metric="akc_hit_ms", fmt="%.1f",
             na=["direct", "proxyjump", "naive"]),
        dict(id="akc_hit_p95", label="authkeys-cmd per call, cache hit, p95 (ms)",
             kind="p95", metric="akc_hit_ms", fmt="%.1f",
             na=["direct", "proxyjump", "naive"]),
        dict(id="revoke",
             label="revocation latency of a live session, RevokeInterval %s (s)"
             % ("%gs" % d.one("revoke_interval_s")
                if d.one("revoke_interval_s") is not None else "?"),
             kind="revoke", metric="revoke_latency_s", fmt="%.1f"),
    ]
    return r


def path_value(d, row, path):
    """The number for one path, or None; and a display text."""
    if path in row.get("na", []):
        return None, "—"
    m, kind = row["metric"], row["kind"]
    v = d.values(m, path)
    if kind == "revoke":
        raw = d.raw(m, path)
        if not raw:
            return None, "?"
        if not v:
            return None, "never (> %.0f s)" % (d.one("revoke_cap_s") or 0)
        if len(v) < len(raw):
            return max(v), "partly never"
        if len(v) == 1:
            return v[0], row["fmt"] % v[0]
        return median(v), (row["fmt"] + " (max " + row["fmt"] + ")") % (
            median(v), max(v))
    if not v:
        return None, "?"
    if kind == "median":
        x = median(v)
    elif kind == "rate":
        x = row["bytes"] / 1e6 / median(v)
    elif kind == "per_gib":
        x = median(v) / (row["bytes"] / GIB)
    elif kind == "mb":
        x = median(v) * 1024 / 1e6
    elif kind == "sum":
        x = sum(v)
    elif kind == "p50":
        x = pctl(v, 0.5)
    elif kind == "p95":
        x = pctl(v, 0.95)
    else:
        raise ValueError(kind)
    return x, row["fmt"] % x


def ratio(d, row, path):
    """Median over rounds of path/base (base/path for rates: > 1 is
    faster), or the ratio of the single values where there are no rounds."""
    base = row.get("base")
    if base is None or path == base or path in row.get("na", []):
        return None
    if row["kind"] in ("median", "rate", "per_gib"):
        a = d.rounds(row["metric"], path)
        b = d.rounds(row["metric"], base)
        rs = []
        for k in sorted(set(a) & set(b)):
            if a[k] > 0 and b[k] > 0:
                rs.append(b[k] / a[k] if row["kind"] == "rate" else a[k] / b[k])
        return median(rs)
    x, _ = path_value(d, row, path)
    y, _ = path_value(d, row, base)
    if x is None or not y:
        return None
    return x / y


def verdict(row, value, r):
    t = row.get("target")
    if t is None:
        return None, ""
    op, want, on = t
    x = r if on == "ratio" else value
    if x is None:
        return None, "?"
    ok = x <= want if op == "<=" else x >= want
    return ok, "met" if ok else "**missed**"


def target_text(row):
    t = row.get("target")
    if t is None:
        return ""
    op, want, on = t
    op = "≤" if op == "<=" else "≥"
    if on == "ratio":
        return "%s %.2f× %s" % (op, want, NAMES[row["base"]])
    return "%s %s" % (op, row["fmt"] % want)


def details(d):
    """Secondary tables: where the CPU goes, memory by process."""
    lines = []
    bulk = d.one("bulk_bytes") or GIB
    sftp = d.one("sftp_bytes") or GIB

    def med(metric, path, div=1.0, fmt="%.3f"):
        v = d.values(metric, path)
        return fmt % (median(v) / div) if v else "—"

    lines.append("### CPU per login, by side (s, median)")
    lines.append("")
    lines.append("| path | wall | gate | container | client | API |")
    lines.append("|---|---|---|---|---|---|")
    for p in PATHS + ["sshd-only"]:
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            NAMES.get(p, "gate sshd alone (`ssh pj@gate true`)"),
            med("login_wall_s", p), med("login_gate_cpu_s", p, fmt="%.4f"),
            med("login_container_cpu_s", p, fmt="%.4f"),
            med("login_client_cpu_s", p, fmt="%.4f"),
            med("login_api_cpu_s", p, fmt="%.4f")))
    lines.append("")
    lines.append("The last line is a plain login to a gate's sshd that runs "
                 "`true` there: what the stock sshd costs before any relay.")
    lines.append("")
    lines.append("### CPU per GiB moved, by side (s, median)")
    lines.append("")
    lines.append("| transfer | path | wall s | gate | container | client |")
    lines.append("|---|---|---|---|---|---|")
    for name, prefix, n in (("up, default", "up_default", bulk),
                            ("down, default", "down_default", bulk),
                            ("up, aes128-gcm", "up_aes128-gcm", bulk),
                            ("down, aes128-gcm", "down_aes128-gcm", bulk),
                            ("sftp put", "sftp_put", sftp),
                            ("sftp get", "sftp_get", sftp)):
        g = n / GIB
        for p in PATHS:
            lines.append("| %s | %s | %s | %s | %s | %s |" % (
                name, NAMES[p], med(prefix + "_wall_s", p),
                med(prefix + "_gate_cpu_s", p, g, "%.2f"),
                med(prefix + "_container_cpu_s", p, g, "%.2f"),
                med(prefix + "_client_cpu_s", p, g, "%.2f")))
    lines.append("")
    lines.append("### Idle PTY sessions, per session (kB; PSS / USS / processes)")
    lines.append("")
    lines.append("| path | side | process | PSS kB | USS kB | processes |")
    lines.append("|---|---|---|---|---|---|")
    for p in PATHS:
        for side in ("gate", "container"):
            kinds = sorted({m for (m, q) in d.by if q == p and
                            m.startswith("mem_%s_kind:" % side)})
            for m in kinds:
                pss, uss, procs = d.raw(m, p)[0].split("/")
                lines.append("| %s | %s | %s | %s | %s | %s |" % (
                    NAMES[p], side, m.split(":", 1)[1], pss, uss, procs))
            v = d.values("mem_%s_pss_kb" % side, p)
            if v:
                lines.append("| %s | %s | **all** | %.0f | %.0f | %s |" % (
                    NAMES[p], side, v[0],
                    d.values("mem_%s_uss_kb" % side, p)[0],
                    d.raw("mem_%s_procs" % side, p)[0]))
    lines.append("")
    idle = ["%s %s%%" % (NAMES[p], d.raw("mem_idle_gate_cpu_pct", p)[0])
            for p in PATHS if d.raw("mem_idle_gate_cpu_pct", p)]
    if idle:
        lines.append("Gate CPU while the sessions idle (all of them together, "
                     "percent of one CPU): " + ", ".join(idle) + ".")
        lines.append("")
    v = d.values("akc_miss_internal_ms", "sshgate")
    w = d.values("akc_hit_internal_ms", "sshgate")
    if v or w:
        lines.append("authkeys-cmd's own latency_ms (from its log line, "
                     "without process start): miss p50 %s ms, hit p50 %s ms."
                     % ("%.0f" % pctl(v, 0.5) if v else "?",
                        "%.0f" % pctl(w, 0.5) if w else "?"))
        lines.append("")
    left = [(p, int(sum(d.values("leftover_procs", p)))) for p in PATHS
            if d.values("leftover_procs", p)]
    if left:
        lines.append("**Session processes still on a gate %s after their "
                     "client went** (stopped by the bench; see errors.log): "
                     % "10 s" + ", ".join("%s %d" % (NAMES[p], n)
                                          for p, n in left) + ".")
        lines.append("")
    fails = [(m, p, len(d.values(m, p))) for (m, p) in sorted(d.by)
             if m.endswith("_failed")]
    if fails:
        lines.append("Failed runs: " + ", ".join(
            "%s %s ×%d" % (m[:-7], NAMES.get(p, p), n) for m, p, n in fails)
            + " (see errors.log).")
        lines.append("")
    return lines


def main():
    if len(sys.argv) != 2:
        print("usage: report.py OUTDIR", file=sys.stderr)
        return 2
    outdir = sys.argv[1]
    samples = load(outdir)
    d = Data(samples)
    mach = machine()
    mode = os.environ.get("BENCH_MODE", "full")
    config = dict(kv.split("=", 1) for kv in
                  os.environ.get("BENCH_CONFIG", "").split() if "=" in kv)
    shown = ", ".join("%s %s" % kv for kv in config.items())
    config["accounting"] = os.environ.get("BENCH_CG_KIND")
    config["cgroup_root"] = os.environ.get("BENCH_CG")
    ciphers = {}
    try:
        with open(os.path.join(outdir, "ciphers.txt")) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    ciphers[parts[0]] = parts[1]
    except OSError:
        pass
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    out_rows = []
    md = []
    md.append("## sshgate bench, %s (%s)" % (date, mode))
    md.append("")
    md.append("Machine: %s CPUs (%s; %s), %s, kernel %s, %s. %s; libssh %s; "
              "libcurl %s. CPU accounting: %s. Load average (1 min) "
              "at the start: %s, before the parallel logins: %s."
              % (mach["nproc"], mach["cpu"], mach["cpu_flags"] or "no AES-NI",
                 mach["memory"], mach["kernel"], mach["os"], mach["openssh"],
                 mach["libssh"], mach["libcurl"], mach["cgroup"],
                 d.raw("loadavg_start", "all")[0] if d.raw("loadavg_start", "all") else "?",
                 d.raw("loadavg_later", "all")[0] if d.raw("loadavg_later", "all") else "?"))
    md.append("Client cipher with its default config: %s. Settings: %s."
              % (ciphers.get("ssh_config", "?"),
                 shown))
    if mode == "smoke":
        md.append("")
        md.append("**Smoke run: tiny sizes and one or two rounds; the numbers "
                  "only show that every measurement works.**")
    md.append("")
    md.append("| metric | direct | ProxyJump | naive gate | sshgate | "
              "sshgate ratio | target | result |")
    md.append("|---|---|---|---|---|---|---|---|")
    for row in rows(d):
        vals, texts, ratios = {}, {}, {}
        for p in PATHS:
            vals[p], texts[p] = path_value(d, row, p)
            ratios[p] = ratio(d, row, p)
        ok, ok_text = verdict(row, vals["sshgate"], ratios["sshgate"])
        rtext = ""
        if ratios["sshgate"] is not None:
            rtext = "%.2f× %s" % (ratios["sshgate"], NAMES[row["base"]])
        md.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            row["label"], texts["direct"], texts["proxyjump"], texts["naive"],
            texts["sshgate"], rtext, target_text(row), ok_text))
        out_rows.append({
            "id": row["id"], "label": row["label"], "kind": row["kind"],
            "metric": row["metric"], "base": row.get("base"),
            "values": vals, "text": texts, "ratios": ratios,
            "not_applicable": row.get("na", []),
            "target": target_text(row) or None, "met": ok,
        })
    md.append("")
    md.append("Ratios are medians of per-round ratios between alternating "
              "runs; for MB/s rows the ratio is the naive gate's time over "
              "sshgate's (above 1 = sshgate faster). MB = 10^6 bytes. "
              "Throughput is wall time of the whole client command, login "
              "included. \"—\": not applicable (no gate on the direct path; "
              "authkeys-cmd is sshgate's).")
    md.append("")
    md += details(d)

    with open(os.path.join(outdir, "table.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    result = {
        "date": date, "mode": mode, "machine": mach, "settings": config,
        "client_ciphers": ciphers, "paths": PATHS, "rows": out_rows,
        "samples": samples,
    }
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
