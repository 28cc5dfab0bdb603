// bench.mjs — audited writes over Galera: how much the audit chain lets two instances write at
// once (README "Scaling out over Galera"). Run with `make bench-galera`; never part of make test.
//
// Same load twice, each time against a fresh database on the 3-node cluster of scripts/galera.sh:
//   one node   — every client talks to one daemon on node 1;
//   two nodes  — half the clients talk to a daemon on node 1, half to a daemon on node 2.
// The load is an audited admin action: each client renames its own user (PATCH /api/v1/users/{id},
// one user row per client, so the only row the clients share is whatever the audit append writes).
// Reported per run: requests, successes, failures, transaction retries (sanzhi_db_tx_retries_total
// of the daemons) and gave-ups, Galera certification failures and brute-force aborts (SHOW GLOBAL
// STATUS on every node), throughput and latency; then the audit chain is verified on both sides.
//
// Environment: BENCH_SECONDS (default 15), BENCH_CLIENTS (clients in all, default 16).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startDaemon, ROOT } from '../lib/daemon.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS || 15);
const CLIENTS = Number(process.env.BENCH_CLIENTS || 16);
const NODES = [1, 2, 3];

const galera = (...args) => execFileSync(path.join(ROOT, 'scripts/galera.sh'), args, { encoding: 'utf8' });
function nodeEnv(k) {
  const env = { SANZHI_DB_SOCKET: '' };
  for (const m of galera('env', String(k)).matchAll(/(SANZHI_DB_[A-Z_]+)=(\S+)/g)) env[m[1]] = m[2];
  return env;
}
const rootSql = (k, query) => execFileSync(path.join(ROOT, 'scripts/galera.sh'),
  ['root-sql', String(k), '-N', '-B', '-e', query], { encoding: 'utf8' });

function wsrepCounters() {
  const out = {};
  for (const k of NODES) {
    const rows = rootSql(k, "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_cert_failures', 'wsrep_local_bf_aborts')");
    for (const line of rows.trim().split('\n')) {
      const [name, value] = line.split('\t');
      out[name] = (out[name] || 0) + Number(value);
    }
  }
  return out;
}

async function txCounters(daemons) {
  let retries = 0, gaveUp = 0;
  for (const d of daemons) {
    const m = (await d.api('GET', '/metrics')).text;
    retries += Number(/^sanzhi_db_tx_retries_total (\d+)$/m.exec(m)?.[1] ?? NaN);
    gaveUp += Number(/^sanzhi_db_tx_gave_up_total (\d+)$/m.exec(m)?.[1] ?? NaN);
  }
  return { retries, gaveUp };
}

const pct = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;

async function scenario(name, nodes) {
  const database = `sanzhi_bench_${Date.now().toString(36)}`;
  rootSql(1, `CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`);
  const daemons = [];
  try {
    for (const [i, k] of nodes.entries()) {
      // Instances of one deployment share the master key (audit MACs, the sealed signing key).
      const key = i > 0 ? { SANZHI_MASTER_KEY_FILE: daemons[0].env.SANZHI_MASTER_KEY_FILE } : {};
      daemons.push(await startDaemon({ database, env: { ...nodeEnv(k), SANZHI_DB_NAME: database, SANZHI_THREADS: '64', ...key }, skipMigrate: i > 0 }));
    }
    const adminName = `bench_admin_${Date.now().toString(36)}`;
    await daemons[0].addUser({ username: adminName, role: 'admin' });
    const tokens = [];
    for (const d of daemons) tokens.push(await d.login(adminName));
    // One target user per client, made before the clock starts.
    const clients = [];
    for (let c = 0; c < CLIENTS; c++) {
      const di = c % daemons.length;
      const r = await daemons[di].api('POST', '/api/v1/users', { token: tokens[di], body: {
        username: `bench_u${c}_${Date.now().toString(36)}`, password: 'long-enough-pw', role: 'registrar', display_name: 'start' } });
      if (r.status !== 201) throw new Error(`setup: POST /users ${r.status} ${r.text}`);
      clients.push({ d: daemons[di], token: tokens[di], id: r.json.data.id });
    }
    const w0 = wsrepCounters();
    const t0 = await txCounters(daemons);
    const statuses = {};
    const latencies = [];
    const start = Date.now();
    const until = start + SECONDS * 1000;
    await Promise.all(clients.map(async (cl, c) => {
      for (let n = 0; Date.now() < until; n++) {
        const s = process.hrtime.bigint();
        let status;
        try {
          status = (await cl.d.api('PATCH', `/api/v1/users/${cl.id}`, { token: cl.token,
            body: { display_name: `bench ${c} ${n}` } })).status;
        } catch { status = 'network'; }
        latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
        statuses[status] = (statuses[status] || 0) + 1;
      }
    }));
    const elapsed = (Date.now() - start) / 1000;
    const t1 = await txCounters(daemons);
    const w1 = wsrepCounters();
    latencies.sort((x, y) => x - y);
    const requests = latencies.length;
    const ok = statuses[200] || 0;
    // Verified on every instance's side and by the CLI: all chains together.
    const verify = [];
    for (const [i, d] of daemons.entries()) {
      const v = await d.api('GET', '/api/v1/audit/verify', { token: tokens[i] });
      verify.push(v.json?.data?.valid === true ? `valid (${v.json.data.entries})` : `BROKEN ${JSON.stringify(v.json)}`);
    }
    const cli = daemons[0].cli(['audit', 'verify']);
    verify.push(cli.code === 0 ? 'cli ok' : `cli BROKEN ${cli.stdout}${cli.stderr}`);
    return {
      name, requests, ok, failed: requests - ok, statuses,
      retries: t1.retries - t0.retries, gave_up: t1.gaveUp - t0.gaveUp,
      cert_failures: w1.wsrep_local_cert_failures - w0.wsrep_local_cert_failures,
      bf_aborts: w1.wsrep_local_bf_aborts - w0.wsrep_local_bf_aborts,
      elapsed, per_s: ok / elapsed, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), verify,
    };
  } finally {
    for (const d of daemons.reverse()) await d.stop();
    rootSql(1, `DROP DATABASE IF EXISTS ${database}`);
  }
}

galera('start', '3');
const results = [await scenario('one node', [1]), await scenario('two nodes', [1, 2])];
const head = ['load', 'seconds', 'requests', 'ok', 'failed', 'tx retries', 'gave up', 'cert failures', 'bf aborts', 'ok/s', 'p50 ms', 'p99 ms'];
const rows = results.map((r) => [r.name, r.elapsed.toFixed(1), r.requests, r.ok, r.failed, r.retries, r.gave_up, r.cert_failures, r.bf_aborts,
  r.per_s.toFixed(0), r.p50.toFixed(1), r.p99.toFixed(1)]);
console.log(`\nPATCH /api/v1/users/{id}, ${CLIENTS} clients, ${SECONDS} s, 3-node Galera on one machine\n`);
console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log('');
let broken = false;
for (const r of results) {
  console.log(`${r.name}: statuses ${JSON.stringify(r.statuses)}; audit ${r.verify.join(', ')}`);
  broken ||= r.verify.some((v) => /BROKEN/.test(v));
}
process.exit(broken ? 1 : 0);
