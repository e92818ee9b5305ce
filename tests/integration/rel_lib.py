"""Helpers for airlock's reliability tests (crash consistency, faults, load).

Real processes only: airlock-hook is spawned per call exactly as Claude Code
does, airlockd is started and SIGKILLed, the audit database is read with
Python's sqlite3 in read-only mode. The SP client below speaks nng's wire
protocol (the same bytes ipc/sp.c writes) so that a test can probe the
daemon or subscribe to its events without linking nng.
"""
import json
import os
import socket
import sqlite3
import struct
import subprocess
import time

SP_REQ = 0x30
SP_REP = 0x31
SP_SUB = 0x21
SP_PUB = 0x20
PING = b"AIRLOCK-PING 1 " + b"0" * 32 + b" -\n"

# Reasons the hook gives when it had no answer from the daemon: these
# decisions are the hook's own fallback and have no row by design.
FALLBACK_MARKERS = ("daemon is not running", "gave no valid answer",
                    "served by another user")


def now_ms():
    return time.monotonic() * 1000.0


def _sp_header(proto):
    return b"\x00SP\x00" + struct.pack(">H", proto) + b"\x00\x00"


def _recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def sp_request(path, body, timeout=2.0):
    """One REQ/REP exchange on a Unix socket; returns the reply body."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.sendall(_sp_header(SP_REQ))
        peer = _recv_exact(s, 8)
        if peer[:4] != b"\x00SP\x00":
            raise ConnectionError("not an SP peer")
        rid = 0x80000001
        payload = struct.pack(">I", rid) + body
        s.sendall(b"\x01" + struct.pack(">Q", len(payload)) + payload)
        head = _recv_exact(s, 9)
        n = struct.unpack(">Q", head[1:])[0]
        data = _recv_exact(s, n)
        return data[4:]
    finally:
        s.close()


def ping(run_dir, timeout=1.0):
    """True when airlockd answers a liveness probe on hook.sock."""
    try:
        r = sp_request(os.path.join(run_dir, "hook.sock"), PING, timeout)
        return b"pong" in r
    except (OSError, ConnectionError):
        return False


def wait_ready(run_dir, limit_s=10.0):
    """Polls hook.sock until the daemon answers; returns ms waited or None."""
    t0 = now_ms()
    while now_ms() - t0 < limit_s * 1000:
        if ping(run_dir, 0.5):
            return now_ms() - t0
        time.sleep(0.005)
    return None


class Sub:
    """A SUB client of events.sock (nng SUB filters on its side, so the raw
    stream carries every event)."""

    def __init__(self, run_dir, timeout=5.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(os.path.join(run_dir, "events.sock"))
        self.s.sendall(_sp_header(SP_SUB))
        _recv_exact(self.s, 8)

    def next(self, timeout):
        self.s.settimeout(timeout)
        head = _recv_exact(self.s, 9)
        n = struct.unpack(">Q", head[1:])[0]
        return json.loads(_recv_exact(self.s, n))

    def wait_for(self, pred, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                ev = self.next(max(0.01, deadline - time.monotonic()))
            except (socket.timeout, ConnectionError, OSError):
                return None
            if pred(ev):
                return ev
        return None

    def close(self):
        self.s.close()


def pre_tool_use(marker, command, mode="default", session="s-rel"):
    """A PreToolUse Bash event whose command carries a unique marker."""
    return json.dumps({
        "session_id": session,
        "transcript_path": "/tmp/airlock-rel.jsonl",
        "cwd": "/home/dev/project",
        "permission_mode": mode,
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command % marker,
                       "description": "reliability test"},
        "tool_use_id": "toolu_" + marker,
    })


# Commands whose verdicts are fixed by the built-in policy.
CMD_ALLOW = "echo %s"                          # no side effects: allow
CMD_DENY = "kill -9 $(pidof airlockd) # %s"    # self-protection: deny
CMD_ASK = "rm -rf ~/%s"                        # destructive: ask


def parse_hook_output(out, err, status):
    """(decision, reason) from airlock-hook's stdout/stderr/exit status."""
    if status == 2:
        return "deny", err.strip()
    if not out.strip():
        return "none", err.strip()
    try:
        o = json.loads(out)
    except ValueError:
        return "garbage", out
    h = o.get("hookSpecificOutput", {})
    dec = h.get("permissionDecision")
    reason = h.get("permissionDecisionReason", "")
    if dec is None:
        d = h.get("decision", {})
        dec = d.get("behavior", "none")
        reason = d.get("message", "")
    return dec, reason


def is_fallback(reason):
    return any(m in reason for m in FALLBACK_MARKERS)


class Hook:
    """One airlock-hook process (started at once, collected later)."""

    def __init__(self, bin_dir, marker, event, deadline=30, env=None,
                 extra=()):
        self.marker = marker
        self.t0 = now_ms()
        self.p = subprocess.Popen(
            [os.path.join(bin_dir, "airlock-hook"), "--deadline",
             str(deadline)] + list(extra),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env)
        self.p.stdin.write(event.encode())
        self.p.stdin.close()
        self.decision = None
        self.reason = None
        self.ms = None

    def poll(self):
        if self.decision is not None:
            return True
        if self.p.poll() is None:
            return False
        self.collect()
        return True

    def collect(self, timeout=None):
        if self.decision is not None:
            return
        self.p.wait(timeout)
        out = self.p.stdout.read().decode(errors="replace")
        err = self.p.stderr.read().decode(errors="replace")
        self.p.stdout.close()
        self.p.stderr.close()
        self.ms = now_ms() - self.t0
        self.decision, self.reason = parse_hook_output(out, err,
                                                       self.p.returncode)


def db_ro(path):
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)


def rows_by_marker(db_path, markers):
    """marker -> list of (action id, verdict, action state, final state,
    approver) for actions whose tool_use_id is toolu_<marker>."""
    con = db_ro(db_path)
    try:
        q = ("SELECT a.tool_use_id, a.id, a.verdict, a.state, f.state,"
             " f.approver FROM actions a LEFT JOIN finals f"
             " ON f.action_id = a.id WHERE a.hook_event = 'PreToolUse'")
        out = {}
        for tu, aid, verdict, st, fst, appr in con.execute(q):
            if tu and tu.startswith("toolu_"):
                out.setdefault(tu[6:], []).append(
                    (aid, verdict, st, fst, appr))
        return {m: out.get(m, []) for m in markers}
    finally:
        con.close()


def effective(row):
    """The decision a row stands for: allow, deny or pending."""
    aid, verdict, st, fst, appr = row
    if st == "decided":
        return "allow" if verdict == "allow" else "deny"
    if fst is None:
        return "pending"
    return "allow" if fst == "approved" else "deny"


def airlock(bin_dir, *args, timeout=20, env=None):
    p = subprocess.run([os.path.join(bin_dir, "airlock")] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, env=env)
    return p.returncode, p.stdout.decode(errors="replace"), \
        p.stderr.decode(errors="replace")


def pending(bin_dir, env=None):
    try:
        rc, out, _ = airlock(bin_dir, "pending", "--json", env=env,
                             timeout=5)
    except subprocess.TimeoutExpired:
        return []
    if rc != 0:
        return []
    res = []
    for line in out.splitlines():
        line = line.strip()
        if line:
            try:
                res.append(json.loads(line))
            except ValueError:
                pass
    return res


def vm_rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def percentile(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


def fake_daemon(path, uid, ready_file):
    """A fake airlockd on hook.sock that answers allow to everything. It
    binds as the caller, then drops to uid before listen(): SO_PEERCRED
    reports the listener's credentials from listen() on."""
    try:
        os.unlink(path)
    except OSError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    os.chmod(path, 0o777)
    ready = open(ready_file, "w")
    if uid != os.getuid():
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    s.listen(8)
    ready.write("listening\n")
    ready.close()
    while True:
        c, _ = s.accept()
        try:
            c.settimeout(5)
            c.sendall(_sp_header(SP_REP))
            _recv_exact(c, 8)
            head = _recv_exact(c, 9)
            n = struct.unpack(">Q", head[1:])[0]
            data = _recv_exact(c, n)
            rid, body = data[:4], data[4:]
            req_id = body.split(b"\n", 1)[0].split(b" ")[2].decode()
            reply = json.dumps({"v": 1, "request_id": req_id,
                                "decision": "allow",
                                "reason": "fake daemon says yes",
                                "hook_event_name": "PreToolUse"}).encode()
            payload = rid + reply
            c.sendall(b"\x01" + struct.pack(">Q", len(payload)) + payload)
        except (OSError, ConnectionError, IndexError):
            pass
        finally:
            c.close()


def lock_db(path, ready_file, release_file):
    """Holds an exclusive lock on the database until release_file exists."""
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    open(ready_file, "w").close()
    while not os.path.exists(release_file):
        time.sleep(0.05)
    con.execute("ROLLBACK")
    con.close()


if __name__ == "__main__":
    import sys
    if sys.argv[1] == "fake-daemon":
        fake_daemon(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "lock-db":
        lock_db(sys.argv[2], sys.argv[3], sys.argv[4])
