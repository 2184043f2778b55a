#!/usr/bin/env python3
"""Orchestra agent: pulls this server's configuration for Orchestra's registry backends and applies it.

One file, Python 3 standard library only. Configuration (JSON, readable by root only):
  {"url": "https://orchestra.example.net", "token": "oag_…", "state_dir": "/var/lib/orchestra-agent",
   "wait": 25, "backoff_max": 60}
Loop: long-poll GET /api/agent/v1/config (If-None-Match: the last version), apply each backend's files
(write beside, swap in, test; restore the previous files when the test fails, else reload), POST the
results to /api/agent/v1/reports. When Orchestra cannot be reached nothing on the server changes: the
last applied configuration keeps being served, and the agent retries with exponential backoff.
"""
import argparse
import html
import json
import os
import random
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

VERSION = "1.0"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
running = True


def log(message):
    sys.stderr.write("%s orchestra-agent: %s\n" % (datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), message))
    sys.stderr.flush()


def now_iso():
    return datetime.now(timezone.utc).isoformat()


def read_json(path, default):
    try:
        with open(path, "r", encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def write_atomic(path, data, mode=0o644):
    """Write beside the file (a hidden name no include pattern matches), fsync, then rename over it."""
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, ".%s.orchestra-new" % name)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def run(argv, timeout=120):
    if not argv:
        return True, ""
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode == 0, p.stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, "%s: %s" % (argv[0], e)


def restore(directory, previous):
    for name, old in previous.items():
        path = os.path.join(directory, name)
        if old is None:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        else:
            write_atomic(path, old)


def apply_backend(spec):
    """Apply one backend's files; returns its result for the report."""
    name = spec.get("backend", "?")
    started = now_iso()

    def result(state, output, objects):
        return {"backend": name, "state": state, "output": output[-60000:], "startedAt": started, "finishedAt": now_iso(), "objects": objects}

    if "error" in spec:
        return result("ERROR", "Orchestra could not render this configuration; the files on the server were left as they are: %s" % spec["error"], [])
    directory, prefix, suffix = spec["directory"], spec["prefix"], spec["suffix"]
    files = spec.get("files", {})
    if not prefix or not os.path.isabs(directory):
        return result("ERROR", "refusing a configuration without a file prefix or with a relative directory", [])
    for file_name in files:
        if not SAFE_NAME.match(file_name) or not file_name.startswith(prefix) or not file_name.endswith(suffix):
            return result("ERROR", "refusing the file name %r (not a plain name with the managed prefix and suffix)" % file_name, [])
    os.makedirs(directory, exist_ok=True)
    current = {f for f in os.listdir(directory) if f.startswith(prefix) and f.endswith(suffix) and SAFE_NAME.match(f)}
    previous, written = {}, []
    for file_name in sorted(files):
        data = files[file_name].encode("utf-8")
        old = read_bytes(os.path.join(directory, file_name))
        if old != data:
            previous[file_name] = old
            written.append(file_name)
    removed = sorted(current - set(files))
    for file_name in removed:
        previous[file_name] = read_bytes(os.path.join(directory, file_name))
    for root in spec.get("roots", []):
        os.makedirs(root["path"], exist_ok=True)
        index = os.path.join(root["path"], "index.html")
        if not os.path.exists(index):
            title = html.escape(root.get("title", ""))
            write_atomic(index, ("<!doctype html><title>%s</title><h1>%s</h1>\n" % (title, title)).encode("utf-8"))

    def objects(outcome):
        out = []
        for obj in spec.get("objects", []):
            f = obj.get("file")
            if outcome != "applied" and (f in previous):
                what = "not applied (%s)" % outcome
            elif f is None:
                what = "no file (disabled or without domains)"
            elif f in previous:
                what = "created" if previous[f] is None else "updated"
            else:
                what = "unchanged"
            out.append({"label": obj.get("label", obj.get("id", "?")), "result": what})
        named = {o.get("file") for o in spec.get("objects", [])}
        out += [{"label": f, "result": "removed" if outcome == "applied" else "not removed (%s)" % outcome} for f in removed if f not in named]
        return out

    if not previous:
        return result("NOTHING", "no change: %d file(s) already as configured" % len(files), objects("applied"))
    try:
        for file_name in written:
            write_atomic(os.path.join(directory, file_name), files[file_name].encode("utf-8"))
        for file_name in removed:
            os.unlink(os.path.join(directory, file_name))
    except OSError as e:
        restore(directory, previous)
        return result("ERROR", "could not write the files (%s); the previous files were restored" % e, objects("write failed"))
    ok, output = run(spec.get("test", []))
    if not ok:
        restore(directory, previous)
        return result("FAILURE", "%s\nthe test rejected the new configuration: the previous files were restored, nothing was reloaded" % output.strip(), objects("rejected by the test"))
    ok, reload_output = run(spec.get("reload", []))
    if not ok:
        restore(directory, previous)
        run(spec.get("reload", []))
        return result("FAILURE", "%s\nthe reload failed: the previous files were restored" % reload_output.strip(), objects("reload failed"))
    summary = "written: %s; removed: %s; test passed, reloaded" % (", ".join(written) or "none", ", ".join(removed) or "none")
    return result("SUCCESS", "\n".join(x for x in [output.strip(), reload_output.strip(), summary] if x), objects("applied"))


class Agent:
    def __init__(self, config):
        self.url = config["url"].rstrip("/")
        self.token = config["token"]
        self.state_dir = config.get("state_dir", "/var/lib/orchestra-agent")
        self.wait = int(config.get("wait", 25))
        self.backoff_min = float(config.get("backoff_min", 1))
        self.backoff_max = float(config.get("backoff_max", 60))
        self.context = ssl.create_default_context(cafile=config.get("ca_file")) if self.url.startswith("https:") else None
        os.makedirs(self.state_dir, mode=0o700, exist_ok=True)
        self.state_file = os.path.join(self.state_dir, "state.json")
        self.state = read_json(self.state_file, {"version": None, "backends": {}, "pending": None})

    def save(self):
        write_atomic(self.state_file, json.dumps(self.state).encode("utf-8"), 0o600)

    def request(self, method, path, body=None, headers=None, timeout=30):
        req = urllib.request.Request(self.url + path, data=body, method=method)
        req.add_header("Authorization", "Bearer " + self.token)
        req.add_header("User-Agent", "orchestra-agent/" + VERSION)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=self.context) as res:
                return res.status, res.headers, res.read()
        except urllib.error.HTTPError as e:
            if e.code == 304:
                return 304, e.headers, b""
            raise

    def report(self):
        pending = self.state.get("pending")
        if pending:
            body = json.dumps(pending).encode("utf-8")
            try:
                self.request("POST", "/api/agent/v1/reports", body, {"Content-Type": "application/json"})
            except urllib.error.HTTPError as e:
                # a report Orchestra refuses as such would be refused forever: drop it, say so
                if e.code in (401, 408, 429) or e.code >= 500:
                    raise
                log("Orchestra refused the report (%s %s): dropped" % (e.code, e.read()[:300].decode("utf-8", "replace")))
            self.state["pending"] = None
            self.save()

    def apply(self, config):
        specs = list(config.get("backends", []))
        names = {s.get("backend") for s in specs}
        # a backend no longer routed here: its managed files go (test and reload as it last said)
        for name, last in self.state.get("backends", {}).items():
            if name not in names:
                specs.append(dict(last, backend=name, files={}, roots=[], objects=[]))
        results = []
        for spec in specs:
            results.append(apply_backend(spec))
            log("%s: %s" % (spec.get("backend"), results[-1]["state"]))
        known = {}
        for s in config.get("backends", []):
            if "error" in s:
                # not rendered this time: what it manages is still what it last said
                if s["backend"] in self.state.get("backends", {}):
                    known[s["backend"]] = self.state["backends"][s["backend"]]
            else:
                known[s["backend"]] = {k: s[k] for k in ("directory", "prefix", "suffix", "test", "reload")}
        self.state["backends"] = known
        self.state["version"] = config["version"]
        self.state["pending"] = {"version": config["version"], "agent": VERSION, "results": results}
        self.save()

    def once(self, wait):
        self.report()
        headers = {"If-None-Match": '"%s"' % self.state["version"]} if self.state.get("version") else {}
        status, _, body = self.request("GET", "/api/agent/v1/config?wait=%d" % wait, None, headers, timeout=wait + 30)
        if status == 200:
            self.apply(json.loads(body.decode("utf-8")))
            self.report()

    def loop(self):
        backoff = self.backoff_min
        while running:
            try:
                self.once(self.wait)
                backoff = self.backoff_min
            except urllib.error.HTTPError as e:
                log("Orchestra answered %s (%s): retrying in %.1f s" % (e.code, e.reason, backoff))
                self.sleep(backoff)
                backoff = min(backoff * 2, self.backoff_max)
            except (OSError, ValueError) as e:
                # unreachable, timed out, a broken answer: nothing on the server changes; try again later
                log("Orchestra unreachable (%s): the last applied configuration stays; retrying in %.1f s" % (e, backoff))
                self.sleep(backoff)
                backoff = min(backoff * 2, self.backoff_max)

    def sleep(self, seconds):
        end = time.monotonic() + seconds * random.uniform(0.8, 1.0)
        while running and time.monotonic() < end:
            time.sleep(max(0.0, min(0.2, end - time.monotonic())))


def stop(*_):
    global running
    running = False
    raise SystemExit(0)


def main():
    parser = argparse.ArgumentParser(description="Orchestra agent")
    parser.add_argument("--config", default="/etc/orchestra-agent/config.json")
    parser.add_argument("--once", action="store_true", help="fetch and apply once, then exit")
    parser.add_argument("--version", action="version", version=VERSION)
    args = parser.parse_args()
    with open(args.config, "r", encoding="utf-8") as f:
        config = json.load(f)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    agent = Agent(config)
    log("version %s, pulling from %s" % (VERSION, agent.url))
    if args.once:
        agent.once(0)
        return
    agent.loop()


if __name__ == "__main__":
    main()
