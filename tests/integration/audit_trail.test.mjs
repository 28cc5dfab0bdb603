// The audit trail nobody can rewrite (issue 7, item 4; server/audit.h, sql/0012): whoever holds the
// whole database but not the master key recomputes hashes in vain — every entry and chain head
// carries a MAC they cannot make. Signed checkpoints (GET /api/v1/audit/checkpoint) bind every
// chain's head; kept outside, one catches a tail cut off later even with the head's old MAC put
// back. And the daemon's own database account cannot change or remove audit rows at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, sqlAsDaemon } from '../lib/daemon.mjs';

let d, admin, chain;
const userIds = [];

before(async () => {
  // One chain for the daemon (audit_chains = 1): the tampering below works on "the" chain.
  d = await startDaemon({ env: { SANZHI_AUDIT_CHAINS: '1' } });
  await d.addUser({ username: 'trail_admin', role: 'admin' });
  admin = await d.login('trail_admin');
  for (let i = 0; i < 6; i++) {
    const r = await d.api('POST', '/api/v1/users', { token: admin, body: { username: `trail${i}`, password: 'long-enough-pw', role: 'registrar', display_name: `t${i}` } });
    assert.equal(r.status, 201, r.text);
    userIds.push(r.json.data.id);
  }
  const r = await d.api('GET', '/api/v1/audit?action=user.create&limit=1', { token: admin });
  chain = r.json.data[0].chain;
});
after(async () => { await d?.stop(); });

const one = (q) => d.sql(q).trim();
const verifyApi = async () => (await d.api('GET', '/api/v1/audit/verify', { token: admin })).json.data;
const rows = (q) => one(q).split('\n').filter(Boolean).map((l) => l.split('\t'));
const entry = (seq) => {
  const [s, chainId, chainSeq, at, actorId, actor, role, action, type, id, summary, prev, hash] =
    rows(`SELECT seq, chain_id, chain_seq, at, COALESCE(actor_id, ''), actor, role, action, object_type, object_id, summary, prev_hash, hash FROM audit_log WHERE seq = ${seq}`)[0];
  return { seq: s, chain: chainId, chain_seq: chainSeq, at, actor_id: actorId, actor, role, action, object_type: type, object_id: id, summary, prev_hash: prev, hash };
};
// The hash as server/audit.c makes it (sanzhi-audit-v2), which anyone can recompute.
function v2Hash(prev, e) {
  const h = crypto.createHash('sha256').update(prev);
  for (const f of ['sanzhi-audit-v2', e.chain, e.chain_seq, e.seq, e.at, e.actor_id, e.actor, e.role, e.action, e.object_type, e.object_id, e.summary]) {
    h.update(`${Buffer.byteLength(String(f))}:`).update(String(f)).update('\n');
  }
  return h.digest('hex');
}
const q = (s) => `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const seqsOf = (c) => one(`SELECT seq FROM audit_log WHERE chain_id = ${c} ORDER BY chain_seq`).split('\n').map(Number);

// Snapshot of the audit tables (as root), to put everything back after a tampering.
function save() {
  d.sql(`DROP TABLE IF EXISTS s_log, s_chains, s_cp, s_line;
    CREATE TABLE s_log AS SELECT * FROM audit_log; CREATE TABLE s_chains AS SELECT * FROM audit_chains;
    CREATE TABLE s_cp AS SELECT * FROM audit_checkpoints; CREATE TABLE s_line AS SELECT * FROM audit_mac_line`);
}
function restore() {
  // Chain 0 needs an explicit 0 in an AUTO_INCREMENT column (as sql/0011 does).
  d.sql(`SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_AUTO_VALUE_ON_ZERO');
    DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM s_log;
    DELETE FROM audit_chains; INSERT INTO audit_chains SELECT * FROM s_chains;
    DELETE FROM audit_checkpoints; INSERT INTO audit_checkpoints SELECT * FROM s_cp;
    DELETE FROM audit_mac_line; INSERT INTO audit_mac_line SELECT * FROM s_line`);
}
async function broken(reason, seq) {
  const v = await verifyApi();
  assert.equal(v.valid, false, 'the API verifier sees it');
  assert.match(v.reason, reason);
  if (seq !== undefined) assert.equal(v.first_bad_seq, seq, JSON.stringify(v));
  const c = d.cli(['audit', 'verify']);
  assert.equal(c.code, 1, `the CLI verifier sees it: ${c.stdout}${c.stderr}`);
  assert.match(c.stdout, reason);
}
async function intact() {
  const v = await verifyApi();
  assert.equal(v.valid, true, JSON.stringify(v));
  assert.equal(d.cli(['audit', 'verify']).code, 0);
}

test('the hashes can be recomputed by anyone: a forger would get them right', async () => {
  // The premise of every test below: recomputing is easy, so only the MACs stand in the way.
  for (const seq of seqsOf(chain)) {
    const e = entry(seq);
    assert.equal(v2Hash(e.prev_hash, e), e.hash, `entry ${seq}`);
  }
  assert.match(one(`SELECT mac FROM audit_log WHERE seq = ${seqsOf(chain)[0]}`), /^[0-9a-f]{64}$/);
  await intact();
});

test('a tail deleted and the head rewound to the entry before it, hash recomputed: found', async () => {
  save();
  try {
    const s = seqsOf(chain);
    const keep = entry(s[s.length - 3]);
    d.sql(`DELETE FROM audit_checkpoints;
      DELETE FROM audit_log WHERE seq IN (${s.slice(-2)});
      UPDATE audit_chains SET seq = ${keep.chain_seq}, hash = '${keep.hash}' WHERE id = ${chain}`);
    await broken(new RegExp(`chain ${chain}: its head \\(#${keep.chain_seq}\\) was not written by sanzhi`), Number(keep.seq));
  } finally { restore(); }
  await intact();
});

test('a forged entry appended with its hash recomputed and the head moved along: found', async () => {
  save();
  try {
    const s = seqsOf(chain);
    const last = entry(s[s.length - 1]);
    const next = Number(one('SELECT MAX(seq) FROM audit_log')) + 1;
    const forged = { ...last, seq: String(next), chain_seq: String(Number(last.chain_seq) + 1), action: 'user.update',
      summary: '{"display_name":"forged"}', prev_hash: last.hash };
    forged.hash = v2Hash(last.hash, forged);
    d.sql(`INSERT INTO audit_log (seq, chain_id, chain_seq, at, actor_id, actor, role, action, object_type, object_id, summary, prev_hash, hash, mac)
      VALUES (${next}, ${chain}, ${forged.chain_seq}, '${forged.at}', ${forged.actor_id || 'NULL'}, ${q(forged.actor)}, ${q(forged.role)}, ${q(forged.action)},
        ${q(forged.object_type)}, ${q(forged.object_id)}, ${q(forged.summary)}, '${forged.prev_hash}', '${forged.hash}', REPEAT('a', 64));
      UPDATE audit_chains SET seq = ${forged.chain_seq}, hash = '${forged.hash}' WHERE id = ${chain}`);
    await broken(new RegExp(`entry ${next} \\(chain ${chain} #${forged.chain_seq}\\) was not written by sanzhi`), next);
  } finally { restore(); }
  await intact();
});

test('an entry edited and every later hash recomputed, links and head too: found', async () => {
  save();
  try {
    const s = seqsOf(chain);
    const at = 2;  // the third entry of the chain
    let prev = entry(s[at]).prev_hash;
    for (let i = at; i < s.length; i++) {
      const e = entry(s[i]);
      if (i === at) e.summary = '{"username":"someone_else"}';
      e.prev_hash = prev;
      e.hash = v2Hash(prev, e);
      d.sql(`UPDATE audit_log SET summary = ${q(e.summary)}, prev_hash = '${e.prev_hash}', hash = '${e.hash}' WHERE seq = ${e.seq}`);
      prev = e.hash;
    }
    d.sql(`UPDATE audit_chains SET hash = '${prev}' WHERE id = ${chain}`);
    await broken(new RegExp(`entry ${s[at]} \\(chain ${chain} #${at + 1}\\) was not written by sanzhi`), s[at]);
  } finally { restore(); }
  await intact();
});

test('the log wiped, with the chain registrations, the checkpoints, even the MAC line: found', async () => {
  save();
  try {
    d.sql('DELETE FROM audit_log; DELETE FROM audit_chains');
    await broken(/chains from before the MACs \(ids below 1\) were changed, removed or extended/);
    d.sql('DELETE FROM audit_checkpoints');
    await broken(/chains from before the MACs/);
    d.sql('DELETE FROM audit_mac_line');
    await broken(/the line where MACs begin \(audit_mac_line\) was removed/);
  } finally { restore(); }
  await intact();
});

test('a checkpoint is public, signed with the registry key, and verifies offline', async () => {
  const r = await d.api('GET', '/api/v1/audit/checkpoint');
  assert.equal(r.status, 200, r.text);
  const cp = r.json.data;
  assert.match(cp.hash, /^[0-9a-f]{64}$/);
  assert.match(cp.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // It binds every chain's head as it is now (only chains with entries).
  const heads = rows('SELECT id, seq, hash FROM audit_chains WHERE seq > 0 ORDER BY id').map(([c, s, h]) => ({ chain: Number(c), seq: Number(s), hash: h }));
  assert.deepEqual(cp.heads, heads);
  const digest = crypto.createHash('sha256').update('sanzhi-audit-heads-v1\n');
  for (const h of cp.heads) digest.update(`${h.chain} ${h.seq} ${h.hash}\n`);
  assert.equal(cp.hash, digest.digest('hex'));

  const pk = (await d.api('GET', '/api/v1/certificates/public-key', { headers: { Accept: 'application/json' } })).json.data;
  assert.equal(cp.key_id, pk.key_id);
  const key = crypto.createPublicKey(pk.public_key_pem);
  const message = (c) => Buffer.from(`sanzhi-audit-checkpoint-v1\nseq=${c.seq}\nat=${c.at}\nhash=${c.hash}\n`);
  const sig = Buffer.from(cp.signature, 'base64');
  assert.equal(crypto.verify(null, message(cp), key, sig), true, 'the signature verifies with node alone');
  assert.equal(crypto.verify(null, message({ ...cp, seq: cp.seq + 1 }), key, sig), false);
  assert.equal(crypto.verify(null, message({ ...cp, hash: '0'.repeat(64) }), key, sig), false);

  // Asked again with nothing new in the log: the same checkpoint, not another row.
  const again = (await d.api('GET', '/api/v1/audit/checkpoint')).json.data;
  assert.equal(again.seq, cp.seq);
  // After a change: a new one that binds it.
  assert.equal((await d.api('PATCH', `/api/v1/users/${userIds[0]}`, { token: admin, body: { display_name: 'moved' } })).status, 200);
  const moved = (await d.api('GET', '/api/v1/audit/checkpoint')).json.data;
  assert.ok(moved.seq > cp.seq);
  assert.notEqual(moved.hash, cp.hash);
  assert.equal(crypto.verify(null, message(moved), key, Buffer.from(moved.signature, 'base64')), true);
});

test('the scheduler takes checkpoints by itself: a row and a log line', async () => {
  // Every job runs once at start, then every minute.
  const deadline = Date.now() + 20000;
  while (!/"msg":"audit checkpoint"/.test(d.logs) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const line = d.logs.split('\n').find((l) => l.includes('"msg":"audit checkpoint"'));
  assert.ok(line, `no checkpoint log line in: ${d.logs.slice(-2000)}`);
  const logged = JSON.parse(line);
  assert.match(logged.hash, /^[0-9a-f]{64}$/);
  assert.equal(one(`SELECT COUNT(*) FROM audit_checkpoints WHERE seq = ${logged.seq} AND hash = '${logged.hash}'`), '1');
});

test('verify --checkpoint: a tail cut off with the head\'s earlier MAC put back is caught by a kept checkpoint', async () => {
  const s0 = seqsOf(chain);
  // The head as it stood, MAC and all: what someone with read access earlier could have kept.
  const [hseq, hhash, hmac] = rows(`SELECT seq, hash, mac FROM audit_chains WHERE id = ${chain}`)[0];
  for (const id of userIds.slice(1, 3)) {
    assert.equal((await d.api('PATCH', `/api/v1/users/${id}`, { token: admin, body: { display_name: 'later' } })).status, 200);
  }
  const cpFile = path.join(d.dir, 'checkpoint.json');
  const served = await d.api('GET', '/api/v1/audit/checkpoint');
  fs.writeFileSync(cpFile, served.text);
  const ok = d.cli(['audit', 'verify', '--checkpoint', cpFile]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /reaching the checkpoint/);

  save();
  try {
    const tail = seqsOf(chain).filter((x) => !s0.includes(x));
    assert.equal(tail.length, 2);
    d.sql(`DELETE FROM audit_log WHERE seq IN (${tail});
      UPDATE audit_chains SET seq = ${hseq}, hash = '${hhash}', mac = '${hmac}' WHERE id = ${chain}`);
    // The stored checkpoints still know better.
    await broken(new RegExp(`chain ${chain} no longer reaches #${Number(hseq) + 2}`));
    // With those removed too, the database alone holds together again ...
    d.sql('DELETE FROM audit_checkpoints');
    assert.equal((await verifyApi()).valid, true, 'without a checkpoint the replayed head passes (the limit of a database-only check)');
    // ... but not against the checkpoint someone kept.
    const c = d.cli(['audit', 'verify', '--checkpoint', cpFile]);
    assert.equal(c.code, 1, c.stdout + c.stderr);
    assert.match(c.stdout, new RegExp(`BROKEN: chain ${chain} no longer reaches #${Number(hseq) + 2}, its head at the checkpoint`));
  } finally { restore(); }
  assert.equal(d.cli(['audit', 'verify', '--checkpoint', cpFile]).code, 0);

  // A checkpoint that is not the registry's: its signature fails, whatever it claims.
  const cp = JSON.parse(served.text);
  cp.data.heads[0].seq += 1;
  fs.writeFileSync(cpFile, JSON.stringify(cp));
  const forged = d.cli(['audit', 'verify', '--checkpoint', cpFile]);
  assert.equal(forged.code, 1);
  assert.match(forged.stdout, /its heads are not the ones it signed/);
  cp.data.heads[0].seq -= 1;
  cp.data.signature = Buffer.alloc(64, 1).toString('base64');
  fs.writeFileSync(cpFile, JSON.stringify(cp));
  assert.match(d.cli(['audit', 'verify', '--checkpoint', cpFile]).stdout, /its signature does not verify/);
});

test('the daemon\'s database account cannot update or delete audit rows, nor move a head back', async () => {
  const s = seqsOf(chain);
  const asDaemon = (query) => () => sqlAsDaemon(d.database, query);
  assert.throws(asDaemon(`UPDATE audit_log SET summary = '{}' WHERE seq = ${s[1]}`), /append-only/);
  assert.throws(asDaemon(`UPDATE audit_log SET hash = REPEAT('0', 64) WHERE seq = ${s[1]}`), /append-only/);
  assert.throws(asDaemon(`DELETE FROM audit_log WHERE seq = ${s[s.length - 1]}`), /append-only/);
  assert.throws(asDaemon('DELETE FROM audit_log'), /append-only/);
  assert.throws(asDaemon(`UPDATE audit_chains SET seq = seq - 1 WHERE id = ${chain}`), /only move forward/);
  assert.throws(asDaemon(`DELETE FROM audit_chains WHERE id = ${chain}`), /never removed/);
  assert.throws(asDaemon('DELETE FROM audit_checkpoints'), /never removed/);
  assert.throws(asDaemon('UPDATE audit_mac_line SET first_mac_chain = 999999'), /sealed once/);
  assert.throws(asDaemon('DELETE FROM audit_mac_line'), /never removed/);
  // Nothing changed, and the daemon still appends.
  assert.equal((await d.api('PATCH', `/api/v1/users/${userIds[3]}`, { token: admin, body: { display_name: 'still' } })).status, 200);
  await intact();
});
