"""Server-side limits: show_error=False and a 1 kB upload limit (4.28+ only)."""

import os

import gradio as gr

from . import _compat as compat


def size(f):
    return str(os.path.getsize(f))


def crash(x):
    raise ValueError(f"plain exception {x}")


def build():
    with gr.Blocks(title="hfs test: limits") as demo:
        f = gr.File(label="f", type="filepath")
        gr.Button("size").click(size, [f], gr.Textbox(label="size output"), api_name="size")
        x = gr.Textbox(label="x")
        gr.Button("crash").click(crash, [x], gr.Textbox(label="crash output"), api_name="crash")
    demo.queue()
    # launch(max_file_size=...) does not exist before 4.28: no limit there.
    return demo, {"show_error": False, **compat.max_file_size("1kb")}
