"""A throwaway PostgreSQL 15 primary with a synchronous standby, for the failover suite
(tests/pg_failover.py; docs/DEPLOY.md "PostgreSQL high availability").

`with PgHa() as ha:` runs initdb for the primary (127.0.0.1 only, trust authentication on
loopback, synchronous_commit=on, synchronous_standby_names='standby1'), copies it with
`pg_basebackup -R` into a standby (cluster_name=standby1, so it connects as the synchronous
standby), starts both on free loopback ports and waits until the primary reports the standby
`sync`. `ha.url` is the multi-host URI with target_session_attrs=read-write; `kill_primary()`
SIGKILLs the primary's postmaster and then its remaining processes (a dead machine: nothing
answers on its port any more); `promote()` runs `pg_ctl promote` on the standby, as Patroni
would. Both servers are stopped and the folder removed when the block ends, whatever happens
(also on an exception; OPSFLOW_ITEST_KEEP keeps the folder).

As root the servers run as the `postgres` system user (PostgreSQL refuses root) in a folder it
owns. fsync is off unless OPSFLOW_PG_DURABLE=1: the test kills processes, not the machine, so
the page cache survives; what a commit's acknowledgement waits for is the standby's report that
it has the commit record (synchronous replication), which fsync=off does not change.
Raises Missing when PostgreSQL 15 is not installed (suites exit 77: skipped)."""
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

PGBIN = os.environ.get("OPSFLOW_PG_BIN", "/usr/lib/postgresql/15/bin")


class Missing(Exception):
    """PostgreSQL 15 (initdb, pg_ctl, pg_basebackup) is not installed."""


def _free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class PgHa:
    def __init__(self, keep=False):
        for tool in ("initdb", "pg_ctl", "pg_basebackup", "psql"):
            if not os.access(os.path.join(PGBIN, tool), os.X_OK):
                raise Missing("%s/%s not found: install postgresql-15 (scripts/setup)"
                              % (PGBIN, tool))
        self.keep = keep
        self.as_user = []
        self.uid = None
        if os.getuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root but there is no postgres system user")
            self.as_user = ["runuser", "-u", "postgres", "--"]
            self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self.root = tempfile.mkdtemp(prefix="opsflow-pgha-")
        if self.uid is not None:
            os.chown(self.root, self.uid, self.gid)
        os.chmod(self.root, 0o700)
        self.primary = os.path.join(self.root, "primary")
        self.standby = os.path.join(self.root, "standby")
        self.ports = {}
        self.primary_killed_at = None

    # -- helpers -----------------------------------------------------------
    def _run(self, args, log=None, check=True, timeout=120):
        cmd = self.as_user + [os.path.join(PGBIN, args[0])] + list(args[1:])
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=timeout, cwd=self.root)
        text = out.stdout.decode("utf-8", "replace")
        if log:
            with open(os.path.join(self.root, log), "a") as f:
                f.write(text)
        if check and out.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), out.returncode, text[-2000:]))
        return text

    def _options(self, port, extra=""):
        sync = "" if os.environ.get("OPSFLOW_PG_DURABLE") == "1" else \
            " -c fsync=off -c full_page_writes=off"
        return ("-c listen_addresses=127.0.0.1 -p %d -k %s -c max_connections=200%s %s"
                % (port, self.root, sync, extra))

    def _start(self, data, name, extra):
        for attempt in range(5):
            port = _free_port()
            try:
                self._run(["pg_ctl", "-D", data, "-l", os.path.join(self.root, name + ".log"),
                           "-w", "-t", "60", "start", "-o", self._options(port, extra)])
                self.ports[name] = port
                return port
            except RuntimeError:
                if attempt == 4:
                    raise

    def psql(self, name, sql):
        """The text result (unaligned, tuples only) of `sql` on server `name`."""
        return self._run(["psql", "-X", "-A", "-t", "-h", "127.0.0.1", "-p", str(self.ports[name]),
                          "-U", "postgres", "-d", "postgres", "-c", sql]).strip()

    # -- the pair --------------------------------------------------------------
    def start(self):
        self._run(["initdb", "-D", self.primary, "-U", "postgres", "--auth=trust",
                   "--encoding=UTF8", "--locale=C.UTF-8"], log="initdb.log")
        self._start(self.primary, "primary",
                    "-c synchronous_commit=on -c synchronous_standby_names=standby1 "
                    "-c wal_level=replica -c max_wal_senders=5")
        self._run(["pg_basebackup", "-h", "127.0.0.1", "-p", str(self.ports["primary"]),
                   "-U", "postgres", "-D", self.standby, "-R", "-X", "stream", "-c", "fast"],
                  log="basebackup.log")
        self._start(self.standby, "standby", "-c cluster_name=standby1 -c hot_standby=on")
        deadline = time.monotonic() + 60
        while self.psql("primary", "SELECT sync_state FROM pg_stat_replication "
                                   "WHERE application_name='standby1'") != "sync":
            if time.monotonic() > deadline:
                raise RuntimeError("the standby did not become synchronous")
            time.sleep(0.1)
        return self

    @property
    def url(self):
        return ("postgresql://postgres@127.0.0.1:%d,127.0.0.1:%d/postgres"
                "?target_session_attrs=read-write&connect_timeout=5"
                % (self.ports["primary"], self.ports["standby"]))

    def _postmaster(self, data):
        try:
            with open(os.path.join(data, "postmaster.pid")) as f:
                lines = f.read().splitlines()
            return int(lines[0]), lines
        except (OSError, ValueError, IndexError):
            return None, []

    def _children(self, pid):
        out = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    stat = f.read()
                if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                    out.append(int(d))
            except (OSError, ValueError):
                pass
        return out

    def _kill_tree(self, data):
        pid, lines = self._postmaster(data)
        if pid is None:
            return None
        kids = self._children(pid)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        when = time.time()
        for k in kids:
            try:
                os.kill(k, signal.SIGKILL)
            except ProcessLookupError:
                pass
        # The SysV segment a killed postmaster leaves behind (postmaster.pid line 7: key id).
        if len(lines) >= 7 and len(lines[6].split()) == 2:
            subprocess.run(["ipcrm", "-m", lines[6].split()[1]], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        return when

    def kill_primary(self):
        """SIGKILLs the primary's postmaster, then its other processes; the wall time (s)."""
        self.primary_killed_at = self._kill_tree(self.primary)
        return self.primary_killed_at

    def promote(self):
        self._run(["pg_ctl", "-D", self.standby, "-w", "-t", "60", "promote"])

    def stop(self):
        for data in (self.standby, self.primary):
            pid, _ = self._postmaster(data)
            if pid is None:
                continue
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            self._run(["pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "30", "stop"],
                      check=False)
            if self._postmaster(data)[0] is not None:
                self._kill_tree(data)

    def log_tail(self, name, n=3000):
        try:
            with open(os.path.join(self.root, name + ".log"), "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            if not self.keep:
                shutil.rmtree(self.root, ignore_errors=True)
        return False
