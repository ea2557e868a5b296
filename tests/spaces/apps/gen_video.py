"""Mimics alexnasa/ltx-2-TURBO: image-to-video from a first frame, `/generate_video`."""

import os
import shutil
import subprocess
import sys
import tempfile

import gradio as gr


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
    tmp = tempfile.mkdtemp(prefix="hfs-gen-video-")

    def generate_video(input_image, prompt, duration, seed, randomize_seed):
        if input_image is None:
            raise gr.Error("an input image is required")
        return _make_video(tmp, int(duration), "64x64"), int(seed)

    with gr.Blocks(title="hfs test: video") as demo:
        image = gr.Image(label="Input Image", type="filepath")
        vprompt = gr.Textbox(label="Prompt")
        duration = gr.Slider(1, 5, value=2, step=1, label="Duration (seconds)")
        seed = gr.Number(label="Seed", value=10, precision=0)
        randomize = gr.Checkbox(label="Randomize Seed", value=True)
        gr.Button("Video").click(generate_video, [image, vprompt, duration, seed, randomize], [gr.Video(label="Generated Video"), seed], api_name="generate_video")
    demo.queue()
    return demo, {}
