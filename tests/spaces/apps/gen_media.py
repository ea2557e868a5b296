"""Image-to-video (mimics alexnasa/ltx-2-TURBO `/generate_video`), text-to-speech with a voice
description (mimics Qwen/Qwen3-TTS `/generate_voice_design`) and speech recognition, each on its
own endpoint of one app."""

import os
import shutil
import subprocess
import sys
import tempfile

import gradio as gr
import numpy as np


def _make_video(tmp, seconds, size):
    out = os.path.join(tmp, f"clip-{seconds}-{size}.mp4")
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise gr.Error("ffmpeg is not installed on the test machine")
    subprocess.run(
        [ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size={size}:rate=10", "-pix_fmt", "yuv420p", out],
        check=True, stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr,
    )
    return out


def build():
    tmp = tempfile.mkdtemp(prefix="hfs-gen-media-")

    def generate_video(input_image, prompt, duration, seed, randomize_seed):
        if input_image is None:
            raise gr.Error("an input image is required")
        return _make_video(tmp, int(duration), "64x64"), int(seed)

    def generate_voice_design(text, voice_description, language):
        rate = 16000
        seconds = max(0.1, min(2.0, len(text) / 40))
        t = np.arange(int(rate * seconds)) / rate
        pitch = 220 + (len(voice_description) % 10) * 20
        return (rate, (np.sin(2 * np.pi * pitch * t) * 0.3 * 32767).astype(np.int16)), f"{language}: {voice_description}"

    def transcribe(audio):
        rate, data = audio
        return f"{len(data) / rate:.2f} seconds of audio"

    with gr.Blocks(title="hfs test: media") as demo:
        image = gr.Image(label="Input Image", type="filepath")
        vprompt = gr.Textbox(label="Prompt")
        duration = gr.Slider(1, 5, value=2, step=1, label="Duration (seconds)")
        seed = gr.Number(label="Seed", value=10, precision=0)
        randomize = gr.Checkbox(label="Randomize Seed", value=True)
        gr.Button("Video").click(generate_video, [image, vprompt, duration, seed, randomize], [gr.Video(label="Generated Video"), seed], api_name="generate_video")
        text = gr.Textbox(label="Text")
        voice = gr.Textbox(label="Voice Description", value="a calm narrator")
        language = gr.Dropdown(["Auto", "English", "Chinese"], value="Auto", label="Language")
        gr.Button("Speak").click(generate_voice_design, [text, voice, language], [gr.Audio(label="Generated Audio"), gr.Textbox(label="Status")], api_name="generate_voice_design")
        gr.Button("Transcribe").click(transcribe, [gr.Audio(label="Audio")], gr.Textbox(label="Transcription"), api_name="transcribe")
    demo.queue()
    return demo, {}
