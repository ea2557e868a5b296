"""Mimics Qwen/Qwen3-TTS: speech from text and a voice description, `/generate_voice_design`."""

import gradio as gr
import numpy as np


def generate_voice_design(text, voice_description, language):
    rate = 16000
    seconds = max(0.1, min(2.0, len(text) / 40))
    t = np.arange(int(rate * seconds)) / rate
    pitch = 220 + (len(voice_description) % 10) * 20
    return (rate, (np.sin(2 * np.pi * pitch * t) * 0.3 * 32767).astype(np.int16)), f"{language}: {voice_description}"


def build():
    with gr.Blocks(title="hfs test: tts") as demo:
        text = gr.Textbox(label="Text")
        voice = gr.Textbox(label="Voice Description", value="a calm narrator")
        language = gr.Dropdown(["Auto", "English", "Chinese"], value="Auto", label="Language")
        gr.Button("Speak").click(generate_voice_design, [text, voice, language], [gr.Audio(label="Generated Audio"), gr.Textbox(label="Status")], api_name="generate_voice_design")
    demo.queue()
    return demo, {}
