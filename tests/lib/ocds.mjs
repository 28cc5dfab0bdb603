// The official OCDS 1.1.5 schemas (vendored unmodified in tests/ocds/), compiled once by a real
// JSON Schema validator (ajv, draft-04): every package the daemon publishes is checked with it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { ROOT } from './daemon.mjs';

const schema = (n) => JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/ocds', n), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(schema('release-schema.json'));
const validatePackage = ajv.compile(schema('release-package-schema.json'));

export function assertValidOcds(pkg) {
  const ok = validatePackage(pkg);
  assert.ok(ok, `OCDS package invalid: ${JSON.stringify(validatePackage.errors, null, 1)}`);
}
