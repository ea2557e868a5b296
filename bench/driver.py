"""The benchmark driver (run by bench/run, which builds and installs everything first).

Starts the bench Gradio apps (bench/apps/bench_app.py) on loopback, runs every scenario for hfs and
each competitor, N times each, interleaved, and writes RESULTS.md and results.json into --out.
Standard library only. Every process is measured from outside: its own rusage from wait4(2)
(peak RSS, user + system CPU to the microsecond) and a wall clock; the library scenarios also report their own numbers as JSON on stdout.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TIME = "/usr/bin/time"

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- processes


class Measured:
    def __init__(self, wall, rss_kib, cpu, out, err):
        self.wall, self.rss_kib, self.cpu, self.out, self.err = wall, rss_kib, cpu, out, err

    def json(self):
        lines = [line for line in self.out.splitlines() if line.startswith("{")]
        if not lines:
            raise RuntimeError(f"no JSON on stdout; stderr:\n{self.err[-2000:]}")
        return json.loads(lines[-1])


def run(cmd, timeout=900, cwd=None, env=None):
    """Runs cmd; returns wall seconds, peak RSS (KiB), CPU seconds (user + system), output.

    cmd runs under /usr/bin/time, which reports its peak RSS (`%M`): a process exec'd straight from
    this Python driver would inherit the driver's RSS high-water mark at fork, so its own peak
    must come from a small launcher. CPU comes from wait4(2) on the launcher: the rusage of the
    launcher and the measured process together, to the microsecond (time's own 10 ms display
    showed a short hfs run as 0.000); the launcher's own share is a fraction of a millisecond,
    counted against the measured client."""
    t = time.perf_counter()
    tf = tempfile.NamedTemporaryFile("r", suffix=".time")
    p = subprocess.Popen([TIME, "-f", "%M", "-o", tf.name] + [str(c) for c in cmd], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=cwd, env=env or CHILD_ENV)
    outs = {}
    readers = [threading.Thread(target=lambda k, s: outs.__setitem__(k, s.read()), args=(k, s), daemon=True)
               for k, s in (("out", p.stdout), ("err", p.stderr))]
    for r in readers:
        r.start()
    killer = threading.Timer(timeout, p.kill)
    killer.start()
    try:
        _, status, ru = os.wait4(p.pid, 0)
    finally:
        killer.cancel()
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join()
    out, err = (outs.get(k, b"").decode("utf-8", "replace") for k in ("out", "err"))
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {p.returncode}:\n{err[-3000:]}")
    rss = int(tf.read().strip().splitlines()[-1].split()[0])
    tf.close()
    return Measured(wall, rss, ru.ru_utime + ru.ru_stime, out, err)


CHILD_ENV = dict(os.environ)
CHILD_ENV.update({"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
                  "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1",
                  "HF_HUB_OFFLINE": "1", "PYTHONDONTWRITEBYTECODE": "1"})
for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
    CHILD_ENV.pop(var, None)


def stop_process(proc, errlog):
    """Closes a server's stdin (its signal to stop), then kills it if it has not exited in 15 s."""
    if proc.poll() is None:
        try:
            proc.stdin.close()
            proc.wait(15)
        except Exception:
            proc.kill()
            proc.wait()
    errlog.close()


class Server:
    """bench_app.py in its venv; stopped (stdin closed, then killed if needed) by stop()."""

    def __init__(self, python, tmp):
        env = dict(CHILD_ENV)
        env["GRADIO_TEMP_DIR"] = os.path.join(tmp, "gradio-server")
        self.errlog = open(os.path.join(tmp, "server.log"), "w")
        self.proc = subprocess.Popen([python, os.path.join(HERE, "apps", "bench_app.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.errlog, text=True, env=env)
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError(f"the bench app did not start; see {self.errlog.name}")
        ready = json.loads(line)
        self.gradio = ready["gradio"]
        self.main, self.api = ready["apps"]["main"], ready["apps"]["api2000"]

    def stop(self):
        stop_process(self.proc, self.errlog)


class FakeRouter:
    """hfs-fakehub (release build): the fake Hub, inference router and asset CDN, replaying the
    recorded cassettes. It serves until its stdin closes; stop() closes it (then kills if needed)."""

    TOKEN = "hf_bench_provider"

    def __init__(self, binary, fixtures, tmp):
        cfg = os.path.join(tmp, "fakehub.json")
        with open(cfg, "w") as f:
            json.dump({"tokens": {self.TOKEN: {"user": "bench"}}}, f)
        self.errlog = open(os.path.join(tmp, "fakehub.log"), "w")
        self.proc = subprocess.Popen([binary, "--port", "0", "--config", cfg, "--fixtures", fixtures],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errlog,
                                     text=True, env=CHILD_ENV)
        line = self.proc.stdout.readline().strip()
        if not line:
            self.stop()
            raise RuntimeError(f"hfs-fakehub did not start; see {self.errlog.name}")
        import urllib.request
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(line.rstrip("/") + "/_fake/info", timeout=10) as r:
            info = json.load(r)
        self.hub, self.router = info["hub"], info["router"]
        self.env = dict(CHILD_ENV)
        self.env.update({"HF_ENDPOINT": self.hub, "HF_ROUTER_URL": self.router, "HF_TOKEN": self.TOKEN,
                         "HF_HUB_OFFLINE": "0", "HF_HOME": os.path.join(tmp, "hf-home")})

    def stop(self):
        stop_process(self.proc, self.errlog)


# ----------------------------------------------------------------------------- statistics


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


class Results:
    def __init__(self):
        self.raw = {}  # scenario -> client -> metric -> [values]
        self.notes = {}

    def add(self, scenario, client, metric, value):
        self.raw.setdefault(scenario, {}).setdefault(client, {}).setdefault(metric, []).append(value)

    def median(self, scenario, client, metric):
        v = self.raw.get(scenario, {}).get(client, {}).get(metric)
        return statistics.median(v) if v else None


# ----------------------------------------------------------------------------- scenarios


def rounds(n, clients):
    """Interleaved order: one run of every client per round, so drift hits all alike."""
    for i in range(n):
        for c in clients:
            yield i, c


def cold(res, scen, cmds, n, tmp):
    # One untimed run each first: page cache and .pyc files warm, as for a user's second call.
    for name, make in cmds.items():
        run(make(tempfile.mkdtemp(dir=tmp)))
    for _, name in rounds(n, list(cmds)):
        out = tempfile.mkdtemp(dir=tmp)
        m = run(cmds[name](out))
        res.add(scen, name, "wall_s", m.wall)
        res.add(scen, name, "rss_mib", m.rss_kib / 1024)
        res.add(scen, name, "cpu_s", m.cpu)
        shutil.rmtree(out, ignore_errors=True)


def library(res, scen, cmds, n, metrics):
    for _, name in rounds(n, list(cmds)):
        m = run(cmds[name]())
        j = m.json()
        if j.get("errors"):
            res.notes.setdefault(scen, []).append(f"{name}: {j['errors']} of {j['jobs']} jobs failed in one run")
        for key in metrics:
            res.add(scen, name, key, j[key])
        res.add(scen, name, "rss_mib", m.rss_kib / 1024)
        res.add(scen, name, "process_cpu_s", m.cpu)


FLUX = "black-forest-labs/FLUX.1-dev"
IMAGE_PROMPT = "An astronaut riding a horse on the moon."
CHAT_MODEL = "meta-llama/Meta-Llama-3-8B-Instruct"
CHAT_PROVIDER = "together"
CHAT_PROMPT = "What is deep learning?"
CHAT_SYSTEM = "You are a helpful assistant."


def provider(res, a, n, tmp):
    """text-to-image (fal-ai) and chat (together, no stream) replayed by the fake router: `hfs image` /
    `hfs chat` vs bench/py/ic_bench.py (InferenceClient), whole process, outputs compared every run."""
    ic = os.path.join(HERE, "py", "ic_bench.py")
    env = a.fake.env
    cmds = {
        "provider_image": {
            "hfs": lambda d: [a.hfs, "image", IMAGE_PROMPT, "--model", FLUX, "--provider", "fal-ai", "-o", d],
            "python": lambda d: [a.python, ic, a.fake.router, "image", IMAGE_PROMPT, FLUX, "fal-ai", d],
        },
        "provider_chat": {
            "hfs": lambda d: [a.hfs, "chat", CHAT_PROMPT, "--system", CHAT_SYSTEM, "--model", CHAT_MODEL,
                              "--provider", CHAT_PROVIDER, "--no-stream"],
            "python": lambda d: [a.python, ic, a.fake.router, "chat", CHAT_PROMPT, CHAT_MODEL, CHAT_PROVIDER, CHAT_SYSTEM],
        },
    }

    def output(scen, m, d):
        if scen == "provider_chat":
            return m.out.rstrip("\n").encode()
        path = m.out.strip().splitlines()[-1]
        if os.path.dirname(os.path.abspath(path)) != os.path.abspath(d):
            raise RuntimeError(f"{path} is not in {d}")
        with open(path, "rb") as f:
            return without_provenance(f.read())

    for scen, c in cmds.items():
        want = None
        # One untimed run each first (page cache, .pyc files), as for the cold scenarios.
        for i, name in [(-1, k) for k in c] + list(rounds(n, list(c))):
            d = tempfile.mkdtemp(dir=tmp)
            m = run(c[name](d), env=env)
            got = output(scen, m, d)
            if not got:
                raise RuntimeError(f"{scen}: {name} produced no output")
            if want is None:
                want = got
            elif got != want:
                raise RuntimeError(f"{scen}: {name}'s output differs from the first run's ({len(got)} vs {len(want)} bytes)")
            shutil.rmtree(d, ignore_errors=True)
            if i < 0:
                continue
            res.add(scen, name, "wall_s", m.wall)
            res.add(scen, name, "rss_mib", m.rss_kib / 1024)
            res.add(scen, name, "cpu_s", m.cpu)
        kind = "PNG (hfs's provenance chunk set aside)" if scen == "provider_image" else "reply text"
        res.notes.setdefault(scen, []).append(
            f"output check: every run of both clients produced the same {kind} ({len(want):,} bytes), byte for byte.")


def batch(res, a, items, n, tmp):
    """`hfs image -n ITEMS -j 4` vs a Python loop of predict calls vs a Python pool of 4 submit() workers, on
    /slow_img (50 ms, 4 at a time): wall, client CPU per item (whole process, rusage), peak RSS."""
    gb = os.path.join(HERE, "py", "gc_batch.py")
    url = a.server.main
    cmds = {
        "hfs": lambda d: [a.hfs, "image", "a red fox", "-n", items, "-j", "4", "--space", url, "--endpoint", "/slow_img", "-q", "-o", d],
        "python-seq": lambda d: [a.python, gb, "seq", url, items, d],
        "python-pool": lambda d: [a.python, gb, "pool", url, items, d],
    }
    for _, name in rounds(n, list(cmds)):
        out = tempfile.mkdtemp(dir=tmp)
        try:
            m = run(cmds[name](out))
        except RuntimeError as e:
            if name == "hfs":
                raise
            # A competitor failing a run is a finding, not a reason to stop: noted, not measured.
            last = [line for line in str(e).splitlines() if line.strip()][-1][:200]
            res.notes.setdefault("batch", []).append(f"{name}: one run failed ({last}); that run is not counted")
            shutil.rmtree(out, ignore_errors=True)
            continue
        made = [f for f in os.listdir(out) if f.endswith((".png", ".webp"))] if name == "hfs" else None
        if made is not None and len(made) != items:
            raise RuntimeError(f"hfs made {len(made)} files of {items}")
        res.add("batch", name, "wall_s", m.wall)
        res.add("batch", name, "cpu_per_item_ms", m.cpu / items * 1000)
        res.add("batch", name, "rss_mib", m.rss_kib / 1024)
        shutil.rmtree(out, ignore_errors=True)


def resume(res, a, items, n, tmp):
    """`hfs resume DIR` on a manifest of ITEMS items, every one done: the time to read the log and find
    nothing to do. The manifest is written here with records shaped like real ones."""
    d = tempfile.mkdtemp(dir=tmp)
    with open(os.path.join(d, "hfs-manifest.jsonl"), "w") as f:
        backends = [{"kind": "space", "space": "owner/app", "endpoint": None}]
        for i in range(items):
            key = f"{i:016x}"
            req = {"prompt": f"a red fox, variation {i}", "negative": None, "seed": i, "width": 1024, "height": 1024,
                   "aspect": None, "steps": 8, "guidance": None, "duration": None, "voice": None, "language": None,
                   "image": None, "audio": None, "params": []}
            f.write(json.dumps({"schema": "hfs.manifest/1", "record": "planned", "item": key, "index": i, "task": "image",
                                "request": req, "backends": backends, "copy": 0, "run": "r1", "at": 0}) + "\n")
            f.write(json.dumps({"schema": "hfs.manifest/1", "record": "started", "item": key, "attempt": 1, "run": "r1",
                                "backend": "space:owner/app", "job_id": "e" * 32, "at": 0}) + "\n")
            f.write(json.dumps({"schema": "hfs.manifest/1", "record": "done", "task": "image", "prompt": req["prompt"],
                                "backend": {"kind": "space", "space": "owner/app", "endpoint": "/infer",
                                            "host": "https://owner-app.hf.space/", "gradio_version": "5.50.0"},
                                "arguments": {"prompt": req["prompt"], "seed": i, "width": 1024, "height": 1024, "steps": 8},
                                "sources": {"prompt": {"from": "option", "detail": "prompt"}, "seed": {"from": "option", "detail": "seed"}},
                                "seed": i, "warnings": [], "fallbacks": [], "started_at": 0, "duration_ms": 900,
                                "files": [{"path": f"{d}/image-a-red-fox-{i}.png", "mime_type": "image/png", "size": 1048576,
                                           "sha256": "0" * 64}], "item": key, "attempt": 1, "run": "r1"}) + "\n")
    size = os.path.getsize(os.path.join(d, "hfs-manifest.jsonl"))
    res.notes.setdefault("resume", []).append(f"the manifest: {items} items, {3 * items} records, {size / (1 << 20):.0f} MiB")
    for _ in range(n):
        m = run([a.hfs, "resume", d, "--json"])
        if m.json().get("skipped") != items:
            raise RuntimeError(f"resume did not find {items} done items: {m.out[-500:]}")
        res.add("resume", "hfs", "wall_s", m.wall)
        res.add("resume", "hfs", "cpu_s", m.cpu)
        res.add("resume", "hfs", "rss_mib", m.rss_kib / 1024)
    shutil.rmtree(d, ignore_errors=True)


def without_provenance(data):
    """A PNG without the `iTXt` chunk named `hfs` that hfs adds (everything else byte for byte)."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data
    out, i = bytearray(data[:8]), 8
    while i + 8 <= len(data):
        n = int.from_bytes(data[i:i + 4], "big")
        kind, body = data[i + 4:i + 8], data[i + 8:i + 8 + n]
        if not (kind == b"iTXt" and body.startswith(b"hfs\0")):
            out += data[i:i + 12 + n]
        i += 12 + n
    return bytes(out)


def transfer(res, a, size, n, tmp):
    src = os.path.join(tmp, "transfer", "big.bin")
    os.makedirs(os.path.dirname(src), exist_ok=True)
    with open(src, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(size >> 20):
            f.write(block)
        f.write(block[: size & ((1 << 20) - 1)])
    down = os.path.join(tmp, "transfer", "down")
    os.makedirs(down, exist_ok=True)
    mib = size / (1 << 20)
    server_path = None
    for i in range(n):
        m = run([a.hfs_bench, "transfer", a.server.main, src, down])
        j = m.json()
        server_path = j["server_path"]
        res.add("transfer", "hfs", "upload_mib_s", mib / j["upload_s"])
        res.add("transfer", "hfs", "download_mib_s", mib / j["download_s"])
        res.add("transfer", "hfs", "rss_mib", m.rss_kib / 1024)
        # curl on the same URLs: multipart upload to /gradio_api/upload, then GET file=<path>.
        up = run(["curl", "-sS", "--fail", "-o", "/dev/null", "-F", f"files=@{src}", a.server.main + "gradio_api/upload"])
        out = os.path.join(down, "curl.bin")
        dn = run(["curl", "-sS", "--fail", "-o", out, a.server.main + "gradio_api/file=" + server_path])
        if os.path.getsize(out) != size:
            raise RuntimeError("curl downloaded a truncated file")
        os.remove(out)
        res.add("transfer", "curl", "upload_mib_s", mib / up.wall)
        res.add("transfer", "curl", "download_mib_s", mib / dn.wall)
        res.add("transfer", "curl", "rss_mib", max(up.rss_kib, dn.rss_kib) / 1024)
    os.remove(src)


def api(res, a, n):
    # One untimed run each first (the app builds and caches its answers on the first requests).
    run([a.hfs, "api", a.server.api])
    run([a.python, os.path.join(HERE, "py", "gc_bench.py"), "api", a.server.api])
    for _, name in rounds(n, ["hfs", "python", "curl"]):
        if name == "curl":
            # The server's share: the two requests hfs makes, one after the other, by curl.
            m = run(["curl", "-sS", "--fail", "-o", "/dev/null", a.server.api + "config",
                     "-o", "/dev/null", a.server.api + "gradio_api/info?all_endpoints=True"])
        elif name == "hfs":
            m = run([a.hfs, "api", a.server.api])
        else:
            m = run([a.python, os.path.join(HERE, "py", "gc_bench.py"), "api", a.server.api])
            res.add("api", name, "in_process_s", json.loads(m.err.strip().splitlines()[-1])["in_process_s"])
        res.add("api", name, "wall_s", m.wall)
        res.add("api", name, "cpu_s", m.cpu)
        res.add("api", name, "rss_mib", m.rss_kib / 1024)


def mcp_call(res, a, n, calls, tmp):
    """One tool call round trip, the same Python MCP client (Streamable HTTP, initialize handshake)
    for both servers: `space_call` on `/echo` through `hfs mcp --http` vs the `echo` tool of the
    app's own Gradio MCP server (`mcp_server=True`); `hfs mcp` also on the 2026-07-28 revision."""
    mb = os.path.join(HERE, "py", "mcp_bench.py")
    app = mcp_app(a.gradio_mcp_python, tmp)
    hfs = subprocess.Popen([a.hfs, "mcp", "--http", "127.0.0.1:0", "-q", "-o", os.path.join(tmp, "mcp-out")],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                           env=CHILD_ENV, cwd=tmp)
    try:
        hfs_url = hfs.stdout.readline().strip()
        if not hfs_url.startswith("http://"):
            raise RuntimeError("hfs mcp --http printed no URL")
        echo = json.dumps({"space": app.url, "endpoint": "/echo", "arguments": {"text": "hello"}})
        cmds = {
            "hfs": lambda: [a.mcp_python, mb, "calls", hfs_url, "legacy", calls, "space_call", echo],
            "hfs (2026-07-28)": lambda: [a.mcp_python, mb, "calls", hfs_url, "2026-07-28", calls, "space_call", echo],
            "gradio-mcp": lambda: [a.mcp_python, mb, "calls", app.mcp, "legacy", calls, "echo", json.dumps({"text": "hello"})],
        }
        for _, name in rounds(n, list(cmds)):
            res.add("mcp_call", name, "call_ms", run(cmds[name]()).json()["median_ms"])
    finally:
        hfs.terminate()
        hfs.wait()
        app.stop()


def mcp_start(res, a, n, tmp):
    """From starting the server process to the first `tools/list` answer (what an agent waits for
    when it starts): `hfs mcp --http … --space URL` (it reads the app's API to build its tool)
    vs launching the app with Gradio's MCP server."""
    mb = os.path.join(HERE, "py", "mcp_bench.py")
    app = mcp_app(a.gradio_mcp_python, tmp)
    try:
        cmds = {
            "hfs": lambda: [a.mcp_python, mb, "start", "legacy", "--", a.hfs, "mcp", "--http", "127.0.0.1:0", "-q",
                            "--space", app.url, "-o", os.path.join(tmp, "mcp-out")],
            "gradio-mcp": lambda: [a.mcp_python, mb, "start", "legacy", "--", a.gradio_mcp_python,
                                   os.path.join(HERE, "apps", "mcp_app.py")],
        }
        for _, name in rounds(n, list(cmds)):
            res.add("mcp_start", name, "start_s", run(cmds[name](), cwd=tmp).json()["start_s"])
    finally:
        app.stop()


class ReadyApp:
    """An app process that prints one JSON line when it is up (the tests/spaces/serve.py contract)
    and stops when its stdin closes; `ready` is that line."""

    def __init__(self, cmd, tmp, log):
        self.errlog = open(os.path.join(tmp, log), "a")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errlog, text=True, env=CHILD_ENV)
        line = self.proc.stdout.readline()
        if not line:
            stop_process(self.proc, self.errlog)
            raise RuntimeError(f"{os.path.basename(cmd[1])} did not start; see {self.errlog.name}")
        self.ready = json.loads(line)

    def stop(self):
        stop_process(self.proc, self.errlog)


def legacy_app(python, tmp):
    """tests/spaces/serve.py legacy3 on Gradio 3.50.2 (the 3.x row)."""
    app = ReadyApp([python, os.path.join(ROOT, "tests", "spaces", "serve.py"), "legacy3"], tmp, "legacy-app.log")
    app.url = app.ready["apps"]["legacy3"]
    return app


def mcp_app(python, tmp):
    """bench/apps/mcp_app.py (Gradio with mcp_server=True)."""
    app = ReadyApp([python, os.path.join(HERE, "apps", "mcp_app.py")], tmp, "mcp-app.log")
    app.url, app.mcp = app.ready["url"], app.ready["mcp"]
    return app


# ----------------------------------------------------------------------------- report

SCENARIOS = [
    ("cold_echo", "One cold CLI call, text echo (whole process)", ["wall_s", "rss_mib", "cpu_s"]),
    ("cold_image", "One cold CLI call, 256×256 PNG output saved to disk (whole process)", ["wall_s", "rss_mib", "cpu_s"]),
    ("gen_image", "Generation on a Space without knowing its API: `hfs image --space` vs `hfs call` vs Python (whole process)",
     ["wall_s", "rss_mib", "cpu_s"]),
    ("api", "`hfs api` vs `Client(url).view_api()` on a 2,000-endpoint app", ["wall_s", "cpu_s", "rss_mib", "in_process_s"]),
    ("seq", "Sequential /echo calls in one process (library)", ["mean_ms", "rss_mib"]),
    ("burst", "Jobs submitted at once to /echo on one client (library)", ["wall_s", "cpu_per_job_ms", "rss_mib"]),
    ("transfer", "Upload + download of one file (same URLs)", ["upload_mib_s", "download_mib_s", "rss_mib"]),
    ("batch", "A batch of generations on a Space whose endpoint runs 4 at a time and takes 50 ms (whole process)",
     ["wall_s", "cpu_per_item_ms", "rss_mib"]),
    ("resume", "`hfs resume` on a finished run's manifest (whole process)", ["wall_s", "cpu_s", "rss_mib"]),
    ("provider_image", "Inference Providers: text-to-image via fal-ai, replayed by the fake router (whole process)",
     ["wall_s", "rss_mib", "cpu_s"]),
    ("provider_chat", "Inference Providers: chat via together (explicit provider), replayed by the fake router "
     "(whole process)", ["wall_s", "rss_mib", "cpu_s"]),
    ("legacy_cold", "One cold CLI call on a Gradio 3.x app (websocket queue, whole process)", ["wall_s", "rss_mib", "cpu_s"]),
    ("mcp_call", "MCP: one tool call round trip, `hfs mcp` vs the app's own Gradio MCP server", ["call_ms"]),
    ("mcp_start", "MCP: server start to the first `tools/list` answer", ["start_s"]),
]

UNITS = {"wall_s": "wall (s)", "rss_mib": "peak RSS (MiB)", "cpu_s": "CPU (s)", "mean_ms": "mean latency (ms)",
         "cpu_per_job_ms": "client CPU per job (ms)", "upload_mib_s": "upload (MiB/s)",
         "download_mib_s": "download (MiB/s)", "in_process_s": "connect + view_api in process (s)",
         "process_cpu_s": "whole-process CPU (s)", "cpu_per_item_ms": "client CPU per item (ms)",
         "call_ms": "tool call round trip (ms)", "start_s": "start → first tools/list (s)"}


def fmt(v):
    if v is None:
        return "—"
    a = abs(v)
    return f"{v:.0f}" if a >= 100 else f"{v:.1f}" if a >= 10 else f"{v:.2f}" if a >= 1 else f"{v:.3f}"


def targets(res, cfg):
    """Issue 5's targets: (scenario, text, hfs value, reference, ok)."""
    m = res.median
    out = []

    def ratio_row(scen, text, metric, comp, limit, higher_is_better=False):
        h, c = m(scen, "hfs", metric), m(scen, comp, metric)
        if h is None or c is None:
            out.append((scen, text, "—", "—", None))
            return
        r = h / c
        ok = r >= limit if higher_is_better else r <= limit
        out.append((scen, text, f"{fmt(h)} vs {fmt(c)} ({comp})", f"ratio {r:.3f} (target {'≥' if higher_is_better else '≤'} {limit:g})", ok))

    ratio_row("cold_echo", "cold call wall ≤ 1/10 of Python's", "wall_s", "python", 0.1)
    ratio_row("cold_echo", "cold call RSS ≤ 1/5 of Python's", "rss_mib", "python", 0.2)
    ratio_row("seq", "sequential mean latency ≤ 1/2 of Python's", "mean_ms", "python", 0.5)
    ratio_row("burst", "burst CPU per job ≤ 1/10 of Python's", "cpu_per_job_ms", "python", 0.1)
    rss = m("burst", "hfs", "rss_mib")
    out.append(("burst", "burst peak RSS ≤ 64 MiB", f"{fmt(rss)} MiB", "≤ 64 MiB", None if rss is None else rss <= 64))
    comps = [c for c in ("python", "node") if m("burst", c, "wall_s") is not None]
    best = min(comps, key=lambda c: m("burst", c, "wall_s")) if comps else None
    if best:
        ratio_row("burst", "burst wall no worse than the best competitor", "wall_s", best, 1.0)
    ratio_row("transfer", "upload ≥ 80 % of curl", "upload_mib_s", "curl", 0.8, higher_is_better=True)
    ratio_row("transfer", "download ≥ 80 % of curl", "download_mib_s", "curl", 0.8, higher_is_better=True)
    rss = m("transfer", "hfs", "rss_mib")
    out.append(("transfer", "transfer peak RSS ≤ 64 MiB", f"{fmt(rss)} MiB", "≤ 64 MiB", None if rss is None else rss <= 64))
    ratio_row("api", "`hfs api` wall ≤ 1/10 of Python's view_api (whole process)", "wall_s", "python", 0.1)
    h, c = m("gen_image", "hfs", "wall_s"), m("gen_image", "hfs-call", "wall_s")
    if h is not None and c is not None:
        over = h / c - 1
        out.append(("gen_image", "`hfs image --space` costs ≤ 5 % more wall than `hfs call` on the same endpoint",
                    f"{fmt(h)} vs {fmt(c)} (hfs-call)", f"{over * 100:+.1f} % (target ≤ +5 %)", over <= 0.05))
    ratio_row("gen_image", "`hfs image --space` wall ≤ 1/10 of the Python client's predict (whole process)", "wall_s", "python", 0.1)
    ratio_row("batch", f"batch of {cfg['batch_items']} (`-j 4`): wall no worse than Python's pool of 4 submit() workers",
              "wall_s", "python-pool", 1.0)
    h = m("batch", "hfs", "wall_s")
    floor = cfg["batch_items"] * 0.05 / 4
    out.append(("batch", f"batch of {cfg['batch_items']}: wall against the server's own floor ({cfg['batch_items']} × 50 ms / 4)",
                f"{fmt(h)} vs {fmt(floor)} (floor)", "—" if h is None else f"ratio {h / floor:.3f}", None if h is None else h / floor <= 1.5))
    cpus = [c for c in ("python-seq", "python-pool") if m("batch", c, "cpu_per_item_ms") is not None]
    if cpus:
        ratio_row("batch", "batch client CPU per item ≤ 1/10 of Python's (the cheaper of loop and pool)", "cpu_per_item_ms",
                  min(cpus, key=lambda c: m("batch", c, "cpu_per_item_ms")), 0.1)
    rss = m("batch", "hfs", "rss_mib")
    out.append(("batch", "batch peak RSS ≤ 64 MiB", f"{fmt(rss)} MiB", "≤ 64 MiB", None if rss is None else rss <= 64))
    w = m("resume", "hfs", "wall_s")
    out.append(("resume", f"`hfs resume` on a {cfg['resume_items']:,}-item finished manifest ≤ 1 s", f"{fmt(w)} s", "≤ 1 s",
                None if w is None else w <= 1.0))
    ratio_row("provider_image", "text-to-image (fal-ai) via the fake router: wall ≤ 1/5 of InferenceClient's",
              "wall_s", "python", 0.2)
    ratio_row("provider_chat", "chat (together, explicit provider) via the fake router: wall ≤ 1/5 of "
              "InferenceClient's", "wall_s", "python", 0.2)
    ratio_row("legacy_cold", "cold call on a Gradio 3.x app: wall ≤ 1/10 of gradio_client 1.x's", "wall_s", "python", 0.1)
    ratio_row("mcp_call", "`space_call` through `hfs mcp`: round trip no slower than the app's own Gradio MCP server",
              "call_ms", "gradio-mcp", 1.0)
    ratio_row("mcp_start", "`hfs mcp` start → first tools/list ≤ 1/5 of launching the app's Gradio MCP server",
              "start_s", "gradio-mcp", 0.2)
    return out


def write_report(res, meta, cfg, out_dir):
    lines = ["# hfs benchmark results", ""]
    lines.append(f"{meta['date']} · {'quick smoke run' if cfg['quick'] else 'full run'} · `{cfg['command']}`")
    lines.append("")
    lines.append(f"Machine: {meta['machine']}. Versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) + ".")
    lines.append("")
    lines.append("Every number is the median over N runs (min–max beside it); the ratio is hfs / that client "
                 "(below 1 is better for times, memory and CPU; above 1 is better for throughput). "
                 "All clients talk to the same Gradio server on 127.0.0.1 (the provider rows: the same "
                 "`hfs-fakehub`), which runs on the same 2 cores.")
    lines.append("")
    if cfg.get("merged"):
        lines.append(cfg["merged"])
        lines.append("")
    lines.append("## Targets (issue 5)")
    lines.append("")
    lines.append("| target | hfs vs reference (medians) | ratio | result |")
    lines.append("|---|---|---|---|")
    for scen, text, val, ref, ok in targets(res, cfg):
        verdict = "pending" if ok is None else ("**pass**" if ok else "**miss**")
        lines.append(f"| {text} | {val} | {ref} | {verdict} |")
    lines.append("")
    for scen, title, metrics in SCENARIOS:
        data = res.raw.get(scen)
        if not data:
            continue
        lines.append(f"## {title}")
        lines.append("")
        lines.append(cfg["describe"][scen])
        lines.append("")
        present = [k for k in metrics if any(k in d for d in data.values())]
        lines.append("| client | " + " | ".join(UNITS[k] for k in present) + " |")
        lines.append("|---|" + "---|" * len(present))
        for client, d in data.items():
            cells = []
            for k in present:
                if k not in d:
                    cells.append("—")
                    continue
                s = summary(d[k])
                cell = f"{fmt(s['median'])} ({fmt(s['min'])}–{fmt(s['max'])})"
                if client != "hfs" and k in data.get("hfs", {}) and s["median"] > 0:
                    cell += f" · hfs/this = {statistics.median(data['hfs'][k]) / s['median']:.3f}"
                cells.append(cell)
            n = len(next(iter(d.values())))
            lines.append(f"| {client} (N={n}) | " + " | ".join(cells) + " |")
        for note in res.notes.get(scen, []):
            lines.append(f"\nNote: {note}")
        lines.append("")
    if cfg["skipped"]:
        lines.append("## Skipped")
        lines.append("")
        for note in cfg["skipped"]:
            lines.append(f"- {note}")
        lines.append("")
    with open(os.path.join(out_dir, "RESULTS.md"), "w") as f:
        f.write("\n".join(lines))
    raw = {"schema": "hfs.bench/1", "meta": meta, "config": {k: v for k, v in cfg.items() if k != "describe"},
           "scenarios": res.raw, "notes": res.notes,
           "summary": {s: {c: {k: summary(v) for k, v in d.items()} for c, d in cs.items()} for s, cs in res.raw.items()},
           "targets": [{"scenario": s, "target": t, "values": v, "ratio": r, "pass": ok} for s, t, v, r, ok in targets(res, cfg)]}
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(raw, f, indent=1)
        f.write("\n")


# ----------------------------------------------------------------------------- main


def version_of(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
    except Exception:
        return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--size", type=int, required=True, help="transfer file size in bytes")
    ap.add_argument("--out", required=True)
    ap.add_argument("--hfs", required=True)
    ap.add_argument("--hfs-bench", required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("--hf-gradio", default="")
    ap.add_argument("--node-dir", required=True)
    ap.add_argument("--fakehub", default="", help="hfs-fakehub binary (release) for the provider scenarios")
    ap.add_argument("--fixtures", default="", help="recorded fixtures for hfs-fakehub (hf-cassettes/, hub/)")
    ap.add_argument("--legacy-server-python", default="", help="Python with gradio 3.50.2, for the 3.x row")
    ap.add_argument("--legacy-client-python", default="", help="Python with gradio_client 1.x, for the 3.x row")
    ap.add_argument("--mcp-python", default="", help="Python with the official MCP client (mcp 2.3), for the MCP rows")
    ap.add_argument("--gradio-mcp-python", default="", help="Python with gradio[mcp], for the MCP rows")
    ap.add_argument("--skip-note", action="append", default=[])
    ap.add_argument("--only", default="", help="comma-separated scenarios (default: all)")
    ap.add_argument("--merge", default="", help="an earlier results.json: its scenarios not run now are kept")
    a = ap.parse_args()
    q = a.quick
    n = {"cold_echo": 3 if q else 10, "cold_image": 2 if q else 5, "gen_image": 2 if q else 10, "seq": 1 if q else 5, "burst": 1 if q else 3,
         "transfer": 1 if q else 3, "api": 2 if q else 5,
         "provider_image": 3 if q else 10, "provider_chat": 3 if q else 10, "batch": 1 if q else 3, "resume": 2 if q else 5,
         "mcp_call": 1 if q else 5, "mcp_start": 1 if q else 5, "legacy_cold": 2 if q else 10}
    mcp_calls = 20 if q else 100
    batch_items = 40 if q else 200
    resume_items = 10000 if q else 100000
    seq_calls = 50 if q else 200
    burst_jobs = 200 if q else 1000
    only = set(filter(None, a.only.split(",")))
    if "provider" in only:
        only |= {"provider_image", "provider_chat"}
    want = lambda s: not only or s in only  # noqa: E731
    skipped = list(a.skip_note)
    mib = a.size / (1 << 20)
    cmd = "bench/run" + (" --quick" if q else "") + (f" --only {a.only}" if a.only else "") + \
        (f" --merge {os.path.relpath(a.merge, ROOT) if a.merge.startswith(ROOT) else a.merge}" if a.merge else "")
    cfg = {"quick": q, "command": cmd, "runs": n, "batch_items": batch_items, "resume_items": resume_items, "seq_calls": seq_calls, "burst_jobs": burst_jobs, "transfer_bytes": a.size,
           "skipped": skipped, "describe": {
               "cold_echo": "`hfs call URL /echo text=hello` vs a Python script (`Client(url).predict(\"hello\", "
                            "api_name=\"/echo\")`, gradio_client) vs `hf-gradio predict URL /echo '{\"text\": \"hello\"}'` "
                            "vs a Node script (`Client.connect(url)` + `predict`, @gradio/client). Wall time and peak RSS "
                            "of the whole process, after one untimed run each (warm page cache).",
               "cold_image": "The same four on `/image` (a 256×256 PNG): each saves the file into a fresh directory "
                             "(the Node script fetches the returned URL itself).",
               "seq": f"{seq_calls} sequential `/echo` calls on one client after one warm-up call: hfs-gradio "
                      f"(`bench/hfs-bench seq`), gradio_client `predict`, @gradio/client `predict`.",
               "burst": f"{burst_jobs} `/echo` jobs submitted at once on one client, then all results awaited: "
                        "hfs-gradio (`submit` ×N, then every `result()`), gradio_client (`submit` ×N then "
                        "`result()`), @gradio/client (N concurrent `predict` promises). Wall and client CPU from "
                        "the first submit to the last result (measured inside each process); peak RSS of the process. "
                        "The server runs `queue(default_concurrency_limit=None)`.",
               "transfer": f"A {mib:.0f} MiB file: upload to `/gradio_api/upload` and download of its `file=` URL. "
                           "hfs: `Client::upload` then `Client::download` (streamed, temp file + fsync + rename) in "
                           "one `hfs-bench transfer` process; curl: `curl -F files=@FILE …/gradio_api/upload` and "
                           "`curl -o OUT …/gradio_api/file=PATH`, timed separately. Throughput in MiB/s.",
               "gen_image": "`hfs image \"a red fox\" --space URL --seed 7 -o DIR` (the adapter reads the API, picks "
                            "`/txt2img`, maps prompt and seed, saves the PNG with its provenance chunk, hashes it and "
                            "appends the manifest record) vs `hfs call URL /txt2img prompt=… seed=7 -o DIR` on the same "
                            "endpoint (what a user who knows the API types) vs a Python script (`Client(url, "
                            "download_files=DIR).predict(\"a red fox\", 7, api_name=\"/txt2img\")`).",
               "api": "`hfs api URL` vs a Python script running `Client(url).view_api()` (both printing the whole API "
                      "to a pipe). Whole-process wall and CPU; for Python also the in-process time of "
                      "`Client()` + `view_api()` alone (no interpreter start, no imports). The `curl` row is the "
                      "server's share: `GET /config` then `GET /gradio_api/info?all_endpoints=True`, the two "
                      "requests hfs makes (in parallel), fetched one after the other by one curl process.",
               "batch": f"{batch_items} images of `/slow_img` (prompt and seed in, a 64×64 PNG out after 50 ms; "
                        f"`concurrency_limit=4`): `hfs image \"a red fox\" -n {batch_items} -j 4 --space URL --endpoint "
                        "/slow_img -o DIR` (seeds drawn up front, every step fsynced to the manifest, files hashed) vs "
                        "`bench/py/gc_batch.py seq` (a loop of `predict` calls, the usual recipe) vs `gc_batch.py pool` "
                        "(a pool of 4 threads, each `submit().result()`). Every client downloads every PNG. CPU is the "
                        "process's own rusage (user + system) divided by the items.",
               "resume": f"`hfs resume DIR --json` where DIR's manifest holds {resume_items:,} items, each planned, "
                         "started and done (records shaped like real ones): reading and checking the log, finding "
                         "nothing to do, no network.",
               "provider_image": f"`hfs image PROMPT --model {FLUX} --provider fal-ai -o DIR` vs a Python script "
                                 "(`bench/py/ic_bench.py`: `InferenceClient(provider=\"fal-ai\").text_to_image(PROMPT, "
                                 "model=…)`, writing the bytes it received to DIR). Both talk to `hfs-fakehub` (release "
                                 "build): the model → provider-id lookup at the fake Hub (`HF_ENDPOINT`), the call at the "
                                 "fake router (`HF_ROUTER_URL` for hfs; `huggingface_hub.constants.INFERENCE_PROXY_TEMPLATE` "
                                 "patched in the script), the PNG (1 MB, recorded) from the fake CDN. Whole-process wall, "
                                 "peak RSS and CPU, after one untimed run each; the PNGs are compared byte for byte.",
               "legacy_cold": "`hfs call URL /greet name=Ann` vs a Python script (`Client(url).predict(\"Ann\", \"Hello\", "
                              "api_name=\"/greet\")`, gradio_client 1.3.0, the last line that speaks 3.x) on the 3.x test "
                              "app (`tests/spaces/apps/legacy3.py`, Gradio 3.50.2: `/config`, `/info`, then one websocket "
                              "to `/queue/join`). Whole process, after one untimed run each.",
               "mcp_call": f"One Python MCP client (the official `mcp` package, 2.3, Streamable HTTP), {mcp_calls} tool "
                           "calls in one session after one warm-up, median per call: `space_call` with "
                           "`{\"space\": URL, \"endpoint\": \"/echo\", \"arguments\": {\"text\": \"hello\"}}` through "
                           "`hfs mcp --http` (release build; it reads the app's API once, then each call is a Gradio "
                           "job, a manifest record and the reply) vs the `echo` tool of the same app's own MCP server "
                           "(`launch(mcp_server=True)`, gradio 6.31.0 with its `mcp` extra). Both on the initialize "
                           "handshake (2025-11-25; Gradio's server has nothing newer); `hfs (2026-07-28)` is hfs on "
                           "the per-request revision.",
               "mcp_start": "From spawning the server process to the first `tools/list` answer, measured by the same "
                            "client: `hfs mcp --http 127.0.0.1:0 --space URL` (reads the running app's API to "
                            "build the tool, prints its URL) vs `python bench/apps/mcp_app.py` (the app launched with "
                            "`mcp_server=True`; Gradio has no MCP server apart from the app).",
               "provider_chat": f"`hfs chat PROMPT --system SYS --model {CHAT_MODEL} --provider {CHAT_PROVIDER} "
                                "--no-stream` vs the Python script running `InferenceClient(provider=\"together\")"
                                ".chat_completion(messages, model=…)` and printing the reply; same fake and setup as "
                                "above (recorded non-streaming reply). The printed texts are compared.",
           }}
    tmp = tempfile.mkdtemp(prefix="hfs-bench-")
    res = Results()
    a.server = None
    a.fake = None
    started = time.time()
    gradio_scens = {"cold_echo", "cold_image", "gen_image", "api", "seq", "burst", "transfer", "batch"}
    try:
        if want("transfer"):
            need = a.size * 5 + (1 << 30)
            free = shutil.disk_usage(tmp).free
            if free < need:
                raise SystemExit(f"bench: {free >> 20} MiB free in {tmp}, the transfer scenario needs {need >> 20} MiB")
        if any(want(s) for s in gradio_scens):
            log("starting the bench apps")
            a.server = Server(a.python, tmp)
            log(f"gradio {a.server.gradio}: main {a.server.main}, api2000 {a.server.api}")
        gc = os.path.join(HERE, "py", "gc_bench.py")
        js = os.path.join(a.node_dir, "gradio_bench.mjs")
        url = a.server.main if a.server else None

        def cold_cmds(kind):
            c = {}
            if kind == "echo":
                c["hfs"] = lambda d: [a.hfs, "call", url, "/echo", "text=hello", "-q", "-o", d]
                c["python"] = lambda d: [a.python, gc, "cold", url, "echo"]
                if a.hf_gradio:
                    c["hf-gradio"] = lambda d: [a.hf_gradio, "predict", url, "/echo", '{"text": "hello"}', "--download-files", d]
                c["node"] = lambda d: ["node", js, "cold", url, "echo"]
            else:
                c["hfs"] = lambda d: [a.hfs, "call", url, "/image", "seed=7", "-q", "-o", d]
                c["python"] = lambda d: [a.python, gc, "cold", url, "image", d]
                if a.hf_gradio:
                    c["hf-gradio"] = lambda d: [a.hf_gradio, "predict", url, "/image", '{"seed": 7}', "--download-files", d]
                c["node"] = lambda d: ["node", js, "cold", url, "image", d]
            return c

        if want("cold_echo"):
            log(f"cold call, echo: {n['cold_echo']} rounds")
            cold(res, "cold_echo", cold_cmds("echo"), n["cold_echo"], tmp)
        if want("cold_image"):
            log(f"cold call, image: {n['cold_image']} rounds")
            cold(res, "cold_image", cold_cmds("image"), n["cold_image"], tmp)
        if want("gen_image"):
            log(f"generation on a Space: {n['gen_image']} rounds")
            cold(res, "gen_image", {
                "hfs": lambda d: [a.hfs, "image", "a red fox", "--space", url, "--seed", "7", "-q", "-o", d],
                "hfs-call": lambda d: [a.hfs, "call", url, "/txt2img", "prompt=a red fox", "seed=7", "-q", "-o", d],
                "python": lambda d: [a.python, gc, "cold", url, "txt2img", d],
            }, n["gen_image"], tmp)
        if want("batch"):
            log(f"batch of {batch_items}: {n['batch']} rounds")
            batch(res, a, batch_items, n["batch"], tmp)
        if want("resume"):
            log(f"resume of a {resume_items}-item manifest: {n['resume']} rounds")
            resume(res, a, resume_items, n["resume"], tmp)
        if want("api"):
            log(f"api on 2,000 endpoints: {n['api']} rounds")
            api(res, a, n["api"])
        if want("seq"):
            log(f"{seq_calls} sequential calls: {n['seq']} rounds")
            library(res, "seq", {
                "hfs": lambda: [a.hfs_bench, "seq", url, seq_calls],
                "python": lambda: [a.python, gc, "seq", url, seq_calls],
                "node": lambda: ["node", js, "seq", url, seq_calls],
            }, n["seq"], ["mean_ms"])
        if want("burst"):
            log(f"{burst_jobs} jobs at once: {n['burst']} rounds")
            library(res, "burst", {
                "hfs": lambda: [a.hfs_bench, "burst", url, burst_jobs],
                "python": lambda: [a.python, gc, "burst", url, burst_jobs],
                "node": lambda: ["node", js, "burst", url, burst_jobs],
            }, n["burst"], ["wall_s", "cpu_per_job_ms"])
        if want("transfer"):
            log(f"transfer of {mib:.0f} MiB: {n['transfer']} rounds")
            transfer(res, a, a.size, n["transfer"], tmp)
        if want("provider_image") or want("provider_chat"):
            if not (a.fakehub and a.fixtures and os.path.isdir(os.path.join(a.fixtures, "hf-cassettes"))):
                skipped.append("Inference Providers rows: skipped, no hfs-fakehub binary or no recorded fixtures "
                               f"(--fixtures {a.fixtures or '?'})")
            else:
                log("starting hfs-fakehub (fake Hub + router + CDN)")
                a.fake = FakeRouter(a.fakehub, a.fixtures, tmp)
                log(f"fake hub {a.fake.hub}, router {a.fake.router}")
                pn = max(n["provider_image"], n["provider_chat"])
                log(f"inference providers, text-to-image + chat: {pn} rounds")
                provider(res, a, pn, tmp)
        if want("legacy_cold"):
            if not (a.legacy_server_python and a.legacy_client_python):
                skipped.append("3.x row: skipped, no gradio 3.50.2 or gradio_client 1.x venv")
            else:
                log(f"cold call on a 3.x app: {n['legacy_cold']} rounds")
                legacy = legacy_app(a.legacy_server_python, tmp)
                try:
                    gc1 = os.path.join(HERE, "py", "gc1_cold.py")
                    cold(res, "legacy_cold", {
                        "hfs": lambda d: [a.hfs, "call", legacy.url, "/greet", "name=Ann", "-q", "-o", d],
                        "python": lambda d: [a.legacy_client_python, gc1, legacy.url],
                    }, n["legacy_cold"], tmp)
                finally:
                    legacy.stop()
        if want("mcp_call") or want("mcp_start"):
            if not (a.mcp_python and a.gradio_mcp_python):
                skipped.append("MCP rows: skipped, no MCP client or gradio[mcp] venv")
            else:
                if want("mcp_call"):
                    log(f"mcp tool calls: {n['mcp_call']} rounds of {mcp_calls}")
                    mcp_call(res, a, n["mcp_call"], mcp_calls, tmp)
                if want("mcp_start"):
                    log(f"mcp server start: {n['mcp_start']} rounds")
                    mcp_start(res, a, n["mcp_start"], tmp)
    finally:
        if a.fake:
            a.fake.stop()
        if a.server:
            a.server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "duration_s": round(time.time() - started),
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, {mem_gib()} GiB RAM, Linux {platform.release()}",
        "versions": {
            "hfs": version_of([a.hfs, "--version"]).replace("hfs ", "") + f" ({git_rev()})",
            "rustc": version_of(["rustc", "--version"]).replace("rustc ", ""),
            "gradio (server)": a.server.gradio if a.server else "?",
            "gradio_client": py_version(a.python, "gradio_client"),
            "hf-gradio": py_version(a.python, "hf_gradio", dist="hf-gradio") if a.hf_gradio else "not installed",
            "@gradio/client": node_version(a.node_dir),
            "huggingface_hub": py_version(a.python, "huggingface_hub"),
            "gradio_client (3.x row)": py_version(a.legacy_client_python, "gradio_client") if a.legacy_client_python else "not installed",
            "mcp (client)": py_version(a.mcp_python, "mcp") if a.mcp_python else "not installed",
            "mcp (in gradio[mcp])": py_version(a.gradio_mcp_python, "mcp") if a.gradio_mcp_python else "not installed",
            "Python": version_of([a.python, "--version"]).replace("Python ", ""),
            "Node": version_of(["node", "--version"]),
            "curl": version_of(["curl", "--version"]).split()[1],
        },
    }
    if a.merge:
        with open(a.merge) as f:
            old = json.load(f)
        kept = [s for s in old["scenarios"] if s not in res.raw]
        for s_ in kept:
            res.raw[s_] = old["scenarios"][s_]
            if s_ in old.get("notes", {}):
                res.notes[s_] = old["notes"][s_]
        if not a.server:
            for k in ("gradio (server)", "gradio_client", "hf-gradio", "@gradio/client", "Node", "curl"):
                if k in old["meta"]["versions"]:
                    meta["versions"][k] = old["meta"]["versions"][k]
        ran = ", ".join(s_ for s_ in res.raw if s_ not in kept)
        cfg["merged"] = (f"Merged: {ran} measured in this run ({meta['date']}, {meta['duration_s']} s); "
                         f"{', '.join(kept)} kept from the {'quick' if old['config']['quick'] else 'full'} run of "
                         f"{old['meta']['date']} (`{os.path.basename(a.merge)}`, hfs {old['meta']['versions'].get('hfs', '?')}).")
        cfg["runs"] = {**old["config"].get("runs", {}), **{k: v for k, v in n.items() if k in res.raw and k not in kept}}
        for key in ("seq_calls", "burst_jobs", "transfer_bytes", "batch_items", "resume_items"):
            cfg[key] = old["config"].get(key, cfg[key])
        cfg["quick"] = old["config"]["quick"] and q
    os.makedirs(a.out, exist_ok=True)
    write_report(res, meta, cfg, a.out)
    log(f"done in {meta['duration_s']} s: {os.path.join(a.out, 'RESULTS.md')}")
    with open(os.path.join(a.out, "RESULTS.md")) as f:
        text = f.read()
    start = text.index("## Targets")
    print(text[start:text.index("\n## ", start + 5)])


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def mem_gib():
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
        return round(kib / (1 << 20))
    except Exception:
        return "?"


def git_rev():
    r = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True, text=True)
    return r.stdout.strip() or "?"


def py_version(python, module, dist=None):
    code = f"import importlib.metadata as m; print(m.version({(dist or module)!r}))"
    return version_of([python, "-c", code])


def node_version(node_dir):
    try:
        with open(os.path.join(node_dir, "node_modules", "@gradio", "client", "package.json")) as f:
            return json.load(f)["version"]
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
