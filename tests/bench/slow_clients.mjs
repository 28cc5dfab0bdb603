// slow_clients.mjs — `make bench` (scripts/bench.sh): a normal client's latency while 1,000
// slow and idle connections from 50 addresses (127.0.0.2–127.0.0.51, 20 each) hold the daemon:
// a third send nothing, a third their headers a byte every 10 s, a third a body a byte every 10 s;
// each one the daemon cuts is opened again at once, as an attacker would. One more address opens
// 100 connections at once (over max_connections_per_address: the rest must be refused). The
// daemon runs its defaults (2048 workers, 64 connections per address, header_timeout_ms 10 s,
// body_min_rate 4 KiB/s after 5 s). Prints one line:
//   p50_ms p99_ms max_ms normal_requests normal_failures held_max refused rss_idle_mb rss_max_mb
// Environment: BENCH_SLOW_SECONDS (default 60), BENCH_SLOW_CONNECTIONS (default 1000).
import net from 'node:net';
import fs from 'node:fs';
import { startDaemon } from '../lib/daemon.mjs';

const SECONDS = Number(process.env.BENCH_SLOW_SECONDS || 60);
const CONNECTIONS = Number(process.env.BENCH_SLOW_CONNECTIONS || 1000);
const ADDRESSES = 50;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const rssMb = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

let stopping = false;
const live = new Set();

function hostile(port, localAddress, kind) {
  if (stopping) return;
  const s = net.connect({ host: '127.0.0.1', port, localAddress });
  live.add(s);
  let timer = null;
  s.on('error', () => {});
  s.on('close', () => {
    live.delete(s);
    clearInterval(timer);
    if (!stopping) setTimeout(() => hostile(port, localAddress, kind), 50);
  });
  s.on('connect', () => {
    if (kind === 0) return;  // nothing at all
    const text = kind === 1
      ? 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ' + 'y'.repeat(4000) + '\r\n\r\n'
      : '{"username":"u","password":"' + 'p'.repeat(4000) + '"}';
    if (kind === 2)
      s.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n`);
    let i = 0;
    timer = setInterval(() => { if (i < text.length) s.write(text[i++]); }, 10000);
  });
}

async function normalRequest(port, token) {
  const t0 = performance.now();
  try {
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/me`, { headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10000) });
    await r.text();
    return { ms: performance.now() - t0, ok: r.status === 200 };
  } catch {
    return { ms: performance.now() - t0, ok: false };
  }
}

async function metric(port, re) {
  const t = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = re.exec(t);
  return m ? Number(m[1]) : 0;
}

const d = await startDaemon({ env: { SANZHI_THREADS: '2048' } });
try {
  const token = await d.as('registrar');
  const rssIdle = rssMb(d.proc.pid);
  for (let k = 0; k < CONNECTIONS; k++) {
    hostile(d.port, `127.0.0.${2 + (k % ADDRESSES)}`, k % 3);
    if (k % 50 === 49) await sleep(20);
  }
  // One address over its cap.
  for (let k = 0; k < 100; k++) hostile(d.port, '127.0.0.52', 0);
  await sleep(2000);

  const times = [];
  let failures = 0, heldMax = 0, rssMax = 0;
  const end = Date.now() + SECONDS * 1000;
  let lastSample = 0;
  while (Date.now() < end) {
    const r = await normalRequest(d.port, token);
    times.push(r.ms);
    if (!r.ok) failures++;
    if (Date.now() - lastSample > 1000) {
      lastSample = Date.now();
      rssMax = Math.max(rssMax, rssMb(d.proc.pid));
      heldMax = Math.max(heldMax, await metric(d.port, /\nsanzhi_http_connections (\d+)/));
    }
    await sleep(100);
  }
  const refused = await metric(d.port, /sanzhi_http_connections_refused_total\{reason="per_address"\} (\d+)/);
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  console.log([pct(0.5).toFixed(2), pct(0.99).toFixed(2), times[times.length - 1].toFixed(2), times.length, failures,
    heldMax, refused, rssIdle.toFixed(0), rssMax.toFixed(0)].join(' '));
} finally {
  stopping = true;
  for (const s of live) s.destroy();
  await d.stop();
}
