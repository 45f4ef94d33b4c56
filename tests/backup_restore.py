#!/usr/bin/env python3
"""`opsflow backup` / `opsflow restore` (README "Backup and restore"):
  * a backup taken while jobs are being started (4 client threads) holds every job whose start
    was acknowledged before the backup began; restored into a fresh data dir (with the secret
    key copied, as the message says), the server finds them all and runs the unfinished ones to
    completion;
  * backup refuses an existing target file and a data dir without a store; restore refuses a
    data dir a server runs on, an existing store without --force (with --force it keeps the old
    one beside), and a file that is not a store."""
import os
import shutil
import signal
import subprocess
import sys
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itest_common as ic  # noqa: E402
from itest_common import check  # noqa: E402

WORKFLOW = "bench-seq10"
THREADS = 4
ACKS_BEFORE_BACKUP = 60
ACKS_AFTER_BACKUP = 20


def cli(binary, *args):
    p = subprocess.run([binary] + list(args), capture_output=True, timeout=120)
    return p.returncode, (p.stdout + p.stderr).decode()


class Load:
    """Starts jobs from THREADS threads until stopped; `acked` lists ids in acknowledgement order."""

    def __init__(self, srv):
        self.srv = srv
        self.acked = []
        self.errors = []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(t,)) for t in range(THREADS)]

    def run(self, t):
        i = 0
        while not self.stop.is_set():
            i += 1
            try:
                r = self.srv.start_job(WORKFLOW, {"host": "t%d-%d" % (t, i), "items": [1, 2]})
            except OSError as e:
                with self.lock:
                    self.errors.append(str(e))
                continue
            with self.cond:
                if r.status == 200:
                    self.acked.append(r.json()["data"]["_id"])
                    self.cond.notify_all()
                else:
                    self.errors.append("%r" % r)

    def wait_acks(self, n):
        with self.cond:
            ok = self.cond.wait_for(lambda: len(self.acked) >= n or self.errors, timeout=60)
            check(ok and not self.errors, "load: %d acked, errors %r" % (len(self.acked), self.errors[:3]))

    def snapshot(self):
        with self.lock:
            return list(self.acked)

    def __enter__(self):
        for th in self.threads:
            th.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for th in self.threads:
            th.join()
        return False


def main():
    args = ic.arg_parser().parse_args()
    binary = os.path.abspath(args.binary)
    failures = []
    with ic.RestartDir(binary, "opsflow-backup-", failures) as rd:
        srv = rd.start("source")
        srv.import_file(os.path.join(ic.REPO_ROOT, "examples", "bench-seq10.json"))
        backup = os.path.join(rd.root, "store.backup")
        with Load(srv) as load:
            load.wait_acks(ACKS_BEFORE_BACKUP)
            before = load.snapshot()  # acknowledged before the backup starts
            rc, out = cli(binary, "backup", "--data", rd.data_dir, "--to", backup)
            check(rc == 0, "backup under load: rc %d %s" % (rc, out))
            check("secret key is not in the backup" in out and "secret.key" in out,
                  "backup names where the key lives: %s" % out)
            load.wait_acks(len(before) + ACKS_AFTER_BACKUP)
        acked = load.snapshot()
        print("acknowledged: %d before the backup, %d in all" % (len(before), len(acked)))

        rc, out = cli(binary, "backup", "--data", rd.data_dir, "--to", backup)
        check(rc == 1 and "exists" in out, "backup over an existing file: rc %d %s" % (rc, out))
        rc, out = cli(binary, "backup", "--data", os.path.join(rd.root, "nothing"), "--to",
                      os.path.join(rd.root, "x.backup"))
        check(rc == 1 and "no opsflow store" in out, "backup without a store: rc %d %s" % (rc, out))
        rc, out = cli(binary, "restore", "--from", backup, "--data", rd.data_dir, "--force")
        check(rc == 1 and "running" in out, "restore onto a running server: rc %d %s" % (rc, out))
        srv.proc.send_signal(signal.SIGTERM)
        srv.proc.wait(timeout=30)

        # Restore into a fresh data dir; the secret key travels separately.
        target = os.path.join(rd.root, "restored")
        rc, out = cli(binary, "restore", "--from", backup, "--data", target)
        check(rc == 0 and "secret key" in out, "restore: rc %d %s" % (rc, out))
        shutil.copy2(os.path.join(rd.data_dir, "secret.key"), os.path.join(target, "secret.key"))
        os.chmod(os.path.join(target, "secret.key"), 0o600)
        rc, out = cli(binary, "restore", "--from", backup, "--data", target)
        check(rc == 1 and "--force" in out, "restore over a store without --force: %s" % out)
        bogus = os.path.join(rd.root, "bogus.backup")
        with open(bogus, "wb") as f:
            f.write(b"not a database" * 100)
        rc, out = cli(binary, "restore", "--from", bogus, "--data", os.path.join(rd.root, "b2"))
        check(rc == 1 and "bogus.backup" in out, "restore of a non-store: rc %d %s" % (rc, out))

        rd.srv = ic.Server(binary, data_dir=os.path.join(target), log_name="restored")
        restored = rd.srv.start()
        total = restored.job_count()
        check(len(before) <= total <= len(acked),
              "restored store has %d jobs; %d acked before, %d in all" % (total, len(before), len(acked)))
        missing, not_complete = [], []
        for job in before:
            r = restored.request("GET", "/operations-manager/jobs/%s" % job)
            if r.status != 200:
                missing.append(job)
                continue
            doc = restored.wait_job_data(job)
            if doc["status"] != "complete":
                not_complete.append((job, doc["status"]))
        check(not missing, "%d jobs acknowledged before the backup are missing: %s"
              % (len(missing), missing[:5]))
        check(not not_complete, "jobs not complete after the restore: %s" % not_complete[:5])
        print("restored: %d jobs, all %d acknowledged before the backup found and complete"
              % (total, len(before)))
        restored.kill(signal.SIGTERM)

        rc, out = cli(binary, "restore", "--from", backup, "--data", target, "--force")
        check(rc == 0 and "moved to" in out, "restore --force: rc %d %s" % (rc, out))
        aside = [n for n in os.listdir(target) if n.startswith("opsflow.db.before-restore-")]
        check(aside, "the replaced store was not kept: %s" % os.listdir(target))
    return ic.report("backup_restore", failures)


if __name__ == "__main__":
    sys.exit(main())
