"""The Python gradio_client side of bench/run. Each mode prints one JSON object on stdout.

    python gc_bench.py cold URL [echo|image DIR|txt2img DIR]   # a plain script: connect, one call (what a user writes)
    python gc_bench.py seq URL N                   # N sequential /echo calls on one client
    python gc_bench.py burst URL N                 # N /echo jobs submitted at once, then their results
    python gc_bench.py api URL                     # Client(URL).view_api(), printed
"""

import json
import resource
import sys
import time

T0 = time.perf_counter()


def rusage():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def main(argv):
    mode, url = argv[0], argv[1]
    from gradio_client import Client

    if mode == "cold":
        what = argv[2] if len(argv) > 2 else "echo"
        if what == "echo":
            client = Client(url, verbose=False)
            print(client.predict("hello", api_name="/echo"))
        elif what == "txt2img":
            client = Client(url, verbose=False, download_files=argv[3])
            print(client.predict("a red fox", 7, api_name="/txt2img"))
        else:
            client = Client(url, verbose=False, download_files=argv[3])
            print(client.predict(7, api_name="/image"))
        return
    if mode == "api":
        t = time.perf_counter()
        client = Client(url, verbose=False)
        client.view_api()
        sys.stdout.flush()
        # The in-process part (connect + view_api, no interpreter start or imports), on stderr.
        print(json.dumps({"in_process_s": time.perf_counter() - t}), file=sys.stderr)
        return
    n = int(argv[2])
    client = Client(url, verbose=False)
    client.predict("warm-up", api_name="/echo")
    if mode == "seq":
        ms = []
        start = time.perf_counter()
        for _ in range(n):
            t = time.perf_counter()
            assert client.predict("hello", api_name="/echo") == "hello"
            ms.append((time.perf_counter() - t) * 1e3)
        total = time.perf_counter() - start
        out = {"calls": n, "mean_ms": total * 1e3 / n, "min_ms": min(ms), "max_ms": max(ms)}
    elif mode == "burst":
        cpu0, _ = rusage()
        start = time.perf_counter()
        jobs = [client.submit(f"job {i}", api_name="/echo") for i in range(n)]
        errors = 0
        for i, j in enumerate(jobs):
            try:
                assert j.result() == f"job {i}"
            except Exception as e:  # noqa: BLE001
                errors += 1
                print(f"gc_bench: job {i}: {e!r}", file=sys.stderr)
        wall = time.perf_counter() - start
        cpu1, maxrss = rusage()
        out = {"jobs": n, "errors": errors, "wall_s": wall, "cpu_s": cpu1 - cpu0,
               "cpu_per_job_ms": (cpu1 - cpu0) * 1e3 / n, "maxrss_kib": maxrss}
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(out))
    sys.stdout.flush()
    # Don't wait for the client's background threads.
    import os
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
