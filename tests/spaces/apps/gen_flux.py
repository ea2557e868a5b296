"""Mimics black-forest-labs/FLUX.1-schnell: `/infer` with width/height sliders (range and step),
a seed slider and a `randomize_seed` flag; returns (image, seed). A decoy `/enhance_prompt`
returns text only."""

import hashlib
import random

import gradio as gr
from PIL import Image

from . import _compat as compat

MAX_SEED = 2**31 - 1


def _colour(text):
    d = hashlib.sha256(text.encode()).digest()
    return (d[0], d[1], d[2])


def infer(prompt, seed, randomize_seed, width, height, guidance_scale, num_inference_steps):
    if randomize_seed:
        seed = random.randint(0, MAX_SEED)
    seed = int(seed)
    img = Image.new("RGB", (int(width) // 32, int(height) // 32), _colour(f"{prompt}:{seed}:{guidance_scale}:{int(num_inference_steps)}"))
    return img, seed


def enhance_prompt(prompt):
    return f"{prompt}, highly detailed"


def build():
    with gr.Blocks(title="hfs test: flux") as demo:
        prompt = gr.Textbox(label="Prompt")
        seed = gr.Slider(0, MAX_SEED, value=0, step=1, label="Seed")
        randomize_seed = gr.Checkbox(label="Randomize seed", value=True)
        width = gr.Slider(256, 2048, value=1024, step=32, label="Width")
        height = gr.Slider(256, 2048, value=1024, step=32, label="Height")
        guidance = gr.Slider(1, 15, value=3.5, step=0.1, label="Guidance Scale")
        steps = gr.Slider(1, 50, value=4, step=1, label="Number of inference steps")
        result = gr.Image(label="Result", **compat.png(gr.Image))
        gr.Button("Run").click(infer, [prompt, seed, randomize_seed, width, height, guidance, steps], [result, seed], api_name="infer")
        gr.Button("Enhance").click(enhance_prompt, [prompt], gr.Textbox(label="Enhanced"), api_name="enhance_prompt")
    demo.queue()
    return demo, {}
