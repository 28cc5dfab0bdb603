#!/usr/bin/env node
// openapi.mjs — joins the per-module fragments api/openapi/*.json into api/openapi.json.
//   node scripts/openapi.mjs          write api/openapi.json
//   node scripts/openapi.mjs --check  exit 1 if api/openapi.json is not up to date
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'api/openapi');
const doc = {
  openapi: '3.1.0',
  info: {
    title: 'sanzhi',
    version: '1.0.0',
    description: 'Civil-affairs platform for social organizations: registry, government purchase of services, credit. '
      + 'Success bodies are {"data": …}; lists add next_cursor; errors are RFC 9457 application/problem+json with a stable code.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  paths: {},
  components: { securitySchemes: {}, headers: {}, parameters: {}, responses: {}, schemas: {} },
};
for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
  const frag = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  for (const [p, item] of Object.entries(frag.paths || {})) {
    if (doc.paths[p]) {
      for (const [m, op] of Object.entries(item)) {
        if (doc.paths[p][m]) throw new Error(`${f}: ${m.toUpperCase()} ${p} is described twice`);
        doc.paths[p][m] = op;
      }
    } else doc.paths[p] = item;
  }
  for (const [kind, items] of Object.entries(frag.components || {})) {
    doc.components[kind] = doc.components[kind] || {};
    for (const [name, v] of Object.entries(items)) {
      if (doc.components[kind][name] && JSON.stringify(doc.components[kind][name]) !== JSON.stringify(v)) {
        throw new Error(`${f}: components.${kind}.${name} differs from an earlier fragment`);
      }
      doc.components[kind][name] = v;
    }
  }
}
const text = JSON.stringify(doc, null, 1) + '\n';
const out = path.join(root, 'api/openapi.json');
if (process.argv.includes('--check')) {
  const cur = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  if (cur !== text) {
    console.error('api/openapi.json is not up to date: run node scripts/openapi.mjs');
    process.exit(1);
  }
} else {
  fs.writeFileSync(out, text);
}
