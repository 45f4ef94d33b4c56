#!/usr/bin/env python3
"""Server-sent events at GET /operations-manager/events (SPEC §5 events, §9 live updates):
  * 401 without a token, 400 for an unknown topic or a bad jobId, ?token= and cookie auth;
  * an unfiltered stream sees jobStart ... taskStart/taskComplete ... jobComplete of a job, in
    order of their ids, with the documented data fields;
  * a stream filtered by jobId sees only that job (a manual job, so its id is known before it
    moves on) and none of another job that runs meanwhile; a topic filter only its topics;
  * a quiet stream gets ": keep-alive" comments (--event-heartbeat-ms);
  * closing the client unsubscribes (the server keeps serving; a new stream works)."""
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402

JOIN = "Example - Parallel Join"
MANUAL = "Example - Manual Approval"
READ_TIMEOUT_S = 20  # a safety net: a stream that never delivers fails instead of hanging


class SseClient:
    """A minimal EventSource over a raw socket: decodes the chunked body and splits events."""

    def __init__(self, port, query="", token=None, cookie=None, last_event_id=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT_S)
        target = "/operations-manager/events" + (("?" + query) if query else "")
        hdrs = "Host: t\r\nAccept: text/event-stream\r\n"
        if token:
            hdrs += "Authorization: Bearer %s\r\n" % token
        if cookie:
            hdrs += "Cookie: token=%s\r\n" % cookie
        if last_event_id is not None:
            hdrs += "Last-Event-ID: %s\r\n" % last_event_id
        self.sock.sendall(("GET %s HTTP/1.1\r\n%s\r\n" % (target, hdrs)).encode())
        self.buf = b""
        self.text = ""
        head = self._until(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.body = b""
        if self.status != 200:
            n = int(self.headers.get("content-length", "0"))
            while len(self.buf) < n:
                self._fill()
            self.body = self.buf[:n]

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the server closed the stream")
        self.buf += data

    def _until(self, sep):
        while sep not in self.buf:
            self._fill()
        head, _, self.buf = self.buf.partition(sep)
        return head

    def _chunk(self):
        size = int(self._until(b"\r\n"), 16)
        while len(self.buf) < size + 2:
            self._fill()
        data, self.buf = self.buf[:size], self.buf[size + 2:]
        if size == 0:
            raise EOFError("the stream ended")
        return data.decode()

    def next_block(self):
        """The next event block (fields up to the blank line), comments included."""
        while "\n\n" not in self.text:
            self.text += self._chunk()
        block, _, self.text = self.text.partition("\n\n")
        return block

    def next_event(self, keep_comments=False):
        """The next event as a dict {id, event, data}; comment-only blocks are skipped."""
        while True:
            block = self.next_block()
            ev = {"comments": []}
            for line in block.split("\n"):
                if line.startswith(":"):
                    ev["comments"].append(line[1:].strip())
                    continue
                k, _, v = line.partition(":")
                ev[k] = v[1:] if v.startswith(" ") else v
            if "event" in ev or (keep_comments and ev["comments"]):
                if "data" in ev:
                    ev["data"] = json.loads(ev["data"])
                return ev

    def events_until(self, pred, limit=500):
        out = []
        for _ in range(limit):
            ev = self.next_event()
            out.append(ev)
            if pred(ev):
                return out
        raise AssertionError("no matching event among %d: %r" % (limit, out[-5:]))

    def close(self):
        self.sock.close()


def test_auth_and_bad_filters(srv):
    c = SseClient(srv.port)
    check(c.status == 401, "no token: expected 401, got %d %r" % (c.status, c.body))
    c.close()
    c = SseClient(srv.port, "topic=nope", token=srv.token)
    check(c.status == 400 and b"nope" in c.body, "bad topic: %d %r" % (c.status, c.body))
    c.close()
    c = SseClient(srv.port, "jobId=xyz", token=srv.token)
    check(c.status == 400, "bad jobId: %d %r" % (c.status, c.body))
    c.close()
    for kind, client in (("query", lambda: SseClient(srv.port, "token=" + urllib.parse.quote(srv.token))),
                         ("cookie", lambda: SseClient(srv.port, cookie=srv.token))):
        c = client()
        check(c.status == 200, "%s auth: %d %r" % (kind, c.status, c.body))
        check(c.headers.get("content-type", "").startswith("text/event-stream"),
              "content type: %r" % c.headers)
        check(c.headers.get("cache-control") == "no-cache", "cache-control: %r" % c.headers)
        c.close()
    print("auth and filters: ok", flush=True)


def test_follow_a_job(srv):
    c = SseClient(srv.port, token=srv.token)
    check(c.status == 200, "open: %d %r" % (c.status, c.body))
    job = srv.start_job_id(JOIN, {"prefix": "p", "items": [1, 2, 3]})
    evs = [e for e in c.events_until(lambda e: e["data"]["jobId"] == job and e["event"] in
                                     ("jobComplete", "jobError"))
           if e["data"]["jobId"] == job]
    topics = [e["event"] for e in evs]
    check(topics[0] == "jobStart", "first event of the job: %r" % topics)
    check(topics[-1] == "jobComplete", "last event of the job: %r" % topics)
    check("taskStart" in topics and "taskComplete" in topics, "task events: %r" % topics)
    ids = [seq_of(e) for e in evs]
    check(ids == sorted(ids) and len(set(ids)) == len(ids), "ids not increasing: %r" % ids)
    for e in evs:
        d = e["data"]
        check(d["topic"] == e["event"] and d["workflow"] == JOIN and d["seq"] == seq_of(e),
              "data fields: %r" % d)
        check(d["time"].endswith("Z") and "T" in d["time"], "time: %r" % d)
        if d["topic"].startswith("task"):
            check(d.get("taskId") and d.get("taskName"), "task fields: %r" % d)
        if d["topic"] == "taskComplete":
            check(d.get("finishState") in ("success", "failure", "error"), "finishState: %r" % d)
    check(evs[-1]["data"]["status"] == "complete", "jobComplete status: %r" % evs[-1])
    c.close()
    print("follow a job: %d events %s" % (len(evs), topics), flush=True)


def test_filters(srv):
    manual = srv.start_job_id(MANUAL, {"change": "reload r1"})
    by_job = SseClient(srv.port, "jobId=%s" % manual, token=srv.token)
    by_topic = SseClient(srv.port, "topic=jobComplete&topic=jobError", token=srv.token)
    check(by_job.status == 200 and by_topic.status == 200, "open filtered streams")
    other = srv.start_job_id(JOIN, {"prefix": "q", "items": [1]})
    srv.wait_job(other)
    r = srv.finish_task(manual, "m001", {"comment": "ok"})
    check(r.status == 200, "finish: %r" % r)
    evs = by_job.events_until(lambda e: e["event"] in ("jobComplete", "jobError"))
    bad = [e for e in evs if e["data"]["jobId"] != manual]
    check(not bad, "the jobId filter let other jobs through: %r" % bad)
    check(evs[-1]["event"] == "jobComplete", "manual job ended: %r" % evs[-1])
    check(any(e["event"] == "taskComplete" and e["data"]["taskId"] == "m001" for e in evs),
          "the manual task's completion: %r" % [e["event"] for e in evs])
    seen = set()
    while seen != {other, manual}:
        e = by_topic.next_event()
        check(e["event"] in ("jobComplete", "jobError"), "the topic filter let %s through" % e["event"])
        seen.add(e["data"]["jobId"])
    by_job.close()
    by_topic.close()
    print("filters: ok", flush=True)


def seq_of(ev):
    """Event ids are "<epoch>-<seq>" (the epoch tells a restarted server's ids apart)."""
    epoch, _, seq = ev["id"].partition("-")
    check(epoch.isdigit() and seq.isdigit(), "event id: %r" % ev["id"])
    return int(seq)


def job_events(client, job):
    """The events of `job` up to and including its jobComplete/jobError."""
    return [e for e in client.events_until(lambda e: e["data"]["jobId"] == job and
                                           e["event"] in ("jobComplete", "jobError"))
            if e["data"]["jobId"] == job]


def test_replay(srv):
    """A client that reconnects with Last-Event-ID (as EventSource does) gets what it missed,
    task events included, even when nothing listened meanwhile; an id it cannot resume from
    gets `event: reset` first."""
    c = SseClient(srv.port, token=srv.token)
    job = srv.start_job_id(JOIN, {"prefix": "r", "items": [1, 2]})
    seen = job_events(c, job)
    c.close()
    # Resume from the job's first event: the rest again, the same ids in the same order.
    again = SseClient(srv.port, token=srv.token, last_event_id=seen[0]["id"])
    replayed = job_events(again, job)
    again.close()
    check([e["id"] for e in replayed] == [e["id"] for e in seen[1:]],
          "replay: %r vs %r" % ([e["id"] for e in replayed], [e["id"] for e in seen[1:]]))
    # A job that starts and ends while no stream is open.
    other = srv.start_job_id(JOIN, {"prefix": "s", "items": [1]})
    srv.wait_job(other)
    back = SseClient(srv.port, token=srv.token, last_event_id=seen[-1]["id"])
    missed = job_events(back, other)
    back.close()
    topics = [e["event"] for e in missed]
    check(topics[0] == "jobStart" and topics[-1] == "jobComplete" and "taskComplete" in topics,
          "events missed while disconnected: %r" % topics)
    for bad in ("garbage", "1-5", seen[0]["id"].split("-")[0] + "-999999999"):
        r = SseClient(srv.port, token=srv.token, last_event_id=bad)
        first = r.next_event()
        r.close()
        check(first["event"] == "reset" and "no longer available" in first["data"]["message"],
              "Last-Event-ID %r: %r" % (bad, first))
    print("replay: ok (%d events replayed)" % len(replayed), flush=True)


def test_follow_a_tree(srv):
    """`jobId=<root>` follows the root's children and grandchildren too. The root waits for a
    person first, so the stream is open before its tree starts."""
    import child_jobs as cj  # its workflow builders
    leaf = cj.workflow("ev-tree-leaf", {}, [])
    child = cj.workflow("ev-tree-child", {"cj": cj.child_job("ev-tree-leaf")}, ["cj"])
    root = cj.workflow("ev-tree-root", {"m1": cj.WAIT["tasks"]["m1"],
                                        "cj": cj.child_job("ev-tree-child")}, ["m1", "cj"])
    for doc in (leaf, child, root):
        r = srv.request("POST", "/automation-studio/automations/import", {"automations": [doc]})
        check(r.status == 200, "import %s: %r" % (doc["name"], r))
    job = srv.start_job_id("ev-tree-root", {"n": "tree"})
    c = SseClient(srv.port, "jobId=%s&topic=jobComplete" % job, token=srv.token)
    r = srv.finish_task(job, "m1", {})
    check(r.status == 200, "finish: %r" % r)
    evs = c.events_until(lambda e: e["data"]["jobId"] == job)
    c.close()
    workflows = [e["data"]["workflow"] for e in evs]
    check(workflows == ["ev-tree-leaf", "ev-tree-child", "ev-tree-root"],
          "the tree's completions: %r" % workflows)
    print("follow a tree: ok", flush=True)


def test_sla_breach(srv):
    """A job that completes later than its workflow's `sla` (ms) publishes jobSlaBreach with
    runTime and slaDelta, just before jobComplete; one within its SLA does not. The workflow
    waits 0.3 s in a delay task, so the 1 ms SLA is always overrun."""
    with open(os.path.join(ic.TESTS_DIR, "fixtures", "itest-delay.json")) as f:
        doc = json.load(f)
    for name, sla in (("events-sla-1ms", 1), ("events-sla-1h", 3600000)):
        doc.update({"name": name, "sla": sla})
        r = srv.request("POST", "/automation-studio/automations/import", {"automations": [doc]})
        check(r.status == 200, "import %s: %r" % (name, r))
    for name, breach in (("events-sla-1ms", True), ("events-sla-1h", False)):
        c = SseClient(srv.port, "topic=jobSlaBreach&topic=jobComplete", token=srv.token)
        check(c.status == 200, "open: %r" % c.status)
        job = srv.start_job_id(name, {"tag": "sla"})
        evs = [e for e in c.events_until(lambda e: e["event"] == "jobComplete" and
                                         e["data"]["jobId"] == job)
               if e["data"]["jobId"] == job]
        c.close()
        topics = [e["event"] for e in evs]
        if not breach:
            check(topics == ["jobComplete"], "%s: %r" % (name, topics))
            continue
        check(topics == ["jobSlaBreach", "jobComplete"], "%s: %r" % (name, topics))
        d = evs[0]["data"]
        check(d["runTime"] >= 300 and d["slaDelta"] == d["runTime"] - 1, "breach fields: %r" % d)
    print("SLA breach: ok", flush=True)


def login_as(srv, user, password):
    r = srv.post_login(user, password)
    check(r.status == 200, "login %s: %r" % (user, r))
    return r.text.strip()


def test_groups(srv):
    """Non-admins see the events of jobs without groups or sharing one of their groups."""
    r = srv.request("POST", "/authorization/groups", body={"name": "ev-ops"})
    check(r.status == 200, "create group: %r" % r)
    gid = r.json()["_id"]
    for user, groups in (("evalice", ["ev-ops"]), ("evbob", [])):
        r = srv.request("POST", "/authorization/accounts",
                        body={"username": user, "password": user + "pass1", "groups": groups})
        check(r.status == 200, "create %s: %r" % (user, r))
    alice = SseClient(srv.port, "topic=jobComplete", token=login_as(srv, "evalice", "evalicepass1"))
    bob = SseClient(srv.port, "topic=jobComplete", token=login_as(srv, "evbob", "evbobpass1"))
    check(alice.status == 200 and bob.status == 200, "open: %d %d" % (alice.status, bob.status))
    in_group = srv.start_job_id(JOIN, {"prefix": "g", "items": [1]}, groups=[gid])
    srv.wait_job(in_group)
    public = srv.start_job_id(JOIN, {"prefix": "h", "items": [1]})
    e = bob.next_event()
    check(e["data"]["jobId"] == public, "evbob (no group) saw %s first, expected only %s"
          % (e["data"]["jobId"], public))
    seen = [alice.next_event()["data"]["jobId"] for _ in range(2)]
    check(seen == [in_group, public], "evalice (ev-ops) saw %r" % seen)
    # A running job given a group: its later events follow the new groups.
    waiting = srv.start_job_id(MANUAL, {"change": "regroup"})
    r = srv.request("POST", "/operations-manager/jobs/%s/groups" % waiting, body={"groupId": gid})
    check(r.status == 200, "add group: %r" % r)
    r = srv.finish_task(waiting, "m001", {"comment": "ok"})
    check(r.status == 200, "finish: %r" % r)
    srv.wait_job(waiting)
    check(alice.next_event()["data"]["jobId"] == waiting, "evalice saw the regrouped job end")
    after = srv.start_job_id(JOIN, {"prefix": "i", "items": [1]})
    e = bob.next_event()
    check(e["data"]["jobId"] == after, "evbob saw %s after the job was regrouped, expected %s"
          % (e["data"]["jobId"], after))
    alice.close()
    bob.close()
    print("groups: ok", flush=True)


def test_heartbeat_and_disconnect(srv):
    c = SseClient(srv.port, "topic=jobFix", token=srv.token)
    ev = c.next_event(keep_comments=True)
    while "keep-alive" not in ev["comments"]:
        ev = c.next_event(keep_comments=True)
    c.close()
    # many streams opened and dropped: the server keeps serving (each unsubscribed on close)
    for _ in range(20):
        SseClient(srv.port, token=srv.token).close()
    check(srv.request("GET", "/health/server", auth=False).status == 200, "still serving")
    print("heartbeat and disconnect: ok", flush=True)


def test_cli(srv, binary):
    """`opsflow events --topic jobStart --topic jobComplete` prints one line per event."""
    p = subprocess.Popen([binary, "events", "--url", srv.url,
                          "--token", srv.token, "--topic", "jobStart", "--topic", "jobComplete"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines_q = queue.Queue()

    def reader():
        for raw in p.stdout:
            lines_q.put(raw.decode().strip())
        lines_q.put(None)

    threading.Thread(target=reader, daemon=True).start()
    try:
        # the command subscribes some time after it starts: start jobs until it prints the
        # completion of one of them
        lines = []
        found = False
        for _ in range(20):
            job = srv.start_job_id(JOIN, {"prefix": "c", "items": [1]})
            deadline = time.monotonic() + 2
            while not found and time.monotonic() < deadline:
                try:
                    line = lines_q.get(timeout=0.1)
                except queue.Empty:
                    continue
                if line is None:
                    raise AssertionError("opsflow events ended: %s" % p.stderr.read().decode())
                lines.append(line)
                found = "jobComplete job=%s" % job in line
            if found:
                break
        done = [x for x in lines if "jobComplete" in x]
        check(done, "no jobComplete line from opsflow events: %r" % lines)
        check(all(" jobStart " in x or " jobComplete " in x for x in lines),
              "the topic filter: %r" % lines)
        check("status=complete" in done[-1] and JOIN in done[-1], "line: %r" % done[-1])
    finally:
        p.kill()
        p.wait()
    print("opsflow events: %s" % done[-1], flush=True)


def test_cli_reconnects(binary):
    """`opsflow events` outlives a server restart: it reconnects with Last-Event-ID, says that
    events were missed (the new process cannot replay the old one's), and goes on printing."""
    failures = []
    with ic.RestartDir(binary, "opsflow-events-cli-", failures) as rd:
        port = ic.free_port()
        rd.srv = ic.Server(binary, data_dir=rd.data_dir, port=port, log_name="first").start()
        rd.srv.import_file(os.path.join(ic.REPO_ROOT, "examples", JOIN + ".json"))
        p = subprocess.Popen([binary, "events", "--url", rd.srv.url, "--token", rd.srv.token,
                              "--topic", "jobComplete"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lines_q = queue.Queue()
        threading.Thread(target=lambda: [lines_q.put(x.decode().strip()) for x in p.stdout],
                         daemon=True).start()

        def wait_line(pred, what, starter=None):
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if starter:
                    starter()
                try:
                    line = lines_q.get(timeout=1)
                except queue.Empty:
                    continue
                if pred(line):
                    return line
            raise AssertionError("no line %s from opsflow events" % what)

        try:
            job = rd.srv.start_job_id(JOIN, {"prefix": "k", "items": [1]})
            rd.srv.wait_job(job)
            # The command subscribes some time after it starts: start jobs until one shows.
            wait_line(lambda x: "jobComplete" in x, "before the restart",
                      lambda: rd.srv.start_job_id(JOIN, {"prefix": "k", "items": [1]}))
            rd.srv.proc.send_signal(signal.SIGTERM)
            rd.srv.proc.wait(timeout=30)
            rd.srv = ic.Server(binary, data_dir=rd.data_dir, port=port, log_name="second")
            rd.srv.start()
            wait_line(lambda x: x.startswith("! events were missed"), "saying events were missed")
            job = rd.srv.start_job_id(JOIN, {"prefix": "k2", "items": [1]})
            wait_line(lambda x: "jobComplete job=%s" % job in x, "after the restart")
            check(p.poll() is None, "opsflow events exited with %s" % p.returncode)
        finally:
            p.kill()
            p.wait()
    if failures:
        raise AssertionError("; ".join(failures))
    print("opsflow events across a restart: ok", flush=True)


def test_sigterm_ends_streams(srv):
    """SIGTERM with open streams: each ends cleanly (last chunk) and the process exits 0 fast."""
    streams = [SseClient(srv.port, token=srv.token) for _ in range(3)]
    for c in streams:
        check(c.status == 200, "open: %d" % c.status)
    srv.proc.send_signal(signal.SIGTERM)
    for c in streams:
        try:
            while True:
                c.next_block()
        except EOFError as e:
            check("stream ended" in str(e), "stream closed without its last chunk: %s" % e)
        c.close()
    rc = srv.proc.wait(timeout=10)
    check(rc == 0, "exit code after SIGTERM: %s" % rc)
    print("SIGTERM with open streams: ok", flush=True)


def main():
    args = ic.arg_parser().parse_args()
    failures = []
    with ic.Server(os.path.abspath(args.binary), extra_args=["--event-heartbeat-ms", "100"]) as srv:
        srv.import_file(os.path.join(ic.REPO_ROOT, "examples", JOIN + ".json"))
        srv.import_file(os.path.join(ic.REPO_ROOT, "examples", MANUAL + ".json"))
        for t in (test_auth_and_bad_filters, test_follow_a_job, test_follow_a_tree, test_filters,
                  test_replay, test_sla_breach, test_groups, test_heartbeat_and_disconnect):
            try:
                t(srv)
            except (AssertionError, OSError, EOFError, ValueError, KeyError) as e:
                failures.append("%s: %s: %s" % (t.__name__, type(e).__name__, e))
        try:
            test_cli(srv, os.path.abspath(args.binary))
        except (AssertionError, OSError, ValueError) as e:
            failures.append("test_cli: %s: %s" % (type(e).__name__, e))
        try:
            test_cli_reconnects(os.path.abspath(args.binary))
        except (AssertionError, OSError, ValueError, RuntimeError) as e:
            failures.append("test_cli_reconnects: %s: %s" % (type(e).__name__, e))
        try:
            test_sigterm_ends_streams(srv)
        except (AssertionError, OSError, EOFError, subprocess.TimeoutExpired) as e:
            failures.append("test_sigterm_ends_streams: %s: %s" % (type(e).__name__, e))
        if failures:
            print("--- server log (tail) ---\n" + srv.log_tail())
    return ic.report("events_stream", failures)


if __name__ == "__main__":
    sys.exit(main())
