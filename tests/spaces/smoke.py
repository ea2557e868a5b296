"""Smoke test for the test Spaces, using the official gradio_client of the venv.

    ~/.cache/hfs/test-venvs/gradio-<version>/bin/python tests/spaces/smoke.py [-v]

Starts serve.py (same interpreter) with every app, calls every endpoint once,
prints a pass/fail table and exits non-zero if anything failed. The servers are
stopped at the end (by closing serve.py's stdin).
"""

import hashlib
import inspect
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio_client  # noqa: E402
import httpx  # noqa: E402
from gradio_client import Client  # noqa: E402
from PIL import Image  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
APPS = ["main", "queue1", "auth", "limits"]
VERBOSE = "-v" in sys.argv


def _v(s):
    return tuple(int(p) for p in s.split(".")[:3] if p.isdigit())


CLIENT_V = _v(gradio_client.__version__)
# Client 1.0+ needs handle_file() around file paths and supports keyword args.
NEW_CLIENT = CLIENT_V >= (1, 0)


CHECK_TIMEOUT = 40.0


def with_timeout(fn, seconds):
    """Run fn in a daemon thread; a hung official client must not hang the smoke test."""
    box = {}

    def target():
        try:
            box["ok"] = fn()
        except BaseException as e:  # noqa: BLE001
            box["err"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        raise TimeoutError(f"no answer within {seconds:.0f}s")
    if "err" in box:
        raise box["err"]
    return box["ok"]


def filearg(path):
    return gradio_client.handle_file(path) if NEW_CLIENT else path


def make_client(url, **kw):
    params = inspect.signature(Client.__init__).parameters
    if "verbose" in params:
        kw["verbose"] = False
    return Client(url, **kw)


def paths_in(obj):
    """Every existing local file path inside a (nested) client result."""
    if isinstance(obj, str):
        return [obj] if os.path.isfile(obj) else []
    if isinstance(obj, dict):
        return [p for v in obj.values() for p in paths_in(v)]
    if isinstance(obj, (list, tuple)):
        return [p for v in obj for p in paths_in(v)]
    return []


def summary(path):
    with open(path, "rb") as f:
        data = f.read()
    return f"{os.path.basename(path)}:{len(data)}:{hashlib.sha256(data).hexdigest()}"


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def expect_error(fn, *needles):
    try:
        out = fn()
    except Exception as e:  # noqa: BLE001 - the clients raise various types
        text = f"{type(e).__name__}: {e}"
        for n in needles:
            expect(n in text, f"error {text!r} lacks {n!r}")
        return text
    raise AssertionError(f"expected an error, got {out!r}")


def raw_call(url, api_name, data):
    """Call an endpoint over the queue with plain httpx, splitting SSE on b"\\n" only.

    Used where an official client of this version is known to break on what the
    server sends (see README), to check the server side independently.
    Returns every decoded message of the job, in order.
    """
    config = httpx.get(url + "config").json()
    api = url.rstrip("/") + config.get("api_prefix", "")
    protocol = config.get("protocol", "ws")
    fn_index = next(d.get("id", i) for i, d in enumerate(config["dependencies"])
                    if d.get("api_name") == api_name)
    session = os.urandom(6).hex()
    body = {"data": data, "fn_index": fn_index, "session_hash": session,
            "event_data": None, "trigger_id": None}
    messages = []
    with httpx.Client(timeout=60) as http:
        if protocol == "sse":  # 4.0-4.8: per-call stream, data posted on send_data
            stream = http.stream("GET", f"{api}/queue/join",
                                 params={"fn_index": fn_index, "session_hash": session})
        else:  # sse_v1+: join returns an event_id, one stream per session
            event_id = http.post(f"{api}/queue/join", json=body).json()["event_id"]
            stream = http.stream("GET", f"{api}/queue/data", params={"session_hash": session})
        with stream as resp:
            buf = b""
            for chunk in resp.iter_bytes():
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    if not line.startswith(b"data:"):
                        continue
                    msg = json.loads(line[5:])
                    if protocol != "sse" and msg.get("event_id") not in (None, event_id):
                        continue
                    messages.append(msg)
                    if msg.get("msg") == "send_data":
                        http.post(f"{api}/queue/data", json={**body, "event_id": msg["event_id"]})
                    if msg.get("msg") == "process_completed":
                        return messages
    raise AssertionError(f"stream ended without process_completed: {messages}")


def raw_output(messages):
    done = messages[-1]
    expect(done.get("success") is True, done)
    return done["output"]["data"]


class Smoke:
    def __init__(self, urls, gradio_version):
        self.urls = urls
        self.gv = _v(gradio_version)
        self.results = []  # (app, endpoint, status, detail)
        self.tmp = tempfile.mkdtemp(prefix="hfs-smoke-")

    def run(self, app, endpoint, fn, raw=None):
        """Run one check. `raw` (optional) re-checks the server with raw_call()
        when the official client itself fails (known client bugs, see README)."""
        t0 = time.time()
        try:
            detail = with_timeout(fn, CHECK_TIMEOUT)
            status = "pass"
        except Skip as s:
            status, detail = "skip", str(s)
        except Exception as e:  # noqa: BLE001
            status, detail = "FAIL", f"{type(e).__name__}: {e}"
            if VERBOSE:
                traceback.print_exc()
            if raw is not None:
                try:
                    detail = f"raw SSE ok: {with_timeout(raw, CHECK_TIMEOUT)}; official client failed: {detail}"
                    status = "raw"
                except Exception as e2:  # noqa: BLE001
                    detail = f"{detail}; raw SSE also failed: {type(e2).__name__}: {e2}"
        detail = f"{detail!s}"[:150].replace("\n", " ")
        self.results.append((app, endpoint, status, f"{detail} ({time.time() - t0:.1f}s)"))

    # ------------------------------------------------------------------ main app
    def main(self):
        url = self.urls["main"]
        c = make_client(url)
        p = c.predict
        config = httpx.get(url + "config").json()
        deps = config["dependencies"]
        names = [d.get("api_name") for d in deps]
        info = c.view_api(return_format="dict", print_info=False)
        named = set(info["named_endpoints"])

        # Slow ones run in the background while the rest is checked, each on its
        # own client: gradio_client 0.8 (sse_v1) loses fast jobs' completions when
        # another job keeps the session stream open (pending_event_ids race).
        long_job = make_client(url).submit(api_name="/long")
        iterate_job = make_client(url).submit(api_name="/iterate")

        def greet():
            if NEW_CLIENT and self.gv >= (4, 23):  # parameter defaults in /info
                r = p("World", api_name="/greet")
                expect(r == "Hello, World.", r)
                r = p("World", excited=True, api_name="/greet")
                expect(r == "Hello, World!", r)
            r = p("World", "Hi", True, api_name="/greet")
            expect(r == "Hi, World!", r)
            return r

        def calc():
            r = p(3, "multiply", 4, api_name="/calc")
            expect(r == 12, r)
            expect_error(lambda: p(1, "divide", 0, api_name="/calc"), "Cannot divide by zero!")
            return r

        def generator(api, n, final):
            def check():
                job = c.submit(n, api_name=api)
                r = job.result()
                outs = job.outputs()
                expect(r == final, r)
                expect(len(outs) >= 2, outs)
                return f"{len(outs)} outputs, last {r!r}"
            return check

        def fail_midway():
            job = c.submit(5, api_name="/fail_midway")
            e = expect_error(job.result, "failed at 3")
            return f"{job.outputs()!r} then {e}"

        def sleep():
            r = p(0.1, api_name="/sleep")
            expect(r == "slept 0.1", r)
            return r

        def fail():
            return expect_error(lambda: p("x", api_name="/fail"), "Boom: x")

        def crash():
            return expect_error(lambda: p("x", api_name="/crash"), "plain exception x")

        def notify():
            r = make_client(url).predict("x", api_name="/notify")
            expect(r == "x", r)
            return r

        def notify_raw():
            msgs = raw_call(url, "notify", ["x"])
            logs = [(m["level"], m["log"]) for m in msgs if m["msg"] == "log"]
            expect(logs == [("info", "info message x"), ("warning", "warning message")], logs)
            expect(raw_output(msgs) == ["x"], msgs[-1])
            return logs

        def generate_image():
            img, seed = p("a cat", 7, 32, 24, 3, api_name="/generate_image")
            img = paths_in(img)[0]
            with Image.open(img) as im:
                expect(im.size == (32, 24), im.size)
                want = tuple(hashlib.sha256(b"a cat:7").digest()[:3])
                got = im.convert("RGB").getpixel((0, 0))
                expect(got == want, f"colour {got} != {want}")
            expect(seed == 7, seed)
            return f"{os.path.basename(img)} seed={seed}"

        def gallery():
            r = p(3, api_name="/gallery")
            files = paths_in(r)
            expect(len(files) == 3, r)
            if NEW_CLIENT:
                caps = [item.get("caption") for item in r]
                expect(caps == ["caption 0", "caption 1", None], caps)
            return repr(r)

        def audio():
            r = p(0.5, api_name="/audio")
            expect(len(paths_in(r)) == 1, r)
            return os.path.basename(paths_in(r)[0])

        def video():
            r = p(api_name="/video")
            files = paths_in(r)
            expect(len(files) == 1 and files[0].endswith(".mp4"), r)
            return repr(r)

        def file_out():
            r = p("hello world", api_name="/file_out")
            f = paths_in(r)[0]
            expect(os.path.basename(f) == "out_hello wo.txt", f)
            expect(open(f).read() == "hello world", open(f).read())
            return os.path.basename(f)

        sample = os.path.join(self.tmp, "sample.txt")
        with open(sample, "w") as f:
            f.write("sample file contents\n")
        sample2 = os.path.join(self.tmp, "second.bin")
        with open(sample2, "wb") as f:
            f.write(bytes(range(256)))

        def file_in():
            r = p(filearg(sample), api_name="/file_in")
            expect(r == summary(sample), r)
            return r

        def files_in():
            r = p([filearg(sample), filearg(sample2)], api_name="/files_in")
            expect(r == [summary(sample), summary(sample2)], r)
            return r

        def image_in():
            png = os.path.join(self.tmp, "in.png")
            Image.new("RGB", (20, 10), (255, 0, 0)).save(png)
            r = p(filearg(png), api_name="/image_in")
            expect(r == "20x10", r)
            return r

        def state_inc():
            r = [p(api_name="/state_inc") for _ in range(2)]
            expect(r == ["1", "2"], r)
            return r

        def secret():
            if self.gv >= (6,):
                dep = [d for d in deps if d.get("api_name") == "secret"]
                expect(dep and dep[0].get("api_visibility") == "private", dep)
            else:  # api_name=False: a nameless dependency is all there is
                expect(False in names, names)
            expect("/secret" not in named, named)
            return expect_error(lambda: p("x", api_name="/secret"))

        def hidden():
            r = p("x", api_name="/hidden")
            expect(r == "hidden x", r)
            if self.gv >= (4, 16):
                expect("/hidden" not in named, named)
            return r

        def echo_json():
            obj = {"a": [1, 2.5, {"b": None}], "s": "ü"}
            r = p(obj, api_name="/echo_json")
            expect(r == obj, r)
            return r

        def multi():
            r = p("hello", api_name="/multi")
            expect(tuple(r) == ("hello", 5, {"x": "hello"}), r)
            return r

        def update():
            r = p("x", api_name="/update")
            expect(isinstance(r, dict) and r.get("value") == "hi x" and r.get("visible") is True, r)
            return r

        # unicode/big/notify use their own client: a client that chokes on the
        # stream would otherwise fail the background /long and /iterate jobs too.
        def unicode():
            r = make_client(url).predict(api_name="/unicode")
            expect(tuple(r) == ("before\x85after ünïcödé ✓", None), r)
            return repr(r)

        def unicode_raw():
            r = raw_output(raw_call(url, "unicode", []))
            expect(r == ["before\x85after ünïcödé ✓", None], r)
            return repr(r)

        def big():
            r = make_client(url).predict(api_name="/big")
            expect(isinstance(r, str) and len(r) == 720000, len(r))
            return len(r)

        def big_raw():
            r = raw_output(raw_call(url, "big", []))
            expect(len(r[0]) == 720000, len(r[0]))
            return len(r[0])

        def headers():
            r = p("x", api_name="/headers")
            expect(set(r) == {"x-hf-authorization", "authorization", "x-gradio-user", "x-test-header", "cookie"}, r)
            return r

        def chat():
            if "/chat" not in named:
                raise Skip("not built on this version")
            job = c.submit("hello world", [], api_name="/chat")
            r = job.result()
            last = r[-1]
            if isinstance(last, dict):  # messages
                content = last["content"]
                text = content if isinstance(content, str) else "".join(
                    part.get("text", "") for part in content)
            else:  # tuples
                text = last[1]
            expect(text == "echo: hello world", r)
            return f"{len(job.outputs())} outputs, {r!r}"

        def long():
            r = long_job.result()
            expect(r == "done", r)
            return r

        def iterate():
            r = iterate_job.result()
            outs = iterate_job.outputs()
            expect(r == 19 and len(outs) == 20, (r, outs))
            return f"{len(outs)} outputs, last {r!r}"

        checks = [
            ("greet", greet), ("calc", calc),
            ("count", generator("/count", 5, "01234")),
            ("json_gen", generator("/json_gen", 3, [{"i": 0}, {"i": 1}, {"i": 2}])),
            ("fail_midway", fail_midway), ("sleep", sleep), ("fail", fail), ("crash", crash),
            ("notify", notify), ("generate_image", generate_image), ("gallery", gallery),
            ("audio", audio), ("video", video), ("file_out", file_out), ("file_in", file_in),
            ("files_in", files_in), ("image_in", image_in), ("state_inc", state_inc),
            ("secret", secret), ("hidden", hidden), ("echo_json", echo_json), ("multi", multi),
            ("update", update), ("unicode", unicode), ("big", big), ("headers", headers),
            ("chat", chat), ("iterate", iterate), ("long", long),
        ]
        raw = {"notify": notify_raw, "unicode": unicode_raw, "big": big_raw}
        for name, fn in checks:
            self.run("main", name, fn, raw.get(name))

    # ------------------------------------------------------------------ other apps
    def queue1(self):
        c = make_client(self.urls["queue1"])

        def wait():
            r = c.predict(0.2, api_name="/wait")
            expect(r == "waited", r)
            return r

        def queue_full():
            """Raw: with one job running and one waiting, a third join is refused."""
            url = self.urls["queue1"]
            config = httpx.get(url + "config").json()
            if config.get("protocol") == "sse":  # 4.0-4.8: refusal is a message on the call's stream
                results = []

                def call():
                    try:
                        results.append(raw_call(url, "wait", [1.0])[-1]["msg"])
                    except AssertionError as e:
                        results.append("queue_full" if "queue_full" in str(e) else str(e))

                threads = [threading.Thread(target=call) for _ in range(3)]
                for t in threads:
                    t.start()
                    time.sleep(0.3)
                for t in threads:
                    t.join()
                expect(sorted(results) == ["process_completed", "process_completed", "queue_full"], results)
                return results
            api = url.rstrip("/") + config.get("api_prefix", "")
            fn_index = next(d.get("id", i) for i, d in enumerate(config["dependencies"])
                            if d.get("api_name") == "wait")
            codes = []
            for _ in range(3):
                body = {"data": [1.0], "fn_index": fn_index, "session_hash": os.urandom(6).hex()}
                r = httpx.post(f"{api}/queue/join", json=body)
                codes.append((r.status_code, r.json().get("detail")))
                time.sleep(0.3)
            expect([c for c, _ in codes] == [200, 200, 503], codes)
            time.sleep(2)  # let the queue drain
            return codes[-1]

        self.run("queue1", "wait", wait)
        self.run("queue1", "queue_full", queue_full)

    def auth(self):
        url = self.urls["auth"]

        def echo():
            c = make_client(url, auth=("user", "pass"))
            r = c.predict("x", api_name="/echo")
            expect(r == "x", r)
            code = httpx.get(url + "config").status_code
            expect(code == 401, f"unauthenticated /config -> {code}")
            return f"{r!r}; no auth -> {code}"

        self.run("auth", "echo", echo)

    def limits(self):
        c = make_client(self.urls["limits"])
        small = os.path.join(self.tmp, "small.txt")
        with open(small, "w") as f:
            f.write("x" * 100)
        large = os.path.join(self.tmp, "large.txt")
        with open(large, "w") as f:
            f.write("x" * 4096)

        def size():
            r = c.predict(filearg(small), api_name="/size")
            expect(r == "100", r)
            if self.gv >= (4, 28):
                e = expect_error(lambda: c.predict(filearg(large), api_name="/size"))
                return f"{r!r}; 4 kB -> {e}"
            return r

        def crash():
            e = expect_error(lambda: c.predict("x", api_name="/crash"))
            expect("plain exception" not in e, e)
            return e

        self.run("limits", "size", size)
        self.run("limits", "crash", crash)


class Skip(Exception):
    pass


def main():
    proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "serve.py"), *APPS],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None if VERBOSE else subprocess.DEVNULL,
    )
    t0 = time.time()
    line = proc.stdout.readline()
    if not line:
        sys.exit(f"serve.py exited with {proc.wait()} before printing its URLs (run with -v)")
    ready = json.loads(line)
    print(f"gradio {ready['gradio']}, gradio_client {gradio_client.__version__}: "
          f"servers up in {time.time() - t0:.1f}s")
    smoke = Smoke(ready["apps"], ready["gradio"])
    try:
        smoke.main()
        smoke.queue1()
        smoke.auth()
        smoke.limits()
    finally:
        proc.stdin.close()  # serve.py closes the apps and exits on EOF
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            print("serve.py did not exit on stdin EOF", file=sys.stderr)
    width = max(len(f"{a}/{e}") for a, e, _, _ in smoke.results)
    for app, ep, status, detail in smoke.results:
        print(f"{app + '/' + ep:<{width}}  {status:<4}  {detail}")
    failed = [r for r in smoke.results if r[2] == "FAIL"]
    n_raw = sum(r[2] == "raw" for r in smoke.results)
    print(f"{len(smoke.results) - len(failed)}/{len(smoke.results)} ok"
          f"{f' ({n_raw} only via raw SSE)' if n_raw else ''} (serve.py exit {proc.returncode})")
    sys.stdout.flush()
    # os._exit: a hung client thread (see with_timeout) must not keep us alive.
    os._exit(1 if failed or proc.returncode != 0 else 0)


if __name__ == "__main__":
    main()
