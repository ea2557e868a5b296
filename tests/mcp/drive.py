"""A real MCP client (Python's official `mcp` package) driving `hfs mcp` for the Rust tests.

    <venv>/bin/python tests/mcp/drive.py SPEC.json

SPEC says how to connect and what to do:

    {"transport": "stdio", "command": [...], "env": {...}, "cwd": "...",   # or
     "transport": "http", "url": "http://127.0.0.1:PORT/mcp",
     "mode": "legacy" | "2026-07-28",        # initialize handshake, or per-request metadata
     "roots": ["/dir", ...],                 # optional: declare these roots to the server
     "steps": [
        {"op": "list"},
        {"op": "call", "tool": "...", "args": {...},
         "idle_timeout": 10,                 # give up after this long without progress (reset on each)
         "cancel_after": 1.5},               # cancel the call (the client's own cancellation)
        {"op": "sleep", "seconds": 1}]}

stdout gets one JSON document: {"protocol": ..., "results": [one per step]}. A call's result is
the CallToolResult as the wire has it (camelCase), with the progress notifications seen (time
since the call started, progress, message); a step that raised says so in "exception".
"""

import json
import sys
import time

import anyio
import jsonschema
import mcp_types as types
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def call(client, step):
    started = time.monotonic()
    seen = []
    last = [started]

    async def on_progress(progress, total, message):
        now = time.monotonic()
        seen.append({"t": round(now - started, 3), "progress": progress, "total": total, "message": message})
        last[0] = now

    out = {"progress": seen, "cancelled": False, "timed_out": False}
    idle = step.get("idle_timeout")
    cancel_after = step.get("cancel_after")
    result = None
    async with anyio.create_task_group() as tg:
        if idle is not None:
            async def watchdog():
                while True:
                    await anyio.sleep(0.1)
                    if time.monotonic() - last[0] > idle:
                        out["timed_out"] = True
                        tg.cancel_scope.cancel()
                        return
            tg.start_soon(watchdog)
        with anyio.move_on_after(cancel_after if cancel_after is not None else 1e9) as scope:
            result = await client.call_tool(step["tool"], step.get("args", {}), read_timeout_seconds=None, progress_callback=on_progress)
        if scope.cancelled_caught:
            out["cancelled"] = True
        tg.cancel_scope.cancel()
    out["elapsed"] = round(time.monotonic() - started, 3)
    if result is not None:
        out["result"] = dump(result)
    return out


async def list_tools(client):
    tools = (await client.list_tools()).tools
    problems = []
    for t in tools:
        for key in ("input_schema", "output_schema"):
            schema = getattr(t, key)
            if schema is None:
                continue
            try:
                jsonschema.Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as e:
                problems.append(f"{t.name} {key}: {e.message}")
    return {"tools": [dump(t) for t in tools], "schema_errors": problems}


async def main():
    spec = json.load(open(sys.argv[1]))
    if spec["transport"] == "stdio":
        server = StdioServerParameters(command=spec["command"][0], args=spec["command"][1:], env=spec.get("env"), cwd=spec.get("cwd"))
    else:
        server = spec["url"]
    kwargs = {}
    if spec.get("roots") is not None:
        roots = [types.Root(uri="file://" + r, name=r) for r in spec["roots"]]

        async def list_roots(_ctx):
            return types.ListRootsResult(roots=roots)

        kwargs["list_roots_callback"] = list_roots
    results = []
    async with Client(server, mode=spec["mode"], **kwargs) as client:
        for step in spec["steps"]:
            try:
                if step["op"] == "list":
                    results.append(await list_tools(client))
                elif step["op"] == "call":
                    results.append(await call(client, step))
                elif step["op"] == "sleep":
                    await anyio.sleep(step["seconds"])
                    results.append({})
                else:
                    raise ValueError(f"unknown op {step['op']}")
            except Exception as e:  # the test reads it
                while isinstance(e, BaseExceptionGroup) and e.exceptions:
                    e = e.exceptions[0]
                results.append({"exception": f"{type(e).__name__}: {e}"})
        protocol = client.protocol_version
    print(json.dumps({"protocol": protocol, "results": results}))


anyio.run(main)
