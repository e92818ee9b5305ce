#!/usr/bin/env python3
"""Crash consistency driver (see crash_consistency.sh for what it proves).

usage: crash_consistency.py BIN_DIR AIRLOCKD HOME CYCLES HOOKS_PER_CYCLE SEED

Each cycle starts airlockd (built with AIRLOCK_FAULTPOINTS) with a fault
armed: either a named crash point (AIRLOCK_FAULT=name:count, the daemon
SIGKILLs itself there) or none, in which case the driver SIGKILLs it at a
uniformly random moment. Real airlock-hook processes submit a seeded mix of
auto-allow, auto-deny and ask calls; a scripted approver approves or denies
pending ones through `airlock approve/deny` all along, across the crashes.
After every crash `airlock verify` must pass before the daemon restarts.
At the end the hooks' ledger is compared with the database.
"""
import os
import random
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rel_lib as R  # noqa: E402

POINTS = ["hook_decided", "commit_written", "commit_durable",
          "commit_replied", "hold_pending", "final_before_record",
          "final_recorded", "restore_pending"]
APPROVAL_TIMEOUT_S = 6


class Approver(threading.Thread):
    """Decides pending actions at random, recording every attempt."""

    def __init__(self, bin_dir, rng):
        super().__init__(daemon=True)
        self.bin = bin_dir
        self.rng = rng
        self.stop = False
        self.tried_approve = set()
        self.tried_deny = set()
        self.ok = 0

    def run(self):
        while not self.stop:
            items = R.pending(self.bin)
            if not items:
                time.sleep(0.05)
                continue
            a = self.rng.choice(items)
            aid = a["id"]
            verb = "approve" if self.rng.random() < 0.5 else "deny"
            (self.tried_approve if verb == "approve"
             else self.tried_deny).add(aid)
            try:
                rc, _, _ = R.airlock(self.bin, verb, str(aid), "--reason",
                                     "crash test", timeout=5)
            except subprocess.TimeoutExpired:
                # The daemon died under the request; the CLI's own
                # retry outlives our patience. Try again later.
                rc = -1
            self.ok += rc == 0
            time.sleep(self.rng.uniform(0, 0.1))


def verify(bin_dir):
    rc, out, err = R.airlock(bin_dir, "verify", timeout=60)
    return rc == 0, (out + err).strip()


def start(airlockd, home, fault):
    env = dict(os.environ)
    env.pop("AIRLOCK_FAULT", None)
    if fault:
        env["AIRLOCK_FAULT"] = fault
    log = open(os.path.join(home, "daemon.log"), "a")
    p = subprocess.Popen([airlockd, "--foreground", "--approval-timeout",
                          str(APPROVAL_TIMEOUT_S), "--abandon-grace", "20"],
                         stdout=log, stderr=log, env=env)
    log.close()
    return p


def wait_ready_or_death(p, run_dir, limit_s=10):
    t0 = R.now_ms()
    while R.now_ms() - t0 < limit_s * 1000:
        if p.poll() is not None:
            return None
        if R.ping(run_dir, 0.5):
            return R.now_ms() - t0
        time.sleep(0.005)
    return None


def main():
    bin_dir, airlockd, home = sys.argv[1], sys.argv[2], sys.argv[3]
    cycles, per_cycle, seed = (int(sys.argv[4]), int(sys.argv[5]),
                               int(sys.argv[6]))
    rng = random.Random(seed)
    run_dir = os.path.join(home, "run")
    db = os.path.join(home, "state", "audit.db")
    hooks = []
    restart_ms = []
    fails = []
    crashes = {"random": 0}
    verifies = 0
    n = 0

    approver = Approver(bin_dir, random.Random(seed + 1))
    approver.start()
    for cycle in range(cycles):
        fault = None
        if cycle % 2 == 1:
            point = POINTS[(cycle // 2) % len(POINTS)]
            fault = "%s:%d" % (point, rng.randint(1, 4))
        p = start(airlockd, home, fault)
        ready = wait_ready_or_death(p, run_dir)
        if ready is None:
            # Crashed while starting (restore_pending): that is a crash
            # too; verify and start again without a fault.
            p.wait()
            crashes[fault.split(":")[0]] = crashes.get(
                fault.split(":")[0], 0) + 1
            ok, why = verify(bin_dir)
            verifies += 1
            if not ok:
                fails.append("verify after crash at start: " + why)
            p = start(airlockd, home, None)
            ready = wait_ready_or_death(p, run_dir)
            fault = None
            if ready is None:
                fails.append("daemon did not restart (cycle %d)" % cycle)
                break
        restart_ms.append(ready)
        # Submit this cycle's calls, staggered.
        for _ in range(per_cycle):
            if p.poll() is not None:
                break  # crashed: calls now would only see "not running"
            r = rng.random()
            cmd = (R.CMD_ALLOW if r < 0.6 else
                   R.CMD_DENY if r < 0.75 else R.CMD_ASK)
            marker = "m%05d" % n
            n += 1
            hooks.append(R.Hook(bin_dir, marker,
                                R.pre_tool_use(marker, cmd,
                                               session="s-%d" % (n % 7)),
                                deadline=45))
            time.sleep(rng.uniform(0, 0.02))
        # The crash: the armed point, or a random moment.
        kill_at = time.monotonic() + (4.0 if fault else rng.uniform(0, 1.0))
        while time.monotonic() < kill_at and p.poll() is None:
            time.sleep(0.01)
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            crashes["random"] += 1
        else:
            name = fault.split(":")[0] if fault else "?"
            crashes[name] = crashes.get(name, 0) + 1
        p.wait()
        for h in hooks:
            h.poll()
        ok, why = verify(bin_dir)
        verifies += 1
        if not ok:
            fails.append("verify after crash %d: %s" % (cycle, why))

    # Drain: a last daemon without faults; every hook must finish.
    p = start(airlockd, home, None)
    ready = wait_ready_or_death(p, run_dir)
    if ready is not None:
        restart_ms.append(ready)
    drain_until = time.monotonic() + 60
    while time.monotonic() < drain_until and not all(h.poll()
                                                      for h in hooks):
        time.sleep(0.1)
    approver.stop = True
    approver.join(30)
    # Anything still pending times out (deny) within the approval timeout.
    t_end = time.monotonic() + APPROVAL_TIMEOUT_S + 30
    while time.monotonic() < t_end:
        con = R.db_ro(db)
        left = con.execute(
            "SELECT count(*) FROM actions a WHERE a.state='pending' AND"
            " NOT EXISTS (SELECT 1 FROM finals f WHERE f.action_id=a.id)"
        ).fetchone()[0]
        con.close()
        if left == 0:
            break
        time.sleep(0.2)
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        fails.append("daemon did not stop on SIGTERM")
    for h in hooks:
        if h.decision is None:
            try:
                h.collect(timeout=1)
            except subprocess.TimeoutExpired:
                h.p.kill()
                h.collect()
                fails.append("hook %s hung" % h.marker)

    # ---- the ledger against the database ----
    rows = R.rows_by_marker(db, [h.marker for h in hooks])
    allows = denies = fallback = unavailable = decided = hook_timeouts = 0
    for h in hooks:
        rs = rows[h.marker]
        if len(rs) > 1:
            fails.append("%s: %d rows for one request" % (h.marker,
                                                         len(rs)))
        if h.decision not in ("allow", "deny", "ask"):
            fails.append("%s: hook printed %r (%s)" % (h.marker, h.decision,
                                                       h.reason))
            continue
        if h.decision == "allow":
            allows += 1
            if len(rs) != 1 or R.effective(rs[0]) != "allow":
                fails.append("%s: ALLOW WITHOUT COMMITTED ROW %r" %
                             (h.marker, rs))
        if R.is_fallback(h.reason):
            fallback += 1
            if h.decision == "allow":
                fails.append("%s: fallback allowed" % h.marker)
            continue
        if "audit database unavailable" in h.reason:
            unavailable += 1
            continue
        if (h.decision == "deny" and not rs and
                h.reason == "airlock: approval timed out"):
            # The hook's own answer when its connection attempt timed
            # out (the daemon died or was starting): a deny it made up
            # itself, so it has no row. Never an allow.
            hook_timeouts += 1
            continue
        decided += 1
        if h.decision == "deny":
            denies += 1
        if len(rs) != 1:
            fails.append("%s: decision %s but %d rows (lost): %s "
                         "after %.0f ms" % (h.marker, h.decision, len(rs),
                                            h.reason, h.ms))
        elif R.effective(rs[0]) != h.decision:
            fails.append("%s: hook got %s, row says %s %r" %
                         (h.marker, h.decision, R.effective(rs[0]), rs[0]))
    con = R.db_ro(db)
    dup = con.execute("SELECT count(*) FROM (SELECT action_id FROM finals"
                      " GROUP BY action_id HAVING count(*) > 1)"
                      ).fetchone()[0]
    unresolved = con.execute(
        "SELECT count(*) FROM actions a WHERE a.state='pending' AND NOT"
        " EXISTS (SELECT 1 FROM finals f WHERE f.action_id=a.id)"
    ).fetchone()[0]
    approved = con.execute(
        "SELECT a.id, f.approver FROM actions a JOIN finals f ON"
        " f.action_id=a.id WHERE f.state='approved'").fetchall()
    finals = dict(con.execute("SELECT state, count(*) FROM finals"
                              " GROUP BY state").fetchall())
    asks = con.execute("SELECT count(*) FROM actions WHERE verdict='ask'"
                       " AND hook_event='PreToolUse'").fetchone()[0]
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    con.close()
    if dup:
        fails.append("%d actions with more than one final decision" % dup)
    if unresolved:
        fails.append("%d pending actions never resolved" % unresolved)
    for aid, who in approved:
        if who == "airlockd" or aid not in approver.tried_approve:
            fails.append("action %d approved by %s without an approve "
                         "request (restart turned pending into allow)" %
                         (aid, who))
    if integrity != "ok":
        fails.append("integrity_check: " + integrity)
    ok, why = verify(bin_dir)
    verifies += 1
    if not ok:
        fails.append("final verify: " + why)

    rs = sorted(restart_ms)
    print("calls: %d hooks, %d decided by the daemon (%d allow, %d deny), "
          "%d daemon-down fallbacks, %d hook-side connect timeouts (deny), "
          "%d audit-unavailable denies" %
          (len(hooks), decided, allows, denies, fallback, hook_timeouts,
           unavailable))
    print("asks: %d, finals: %s, approver calls ok: %d" %
          (asks, finals, approver.ok))
    print("crashes: %d %s" % (sum(crashes.values()), crashes))
    print("airlock verify runs: %d" % verifies)
    print("restart to serving (ms, %d restarts): p50 %.1f p99 %.1f max %.1f"
          % (len(rs), R.percentile(rs, 50), R.percentile(rs, 99),
             rs[-1] if rs else float("nan")))
    for f in fails[:40]:
        print("FAIL: " + f)
    if len(fails) > 40:
        print("... %d more failures" % (len(fails) - 40))
    if decided < min(1000, len(hooks) * 8 // 10):
        print("FAIL: only %d decisions reached the daemon" % decided)
        return 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
