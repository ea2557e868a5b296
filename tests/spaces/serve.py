"""Launch test Spaces for the hfs integration tests.

    python tests/spaces/serve.py APP [APP ...]

APP is a module of tests/spaces/apps/ exposing build() -> (demo, launch_kwargs).
Each app is launched on 127.0.0.1 with a free random port, or on PORT when given
as APP@PORT (a test that restarts a Space on the same address). When all are up,
exactly one line goes to stdout:

    {"gradio": "<gradio.__version__>", "apps": {"<APP>": "http://127.0.0.1:<port>/", ...}}

Everything else (gradio's own output included) goes to stderr. The process
then blocks reading stdin; on EOF, SIGTERM or SIGINT it closes every app and
exits 0. If an app cannot be started, the traceback goes to stderr and the exit
status is 1.
"""

import os
import sys

# Keep fd 1 for the single JSON line; route everything else (prints from
# gradio, uvicorn, ffmpeg children, ...) to stderr.
_READY_OUT = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
sys.stdout = sys.stderr

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
# A cache folder of our own: servers of different versions running at once would otherwise
# rewrite the same content-addressed files under /tmp/gradio while another one serves them.
if "GRADIO_TEMP_DIR" not in os.environ:
    import tempfile as _tempfile

    os.environ["GRADIO_TEMP_DIR"] = _OWN_TEMP_DIR = _tempfile.mkdtemp(prefix="hfs-test-gradio-")
# Gradio probes its own local URL at launch; a proxy must not intercept that.
for _var in ("NO_PROXY", "no_proxy"):
    os.environ[_var] = ",".join(filter(None, [os.environ.get(_var), "127.0.0.1", "localhost"]))

import importlib  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
import traceback  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

LAUNCH_ATTEMPTS = 5
CLOSE_TIMEOUT = 5.0

_demos = []
_closing = threading.Lock()


def log(msg: str) -> None:
    print(f"serve.py: {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(name: str, fixed_port=None) -> str:
    module = importlib.import_module(f"apps.{name}")
    demo, kwargs = module.build()
    kwargs = dict(kwargs)
    supported = inspect.signature(demo.launch).parameters
    if "ssr_mode" in supported:  # 5.0+: never start the Node SSR server
        kwargs.setdefault("ssr_mode", False)
    last_error = None
    for attempt in range(LAUNCH_ATTEMPTS):
        port = fixed_port or free_port()
        try:
            demo.launch(
                server_name="127.0.0.1",
                server_port=port,
                prevent_thread_lock=True,
                quiet=True,
                share=False,
                **kwargs,
            )
        except OSError as e:  # port taken between free_port() and bind
            last_error = e
            log(f"{name}: launch on port {port} failed ({e}), retrying")
            if fixed_port:
                import time

                time.sleep(0.5)
            try:
                demo.close()
            except Exception:
                pass
            continue
        _demos.append(demo)
        return f"http://127.0.0.1:{port}/"
    raise RuntimeError(f"could not launch {name} after {LAUNCH_ATTEMPTS} attempts") from last_error


def shutdown(code: int = 0) -> None:
    """Close every app (bounded by CLOSE_TIMEOUT) and exit immediately."""
    if not _closing.acquire(blocking=False):
        return

    def close_all():
        for demo in _demos:
            try:
                demo.close()
            except Exception:
                traceback.print_exc()

    t = threading.Thread(target=close_all, daemon=True)
    t.start()
    t.join(CLOSE_TIMEOUT)
    own = globals().get("_OWN_TEMP_DIR")
    if own:
        import shutil

        shutil.rmtree(own, ignore_errors=True)
    sys.stderr.flush()
    os._exit(code)


def main(argv) -> None:
    if not argv:
        print(__doc__, file=sys.stderr)
        os._exit(2)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: shutdown(0))
    try:
        import gradio

        urls = {}
        for arg in argv:
            name, _, port = arg.partition("@")
            urls[name] = launch(name, int(port) if port else None)
            log(f"{name} ready at {urls[name]}")
    except BaseException:
        traceback.print_exc()
        shutdown(1)
    _READY_OUT.write(json.dumps({"gradio": gradio.__version__, "apps": urls}) + "\n")
    _READY_OUT.flush()
    # Block until the parent closes our stdin (or dies).
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except Exception:
        pass
    shutdown(0)


if __name__ == "__main__":
    main(sys.argv[1:])
