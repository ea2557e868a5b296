"""One Space with both a text-to-image (`/txt2img`, a captioned Gallery, a negative prompt and a
seed) and an image-to-image endpoint (`/img2img`), plus a decoy `/caption` (image in, text out)."""

import hashlib

import gradio as gr
from PIL import Image

from . import _compat as compat


def _colour(text):
    d = hashlib.sha256(text.encode()).digest()
    return (d[0], d[1], d[2])


def txt2img(prompt, negative_prompt, seed, num_images):
    seed = int(seed)
    return [(Image.new("RGB", (8, 8), _colour(f"{prompt}:{negative_prompt}:{seed}:{i}")), f"{prompt} #{i}") for i in range(int(num_images))]


def img2img(image, prompt, strength):
    w, h = image.size
    return Image.new("RGB", (w, h), _colour(f"{prompt}:{strength}:{image.getpixel((0, 0))}"))


def caption(image):
    return f"an image of {image.size[0]}x{image.size[1]} pixels"


def build():
    with gr.Blocks(title="hfs test: multi") as demo:
        prompt = gr.Textbox(label="prompt")
        negative = gr.Textbox(label="negative prompt", value="")
        seed = gr.Number(label="seed", value=1, precision=0)
        num_images = gr.Slider(1, 4, value=2, step=1, label="images")
        gr.Button("txt2img").click(txt2img, [prompt, negative, seed, num_images], gr.Gallery(label="images", **compat.png(gr.Gallery)), api_name="txt2img")
        image = gr.Image(label="input image", type="pil")
        prompt2 = gr.Textbox(label="edit instruction")
        strength = gr.Slider(0, 1, value=0.6, label="strength")
        gr.Button("img2img").click(img2img, [image, prompt2, strength], gr.Image(label="edited", **compat.png(gr.Image)), api_name="img2img")
        gr.Button("caption").click(caption, [gr.Image(label="photo", type="pil")], gr.Textbox(label="caption"), api_name="caption")
    demo.queue()
    return demo, {}
