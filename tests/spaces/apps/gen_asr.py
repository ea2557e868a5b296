"""A speech recognition Space: audio in, text out (`/transcribe`)."""

import gradio as gr


def transcribe(audio):
    rate, data = audio
    return f"{len(data) / rate:.2f} seconds of audio"


def build():
    with gr.Blocks(title="hfs test: asr") as demo:
        gr.Button("Transcribe").click(transcribe, [gr.Audio(label="Audio")], gr.Textbox(label="Transcription"), api_name="transcribe")
    demo.queue()
    return demo, {}
