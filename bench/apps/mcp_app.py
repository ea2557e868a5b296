"""The MCP bench's Gradio app: one trivial endpoint, launched with Gradio's own MCP server.

    <venv with gradio[mcp]>/bin/python bench/apps/mcp_app.py

When up, prints exactly one line on stdout, `{"gradio": VERSION, "url": "http://127.0.0.1:P/",
"mcp": "http://127.0.0.1:P/gradio_api/mcp/"}`, then blocks reading stdin; on EOF, SIGTERM or
SIGINT it closes the app and exits 0. Both MCP servers of the bench (`hfs mcp` and this one) call
`/echo` of this same app.
"""

import json
import os
import signal
import socket
import sys

real_stdout = sys.stdout
sys.stdout = sys.stderr  # gradio prints its banner; the ready line is ours alone

import gradio as gr  # noqa: E402


def echo(text: str) -> str:
    """Returns the text it was given.

    Args:
        text: any text
    """
    return text


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    demo = gr.Interface(echo, gr.Textbox(label="text"), gr.Textbox(label="echo"), api_name="echo")
    demo.queue(default_concurrency_limit=None)
    demo.launch(server_name="127.0.0.1", server_port=free_port(), mcp_server=True, prevent_thread_lock=True, quiet=True,
                ssr_mode=False, share=False)
    url = demo.local_url
    print(json.dumps({"gradio": gr.__version__, "url": url, "mcp": url.rstrip("/") + "/gradio_api/mcp/"}), file=real_stdout, flush=True)

    def stop(*_):
        demo.close()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdin.read()
    stop()


if __name__ == "__main__":
    main()
