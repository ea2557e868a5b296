"""A queue that holds one job and runs one at a time (queue-full / queue-position tests)."""

import time

import gradio as gr


def wait(seconds):
    time.sleep(seconds)
    return "waited"


def build():
    with gr.Blocks(title="hfs test: queue1") as demo:
        seconds = gr.Number(label="seconds")
        out = gr.Textbox(label="output")
        gr.Button("wait").click(wait, [seconds], out, api_name="wait")
    if gr.__version__.startswith("3."):
        demo.queue(max_size=1, concurrency_count=1)  # 3.x names it concurrency_count
    else:
        demo.queue(max_size=1, default_concurrency_limit=1)
    return demo, {"show_error": True}
