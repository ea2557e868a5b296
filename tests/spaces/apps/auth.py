"""A password-protected app: launch(auth=("user", "pass"))."""

import gradio as gr


def echo(x):
    return x


def build():
    with gr.Blocks(title="hfs test: auth") as demo:
        x = gr.Textbox(label="x")
        out = gr.Textbox(label="output")
        gr.Button("echo").click(echo, [x], out, api_name="echo")
    demo.queue()
    return demo, {"show_error": True, "auth": ("user", "pass")}
