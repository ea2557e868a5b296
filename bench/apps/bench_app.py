"""The benchmark's Gradio apps, served on 127.0.0.1 random ports.

    <venv>/bin/python bench/apps/bench_app.py

Starts two apps in this process and, when both are up, prints exactly one line on stdout:

    {"gradio": "6.31.0", "apps": {"main": "http://127.0.0.1:P/", "api2000": "http://127.0.0.1:Q/"}}

then blocks reading stdin; on EOF, SIGTERM or SIGINT it closes both apps and exits 0 (the same
contract as tests/spaces/serve.py, whose launch code this reuses).

* main — `queue(default_concurrency_limit=None)` so the server never serialises the clients' jobs:
  `/echo` (text → text, the trivial endpoint that exposes client overhead), `/image` (seed → a
  256×256 PNG, downloaded by the clients), `/txt2img` (prompt, seed → that PNG), `/slow_img`
  (prompt, seed → a 64×64 PNG after 50 ms, 4 at a time: the batch row), `/upload_size` (file → its size as text), `/make_file`
  (size in bytes → a file of that size).
* api2000 — 2,000 named endpoints over a handful of shared components (Textbox, Number, Dropdown,
  Slider, Checkbox), for `hfs api` vs `view_api`.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "spaces"))

import serve  # noqa: E402  (redirects stdout to stderr; keeps the real stdout for the ready line)

import json  # noqa: E402
import signal  # noqa: E402
import tempfile  # noqa: E402
import traceback  # noqa: E402

import gradio as gr  # noqa: E402
import numpy as np  # noqa: E402


API_ENDPOINTS = int(os.environ.get("HFS_BENCH_API_ENDPOINTS", "2000"))


def echo(text):
    return text


def image(seed):
    rng = np.random.default_rng(int(seed))
    return rng.integers(0, 256, size=(256, 256, 3), dtype=np.uint8)


def txt2img(prompt, seed):
    """What a generation Space looks like to the adapter: a prompt and a seed in, an image out."""
    return image(seed)


def slow_img(prompt, seed):
    """A generation that takes 50 ms and runs 4 at a time (`concurrency_limit=4`): the batch row."""
    import time

    time.sleep(0.05)
    rng = np.random.default_rng(int(seed))
    return rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)


def upload_size(f):
    return str(os.path.getsize(f))


_made = {}


def make_file(size):
    size = int(size)
    if size not in _made:
        fd, path = tempfile.mkstemp(prefix="bench-", suffix=".bin")
        chunk = os.urandom(1 << 20)
        with os.fdopen(fd, "wb") as f:
            left = size
            while left > 0:
                f.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
        _made[size] = path
    return _made[size]


def build_main():
    with gr.Blocks() as demo:
        t_in = gr.Textbox(label="text")
        t_out = gr.Textbox(label="echo")
        gr.Button("echo").click(echo, t_in, t_out, api_name="echo")
        seed = gr.Number(label="seed", value=0)
        img = gr.Image(label="image", format="png")
        gr.Button("image").click(image, seed, img, api_name="image")
        prompt = gr.Textbox(label="prompt")
        gr.Button("txt2img").click(txt2img, [prompt, seed], gr.Image(label="result", format="png"), api_name="txt2img")
        gr.Button("slow").click(slow_img, [prompt, seed], gr.Image(label="result", format="png"), api_name="slow_img",
                                concurrency_limit=4)
        f_in = gr.File(label="file")
        size_out = gr.Textbox(label="size")
        gr.Button("upload").click(upload_size, f_in, size_out, api_name="upload_size")
        n = gr.Number(label="size", value=1024, precision=0)
        f_out = gr.File(label="file")
        gr.Button("make").click(make_file, n, f_out, api_name="make_file")
    demo.queue(default_concurrency_limit=None)
    return demo


def _fn(i):
    def f(*args):
        return f"{i}:{args!r}"
    f.__name__ = f"ep{i}"
    return f


def build_api2000():
    with gr.Blocks() as demo:
        comps = [
            gr.Textbox(label="prompt"),
            gr.Number(label="seed", value=42),
            gr.Dropdown(label="style", choices=["photo", "anime", "sketch", "oil"], value="photo"),
            gr.Slider(label="strength", minimum=0, maximum=1, value=0.5),
            gr.Checkbox(label="upscale", value=False),
        ]
        out = gr.Textbox(label="result")
        btn = gr.Button("go")
        for i in range(API_ENDPOINTS):
            k = 1 + i % len(comps)
            btn.click(_fn(i), comps[:k], out, api_name=f"endpoint_{i:04d}")
    demo.queue(default_concurrency_limit=None)
    return demo


def _launch(demo) -> str:
    # serve.launch imports `apps.<name>`; reuse its retry loop through a stand-in module.
    import types
    name = f"_bench_{id(demo)}"
    mod = types.ModuleType(f"apps.{name}")
    mod.build = lambda: (demo, {"show_error": True})
    sys.modules[f"apps.{name}"] = mod
    return serve.launch(name)


def main() -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: serve.shutdown(0))
    try:
        urls = {"main": _launch(build_main()), "api2000": _launch(build_api2000())}
    except BaseException:
        traceback.print_exc()
        serve.shutdown(1)
    serve._READY_OUT.write(json.dumps({"gradio": gr.__version__, "apps": urls}) + "\n")
    serve._READY_OUT.flush()
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except Exception:
        pass
    serve.shutdown(0)


if __name__ == "__main__":
    main()
