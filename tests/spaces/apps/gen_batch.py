"""An image Space for batch runs: `/infer(prompt, seed, width, height)` sleeps `HFS_BATCH_MS`
milliseconds (default 50), runs 4 calls at a time and queues 4 more (`queue_full` beyond).

Faults a real Space produces, on a fixed schedule so a run sees each of them:
* every `HFS_BATCH_QUOTA_EVERY`th call (default 23; 0: never) fails with the ZeroGPU quota
  error of the `spaces` package, resetting in `HFS_BATCH_QUOTA_RESET` (default `0:00:01`);
* a prompt starting with "slow" takes ten times as long;
* a prompt containing "quota-once" runs out of quota (resetting in 1 s) the first time it is seen;
* a prompt containing "forbidden" fails with an app error (`gr.Error`): nothing will change it.

The image's colour is a hash of (prompt, seed, width, height): same inputs, same pixels.
"""

import hashlib
import itertools
import os
import threading
import time

import gradio as gr
from PIL import Image

from . import _compat as compat

MAX_SEED = 2**31 - 1
_calls = itertools.count(1)
_lock = threading.Lock()
_seen = set()


def infer(prompt, seed, width, height):
    with _lock:
        n = next(_calls)
        first_time = prompt not in _seen
        _seen.add(prompt)
    ms = int(os.environ.get("HFS_BATCH_MS", "50"))
    time.sleep(ms * (10 if prompt.startswith("slow") else 1) / 1000)
    if "forbidden" in prompt:
        raise gr.Error("This prompt is not allowed by the app.")
    if "quota-once" in prompt and first_time:
        raise gr.Error("You have exceeded your free ZeroGPU quota (60s requested vs. 0s left). Try again in 0:00:01.")
    every = int(os.environ.get("HFS_BATCH_QUOTA_EVERY", "23"))
    if every and n % every == 0:
        reset = os.environ.get("HFS_BATCH_QUOTA_RESET", "0:00:01")
        raise gr.Error(f"You have exceeded your free ZeroGPU quota (60s requested vs. 0s left). Try again in {reset}.")
    d = hashlib.sha256(f"{prompt}:{int(seed)}:{int(width)}:{int(height)}".encode()).digest()
    return Image.new("RGB", (max(1, int(width) // 64), max(1, int(height) // 64)), (d[0], d[1], d[2])), int(seed)


def build():
    with gr.Blocks(title="hfs test: batch") as demo:
        prompt = gr.Textbox(label="Prompt")
        seed = gr.Slider(0, MAX_SEED, value=0, step=1, label="Seed")
        width = gr.Slider(64, 1024, value=256, step=64, label="Width")
        height = gr.Slider(64, 1024, value=256, step=64, label="Height")
        image = gr.Image(label="Image", **compat.png(gr.Image))
        used = gr.Number(label="Seed used", precision=0)
        gr.Button("Run").click(infer, [prompt, seed, width, height], [image, used], api_name="infer", concurrency_limit=4)
    demo.queue(max_size=4)
    return demo, {}
