"""A Space out of ZeroGPU quota: `/infer` fails the way the `spaces` package does."""

import gradio as gr

from . import _compat as compat


def infer(prompt, seed):
    raise gr.Error("You have exceeded your free ZeroGPU quota (60s requested vs. 0s left). Try again in 0:01:23.")


def build():
    with gr.Blocks(title="hfs test: quota") as demo:
        prompt = gr.Textbox(label="prompt")
        seed = gr.Number(label="seed", value=0, precision=0)
        gr.Button("Run").click(infer, [prompt, seed], gr.Image(label="image", **compat.png(gr.Image)), api_name="infer")
    demo.queue()
    return demo, {}
