"""Mimics Tongyi-MAI/Z-Image-Turbo: `/generate` takes a resolution *dropdown* and a `random_seed`
flag, and returns a (gallery, seed text, seed number) tuple."""

import hashlib
import random

import gradio as gr
from PIL import Image

from . import _compat as compat

RESOLUTIONS = ["1024x1024 ( 1:1 )", "1344x768 ( 16:9 )", "768x1344 ( 9:16 )", "1152x896 ( 9:7 )"]


def _colour(text):
    d = hashlib.sha256(text.encode()).digest()
    return (d[0], d[1], d[2])


def generate(prompt, resolution, seed, steps, shift, random_seed):
    if not prompt:
        raise gr.Error("prompt is empty")
    seed = random.randint(0, 2**31 - 1) if random_seed else int(seed)
    w, h = (int(x) for x in resolution.split(" ")[0].split("x"))
    # Tiny images (1/64 of the size) with the size and seed visible in the pixels' colour.
    img = Image.new("RGB", (w // 64, h // 64), _colour(f"{prompt}:{seed}:{int(steps)}"))
    return [(img, f"seed {seed}")], f"Seed: {seed}", seed


def build():
    with gr.Blocks(title="hfs test: z-image") as demo:
        prompt = gr.Textbox(label="Prompt")
        resolution = gr.Dropdown(RESOLUTIONS, value=RESOLUTIONS[0], label="Resolution")
        seed = gr.Number(label="Seed", value=42, precision=0)
        steps = gr.Slider(1, 20, value=8, step=1, label="Steps")
        shift = gr.Slider(1.0, 10.0, value=3.0, step=0.1, label="Time Shift")
        random_seed = gr.Checkbox(label="Random Seed", value=True)
        gallery = gr.Gallery(label="Generated Images", **compat.png(gr.Gallery))
        used = gr.Textbox(label="Seed Used")
        seed_number = gr.Number(label="Seed Number", precision=0)
        gr.Button("Generate").click(generate, [prompt, resolution, seed, steps, shift, random_seed], [gallery, used, seed_number], api_name="generate")
    demo.queue()
    return demo, {}
