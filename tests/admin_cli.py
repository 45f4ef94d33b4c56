#!/usr/bin/env python3
"""The `opsflow user` and `opsflow group` commands against a real server: add, list, passwd,
del, unlock; group names resolved to ids; one-sentence errors with a non-zero exit; non-admins
refused; the last admin protected. Login throttling (issue 9 item 7): failures from one address
delay that address, not the account elsewhere (a login from another loopback address), and
`opsflow user unlock` clears the delay."""
import http.client
import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402

OID = re.compile(r"^[0-9a-f]{24}$")


class Cli:
    def __init__(self, binary, srv):
        self.binary = binary
        self.srv = srv

    def run(self, *args, user=ic.ADMIN_USER, password=ic.ADMIN_PASSWORD, env_extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPSFLOW_")}
        env["OPSFLOW_URL"] = self.srv.url
        if user is not None:
            env["OPSFLOW_USER"] = user
            env["OPSFLOW_PASSWORD"] = password
        env.update(env_extra or {})
        p = subprocess.run([self.binary] + list(args), env=env, capture_output=True, text=True,
                           timeout=60)
        return p.returncode, p.stdout, p.stderr

    def ok(self, *args, **kw):
        rc, out, err = self.run(*args, **kw)
        check(rc == 0, "%s: exit %d, stderr %r" % (" ".join(args), rc, err))
        return out

    def fails(self, rc_want, pattern, *args, **kw):
        rc, out, err = self.run(*args, **kw)
        check(rc == rc_want, "%s: expected exit %d, got %d (stdout %r, stderr %r)"
              % (" ".join(args), rc_want, rc, out, err))
        check(err.strip().count("\n") == 0, "%s: error is not one line: %r" % (" ".join(args), err))
        check(re.search(pattern, err), "%s: stderr %r does not match /%s/" % (" ".join(args), err, pattern))


def login_status(srv, user, password):
    return srv.request("POST", "/login", body={"username": user, "password": password},
                       auth=False).status


def login_from(srv, source, user, password):
    """POST /login from the local address `source` (any 127.x.y.z works on loopback)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30,
                                      source_address=(source, 0))
    try:
        conn.request("POST", "/login", body=json.dumps({"username": user, "password": password}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        return r.status, r.getheader("Retry-After"), r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def check_unlock(cli, srv):
    cli.ok("user", "add", "erin", "--password", "erinpass1")
    for _ in range(5):
        status, _, body = login_from(srv, "127.0.0.9", "erin", "wrongpass")
        check(status == 401, "wrong password: %d %s" % (status, body))
    status, retry, body = login_from(srv, "127.0.0.9", "erin", "erinpass1")
    check(status == 429, "right password from the failing address: %d %s" % (status, body))
    check(retry is not None and 590 <= int(retry) <= 600, "Retry-After %r" % retry)
    check("too many failed logins; try again in" in body, "429 message: %s" % body)
    # No account lockout: another address that has not been failing logs in at once.
    status, _, body = login_from(srv, "127.0.0.10", "erin", "erinpass1")
    check(status == 200, "right password from another address: %d %s" % (status, body))
    out = cli.ok("user", "unlock", "erin")
    check("cleared the failed logins of 'erin' (1 address)" in out, "unlock output: %r" % out)
    status, _, body = login_from(srv, "127.0.0.9", "erin", "erinpass1")
    check(status == 200, "after unlock: %d %s" % (status, body))
    out = cli.ok("user", "unlock", "erin")
    check("(0 addresses)" in out, "second unlock: %r" % out)
    cli.fails(1, "no user 'nobody'", "user", "unlock", "nobody")
    cli.fails(1, "not an admin", "user", "unlock", "erin", user="erin", password="erinpass1")
    cli.fails(2, "USERNAME", "user", "unlock")
    cli.ok("user", "del", "erin")


def main():
    args = ic.arg_parser().parse_args()
    binary = os.path.abspath(args.binary)
    with ic.Server(binary, extra_args=["--login-delay-ms", "600000"]) as srv:
        cli = Cli(binary, srv)
        check_unlock(cli, srv)

        gid = cli.ok("group", "add", "ops", "--description", "Operators").strip()
        check(OID.match(gid), "group add printed %r, not an ObjectId" % gid)
        r = srv.request("GET", "/authorization/groups/" + gid)
        check(r.status == 200 and r.json()["description"] == "Operators", "group: %r" % r)
        cli.fails(1, "already exists", "group", "add", "ops")

        aid = cli.ok("user", "add", "alice", "--password", "alicepass1", "--group", "ops").strip()
        check(OID.match(aid), "user add printed %r" % aid)
        r = srv.request("GET", "/authorization/accounts/" + aid)
        check(r.status == 200, "get alice: %r" % r)
        check([g["_id"] for g in r.json()["groups"]] == [gid], "alice's groups: %r" % r)
        check(r.json()["admin"] is False, "alice is not an admin: %r" % r)
        bid = cli.ok("user", "add", "bob", "--password", "bobpass123", "--admin").strip()
        check(srv.request("GET", "/authorization/accounts/" + bid).json()["admin"] is True, "bob admin")
        cli.fails(1, "no group 'nope'", "user", "add", "carol", "--password", "carolpass1",
                  "--group", "nope")
        cli.fails(1, "already exists", "user", "add", "alice", "--password", "alicepass1")
        cli.fails(1, "password", "user", "add", "carol", "--password", "short")
        cli.fails(2, "--password", "user", "add", "carol")
        cli.fails(2, "USERNAME", "user", "del")
        cli.fails(2, "", "user", "frobnicate", "x")

        out = cli.ok("user", "list")
        check(re.search(r"alice\s+groups=ops", out), "user list: %r" % out)
        check(re.search(r"bob\s+admin", out), "user list: %r" % out)
        out = cli.ok("group", "list")
        check(gid in out and "ops" in out and "Operators" in out, "group list: %r" % out)
        # --login-password logs in when --password names the account's password.
        out = cli.ok("user", "list", "--user", ic.ADMIN_USER, "--login-password", ic.ADMIN_PASSWORD,
                     user=None)
        check("alice" in out, "user list with --login-password: %r" % out)

        check(login_status(srv, "alice", "alicepass1") == 200, "alice logs in")
        out = cli.ok("user", "passwd", "alice", "--password", "alicepass2")
        check("alice" in out, "passwd output: %r" % out)
        check(login_status(srv, "alice", "alicepass1") == 401, "old password refused")
        check(login_status(srv, "alice", "alicepass2") == 200, "new password accepted")
        cli.fails(1, "no user 'nobody'", "user", "passwd", "nobody", "--password", "whatever1")

        # A non-admin is refused with the server's reason.
        cli.fails(1, "not an admin", "group", "add", "x", user="alice", password="alicepass2")
        cli.fails(1, "not an admin", "user", "list", user="alice", password="alicepass2")

        cli.ok("user", "del", "alice")
        check(login_status(srv, "alice", "alicepass2") == 401, "deleted user cannot log in")
        cli.fails(1, "no user 'alice'", "user", "del", "alice")

        # The last admin is protected.
        cli.ok("user", "del", "bob")
        cli.fails(1, "last admin", "user", "del", ic.ADMIN_USER)

        cli.ok("group", "del", "ops")
        check(srv.request("GET", "/authorization/groups/" + gid).status == 404, "group deleted")
        cli.fails(1, "no group 'ops'", "group", "del", "ops")
    print("admin_cli: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
