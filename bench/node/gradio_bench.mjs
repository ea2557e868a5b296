// The JS @gradio/client side of bench/run (Node). Each mode prints one JSON object on stdout.
//
//   node gradio_bench.mjs cold URL [echo|image DIR]   a plain script: connect, one call
//   node gradio_bench.mjs seq URL N                   N sequential /echo calls on one client
//   node gradio_bench.mjs burst URL N                 N concurrent /echo predict promises
import { Client } from "@gradio/client";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

const [mode, url, arg, dir] = process.argv.slice(2);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

if (mode === "cold") {
  const client = await Client.connect(url);
  if ((arg ?? "echo") === "echo") {
    const r = await client.predict("/echo", { text: "hello" });
    console.log(r.data[0]);
  } else {
    // The JS client returns file URLs; save the file as the other clients do.
    const r = await client.predict("/image", { seed: 7 });
    const resp = await fetch(r.data[0].url);
    const path = join(dir, "image.png");
    await writeFile(path, Buffer.from(await resp.arrayBuffer()));
    console.log(path);
  }
  process.exit(0);
}

const n = Number(arg);
const client = await Client.connect(url);
await client.predict("/echo", { text: "warm-up" });
let out;
if (mode === "seq") {
  const ms = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await client.predict("/echo", { text: "hello" });
    if (r.data[0] !== "hello") throw new Error(`bad answer ${JSON.stringify(r.data)}`);
    ms.push(performance.now() - t);
  }
  const total = performance.now() - start;
  out = { calls: n, mean_ms: total / n, min_ms: Math.min(...ms), max_ms: Math.max(...ms) };
} else if (mode === "burst") {
  const cpu0 = cpu();
  const start = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: n }, (_, i) => client.predict("/echo", { text: `job ${i}` })));
  const wall = (performance.now() - start) / 1e3;
  const cpu1 = cpu();
  let errors = 0;
  results.forEach((r, i) => {
    if (r.status !== "fulfilled" || r.value.data[0] !== `job ${i}`) {
      errors++;
      if (errors <= 5) console.error(`gradio_bench: job ${i}:`, r.reason ?? r.value?.data);
    }
  });
  out = { jobs: n, errors, wall_s: wall, cpu_s: cpu1 - cpu0, cpu_per_job_ms: (cpu1 - cpu0) * 1e3 / n,
          maxrss_kib: process.resourceUsage().maxRSS };
} else {
  throw new Error(`unknown mode ${mode}`);
}
console.log(JSON.stringify(out));
process.exit(0);
