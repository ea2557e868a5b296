"""The MCP bench's client: Python's official `mcp` package, the same for both servers.

    python mcp_bench.py calls URL MODE N TOOL ARGS_JSON     one session: N tool calls after one warm-up
    python mcp_bench.py start MODE -- SERVER_CMD...         server process start → first tools/list answer

`calls` prints {"median_ms", "mean_ms", "calls"}; `start` spawns SERVER_CMD, reads the MCP URL from
its first stdout line (`hfs mcp --http` prints the URL; bench/apps/mcp_app.py a JSON line with
`mcp`), connects, lists the tools, and prints {"start_s", "tools"} measured from the spawn; then it
stops the server (stdin closed, then SIGTERM).
"""

import asyncio
import json
import statistics
import subprocess
import sys
import time

from mcp.client.client import Client


async def calls(url, mode, n, tool, args):
    async with Client(url, mode=mode) as c:
        await c.list_tools()
        r = await c.call_tool(tool, args)
        if r.is_error:
            raise SystemExit(f"{tool} failed: {r.content}")
        times = []
        for _ in range(n):
            t = time.perf_counter()
            r = await c.call_tool(tool, args)
            times.append((time.perf_counter() - t) * 1000)
            if r.is_error:
                raise SystemExit(f"{tool} failed: {r.content}")
    print(json.dumps({"median_ms": statistics.median(times), "mean_ms": statistics.mean(times), "calls": n}))


async def start(mode, cmd):
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline().strip()
        if not line:
            raise SystemExit(f"the server printed no URL (exit status {proc.wait()})")
        url = json.loads(line)["mcp"] if line.startswith("{") else line
        async with Client(url, mode=mode) as c:
            tools = (await c.list_tools()).tools
            elapsed = time.perf_counter() - t
    finally:
        proc.stdin.close()
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(json.dumps({"start_s": elapsed, "tools": len(tools)}))


def main():
    if sys.argv[1] == "calls":
        _, _, url, mode, n, tool, args = sys.argv
        asyncio.run(calls(url, mode, int(n), tool, json.loads(args)))
    elif sys.argv[1] == "start":
        mode = sys.argv[2]
        assert sys.argv[3] == "--"
        asyncio.run(start(mode, sys.argv[4:]))
    else:
        raise SystemExit(f"unknown mode {sys.argv[1]}")


if __name__ == "__main__":
    main()
