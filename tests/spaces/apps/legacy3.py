"""A Gradio 3.x app (websocket queue, 3.x FileData, base64 images) with one endpoint per client
feature hfs supports on 3.x: named and positional calls with defaults, a generator with progress,
gr.Error, files in and out, an image in and out, a gallery, logs (gr.Info, gr.Warning), a non-queued endpoint, and a cancellable
ticker. Only built on 3.x venvs."""

import hashlib
import os
import tempfile
import time

import gradio as gr
import numpy as np

_TICKS = {}


def greet(name, greeting):
    return f"{greeting}, {name}."


def count(n, progress=gr.Progress()):
    out = ""
    for i in range(int(n)):
        progress((i, int(n)), desc="counting", unit="steps")
        out += str(i)
        time.sleep(0.05)
        yield out


def fail(x):
    raise gr.Error(f"Boom: {x}")


def file_in(f):
    with open(f.name, "rb") as fh:
        data = fh.read()
    return f"{os.path.basename(f.orig_name if hasattr(f, 'orig_name') else f.name)}:{len(data)}:{hashlib.sha256(data).hexdigest()}"


def file_out(text):
    d = tempfile.mkdtemp()
    p = os.path.join(d, f"out_{text[:8]}.txt")
    with open(p, "w") as fh:
        fh.write(text)
    return p


def image_out(seed):
    rng = np.random.default_rng(int(seed))
    return rng.integers(0, 256, size=(16, 16, 3), dtype=np.uint8)


def txt2img(prompt, seed):
    """What a 3.x generation Space looks like to the adapter: a prompt and a seed in, an image out
    (every pixel from sha256(prompt:seed), like the standard app's generate_image)."""
    rgb = hashlib.sha256(f"{prompt}:{int(seed)}".encode()).digest()[:3]
    return np.full((32, 32, 3), list(rgb), dtype=np.uint8)


def image_in(img):
    return f"{img.shape[1]}x{img.shape[0]}"


def gallery(n):
    return [(np.full((8, 8, 3), 40 * i, dtype=np.uint8), f"caption {i}") for i in range(int(n))]


def notify(x):
    gr.Info(f"info: {x}")
    gr.Warning(f"careful: {x}")
    return x


def unqueued(x):
    return f"unqueued {x}"


def ticker(token):
    for i in range(60):
        _TICKS[token] = i + 1
        yield i
        time.sleep(0.2)


def ticks(token):
    return _TICKS.get(token, 0)


def build():
    with gr.Blocks() as demo:
        name = gr.Textbox(label="name")
        greeting = gr.Textbox(label="greeting", value="Hello")
        out = gr.Textbox(label="output")
        gr.Button("greet").click(greet, [name, greeting], out, api_name="greet")
        n = gr.Number(label="n", value=3)
        gr.Button("count").click(count, n, out, api_name="count")
        gr.Button("fail").click(fail, name, out, api_name="fail")
        f = gr.File(label="f")
        gr.Button("file_in").click(file_in, f, out, api_name="file_in")
        gr.Button("file_out").click(file_out, name, gr.File(label="file"), api_name="file_out")
        seed = gr.Number(label="seed", value=7)
        gr.Button("image_out").click(image_out, seed, gr.Image(label="image"), api_name="image_out")
        gr.Button("image_in").click(image_in, gr.Image(label="img"), out, api_name="image_in")
        prompt = gr.Textbox(label="Prompt")
        gr.Button("txt2img").click(txt2img, [prompt, seed], gr.Image(label="result"), api_name="txt2img")
        gr.Button("gallery").click(gallery, n, gr.Gallery(label="g"), api_name="gallery")
        gr.Button("unqueued").click(unqueued, name, out, api_name="unqueued", queue=False)
        gr.Button("notify").click(notify, name, out, api_name="notify")
        token = gr.Textbox(label="token")
        tick_event = gr.Button("ticker").click(ticker, token, gr.Number(label="ticker output"), api_name="ticker")
        gr.Button("stop").click(None, None, None, cancels=[tick_event])
        gr.Button("ticks").click(ticks, token, gr.Number(label="ticks output"), api_name="ticks")
    demo.queue()
    return demo, {"show_error": True}
