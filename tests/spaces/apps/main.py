"""The main test Space: one endpoint per protocol feature the client must handle.

Queue on (defaults), show_error=True. Every listener has an explicit api_name.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

import gradio as gr
import numpy as np
from PIL import Image

from . import _compat as compat


# --------------------------------------------------------------------------- helpers


def _colour(text: str) -> tuple:
    d = hashlib.sha256(text.encode()).digest()
    return (d[0], d[1], d[2])


def _file_summary(path: str) -> str:
    with open(path, "rb") as f:
        data = f.read()
    return f"{os.path.basename(path)}:{len(data)}:{hashlib.sha256(data).hexdigest()}"


def _make_video(tmp: str) -> str | None:
    """A 1 s 64x64 test-pattern mp4, made once at build time (None without ffmpeg)."""
    out = os.path.join(tmp, "out.mp4")
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        print("main: ffmpeg not found, /video will fail", file=sys.stderr)
        return None
    subprocess.run(
        [ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", "testsrc=duration=1:size=64x64:rate=10", "-pix_fmt", "yuv420p", out],
        check=True, stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr,
    )
    return out


# --------------------------------------------------------------------------- endpoints


def greet(name, greeting="Hello", excited=False):
    return f"{greeting}, {name}{'!' if excited else '.'}"


def calc(num1, operation, num2):
    if operation == "add":
        return num1 + num2
    if operation == "subtract":
        return num1 - num2
    if operation == "multiply":
        return num1 * num2
    if operation == "divide":
        if num2 == 0:
            raise gr.Error("Cannot divide by zero!")
        return num1 / num2
    raise gr.Error(f"Unknown operation: {operation}")


def count(n):
    out = ""
    for i in range(int(n)):
        out += str(i)
        yield out
        time.sleep(0.05)


def json_gen(n):
    items = []
    for i in range(int(n)):
        items.append({"i": i})
        yield list(items)
        time.sleep(0.05)


def fail_midway(n):
    out = ""
    for i in range(int(n)):
        if i == 3:
            raise gr.Error("failed at 3")
        out += str(i)
        yield out
        time.sleep(0.05)


def iterate():
    for i in range(20):
        yield i
        time.sleep(0.3)


def long():
    time.sleep(10)
    return "done"


def sleep(seconds):
    time.sleep(seconds)
    return f"slept {seconds}"


def fail(x):
    raise compat.error(f"Boom: {x}", title="Custom title")


def crash(x):
    raise ValueError(f"plain exception {x}")


def notify(x):
    gr.Info(f"info message {x}")
    gr.Warning("warning message")
    return x


def generate_image(prompt, seed, width, height, steps, progress=gr.Progress()):
    seed = int(seed)
    for _ in progress.tqdm(range(int(steps)), desc="denoising"):
        time.sleep(0.05)
    img = Image.new("RGB", (int(width), int(height)), _colour(f"{prompt}:{seed}"))
    return img, seed


def gallery(n):
    n = int(n)
    items = []
    for i in range(n):
        img = Image.new("RGB", (8, 8), _colour(f"gallery:{i}"))
        items.append((img, None if i == n - 1 else f"caption {i}"))
    return items


def audio(seconds):
    rate = 16000
    t = np.arange(int(rate * float(seconds))) / rate
    return rate, (np.sin(2 * np.pi * 440 * t) * 0.3 * 32767).astype(np.int16)


def file_out(text):
    path = os.path.join(tempfile.mkdtemp(prefix="hfs-file-out-"), f"out_{text[:8]}.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def file_in(f):
    return _file_summary(f)


def files_in(fs):
    return [_file_summary(f) for f in fs or []]


def image_in(img):
    with Image.open(img) as im:
        return f"{im.width}x{im.height}"


def state_inc(n):
    n = (n or 0) + 1
    return n, str(n)


def secret(x):
    return "secret " + x


def hidden(x):
    return "hidden " + x


def echo_json(obj):
    return obj


def multi(x):
    return x, len(x), {"x": x}


def update(x):
    return gr.update(value="hi " + x, visible=True)


def unicode():
    return "before\x85after ünïcödé ✓", None


def big():
    return "x" * 720000


_HEADERS = ["x-hf-authorization", "authorization", "x-gradio-user", "x-test-header", "cookie"]


def headers(x, request: gr.Request):
    h = {k.lower(): v for k, v in request.headers.items()}
    return {name: h.get(name) for name in _HEADERS}


def video_in(v):
    path = compat.video_path(v)
    return f"{os.path.basename(path)}:{os.path.getsize(path)}"


def gallery_in(g):
    return [os.path.basename(p) for p in compat.gallery_paths(g)]


def event_data(evt: gr.EventData):
    """Returns the `event_data` the client sent with the call."""
    return evt._data


def queue_off(x):
    return "unqueued " + x


# Per-token progress of `ticker` (and runs of `checked`): lets a test prove a generator stopped.
_TICKS = {}


def checked(text, n):
    """Only reached when the validator (5.50+) accepts the inputs; counts its runs per text."""
    _TICKS[text] = _TICKS.get(text, 0) + 1
    return f"{text} x{int(n)}"


def check_inputs(text, n):
    return [gr.validate(len(text) >= 3, "too short"), gr.validate(n >= 0, "must not be negative")]


def stream_audio(n):
    """Streams n quarter-second 16 kHz tone chunks (each a complete wav file) into Audio(streaming=True)."""
    rate = 16000
    t = np.arange(rate // 4) / rate
    for i in range(int(n)):
        yield rate, (np.sin(2 * np.pi * (440 + 110 * i) * t) * 0.3 * 32767).astype(np.int16)
        time.sleep(0.05)


def ticker(token):
    """Counts to 59 every 0.2 s, recording how far it got under `token`."""
    for i in range(60):
        _TICKS[token] = i + 1
        yield i
        time.sleep(0.2)


def ticks(token):
    return _TICKS.get(token, 0)


def chat(message, history):
    """Streams "echo: <message>" word by word into the chatbot."""
    history = list(history or [])
    words = ("echo: " + message).split(" ")
    fmt = compat.chatbot_format()
    for i in range(1, len(words) + 1):
        reply = " ".join(words[:i])
        if fmt == "tuples":
            yield history + [[message, reply]]
        else:
            # 6.x postprocess accepts plain-string content and turns it into parts.
            yield history + [
                {"role": "user", "content": message},
                {"role": "assistant", "content": reply},
            ]
        time.sleep(0.05)


# --------------------------------------------------------------------------- app


def build():
    tmp = tempfile.mkdtemp(prefix="hfs-main-")
    video_path = _make_video(tmp)

    def video():
        if video_path is None:
            raise gr.Error("ffmpeg is not installed on the test machine")
        return video_path

    with gr.Blocks(title="hfs test: main") as demo:
        def on(fn, inputs, outputs, api_name, **kw):
            """One button per endpoint (Button.click exists on every version)."""
            btn = gr.Button(api_name if isinstance(api_name, str) else fn.__name__)
            btn.click(fn, inputs, outputs, api_name=api_name, **kw)

        # greet: name required, greeting/excited have defaults (component values).
        name = gr.Textbox(label="name")
        greeting = gr.Textbox(label="greeting", value="Hello")
        excited = gr.Checkbox(label="excited", value=False)
        on(greet, [name, greeting, excited], gr.Textbox(label="greet output"), "greet")

        num1 = gr.Number(label="num1")
        operation = gr.Radio(["add", "subtract", "multiply", "divide"], label="operation", value="add")
        num2 = gr.Number(label="num2", value=10)
        on(calc, [num1, operation, num2], gr.Number(label="calc output"), "calc")

        n = gr.Number(label="n")
        on(count, [n], gr.Textbox(label="count output"), "count")
        on(json_gen, [n], gr.JSON(label="json_gen output"), "json_gen")
        on(fail_midway, [n], gr.Textbox(label="fail_midway output"), "fail_midway")
        on(iterate, None, gr.Number(label="iterate output"), "iterate")
        on(long, None, gr.Textbox(label="long output"), "long")
        on(sleep, [gr.Number(label="seconds")], gr.Textbox(label="sleep output"), "sleep")

        x = gr.Textbox(label="x")
        on(fail, [x], gr.Textbox(label="fail output"), "fail")
        on(crash, [x], gr.Textbox(label="crash output"), "crash")
        on(notify, [x], gr.Textbox(label="notify output"), "notify")

        prompt = gr.Textbox(label="prompt")
        seed = gr.Number(label="seed", value=0)
        width = gr.Slider(16, 256, value=64, step=1, label="width")
        height = gr.Slider(16, 256, value=64, step=1, label="height")
        steps = gr.Slider(1, 50, value=5, step=1, label="steps")
        image = gr.Image(type="pil", label="image", **compat.png(gr.Image))
        on(generate_image, [prompt, seed, width, height, steps],
           [image, gr.Number(label="effective seed")], "generate_image")

        on(gallery, [gr.Number(label="count", value=3)],
           gr.Gallery(label="gallery", **compat.png(gr.Gallery)), "gallery")
        on(audio, [gr.Number(label="seconds", value=0.5)], gr.Audio(label="audio"), "audio")
        on(video, None, gr.Video(label="video"), "video")

        on(file_out, [x], gr.File(label="file_out output"), "file_out")
        on(file_in, [gr.File(label="f", type="filepath")], gr.Textbox(label="file_in output"), "file_in")
        on(files_in, [gr.File(label="fs", file_count="multiple", type="filepath")],
           gr.JSON(label="files_in output"), "files_in")
        on(image_in, [gr.Image(label="img", type="filepath")], gr.Textbox(label="image_in output"), "image_in")

        counter = gr.State(0)
        on(state_inc, [counter], [counter, gr.Textbox(label="state_inc output")], "state_inc")

        # Private: 6.x keeps the name "secret" but marks it private; ≤5.x can only
        # hide it with api_name=False (see _compat.private).
        on(secret, [x], gr.Textbox(label="secret output"), **compat.private("secret"))
        on(hidden, [x], gr.Textbox(label="hidden output"), "hidden", **compat.undocumented())

        on(echo_json, [gr.JSON(label="obj")], gr.JSON(label="echo_json output"), "echo_json")
        on(multi, [x],
           [gr.Textbox(label="multi text"), gr.Number(label="multi len"), gr.JSON(label="multi json")], "multi")
        on(update, [x], gr.Textbox(label="update output", visible=False), "update")
        on(unicode, None, [gr.Textbox(label="unicode a"), gr.Textbox(label="unicode b")], "unicode")
        on(big, None, gr.Textbox(label="big output"), "big")
        on(headers, [x], gr.JSON(label="headers output"), "headers")

        message = gr.Textbox(label="message")
        bot = compat.chatbot(label="chatbot")
        on(chat, [message, bot], bot, "chat")

        on(video_in, [gr.Video(label="v")], gr.Textbox(label="video_in output"), "video_in")
        on(gallery_in, [gr.Gallery(label="g", **compat.gallery_input())], gr.JSON(label="gallery_in output"), "gallery_in")
        on(event_data, None, gr.JSON(label="event_data output"), "event_data")
        on(queue_off, [x], gr.Textbox(label="queue_off output"), "queue_off", queue=False)
        on(checked, [x, n], gr.Textbox(label="checked output"), "checked", **compat.validator(check_inputs))
        on(stream_audio, [gr.Number(label="chunks", value=3)],
           gr.Audio(label="stream_audio output", streaming=True, **compat.wav_stream()), "stream_audio")

        # ticker runs until cancelled; stop's only listener is `cancels=[ticker]` (what pre-4.31
        # clients trigger to cancel on the server); ticks reports how far a ticker got.
        token = gr.Textbox(label="token")
        ticker_event = gr.Button("ticker").click(ticker, [token], gr.Number(label="ticker output"), api_name="ticker")
        gr.Button("stop").click(None, None, None, cancels=[ticker_event])
        on(ticks, [token], gr.Number(label="ticks output"), "ticks")

    demo.queue()
    return demo, {"show_error": True}
