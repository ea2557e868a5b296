"""An image Space whose queue holds one job and runs one at a time (queue-full fallback)."""

import time

import gradio as gr
from PIL import Image

from . import _compat as compat


def infer(prompt, seconds):
    time.sleep(float(seconds))
    return Image.new("RGB", (4, 4), (len(prompt) % 256, 0, 0))


def build():
    with gr.Blocks(title="hfs test: busy") as demo:
        prompt = gr.Textbox(label="prompt")
        seconds = gr.Number(label="seconds", value=0)
        gr.Button("Run").click(infer, [prompt, seconds], gr.Image(label="image", **compat.png(gr.Image)), api_name="infer")
    demo.queue(max_size=1, default_concurrency_limit=1)
    return demo, {}
