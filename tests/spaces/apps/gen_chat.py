"""A `gr.ChatInterface` (config `mode: chat_interface`): its endpoint is `/chat` on 4.x/5.x and the
function's name (`/respond`) on 6.x."""

import gradio as gr


def respond(message, history):
    return f"echo: {message} ({len(history or [])} earlier turns)"


def build():
    demo = gr.ChatInterface(respond, title="hfs test: chat")
    return demo, {}
