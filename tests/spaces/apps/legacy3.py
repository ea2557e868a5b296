"""A minimal Gradio 3.x app (websocket queue): hfs must refuse it with a clear message, not hang."""

import gradio as gr


def greet(name):
    return f"Hello, {name}."


def build():
    with gr.Blocks() as demo:
        name = gr.Textbox(label="name")
        out = gr.Textbox(label="greeting")
        gr.Button("greet").click(greet, name, out, api_name="greet")
    demo.queue()
    return demo, {}
