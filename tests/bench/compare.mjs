// compare.mjs -- compares each step's result across engines, so a fast wrong answer fails the
// benchmark.
//
//   node compare.mjs DIR_A DIR_B STEP...
//
// For each step, DIR_A/STEP.csv and DIR_B/STEP.csv (written by the scripts' checks) are read,
// their header dropped (engines name computed columns differently; columns are compared by
// position), every cell canonicalised (the empty field is null; numbers are compared as numbers,
// within a relative 1e-6, so 4 == 4.0 and summation order does not matter; true/false in any
// case), and the rows sorted (numbers rounded to 6 significant digits for the order). Prints
// "STEP<TAB>ok|MISMATCH|missing in A|B" per step, both results on stderr for a mismatch, and
// exits 1 when any step mismatched.
import { readFileSync, existsSync } from 'node:fs';

const [dirA, dirB, ...steps] = process.argv.slice(2);

function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false, i = 0, was_quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; was_quoted = true; i++; continue; }
    if (c === ',') { row.push(was_quoted ? { q: field } : field); field = ''; was_quoted = false; i++; continue; }
    if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(was_quoted ? { q: field } : field); rows.push(row);
      row = []; field = ''; was_quoted = false; i++; continue;
    }
    field += c; i++;
  }
  if (field !== '' || row.length) { row.push(was_quoted ? { q: field } : field); rows.push(row); }
  return rows;
}

const NUM = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?(inf|infinity|nan)$/i;
function canon(cell) {
  if (typeof cell === 'object') return { s: cell.q };            // a quoted field is text
  if (cell === '') return { null: true };
  if (NUM.test(cell)) return { n: Number(cell.replace(/^([-+]?)inf(inity)?$/i, '$1Infinity')) };
  if (/^(true|false)$/i.test(cell)) return { s: cell.toLowerCase() };
  return { s: cell };
}
const key = (c) => c.null ? '\u0000null' : 'n' in c ? (Number.isFinite(c.n) ? c.n.toPrecision(6) : String(c.n)) : c.s;
const same = (a, b) => {
  if (a.null || b.null) return !!a.null === !!b.null;
  if ('n' in a && 'n' in b) {
    if (Number.isNaN(a.n) || Number.isNaN(b.n)) return Number.isNaN(a.n) && Number.isNaN(b.n);
    if (a.n === b.n) return true;
    return Math.abs(a.n - b.n) <= 1e-6 * Math.max(Math.abs(a.n), Math.abs(b.n)) + 1e-12;
  }
  return key(a) === key(b);
};
function load(dir, step) {
  const f = `${dir}/${step}.csv`;
  if (!existsSync(f)) return null;
  const rows = parseCsv(readFileSync(f, 'utf8'));
  const header = rows.shift() || [];
  const body = rows.map((r) => r.map(canon));
  body.sort((x, y) => {
    const a = x.map(key).join('\u0001'), b = y.map(key).join('\u0001');
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return { header, body };
}
const show = (name, t) => {
  const lines = [`  ${name}: ${t.body.length} rows; ${t.header.map((h) => (typeof h === 'object' ? h.q : h)).join(', ')}`];
  for (const r of t.body.slice(0, 20)) lines.push('    ' + r.map((c) => c.null ? 'null' : 'n' in c ? String(c.n) : c.s).join(' | '));
  if (t.body.length > 20) lines.push('    ...');
  return lines.join('\n');
};

let bad = 0;
for (const step of steps) {
  const a = load(dirA, step), b = load(dirB, step);
  if (!a || !b) { console.log(`${step}\tmissing in ${!a ? dirA.split('/').pop() : dirB.split('/').pop()}`); continue; }
  let ok = a.body.length === b.body.length;
  for (let i = 0; ok && i < a.body.length; i++) {
    ok = a.body[i].length === b.body[i].length && a.body[i].every((c, j) => same(c, b.body[i][j]));
  }
  console.log(`${step}\t${ok ? 'ok' : 'MISMATCH'}`);
  if (!ok) {
    bad++;
    console.error(`compare: ${step}: the results differ (rows sorted, numbers within 1e-6)\n${show(dirA.split('/').pop(), a)}\n${show(dirB.split('/').pop(), b)}`);
  }
}
process.exit(bad ? 1 : 0);
