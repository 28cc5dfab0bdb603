// Audit chains (SPEC §3, §8; server/audit.h): every process appends to a chain of its own, so
// instances on different Galera nodes never write the same audit row; the log still reads as one
// (GET /audit, global seq, filters, cursor) and verifies as one, and any altered, removed or
// inserted entry in any chain is found — including entries cut from the end of a chain that is
// not the newest. Entries written before chains existed verify as chain 0 after the migration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, sql, ROOT } from '../lib/daemon.mjs';

let d, d2, admin, admin2;
const made = { d: [], d2: [] };

before(async () => {
  // One chain per instance here (audit_chains = 1), so that the tampering below knows whose
  // chain is whose; the default of several per process is the last test's.
  d = await startDaemon({ env: { SANZHI_AUDIT_CHAINS: '1' } });
  // A second instance on the same database, as behind a load balancer (the same master key).
  d2 = await startDaemon({ database: d.database, skipMigrate: true,
    env: { SANZHI_MASTER_KEY_FILE: d.env.SANZHI_MASTER_KEY_FILE, SANZHI_AUDIT_CHAINS: '1' } });
  await d.addUser({ username: 'chain_admin', role: 'admin' });
  admin = await d.login('chain_admin');
  admin2 = await d2.login('chain_admin');
  // Both instances write at once.
  const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => {
    const [srv, token, who] = i % 2 ? [d, admin, 'd'] : [d2, admin2, 'd2'];
    const username = `chained${i}`;
    made[who].push(username);
    return srv.api('POST', '/api/v1/users', { token, body: { username, password: 'long-enough-pw', role: 'registrar', display_name: `c${i}` } });
  }));
  assert.deepEqual(rs.map((r) => r.status).filter((s) => s !== 201), []);
});
after(async () => {
  await d2?.stop();
  await d?.stop();
});

const one = (q) => d.sql(q).trim();
const verifyApi = async () => (await d.api('GET', '/api/v1/audit/verify', { token: admin })).json.data;
async function allEntries() {
  const out = [];
  let cursor = '';
  for (;;) {
    const r = await d.api('GET', `/api/v1/audit?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: admin });
    assert.equal(r.status, 200);
    out.push(...r.json.data);
    if (!r.json.next_cursor) return out;
    cursor = r.json.next_cursor;
  }
}
// The chain each instance writes to, from the entries of the users it created.
async function chainOf(who) {
  const chains = new Set();
  for (const username of made[who]) {
    const r = await d.api('GET', `/api/v1/audit?action=user.create`, { token: admin });
    const e = r.json.data.find((x) => x.summary.username === username);
    assert.ok(e, `no user.create entry for ${username}`);
    chains.add(e.chain);
  }
  assert.equal(chains.size, 1, `${who} wrote to one chain`);
  return [...chains][0];
}

test('each instance appends to its own chain; the log reads as one, in a global order, and verifies as one', async () => {
  const c1 = await chainOf('d'), c2 = await chainOf('d2');
  assert.notEqual(c1, c2);
  const cli = Number(one("SELECT chain_id FROM audit_log WHERE action = 'user.create' AND actor = 'system' AND object_id = (SELECT id FROM users WHERE username = 'chain_admin')"));
  assert.ok(![c1, c2].includes(cli), 'a CLI run writes a chain of its own');
  assert.equal(one(`SELECT COUNT(*) FROM audit_chains WHERE id IN (${c1}, ${c2}, ${cli})`), '3');

  // Every entry once, newest first, across pages; the shape of an entry with its place in its chain.
  const all = await allEntries();
  const seqs = all.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a));
  assert.equal(new Set(seqs).size, seqs.length);
  assert.equal(String(seqs.length), one('SELECT COUNT(*) FROM audit_log'));
  for (const e of all) {
    for (const k of ['seq', 'at', 'actor', 'role', 'action', 'object_type', 'object_id', 'summary', 'prev_hash', 'hash', 'chain', 'chain_seq']) assert.ok(k in e, k);
    assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  }
  // Within a chain: places 1, 2, 3 … each linked to the one before, from the genesis hash.
  const byChain = Map.groupBy ? Map.groupBy(all, (e) => e.chain) : all.reduce((m, e) => m.set(e.chain, [...(m.get(e.chain) || []), e]), new Map());
  for (const [chain, es] of byChain) {
    es.sort((a, b) => a.chain_seq - b.chain_seq);
    es.forEach((e, i) => {
      assert.equal(e.chain_seq, i + 1, `chain ${chain} place ${i + 1}`);
      assert.equal(e.prev_hash, i ? es[i - 1].hash : '0'.repeat(64));
      if (i) assert.ok(e.seq > es[i - 1].seq, 'the global order keeps a chain\'s order');
    });
  }
  // Filters still work across chains.
  const created = await d.api('GET', '/api/v1/audit?action=user.create&limit=200', { token: admin });
  assert.equal(created.json.data.length, 21);
  assert.ok(new Set(created.json.data.map((e) => e.chain)).size >= 3);

  const v = await verifyApi();
  assert.equal(v.valid, true, JSON.stringify(v));
  assert.equal(v.entries, seqs.length);
  assert.ok(v.chains >= 4, 'chain 0, both instances and the CLI run');
  assert.equal(v.first_bad_seq, null);
  const c = d.cli(['audit', 'verify']);
  assert.equal(c.code, 0);
  assert.match(c.stdout, new RegExp(`intact: ${seqs.length} entries in ${v.chains} chains`));
  // Conflicts are counted where operators look.
  assert.match((await d.api('GET', '/metrics')).text, /^sanzhi_db_tx_retries_total \d+$/m);
});

test('verification during writes sees one snapshot: appends landing meanwhile are not taken for tampering', async () => {
  const ids = made.d.map((u) => one(`SELECT id FROM users WHERE username = '${u}'`));
  let writing = true;
  const writers = ids.map(async (id, k) => {
    for (let n = 0; writing; n++) {
      const r = await d.api('PATCH', `/api/v1/users/${id}`, { token: admin, body: { display_name: `w${k} ${n}` } });
      assert.equal(r.status, 200);
    }
  });
  try {
    for (let i = 0; i < 15; i++) {
      const v = await verifyApi();
      assert.equal(v.valid, true, JSON.stringify(v));
    }
  } finally {
    writing = false;
    await Promise.all(writers);
  }
  assert.equal((await verifyApi()).valid, true);
});

// Runs a tampering, checks both verifiers report it, then undoes it and checks the log is whole.
async function tampered({ tamper, undo, seq, chain, reason }) {
  tamper();
  try {
    const v = await verifyApi();
    assert.equal(v.valid, false, 'the API verifier sees it');
    assert.equal(v.first_bad_seq, seq, JSON.stringify(v));
    assert.equal(v.bad_chain, chain);
    assert.match(v.reason, reason);
    const c = d.cli(['audit', 'verify']);
    assert.equal(c.code, 1, 'the CLI verifier sees it');
    assert.match(c.stdout, reason);
  } finally { undo(); }
  const ok = await verifyApi();
  assert.equal(ok.valid, true, `restored: ${JSON.stringify(ok)}`);
}

const cols = 'seq, chain_id, chain_seq, at, actor_id, actor, role, action, object_type, object_id, summary, prev_hash, hash';
const entriesOf = (chain) => one(`SELECT seq FROM audit_log WHERE chain_id = ${chain} ORDER BY chain_seq`).split('\n').map(Number);

test('an altered entry in any chain is found, and named by its global seq and chain', async () => {
  const c2 = await chainOf('d2');
  const mid = entriesOf(c2)[3];
  d.sql('CREATE TABLE IF NOT EXISTS audit_save AS SELECT * FROM audit_log WHERE 0');
  d.sql(`DELETE FROM audit_save; INSERT INTO audit_save SELECT * FROM audit_log WHERE seq = ${mid}`);
  const restore = () => d.sql(`UPDATE audit_log l JOIN audit_save s USING (seq) SET l.summary = s.summary, l.actor = s.actor`);
  await tampered({ tamper: () => d.sql(`UPDATE audit_log SET summary = '{"username":"forged"}' WHERE seq = ${mid}`),
    undo: restore, seq: mid, chain: c2, reason: new RegExp(`entry ${mid} .*altered`) });
  await tampered({ tamper: () => d.sql(`UPDATE audit_log SET actor = 'someone' WHERE seq = ${mid}`),
    undo: restore, seq: mid, chain: c2, reason: /altered/ });
  // The global order is sealed too: an entry moved elsewhere in the reading order is found.
  const moved = Number(one('SELECT MAX(seq) FROM audit_log')) + 100;
  await tampered({ tamper: () => d.sql(`UPDATE audit_log SET seq = ${moved} WHERE seq = ${mid}`),
    undo: () => d.sql(`UPDATE audit_log SET seq = ${mid} WHERE seq = ${moved}`), seq: moved, chain: c2, reason: /altered/ });
});

test('removed entries are found: in the middle, at the end of a chain that is not the newest, a whole chain', async () => {
  const c1 = await chainOf('d'), c2 = await chainOf('d2');
  // d2 writes after d, so d's chain is not the one that ends the log.
  const later = await d2.api('PATCH', `/api/v1/users/${one("SELECT id FROM users WHERE username = 'chained0'")}`, { token: admin2, body: { display_name: 'later' } });
  assert.equal(later.status, 200);
  const s1 = entriesOf(c1);
  assert.ok(Math.max(...s1) < Number(one('SELECT MAX(seq) FROM audit_log')));
  d.sql('DROP TABLE IF EXISTS audit_copy; CREATE TABLE audit_copy AS SELECT * FROM audit_log');
  const putBack = (where) => () => d.sql(`INSERT INTO audit_log SELECT * FROM audit_copy WHERE ${where}`);

  // One in the middle: the next entry names the gap.
  await tampered({ tamper: () => d.sql(`DELETE FROM audit_log WHERE seq = ${s1[2]}`), undo: putBack(`seq = ${s1[2]}`),
    seq: s1[3], chain: c1, reason: new RegExp(`chain ${c1} is missing #3 \\(between entries ${s1[1]} and ${s1[3]}\\)`) });
  // The last two of d's chain: only its head remembers them.
  const tail = s1.slice(-2);
  await tampered({ tamper: () => d.sql(`DELETE FROM audit_log WHERE seq IN (${tail})`), undo: putBack(`seq IN (${tail})`),
    seq: s1[s1.length - 3], chain: c1, reason: new RegExp(`chain ${c1} ends at #${s1.length - 2} but its head records #${s1.length}`) });
  // Every entry of a chain: nothing left to name but the chain.
  const cli = Number(one("SELECT chain_id FROM audit_log WHERE action = 'user.create' AND actor = 'system' AND object_id = (SELECT id FROM users WHERE username = 'chain_admin')"));
  d.sql(`DELETE FROM audit_log WHERE chain_id = ${cli}`);
  try {
    const v = await verifyApi();
    assert.equal(v.valid, false);
    assert.equal(v.first_bad_seq, null);
    assert.equal(v.bad_chain, cli);
    assert.equal(v.bad_chain_seq, 1);
    assert.match(d.cli(['audit', 'verify']).stdout, new RegExp(`BROKEN: chain ${cli} ends at #0`));
  } finally { putBack(`chain_id = ${cli}`)(); }
  // The chain's registration too: its entries then belong to no chain.
  const saved = one(`SELECT instance, opened_at, seq, hash, mac FROM audit_chains WHERE id = ${c2}`).split('\t');
  await tampered({ tamper: () => d.sql(`DELETE FROM audit_chains WHERE id = ${c2}`),
    undo: () => d.sql(`INSERT INTO audit_chains (id, instance, opened_at, seq, hash, mac) VALUES (${c2}, '${saved[0]}', '${saved[1]}', ${saved[2]}, '${saved[3]}', '${saved[4]}')`),
    seq: entriesOf(c2)[0], chain: c2, reason: /in no registered chain/ });
  assert.equal(d.cli(['audit', 'verify']).code, 0);
});

test('inserted entries are found: past a head, in an unknown chain, moved between chains, in the middle', async () => {
  const c1 = await chainOf('d'), c2 = await chainOf('d2');
  d.sql('DROP TABLE IF EXISTS audit_copy2; CREATE TABLE audit_copy2 AS SELECT * FROM audit_log');
  const s1 = entriesOf(c1);
  const last = s1[s1.length - 1];
  const next = Number(one('SELECT MAX(seq) FROM audit_log')) + 1;
  // A copy of d's last entry appended after it, linked to it: the head does not know it, and
  // its hash does not seal its new place.
  await tampered({
    tamper: () => d.sql(`INSERT INTO audit_log (${cols}) SELECT ${next}, chain_id, chain_seq + 1, at, actor_id, actor, role, 'user.forged', object_type, object_id, summary, hash, hash FROM audit_log WHERE seq = ${last}`),
    undo: () => d.sql(`DELETE FROM audit_log WHERE seq = ${next}`), seq: next, chain: c1, reason: new RegExp(`entry ${next} .*altered`) });
  // The same, with the head moved along as an attacker would: still its hash.
  await tampered({
    tamper: () => d.sql(`INSERT INTO audit_log (${cols}) SELECT ${next}, chain_id, chain_seq + 1, at, actor_id, actor, role, 'user.forged', object_type, object_id, summary, hash, hash FROM audit_log WHERE seq = ${last};
      UPDATE audit_chains SET seq = seq + 1 WHERE id = ${c1}`),
    undo: () => d.sql(`DELETE FROM audit_log WHERE seq = ${next}; UPDATE audit_chains SET seq = seq - 1 WHERE id = ${c1}`),
    seq: next, chain: c1, reason: /altered/ });
  // An entry in a chain nobody registered.
  await tampered({
    tamper: () => d.sql(`INSERT INTO audit_log (${cols}) SELECT ${next}, 999999, 1, at, actor_id, actor, role, action, object_type, object_id, summary, REPEAT('0', 64), hash FROM audit_log WHERE seq = ${last}`),
    undo: () => d.sql(`DELETE FROM audit_log WHERE seq = ${next}`), seq: next, chain: 999999, reason: /no registered chain/ });
  // d's last entry moved to the end of d2's chain, both heads adjusted: the entry's hash names its
  // chain, and d's head, rewound to the entry before, lacks its MAC (found first: an earlier seq).
  const s2 = entriesOf(c2);
  const h = one(`SELECT CONCAT_WS(' ', seq, hash) FROM audit_chains WHERE id = ${c1}`);
  const prevOfLast = one(`SELECT hash FROM audit_log WHERE seq = ${s1[s1.length - 2]}`);
  const h2 = one(`SELECT CONCAT_WS(' ', seq, hash) FROM audit_chains WHERE id = ${c2}`).split(' ');
  await tampered({
    tamper: () => d.sql(`UPDATE audit_log SET chain_id = ${c2}, chain_seq = ${s2.length + 1}, prev_hash = '${h2[1]}' WHERE seq = ${last};
      UPDATE audit_chains SET seq = seq - 1, hash = '${prevOfLast}' WHERE id = ${c1};
      UPDATE audit_chains SET seq = seq + 1, hash = (SELECT hash FROM audit_log WHERE seq = ${last}) WHERE id = ${c2}`),
    undo: () => d.sql(`UPDATE audit_log l JOIN audit_copy2 s USING (seq) SET l.chain_id = s.chain_id, l.chain_seq = s.chain_seq, l.prev_hash = s.prev_hash WHERE l.seq = ${last};
      UPDATE audit_chains SET seq = ${h.split(' ')[0]}, hash = '${h.split(' ')[1]}' WHERE id = ${c1};
      UPDATE audit_chains SET seq = ${h2[0]}, hash = '${h2[1]}' WHERE id = ${c2}`),
    seq: s1[s1.length - 2], chain: c1, reason: new RegExp(`chain ${c1}: its head \\(#${s1.length - 1}\\) was not written by sanzhi`) });
  d.sql(`UPDATE audit_log SET chain_id = ${c2}, chain_seq = ${s2.length + 1}, prev_hash = '${h2[1]}' WHERE seq = ${last};
    UPDATE audit_chains SET seq = seq + 1, hash = (SELECT hash FROM audit_log WHERE seq = ${last}) WHERE id = ${c2}`);
  try {
    const v = await verifyApi();
    assert.equal(v.valid, false);
    assert.match(v.reason, new RegExp(`entry ${last} .*altered|chain ${c1} ends at`));
  } finally {
    d.sql(`UPDATE audit_log l JOIN audit_copy2 s USING (seq) SET l.chain_id = s.chain_id, l.chain_seq = s.chain_seq, l.prev_hash = s.prev_hash WHERE l.seq = ${last};
      UPDATE audit_chains SET seq = ${h2[0]}, hash = '${h2[1]}' WHERE id = ${c2}`);
  }
  assert.equal((await verifyApi()).valid, true);
  // A forged entry in the middle of d2's chain, the rest shifted along.
  const at = s2[2];
  await tampered({
    tamper: () => d.sql(`UPDATE audit_log SET chain_seq = chain_seq + 1 WHERE chain_id = ${c2} AND chain_seq >= 3 ORDER BY chain_seq DESC;
      INSERT INTO audit_log (${cols}) SELECT ${next}, chain_id, 3, at, actor_id, actor, role, 'user.forged', object_type, object_id, summary, prev_hash, hash FROM audit_copy2 WHERE seq = ${at};
      UPDATE audit_chains SET seq = seq + 1 WHERE id = ${c2}`),
    undo: () => d.sql(`DELETE FROM audit_log WHERE seq = ${next};
      UPDATE audit_log SET chain_seq = chain_seq - 1 WHERE chain_id = ${c2} AND chain_seq >= 4 ORDER BY chain_seq;
      UPDATE audit_chains SET seq = seq - 1 WHERE id = ${c2}`),
    seq: next, chain: c2, reason: new RegExp(`entry ${next} \\(chain ${c2} #3\\) was altered`) });
});

// --- entries from before chains ------------------------------------------------------------
// Hashed as the single-chain audit.c did (sanzhi-audit-v1): SHA-256 of the previous hash, then
// each field as "<bytes>:<value>\n".
function v1Hash(prev, e) {
  const h = crypto.createHash('sha256').update(prev);
  for (const f of ['sanzhi-audit-v1', String(e.seq), e.at, e.actor_id, e.actor, e.role, e.action, e.object_type, e.object_id, e.summary]) {
    h.update(`${Buffer.byteLength(f)}:`).update(f).update('\n');
  }
  return h.digest('hex');
}
const q = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

test('entries written before chains existed stay verifiable after the migration, as chain 0', async () => {
  // A database as it stood before 0011: the earlier migrations applied and recorded, and an audit
  // log written by the single chain, with its head.
  const database = `sanzhi_legacy_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  sql('', `CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`);
  let l;
  try {
    sql(database, 'CREATE TABLE schema_migrations (version INT UNSIGNED NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, checksum CHAR(64) NOT NULL, applied_at DATETIME(6) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4');
    for (const f of fs.readdirSync(path.join(ROOT, 'sql')).filter((n) => n.endsWith('.sql')).sort()) {
      if (Number.parseInt(f, 10) >= 11) continue;
      const text = fs.readFileSync(path.join(ROOT, 'sql', f));
      sql(database, text.toString());
      sql(database, `INSERT INTO schema_migrations VALUES (${Number.parseInt(f, 10)}, '${f}', '${crypto.createHash('sha256').update(text).digest('hex')}', NOW(6))`);
    }
    const legacy = [
      { actor_id: '', actor: 'system', role: 'system', action: 'user.create', object_type: 'user', object_id: '1', summary: '{"username":"old_admin"}' },
      { actor_id: '1', actor: 'old_admin', role: 'admin', action: 'org.import', object_type: 'org', object_id: '51330424MJ0000001X', summary: '{"name":"海盐县老年协会","lines":"2-9"}' },
      { actor_id: '1', actor: 'old_admin', role: 'admin', action: 'clock.set', object_type: 'clock', object_id: 'clock', summary: '{}' },
    ];
    let prev = '0'.repeat(64);
    legacy.forEach((e, i) => {
      Object.assign(e, { seq: i + 1, at: `2025-12-0${i + 1} 0${i}:30:00.12345${i}` });
      e.hash = v1Hash(prev, e);
      sql(database, `INSERT INTO audit_log (seq, at, actor_id, actor, role, action, object_type, object_id, summary, prev_hash, hash) VALUES
        (${e.seq}, '${e.at}', ${e.actor_id || 'NULL'}, ${q(e.actor)}, ${q(e.role)}, ${q(e.action)}, ${q(e.object_type)}, ${q(e.object_id)}, ${q(e.summary)}, '${prev}', '${e.hash}')`);
      prev = e.hash;
    });
    sql(database, `UPDATE audit_head SET seq = 3, hash = '${prev}' WHERE id = 1`);

    // startDaemon migrates (0011 only) and serves it.
    l = await startDaemon({ database });
    assert.equal(sql(database, 'SELECT COUNT(*) FROM schema_migrations WHERE version = 11').trim(), '1');
    assert.equal(sql(database, "SHOW TABLES LIKE 'audit_head'").trim(), '', 'the old head moved into audit_chains');
    const c = l.cli(['audit', 'verify']);
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.match(c.stdout, /intact: 3 entries/);

    // New entries go to a new chain after them; the legacy ones read as before, as chain 0.
    await l.addUser({ username: 'new_admin', role: 'admin' });
    const token = await l.login('new_admin');
    const list = (await l.api('GET', '/api/v1/audit?limit=200', { token })).json.data;
    const old = list.filter((e) => e.chain === 0).sort((a, b) => a.seq - b.seq);
    assert.deepEqual(old.map((e) => [e.seq, e.chain_seq, e.hash]), legacy.map((e) => [e.seq, e.seq, e.hash]));
    assert.equal(old[1].summary.name, '海盐县老年协会');
    assert.match(old[0].at, /^2025-12-01T00:30:00(\.\d+)?Z$/);
    const fresh = list.filter((e) => e.chain !== 0);
    assert.ok(fresh.length >= 2 && fresh.every((e) => e.seq > 3));
    const v = (await l.api('GET', '/api/v1/audit/verify', { token })).json.data;
    assert.equal(v.valid, true, JSON.stringify(v));
    assert.equal(v.entries, 3 + fresh.length);

    // Chain 0 is guarded like any other: altered, and cut at its end.
    sql(database, `UPDATE audit_log SET summary = '{"name":"伪造"}' WHERE seq = 2`);
    let bad = (await l.api('GET', '/api/v1/audit/verify', { token })).json.data;
    assert.equal(bad.valid, false);
    assert.equal(bad.first_bad_seq, 2);
    assert.equal(bad.bad_chain, 0);
    sql(database, `UPDATE audit_log SET summary = ${q(legacy[1].summary)} WHERE seq = 2`);
    assert.equal(l.cli(['audit', 'verify']).code, 0);
    sql(database, 'DELETE FROM audit_log WHERE seq = 3');
    bad = (await l.api('GET', '/api/v1/audit/verify', { token })).json.data;
    assert.equal(bad.valid, false);
    assert.equal(bad.bad_chain, 0);
    assert.match(bad.reason, /chain 0 ends at #2 but its head records #3/);
    // With its head rewound too, as whoever cut the tail would: entries from before the MACs have
    // none, but the line where MACs begin (sql/0012, sealed at the first start) holds their heads.
    assert.equal(sql(database, 'SELECT first_mac_chain, mac IS NOT NULL FROM audit_mac_line').trim(), '1\t1');
    sql(database, `UPDATE audit_chains SET seq = 2, hash = '${legacy[1].hash}' WHERE id = 0`);
    bad = (await l.api('GET', '/api/v1/audit/verify', { token })).json.data;
    assert.equal(bad.valid, false);
    assert.match(bad.reason, /chains from before the MACs \(ids below 1\) were changed, removed or extended/);
    // A binary from before chains inserts without naming one: refused, not slipped into chain 0.
    assert.throws(() => sql(database, `INSERT INTO audit_log (at, actor, role, action, object_type, object_id, summary, prev_hash, hash)
      VALUES (NOW(6), 'old', 'system', 'x', 'x', 'x', '{}', REPEAT('0', 64), REPEAT('0', 64))`), /chain_id/);
  } finally {
    await l?.stop();
    sql('', `DROP DATABASE IF EXISTS ${database}`);
  }
});

test('several chains per process (audit_chains): concurrent appends spread over them, each chain whole, the log verifies as one', async () => {
  const e = await startDaemon({ env: { SANZHI_AUDIT_CHAINS: '4' } });
  try {
    await e.addUser({ username: 'striped_admin', role: 'admin' });
    const token = await e.login('striped_admin');
    const before_ = new Set(e.sql('SELECT id FROM audit_chains').trim().split('\n'));
    const rs = await Promise.all(Array.from({ length: 24 }, (_, i) => e.api('POST', '/api/v1/users', { token,
      body: { username: `stp${i}`, password: 'long-enough-pw', role: 'registrar', display_name: `s${i}` } })));
    assert.deepEqual(rs.map((r) => r.status).filter((s) => s !== 201), []);
    const chains = e.sql("SELECT DISTINCT chain_id FROM audit_log WHERE action = 'user.create' AND object_id IN (SELECT id FROM users WHERE username LIKE 'stp%')").trim().split('\n');
    assert.ok(chains.length >= 2 && chains.length <= 4, `${chains.length} chains`);
    // The daemon opened its audit_chains chains at start: the appends, however concurrent, open
    // none (threads of one stripe never race to open its chain).
    const mine = e.sql('SELECT id FROM audit_chains').trim().split('\n').filter((id) => !before_.has(id));
    assert.deepEqual(mine, [], `${mine.length} chains opened by the appends`);
    assert.equal(e.sql(`SELECT COUNT(*) FROM audit_chains WHERE instance LIKE '% pid ${e.proc.pid}'`).trim(), '4');
    for (const c of chains) {
      const places = e.sql(`SELECT chain_seq FROM audit_log WHERE chain_id = ${c} ORDER BY chain_seq`).trim().split('\n').map(Number);
      assert.deepEqual(places, places.map((_, i) => i + 1), `chain ${c} has every place once`);
    }
    const v = (await e.api('GET', '/api/v1/audit/verify', { token })).json.data;
    assert.equal(v.valid, true, JSON.stringify(v));
    assert.equal(e.cli(['audit', 'verify']).code, 0);
  } finally {
    await e.stop();
  }
});
