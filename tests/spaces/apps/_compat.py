"""Version switches shared by the test apps.

Every test app must build on Gradio 4.5.0 … 6.31.0. The few APIs that differ
between those versions are wrapped here so the apps themselves read the same
on every version.
"""

import inspect
import re

import gradio as gr


def _parse(version: str) -> tuple:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


VERSION = _parse(gr.__version__)


def at_least(*v: int) -> bool:
    return VERSION >= tuple(v)


def private(api_name: str) -> dict:
    """Listener kwargs (api_name included) for an endpoint clients must not call.

    6.x: `api_visibility="private"` (the endpoint keeps its api_name in the
    config). ≤5.x: `api_name=False`, so the dependency has no name at all
    (the config reports `"api_name": false`).
    """
    if at_least(6):
        return {"api_name": api_name, "api_visibility": "private"}
    return {"api_name": False}


def undocumented() -> dict:
    """Listener kwargs for a callable endpoint hidden from the API docs.

    6.x: `api_visibility="undocumented"`; 4.16–5.x: `show_api=False`; the
    parameter does not exist on 4.5, where the endpoint is simply public.
    """
    if at_least(6):
        return {"api_visibility": "undocumented"}
    if at_least(4, 16):
        return {"show_api": False}
    return {}


def error(message: str, title: str | None = None) -> gr.Error:
    """gr.Error with a title where supported (`title=` exists on 5.0+)."""
    if title is not None and at_least(5):
        return gr.Error(message, title=title)
    return gr.Error(message)


def max_file_size(value) -> dict:
    """`launch(max_file_size=...)` exists on 4.28+ only."""
    if at_least(4, 28):
        return {"max_file_size": value}
    return {}


def png(component) -> dict:
    """Make Image/Gallery outputs PNG (lossless, same MIME on every version).

    `format=` appeared in the 4.2x–4.4x range (default "webp"); older versions
    always save PIL outputs as PNG, so the parameter is probed, not versioned.
    """
    if "format" in inspect.signature(component.__init__).parameters:
        return {"format": "png"}
    return {}


def chatbot_format() -> str:
    """How the test chatbot exchanges history.

    "parts":    6.x, messages only; preprocess gives `content` as a list of
                parts ({"type": "text", "text": ...}).
    "messages": 4.44 / 5.x with `type="messages"` (content is a plain str).
    "tuples":   ≤4.20, [[user, bot], ...] pairs.
    """
    if at_least(6):
        return "parts"
    if at_least(4, 44):
        return "messages"
    return "tuples"


def chatbot(**kwargs) -> gr.Chatbot:
    if chatbot_format() == "messages":
        kwargs["type"] = "messages"
    return gr.Chatbot(**kwargs)


def video_path(value) -> str:
    """A Video input's file path (a str on every version; a (video, subtitles) pair is tolerated)."""
    if isinstance(value, (tuple, list)):
        return value[0]
    return value


def gallery_input() -> dict:
    """Gallery input kwargs: `type="filepath"` (4.16+; 4.5 has no `type` and passes GalleryData)."""
    if "type" in inspect.signature(gr.Gallery.__init__).parameters:
        return {"type": "filepath"}
    return {}


def gallery_paths(value) -> list:
    """File paths of a Gallery input: (path, caption) pairs on 4.16+, GalleryData on 4.5."""
    items = getattr(value, "root", value) or []
    paths = []
    for item in items:
        if isinstance(item, (tuple, list)):
            paths.append(str(item[0]))
        else:  # 4.5 GalleryImage(image=FileData, caption)
            paths.append(item.image.path)
    return paths


def validator(fn) -> dict:
    """Listener kwargs running `fn` as a `validator=` (probed: 5.50 and 6.x have it; 4.x does not)."""
    if "validator" in inspect.signature(gr.Button.click).parameters:
        return {"validator": fn}
    return {}


def wav_stream() -> dict:
    """Streaming Audio output kwargs: wav chunks (so the combined stream file is wav)."""
    if "format" in inspect.signature(gr.Audio.__init__).parameters:
        return {"format": "wav"}
    return {}
