#!/usr/bin/env bash
# The hook socket's own server (ipc/daemon_hooksrv.c) against raw clients:
# nng's REQ/REP v0 wire format (ipc/sp.h) as airlock-hook and any other
# SP client speak it, with pipelined, trickled and back-to-back requests;
# protocol errors that must close the connection; a held request whose
# client goes away; the socket file's mode, a stale file and a second
# daemon; and a storm of garbage connections. After each abuse a real
# airlock-hook must still get its answer.
. "$(dirname "$0")/lib.sh"

sock=$AIRLOCK_HOME/run/hook.sock
SPC=$AIRLOCK_HOME/spc.py
REL=$AIRLOCK_HOME/release
export PAYLOADS

# The raw client: `python3 $SPC MODE SOCK [ARGS]`, exit 0 when the mode's
# expectation holds, otherwise a reason on stderr and exit 1.
cat >"$SPC" <<'PY'
import json, os, secrets, socket, sqlite3, struct, sys, threading, time

REQ_HDR = b"\x00SP\x00\x00\x30\x00\x00"
REP_HDR = b"\x00SP\x00\x00\x31\x00\x00"
PUB_HDR = b"\x00SP\x00\x00\x20\x00\x00"
MAX_HOOK_MSG = 8 * 1024 * 1024 + 256  # PROTO_MAX_HOOK_MSG (ipc/proto.h)
PAYLOADS = os.environ["PAYLOADS"]


class Fail(Exception):
    pass


def event(name, cmd=None):
    d = json.load(open(os.path.join(PAYLOADS, name)))
    if cmd is not None:
        d["tool_input"]["command"] = cmd
    return json.dumps(d).encode()


def connect(path, timeout=10):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def read_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise Fail("connection closed after %d of %d bytes" % (len(b), n))
        b += c
    return b


def expect_rep_header(s):
    h = read_exact(s, 8)
    if h != REP_HDR:
        raise Fail("server header %r, want REP v0" % h)


def new_rid():
    return secrets.token_hex(16)


def new_spid():
    return 0x80000000 | secrets.randbits(31)


def hook_body(rid, ev, flags="-"):
    return ("AIRLOCK-HOOK 1 %s %s\n" % (rid, flags)).encode() + ev


def frame(spid, payload, ftype=1):
    p = struct.pack(">I", spid) + payload
    return bytes([ftype]) + struct.pack(">Q", len(p)) + p


def read_reply(s):
    head = read_exact(s, 9)
    if head[0] != 1:
        raise Fail("reply frame type %#x" % head[0])
    n = struct.unpack(">Q", head[1:])[0]
    if n < 4 or n > 64 * 1024 * 1024:
        raise Fail("reply frame length %d" % n)
    p = read_exact(s, n)
    return struct.unpack(">I", p[:4])[0], p[4:]


def check_reply(spid, rid, got, decision="allow"):
    got_spid, body = got
    if got_spid != spid:
        raise Fail("reply id %#x, request id %#x" % (got_spid, spid))
    o = json.loads(body)
    if o.get("request_id") != rid:
        raise Fail("reply for %r, want %r: %s" % (o.get("request_id"), rid, body[:200]))
    if decision is not None and o.get("decision") != decision:
        raise Fail("decision %r, want %r: %s" % (o.get("decision"), decision, body[:200]))


def request(s, ev=None):
    """One normal request on s (header exchanged), checked."""
    rid, spid = new_rid(), new_spid()
    s.sendall(frame(spid, hook_body(rid, ev or event("PreToolUse.Read.json"))))
    check_reply(spid, rid, read_reply(s))


def expect_closed(s, secs=5):
    """The daemon closes s within secs, having sent at most its header."""
    got = b""
    deadline = time.monotonic() + secs
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Fail("connection still open after %d s" % secs)
        s.settimeout(left)
        try:
            c = s.recv(65536)
        except ConnectionResetError:
            c = b""
        except socket.timeout:
            raise Fail("connection still open after %d s" % secs)
        if not c:
            break
        got += c
    if not REP_HDR.startswith(got):
        raise Fail("got %r before the close (a reply?)" % got[:80])


def m_single(path):
    s = connect(path)
    s.sendall(REQ_HDR)
    expect_rep_header(s)
    request(s)


def m_ping(path):
    s = connect(path)
    s.sendall(REQ_HDR)
    expect_rep_header(s)
    spid = new_spid()
    s.sendall(frame(spid, b"AIRLOCK-PING 1 " + b"0" * 32 + b" -\n"))
    got_spid, body = read_reply(s)
    if got_spid != spid or json.loads(body) != {"v": 1, "pong": True}:
        raise Fail("ping reply %#x %r" % (got_spid, body))


def m_pipelined(path):
    s = connect(path)
    rid, spid = new_rid(), new_spid()
    data = REQ_HDR + frame(spid, hook_body(rid, event("PreToolUse.Read.json")))
    if s.send(data) != len(data):  # one write, as airlock-hook does
        raise Fail("short write")
    expect_rep_header(s)
    check_reply(spid, rid, read_reply(s))


def m_trickle(path):
    s = connect(path)
    rid, spid = new_rid(), new_spid()
    data = REQ_HDR + frame(spid, hook_body(rid, event("PreToolUse.Read.json")))
    for i in range(len(data)):
        s.send(data[i:i + 1])
        time.sleep(0.002 if i < 40 else 0.0005)
    expect_rep_header(s)
    check_reply(spid, rid, read_reply(s))


def m_sequential(path):
    s = connect(path)
    s.sendall(REQ_HDR)
    expect_rep_header(s)
    request(s)
    request(s)


def m_backtoback(path):
    s = connect(path)
    s.sendall(REQ_HDR)
    expect_rep_header(s)
    ev = event("PreToolUse.Read.json")
    reqs = {}
    data = b""
    for _ in range(2):
        rid, spid = new_rid(), new_spid()
        reqs[spid] = rid
        data += frame(spid, hook_body(rid, ev))
    s.sendall(data)
    for _ in range(2):
        got = read_reply(s)
        if got[0] not in reqs:
            raise Fail("reply id %#x matches no request" % got[0])
        check_reply(got[0], reqs.pop(got[0]), got)


def m_flood(path):
    """20000 pings in one go, read only afterwards: the replies overflow
    the socket buffer and wait in the daemon's queue; all arrive, in order.
    Then the same flood from a client that leaves without reading."""
    ping = b"AIRLOCK-PING 1 " + b"0" * 32 + b" -\n"
    n = 20000
    data = REQ_HDR + b"".join(frame(0x80000000 | i, ping) for i in range(n))
    s = connect(path, timeout=20)
    s.sendall(data)
    expect_rep_header(s)
    for i in range(n):
        got_spid, body = read_reply(s)
        if got_spid != 0x80000000 | i or b'"pong"' not in body:
            raise Fail("reply %d: id %#x %r" % (i, got_spid, body[:80]))
    s.close()
    s = connect(path, timeout=20)
    s.sendall(data)
    s.close()


def m_noread(path):
    """Auto-decided calls pipelined on one connection whose answers are
    not read: once a megabyte of answers waits in the daemon, it
    stops reading that connection, so the calls it has recorded stop
    growing (its memory stays bounded). Once the client reads, every
    call is answered, in order. Prints how many were recorded before."""
    n = 24000
    d = json.load(open(os.path.join(PAYLOADS, "PreToolUse.Read.json")))
    d["session_id"] = "noread-" + new_rid()
    ev = json.dumps(d).encode()
    rids = [new_rid() for _ in range(n)]
    data = REQ_HDR + b"".join(
        frame(0x80000000 | i, hook_body(rids[i], ev, "new")) for i in range(n))
    s = connect(path, timeout=120)
    sender = threading.Thread(target=s.sendall, args=(data,), daemon=True)
    sender.start()
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(
        os.environ["AIRLOCK_HOME"], "state", "audit.db"), uri=True)
    q = "select count(*) from actions where session_id = ?"
    last, stable, deadline = -1, 0, time.time() + 60
    while stable < 10 and time.time() < deadline:
        time.sleep(0.1)
        c = db.execute(q, (d["session_id"],)).fetchone()[0]
        stable = stable + 1 if c == last else 0
        last = c
    if last >= n:
        raise Fail("all %d calls were read with no answer read" % n)
    if last <= 0:
        raise Fail("no call was recorded")
    expect_rep_header(s)
    for i in range(n):
        spid, body = read_reply(s)
        check_reply(0x80000000 | i, rids[i], (spid, body))
    sender.join(10)
    s.close()
    print(last)


def m_bad(path, case):
    s = connect(path)
    ev = event("PreToolUse.Read.json")
    good = frame(new_spid(), hook_body(new_rid(), ev))
    if case == "pub-header":
        s.sendall(PUB_HDR + good)
    elif case == "http":
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    elif case == "frame-type":
        s.sendall(REQ_HDR + b"\x02" + good[1:])
    elif case == "too-long":
        s.sendall(REQ_HDR + b"\x01" + struct.pack(">Q", MAX_HOOK_MSG + 4 + 1))
    elif case == "huge":
        s.sendall(REQ_HDR + b"\x01" + struct.pack(">Q", 2**64 - 1))
    elif case == "short":
        s.sendall(REQ_HDR + b"\x01" + struct.pack(">Q", 2) + b"\x80\x00")
    elif case == "id-no-high-bit":
        s.sendall(REQ_HDR + frame(0x00000001, hook_body(new_rid(), ev)))
    else:
        raise Fail("unknown case " + case)
    expect_closed(s)


def m_maxframe(path):
    """A frame of exactly the largest accepted length is read and answered."""
    s = connect(path, timeout=30)
    rid, spid = new_rid(), new_spid()
    body = hook_body(rid, event("PreToolUse.Read.json"))
    body += b" " * (MAX_HOOK_MSG - len(body))
    s.sendall(REQ_HDR + frame(spid, body))
    expect_rep_header(s)
    check_reply(spid, rid, read_reply(s), decision=None)


def m_hold(path, release, cmd):
    """Sends a held request, waits (unanswered) for the release file,
    then goes away without reading."""
    s = connect(path)
    rid, spid = new_rid(), new_spid()
    s.sendall(REQ_HDR + frame(spid, hook_body(rid, event("PreToolUse.Bash.json", cmd))))
    expect_rep_header(s)
    s.setblocking(False)
    deadline = time.monotonic() + 30
    while not os.path.exists(release):
        if time.monotonic() > deadline:
            raise Fail("never released")
        try:
            if s.recv(1):
                raise Fail("the held request was answered")
        except BlockingIOError:
            pass
        time.sleep(0.05)
    s.close()


def m_dup_decided(path, flags="-"):
    """A request id sent twice on two connections (a hook's resend): the
    second gets the first's answer from its record, not an error. With
    flags "new" both sends claim to be first (a client reusing an id):
    the daemon skips its look-up, and the record's own duplicate check
    must still answer the second from the first."""
    rid = new_rid()
    ev = event("PreToolUse.Read.json")
    for _ in range(2):
        s = connect(path)
        spid = new_spid()
        s.sendall(REQ_HDR + frame(spid, hook_body(rid, ev, flags)))
        expect_rep_header(s)
        check_reply(spid, rid, read_reply(s))
        s.close()
    print(rid)


def m_dup_pending(path, cmd):
    """A held request, then the same id again on a second connection: the
    second joins the pending action (no reply while it is held); once it
    is approved, both connections get the approval. Prints the request id
    for the caller first."""
    rid = new_rid()
    ev = event("PreToolUse.Bash.json", cmd)
    conns = []
    for _ in range(2):
        s = connect(path)
        spid = new_spid()
        s.sendall(REQ_HDR + frame(spid, hook_body(rid, ev)))
        expect_rep_header(s)
        conns.append((s, spid))
        time.sleep(0.3)
    print(rid, flush=True)
    for s, spid in conns:
        s.settimeout(30)
        check_reply(spid, rid, read_reply(s), decision="allow")


def m_large_small(path):
    """A 4 MiB PostToolUse (its result screened for secrets and injection)
    and, right behind it on another connection, a ping: the ping must not
    wait for the large call's scanning (it runs on the server's worker)."""
    d = json.load(open(os.path.join(PAYLOADS, "PostToolUse.Read.json")))
    line = "setting_%d = the quick brown fox jumps over the lazy dog\n"
    d["tool_response"]["file"]["content"] = "".join(line % i for i in range(70000))
    ev = json.dumps(d).encode()
    a = connect(path, timeout=60)
    rid, spid = new_rid(), new_spid()
    t0 = time.monotonic()
    a.sendall(REQ_HDR + frame(spid, hook_body(rid, ev)))
    b = connect(path)
    ping = frame(new_spid(), b"AIRLOCK-PING 1 " + b"0" * 32 + b" -\n")
    tb = time.monotonic()
    b.sendall(REQ_HDR + ping)
    expect_rep_header(b)
    read_reply(b)
    small = time.monotonic() - tb
    expect_rep_header(a)
    check_reply(spid, rid, read_reply(a), decision=None)
    large = time.monotonic() - t0
    print("large %.1f ms, ping behind it %.1f ms" % (large * 1e3, small * 1e3))
    if large < 0.02:
        raise Fail("the large call took %.1f ms: too fast to tell" % (large * 1e3))
    if small > large / 2:
        raise Fail("the ping waited %.1f ms behind a %.1f ms call" % (small * 1e3, large * 1e3))


def m_large_gone(path, tag):
    """A 4 MiB Write the policy holds (outside the project), sent and the
    connection closed at once: the daemon sees the hang-up while its
    worker is still handling the call."""
    d = json.load(open(os.path.join(PAYLOADS, "PreToolUse.Write.json")))
    d["tool_input"]["file_path"] = "/nonexistent-airlock-test/hs/%s.txt" % tag
    d["tool_input"]["content"] = "x" * (4 * 1024 * 1024)
    s = connect(path)
    s.sendall(REQ_HDR + frame(new_spid(), hook_body(new_rid(), json.dumps(d).encode())))
    s.close()


def m_storm(path):
    """200 connections at once, each left with garbage or a partial
    message; a normal request is answered meanwhile; then all close."""
    partial = frame(new_spid(), b"x" * 96)
    junk = [b"", REQ_HDR, REQ_HDR[:3], b"garbage!", REQ_HDR + partial[:5],
            REQ_HDR + partial[:30], PUB_HDR, b"\x00" * 64]
    conns = []
    for i in range(200):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(path)
        if junk[i % len(junk)]:
            c.sendall(junk[i % len(junk)])
        conns.append(c)
    s = connect(path)
    s.sendall(REQ_HDR)
    expect_rep_header(s)
    request(s)
    s.close()
    for c in conns:
        c.close()


def m_stale(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()


MODES = {"single": m_single, "ping": m_ping, "pipelined": m_pipelined,
         "trickle": m_trickle, "sequential": m_sequential,
         "backtoback": m_backtoback, "flood": m_flood, "noread": m_noread, "bad": m_bad, "maxframe": m_maxframe,
         "hold": m_hold, "storm": m_storm, "stale": m_stale,
         "dup-decided": m_dup_decided,
         "dup-new": lambda path: m_dup_decided(path, "new"), "dup-pending": m_dup_pending,
         "large-small": m_large_small, "large-gone": m_large_gone}
try:
    MODES[sys.argv[1]](*sys.argv[2:])
except (Fail, OSError, ValueError) as e:
    print("spc %s: %s: %s" % (" ".join(sys.argv[1:2] + sys.argv[3:]),
                               type(e).__name__, e), file=sys.stderr)
    sys.exit(1)
PY

spc() { python3 "$SPC" "$1" "$sock" "${@:2}"; }

# A real airlock-hook with a real read-only event: allowed.
hook_allows() {
	[ "$(event "$PAYLOADS/PreToolUse.Read.json" |
		timeout 15 "$BIN/airlock-hook" --deadline 10 | decision)" = allow ]
}

fd_count() { ls "/proc/$T_DAEMON_PID/fd" | wc -l; }
fds_at_most() { [ "$(fd_count)" -le "$1" ]; }
sock_ino() { stat -c %i "$sock"; }

start_daemon --approval-timeout 60 --abandon-grace 1
check "the daemon starts" kill -0 "$T_DAEMON_PID"
check "hook.sock is srw------- (0600)" [ "$(stat -c %A "$sock")" = srw------- ]

# 1-4. Well-formed clients.
check "a raw request gets an SP reply with its id and decision" spc single
check "a ping is answered with pong" spc ping
check "header and request in one write (pipelined) are answered" spc pipelined
check "a request trickled one byte at a time is answered" spc trickle
check "two requests in turn on one connection are both answered" spc sequential
check "two requests back to back are both answered, ids matched" spc backtoback
check "20000 pings back to back, read late: all answered in order" spc flood
held_back() { n=$(spc noread) && echo "  recorded before the client read: $n of 24000" && [ "$n" -lt 24000 ]; }
check "answers left unread: the connection is not read on (bounded), then all answered" held_back
check "a frame of the largest accepted length is answered" spc maxframe

# 5. Protocol errors close the connection; hooks are served afterwards.
for c in pub-header http frame-type too-long huge short id-no-high-bit; do
	check "bad client ($c): the daemon closes the connection" spc bad "$c"
	check "bad client ($c): a hook is still served" hook_allows
done

# 6. A held request whose client goes away ends as abandoned.
tag=hs_orphan_$$
rm -f "$REL"
spc hold "$REL" "touch $tag" &
holder=$!
if wait_for 10 has_pending "$tag"; then
	pass "the held request is pending"
	# Longer than the 1 s grace: a connected client keeps it pending.
	sleep 2
	check "it stays pending while its client is connected" has_pending "$tag"
	touch "$REL"
	wait $holder
	check "the held request got no reply while held" [ $? -eq 0 ]
	check "after the client disconnects it leaves the queue" \
		wait_for 10 no_pending "$tag"
	check "it is recorded as abandoned" bash -c \
		"'$BIN/airlock' log --json | grep -F '$tag' | grep -q '\"state\":\"abandoned\"'"
else
	fail "the held request is pending"
	touch "$REL"
	wait $holder
fi
check "after an abandoned request a hook is served" hook_allows

# 4b. A large request is handled off the thread that reads the others.
check "a ping is not held up by a 4 MiB call being screened" spc large-small

abandoned() {
	"$BIN/airlock" log --json --limit 200 2>/dev/null | grep -F "$1" |
		grep -q '"state":"abandoned"'
}
tag=hs_biggone_$$
check "a large held call whose client left while it was handled" spc large-gone "$tag"
check "ends as abandoned, not waiting for the approval timeout" \
	wait_for 20 abandoned "$tag"

# 6b. A request id sent again (a hook's resend after a dropped connection).
rid=$(spc dup-decided)
check "a resent request id is answered with the record's decision" \
	[ -n "$rid" ]
rows() {
	python3 -c 'import sqlite3,sys; h=sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True); print(h.execute("select count(*) from actions where request_id=?", (sys.argv[2],)).fetchone()[0])' \
		"$AIRLOCK_HOME/state/audit.db" "$1"
}
check "and it is recorded once" [ "$(rows "$rid")" = 1 ]
rid=$(spc dup-new)
check "an id reused with the first-send flag gets the record's decision" \
	[ -n "$rid" ]
check "and is recorded once too" [ "$(rows "$rid")" = 1 ]
tag=hs_dup_$$
spc dup-pending "touch $tag" >"$AIRLOCK_HOME/dup.out" &
duper=$!
if wait_for 10 has_pending "$tag"; then
	sleep 1
	check "the duplicate joined: one pending action" \
		[ "$("$BIN/airlock" pending --json | grep -cF "$tag")" = 1 ]
	"$BIN/airlock" approve "$(pending_id "$tag")" >/dev/null
	wait $duper
	check "both connections got the approval" [ $? -eq 0 ]
	check "the held call is recorded once" \
		[ "$(rows "$(head -1 "$AIRLOCK_HOME/dup.out")")" = 1 ]
else
	fail "the held duplicate is pending"
	kill $duper 2>/dev/null
	wait $duper
fi

# 8. 200 garbage connections at once, twice; the listener is not recreated
#    (same socket file) and no descriptor is left behind.
ino=$(sock_ino)
base=$(fd_count)
for round in 1 2; do
	check "storm $round: a request is answered among 200 open garbage connections" \
		spc storm
	start=$(date +%s%N)
	check "storm $round: a hook is served after they close" hook_allows
	echo "  (served in $((($(date +%s%N) - start) / 1000000)) ms)"
done
check "the storms left the hook socket in place (not recreated)" [ "$(sock_ino)" = "$ino" ]
check "the storms leaked no descriptors (base $base, now $(fd_count))" \
	wait_for 5 fds_at_most $((base + 2))

# 7. A second daemon on the same home refuses and leaves the first alone.
out=$(timeout 15 "$BIN/airlockd" --foreground 2>&1)
rc=$?
check "a second daemon exits with an error (rc $rc)" [ $rc -ne 0 -a $rc -ne 124 ]
check "it says another airlockd is running on hook.sock" \
	grep -qF "$sock: another airlockd is running" <<<"$out"
check "the first daemon's socket file is untouched" [ "$(sock_ino)" = "$ino" ]
check "the first daemon still serves hooks" hook_allows

# 7. A stale socket file (bound, then closed) does not stop a new daemon.
stop_daemon
check "a clean stop removes hook.sock" [ ! -e "$sock" ]
spc stale
check "a stale socket file is at the path" [ -S "$sock" ]
start_daemon --approval-timeout 60 --abandon-grace 1
check "a daemon starts over the stale socket" kill -0 "$T_DAEMON_PID"
check "it serves hooks" hook_allows
check "its hook.sock is srw------- (0600)" [ "$(stat -c %A "$sock")" = srw------- ]

# No sanitizer report from any daemon of this run.
stop_daemon
check "no sanitizer report in the daemon log" bash -c \
	"! grep -E 'AddressSanitizer|LeakSanitizer|runtime error' '$AIRLOCK_HOME/daemon.log'"

finish
