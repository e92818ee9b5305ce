#!/usr/bin/env python3
"""Load driver (see load.sh for what it proves).

usage: load.py BIN_DIR HOME SESSIONS SECONDS TARGET_RATE MAX_RSS_MIB [MIN_RATE]

SESSIONS threads each play one agent session: a real airlock-hook process
per call, one call at a time, paced so that all sessions together offer
TARGET_RATE calls/s. About 5% of calls need a human; a scripted approver
(`airlock pending --json`, then `airlock approve/deny`) decides them.
"""
import os
import random
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rel_lib as R  # noqa: E402


def main():
    bin_dir, home = sys.argv[1], sys.argv[2]
    sessions, seconds = int(sys.argv[3]), float(sys.argv[4])
    target, max_rss_mib = float(sys.argv[5]), float(sys.argv[6])
    min_rate = float(sys.argv[7]) if len(sys.argv) > 7 else target * 0.9
    run_dir = os.path.join(home, "run")
    db = os.path.join(home, "state", "audit.db")
    pid = int(open(os.path.join(run_dir, "airlockd.pid")).read())
    lock = threading.Lock()
    results = []  # (marker, kind, decision, reason, ms)
    stop = threading.Event()
    per_session_gap = sessions / target

    def session(k):
        rng = random.Random(k)
        i = 0
        next_t = time.monotonic() + rng.uniform(0, per_session_gap)
        while not stop.is_set():
            now = time.monotonic()
            if now < next_t:
                time.sleep(next_t - now)
            next_t += per_session_gap
            r = rng.random()
            kind, cmd = (("allow", R.CMD_ALLOW) if r < 0.80 else
                         ("deny", R.CMD_DENY) if r < 0.95 else
                         ("ask", R.CMD_ASK))
            marker = "L%02d-%06d" % (k, i)
            i += 1
            h = R.Hook(bin_dir, marker,
                       R.pre_tool_use(marker, cmd, session="load-%d" % k),
                       deadline=60)
            h.collect()
            with lock:
                results.append((marker, kind, h.decision, h.reason, h.ms))

    decided = {"n": 0, "err": 0}

    def approver():
        rng = random.Random(99)
        while not stop.is_set() or R.pending(bin_dir):
            for a in R.pending(bin_dir):
                verb = "approve" if rng.random() < 0.5 else "deny"
                try:
                    rc, _, err = R.airlock(bin_dir, verb, str(a["id"]),
                                           "--reason", "load test",
                                           timeout=3)
                except subprocess.TimeoutExpired:
                    rc, err = -1, "timed out"
                decided["n"] += rc == 0
                if rc != 0:
                    decided["err"] += 1
                    print("approver: %s %s failed: %s" %
                          (verb, a["id"], err.strip()), flush=True)
            time.sleep(0.05)

    rss = []

    def sampler():
        while not stop.is_set():
            v = R.vm_rss_kb(pid)
            if v:
                rss.append(v)
            time.sleep(0.5)

    threads = [threading.Thread(target=session, args=(k,))
               for k in range(sessions)]
    aux = [threading.Thread(target=approver), threading.Thread(target=sampler)]
    t0 = time.monotonic()
    for t in threads + aux:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(120)
    elapsed = time.monotonic() - t0
    for t in aux:
        t.join(120)

    fails = []
    auto = [r for r in results if r[1] != "ask"]
    lat = [r[4] for r in auto]
    errors = [r for r in results
              if r[2] not in ("allow", "deny") or R.is_fallback(r[3])
              or "unavailable" in r[3]]
    wrong = [r for r in auto if r[2] != r[1]]
    rows = R.rows_by_marker(db, [r[0] for r in results])
    lost = [m for m, rs in rows.items() if len(rs) != 1]
    mismatched = [r for r in results
                  if len(rows[r[0]]) == 1 and
                  R.effective(rows[r[0]][0]) != r[2]]
    rate = len(results) / elapsed
    held = [r for r in results if r[1] == "ask"]
    print("load: %d sessions, %.0f s, %d calls (%d auto, %d held for a "
          "human, %d approver decisions) = %.0f decisions/s" %
          (sessions, elapsed, len(results), len(auto), len(held),
           decided["n"], rate))
    print("approver failures: %d" % decided["err"])
    print("hook latency under load, auto-decided (ms): p50 %.1f p90 %.1f "
          "p99 %.1f max %.1f" %
          (R.percentile(lat, 50), R.percentile(lat, 90),
           R.percentile(lat, 99), max(lat) if lat else float("nan")))
    if rss:
        half = len(rss) // 2
        print("daemon VmRSS (MiB): start %.1f, max %.1f, end %.1f; "
              "max of first half %.1f, of second half %.1f" %
              (rss[0] / 1024, max(rss) / 1024, rss[-1] / 1024,
               max(rss[:half or 1]) / 1024, max(rss[half:]) / 1024))
    print("errors %d, wrong decisions %d, lost rows %d, row mismatches %d" %
          (len(errors), len(wrong), len(lost), len(mismatched)))
    for r in (errors + wrong)[:10]:
        print("  bad: %r" % (r,))
    for m in lost[:10]:
        print("  lost: %s %r" % (m, rows[m]))
    if errors:
        fails.append("errors")
    if wrong:
        fails.append("wrong decisions")
    if lost or mismatched:
        fails.append("lost or mismatched rows")
    if rate < min_rate:
        fails.append("rate %.0f/s below the minimum %.0f/s (offered %.0f/s)"
                     % (rate, min_rate, target))
    if rss and max(rss) / 1024 > max_rss_mib:
        fails.append("daemon RSS %.1f MiB over %.0f MiB" %
                     (max(rss) / 1024, max_rss_mib))
    for f in fails:
        print("FAIL: " + f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
