// duckdb.mjs -- DuckDB's side of the benchmark: runs a sectioned SQL script (workshop.sql,
// dbbench.sql) in one in-memory DuckDB (@duckdb/node-api) and times each step, as loupe-bench
// does for Loupe's script, with the same options and output:
//
//   node duckdb.mjs [--runs N] [--once] [--only a,b] [--skip a,b] [-D name=value]... SCRIPT.sql
//
// Sections start at "-- @ step NAME" / "-- @ check NAME" lines; ${NAME} in the text is replaced
// by the -D values. Statements end with ";" at the end of a line. A step runs once to warm up,
// then N times (median printed as "NAME<TAB>seconds<TAB>"); then its check runs once.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

let runs = 5, once = false, only = null, skipped = [], script = null;
const defs = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--runs') runs = parseInt(argv[++i], 10);
  else if (a === '--once') once = true;
  else if (a === '--only') only = argv[++i].split(',');
  else if (a === '--skip') skipped = argv[++i].split(',');
  else if (a === '-D') { const [k, ...v] = argv[++i].split('='); defs[k] = v.join('='); }
  else if (!script && !a.startsWith('-')) script = a;
  else { console.error('usage: node duckdb.mjs [--runs N] [--once] [--only a,b] [-D name=value]... SCRIPT.sql'); process.exit(2); }
}
if (!script) { console.error('duckdb.mjs: no script'); process.exit(2); }

const text = readFileSync(script, 'utf8').replace(/\$\{(\w+)\}/g, (m, k) => {
  if (!(k in defs)) { console.error(`duckdb.mjs: \${${k}} is not defined (-D ${k}=...)`); process.exit(2); }
  return defs[k];
});
const sections = [{ kind: 'p', name: '', sql: [] }];
for (const line of text.split('\n')) {
  const m = /^-- @ (step|check) (\S+)/.exec(line);
  if (m) sections.push({ kind: m[1][0], name: m[2], sql: [] });
  else sections[sections.length - 1].sql.push(line);
}
const statements = (lines) => lines.join('\n').split(/;\s*$/m)
  .map((s) => s.replace(/^\s*--.*$/gm, '').trim()).filter((s) => s.length > 0);

const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const exec = async (sec) => {
  for (const s of statements(sec.sql)) {
    try { await con.run(s); } catch (e) {
      const msg = String(e.message || e).replace(/[\t\n]/g, ' ');
      if (/not implemented|not supported/i.test(msg)) return msg;
      console.error(`duckdb.mjs: ${sec.kind === 'c' ? 'check' : 'step'} ${sec.name} failed: ${msg}\n  in: ${s}`);
      process.exit(1);
    }
  }
  return null;
};
const version = (await con.runAndReadAll('SELECT version() AS v, current_setting(\'threads\') AS t')).getRowObjects()[0];
if (!once) console.log(`threads\t${version.t}\tDuckDB ${version.v}`);
const t_all = performance.now();
let skip = false;
for (const sec of sections) {
  if (sec.kind !== 'p' && skipped.includes(sec.name)) skip = true;
  else if (sec.kind === 'p') await exec(sec);
  else if (sec.kind === 'c') { if (!once && !only && !skip) await exec(sec); }
  else if (once || (only && !only.includes(sec.name))) skip = (await exec(sec)) !== null;
  else {
    const t = [];
    let err = null;
    for (let k = -1; k < runs && !err; k++) {
      const t0 = performance.now();
      err = await exec(sec);
      if (k >= 0) t.push((performance.now() - t0) / 1000);
    }
    skip = err !== null;
    if (err) console.log(`${sec.name}\t-\tunsupported: ${err}`);
    else {
      t.sort((a, b) => a - b);
      const n = t.length, med = n % 2 ? t[(n - 1) / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
      console.log(`${sec.name}\t${med.toFixed(4)}\t`);
    }
  }
}
if (once) console.log(`total\t${((performance.now() - t_all) / 1000).toFixed(4)}\t`);
