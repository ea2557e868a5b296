"""The 3.x cold-call row's Python side: gradio_client 1.x (the last line that speaks Gradio 3.x's
websocket queue), one call of `/greet` on the 3.x test app.

    <venv with gradio_client 1.x>/bin/python gc1_cold.py URL
"""

import sys

from gradio_client import Client

print(Client(sys.argv[1], verbose=False).predict("Ann", "Hello", api_name="/greet"))
