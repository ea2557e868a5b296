"""The Python side of the batch row: what people write today to make N images on a Space.

    python gc_batch.py seq URL N DIR    # a loop of predict calls, one at a time (the usual recipe)
    python gc_batch.py pool URL N DIR   # a thread pool of 4 workers, each submit() then result()

Each call sends ("a red fox", seed i) to /slow_img and downloads the PNG into DIR. Prints one
JSON object: {"done": N}.
"""

import json
import sys
from concurrent.futures import ThreadPoolExecutor


def main(argv):
    mode, url, n, out = argv[0], argv[1], int(argv[2]), argv[3]
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=out)
    if mode == "seq":
        for i in range(n):
            client.predict("a red fox", i, api_name="/slow_img")
    else:
        def one(i):
            return client.submit("a red fox", i, api_name="/slow_img").result()

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(one, range(n)))
    print(json.dumps({"done": n}))


if __name__ == "__main__":
    main(sys.argv[1:])
