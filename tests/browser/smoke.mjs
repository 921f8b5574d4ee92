// smoke.mjs -- drives headless Chromium through Jupyter Notebook running smoke.ipynb on the
// Loupe kernel, and checks what the page shows.
//
// Started by run.sh, which owns the notebook server, the data and the temporary Jupyter
// directories; this file only talks to the page. Everything it needs comes from the environment:
//   NB_URL        the notebook's URL with its token (…/notebooks/smoke.ipynb?token=…)
//   EXPECT        JSON written by run.sh from reviews.json: {"rows": N, "groups": [["1.0", 176], …]}
//   SHOT          where the full-page screenshot goes (PNG)
//   OUTPUTS       where the output areas' HTML goes (for reading a failure)
//   CHROMIUM      the browser binary (/usr/bin/chromium)
//   STEP_TIMEOUT  milliseconds allowed for each wait (default 60000)
//
// Checks, in order: the page loads and the kernel named "loupe" answers kernel_info; Cell > Run
// All runs every code cell to a numbered prompt with no error output; the print cell's stream
// says the row count; the table cell shows one <table> whose header names the columns with
// their types, whose body holds exactly the expected groups and whose footer reads
// "N rows · M columns"; the chart cell shows an inline <svg> with one visible bar per group,
// taller bars for larger counts, and no script. Exits 1 with the first failed check.
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) fail(`${name} is not set (run this through tests/browser/run.sh)`);
  return v;
};

function fail(msg) {
  console.error(`browser test: FAIL: ${msg}`);
  process.exitCode = 1;
  throw new Error(msg);
}

function ok(msg) {
  console.log(`browser test: ok: ${msg}`);
}

// Waits for fn() in the page to be truthy; fails with `what` after the step timeout.
async function waitFor(page, what, fn, arg, timeout) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 200 });
  } catch (e) {
    fail(`timed out after ${timeout / 1000} s waiting for ${what}`);
  }
}

async function main() {
  const url = env('NB_URL');
  const expect = JSON.parse(env('EXPECT'));
  const shot = env('SHOT');
  const outputs = env('OUTPUTS');
  const timeout = Number(env('STEP_TIMEOUT', '60000'));
  const browser = await chromium.launch({
    executablePath: env('CHROMIUM', '/usr/bin/chromium'),
    headless: true,
    timeout,
    // root in a container: no sandbox; /dev/shm may be small
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  let page;
  try {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    context.setDefaultTimeout(timeout);
    page = await context.newPage();
    const consoleErrors = [];
    // Notebook 6 always tries to load the ipywidgets extension; its 404 is not ours.
    page.on('console', (m) => {
      if (m.type() === 'error' && !/widgets/.test(m.text()) && !/404/.test(m.text())) consoleErrors.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !/widgets/.test(r.url())) consoleErrors.push(`${r.status()} ${r.url().replace(/token=\w+/, 'token=…')}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));

    const resp = await page.goto(url, { waitUntil: 'load', timeout });
    if (!resp || !resp.ok()) fail(`the notebook page answered ${resp ? resp.status() : 'nothing'}`);
    ok('notebook page loaded');

    // The notebook app is up and its kernel (the one the notebook names) has answered kernel_info.
    await waitFor(page, 'the kernel to start and answer kernel_info', () => {
      const nb = window.Jupyter && window.Jupyter.notebook;
      return nb && nb.kernel && nb.kernel.info_reply && nb.kernel.info_reply.protocol_version;
    }, null, timeout);
    const info = await page.evaluate(() => ({
      name: Jupyter.notebook.kernel.name,
      impl: Jupyter.notebook.kernel.info_reply.implementation,
      proto: Jupyter.notebook.kernel.info_reply.protocol_version,
    }));
    if (info.name !== 'loupe') fail(`the notebook runs kernel "${info.name}", not "loupe"`);
    ok(`kernel ${info.name} (${info.impl}, protocol ${info.proto}) is ready`);
    const dialog = await page.$('.modal-dialog:visible');
    if (dialog) fail(`a dialog is open: ${(await dialog.innerText()).replace(/\s+/g, ' ')}`);

    // Run every cell the way a student would: Cell > Run All.
    await page.click('#celllink');
    await page.click('#run_all_cells > a');
    const ncode = await page.$$eval('.cell.code_cell', (cs) => cs.length);
    await waitFor(page, `all ${ncode} code cells to finish`, () => {
      const prompts = [...document.querySelectorAll('.cell.code_cell .input_prompt')];
      const done = prompts.every((p) => /In\s*\[\d+\]/.test(p.textContent));
      const idle = document.querySelector('#kernel_indicator_icon.kernel_idle_icon');
      return prompts.length > 0 && done && idle;
    }, null, 2 * timeout);
    ok(`Run All finished ${ncode} code cells`);
    // Let the last outputs lay out before measuring and taking the picture.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

    const cells = page.locator('.cell.code_cell');
    writeFileSync(outputs, (await page.$$eval('.cell.code_cell .output_wrapper',
      (ws) => ws.map((w, i) => `<!-- code cell ${i + 1} -->\n${w.innerHTML}`).join('\n'))) + '\n');
    // Notebook 6 scrolls inside div#site, not the page: grow the window to the whole notebook.
    const fullHeight = await page.evaluate(() =>
      document.querySelector('#header').offsetHeight + document.querySelector('#notebook').scrollHeight + 20);
    await page.setViewportSize({ width: 1100, height: Math.min(Math.max(fullHeight, 900), 8000) });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: shot, fullPage: true });
    ok(`screenshot ${shot}`);

    const errors = await page.$$eval('.output_error, .output_stderr', (es) => es.map((e) => e.innerText));
    if (errors.length) fail(`a cell wrote an error or to stderr: ${errors.join(' | ').slice(0, 600)}`);

    // The print cell: its stream output says the row count.
    const stream = (await cells.nth(1).locator('.output_stdout').allInnerTexts()).join('').trim();
    if (stream !== `reviews: ${expect.rows}`) fail(`print cell shows "${stream}", want "reviews: ${expect.rows}"`);
    ok(`print cell: "${stream}"`);

    // The table cell.
    const table = await cells.nth(2).evaluate((cell) => {
      const tables = cell.querySelectorAll('.output_area .output_html table');
      if (tables.length !== 1) return { count: tables.length };
      const t = tables[0];
      const box = t.getBoundingClientRect();
      const foot = cell.querySelector('.output_html .lp-foot');
      return {
        count: 1,
        width: box.width, height: box.height,
        head: [...t.querySelectorAll('thead th')].map((th) => th.innerText.replace(/\s+/g, ' ').trim()),
        rows: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.cells].map((c) => c.innerText.trim())),
        aligns: [...t.querySelectorAll('tbody tr:first-child td')].map((c) => getComputedStyle(c).textAlign),
        foot: foot ? foot.innerText.trim() : null,
      };
    });
    if (table.count !== 1) fail(`the table cell shows ${table.count} <table> elements in its HTML output, want 1`);
    if (!(table.width > 50 && table.height > 50)) fail(`the table is not visible (${table.width}x${table.height})`);
    const wantHead = ['overall double', 'count bigint'];
    if (JSON.stringify(table.head) !== JSON.stringify(wantHead))
      fail(`table header ${JSON.stringify(table.head)}, want ${JSON.stringify(wantHead)}`);
    const wantRows = expect.groups.map(([k, n]) => [k, String(n)]);
    if (JSON.stringify(table.rows) !== JSON.stringify(wantRows))
      fail(`table body ${JSON.stringify(table.rows)}, want ${JSON.stringify(wantRows)}`);
    if (table.aligns.some((a) => a !== 'right')) fail(`numbers are not right-aligned: ${table.aligns}`);
    const wantFoot = `${wantRows.length} rows · 2 columns`;
    if (table.foot !== wantFoot) fail(`table footer "${table.foot}", want "${wantFoot}"`);
    if (!/^[\d,]+ rows · [\d,]+ columns$/.test(table.foot)) fail(`footer "${table.foot}" has the wrong shape`);
    ok(`table: ${table.head.join(' | ')}; ${table.rows.length} rows as computed from the file; footer "${table.foot}"`);

    // The chart cell: Notebook 6 inlines image/svg+xml into .output_svg.
    const chart = await cells.nth(3).evaluate((cell) => {
      const svgs = cell.querySelectorAll('.output_area .output_svg svg');
      if (svgs.length !== 1) return { count: svgs.length };
      const svg = svgs[0];
      const box = svg.getBoundingClientRect();
      const bars = [...svg.querySelectorAll('rect.lp-bar')].map((r) => {
        const b = r.getBoundingClientRect();
        return { w: b.width, h: b.height, x: b.x, fill: getComputedStyle(r).fill };
      });
      return {
        count: 1, width: box.width, height: box.height, bars,
        rects: svg.querySelectorAll('rect').length,
        scripts: svg.querySelectorAll('script, foreignObject').length,
        text: [...svg.querySelectorAll('text')].map((t) => t.textContent.trim()),
      };
    });
    if (chart.count !== 1) fail(`the chart cell shows ${chart.count} inline <svg> elements, want 1`);
    if (!(chart.width > 200 && chart.height > 150)) fail(`the chart is not visible (${chart.width}x${chart.height})`);
    if (chart.scripts) fail('the chart holds a <script> or <foreignObject>');
    if (chart.bars.length !== expect.groups.length)
      fail(`the chart draws ${chart.bars.length} bars (rect.lp-bar; ${chart.rects} rects in all), want ${expect.groups.length}`);
    if (chart.bars.some((b) => !(b.w > 2 && b.h > 0.5))) fail(`a bar is not visible: ${JSON.stringify(chart.bars)}`);
    if (chart.bars.some((b) => b.fill === 'none' || b.fill === 'rgba(0, 0, 0, 0)')) fail('a bar has no fill');
    // Each bar's label is a category: the bar heights, sorted, follow the counts, sorted.
    const hs = chart.bars.map((b) => b.h).sort((a, b) => a - b);
    const ns = expect.groups.map(([, n]) => n).sort((a, b) => a - b);
    for (let i = 0; i < hs.length; i++) {
      const want = (ns[i] / ns[ns.length - 1]) * hs[hs.length - 1];
      if (Math.abs(hs[i] - want) > 2) fail(`bar heights ${hs.map((h) => h.toFixed(1))} are not proportional to counts ${ns}`);
    }
    for (const [k] of expect.groups) if (!chart.text.includes(k)) fail(`the chart has no label "${k}" (labels: ${chart.text})`);
    for (const t of ['overall', 'count']) if (!chart.text.some((s) => s.includes(t))) fail(`the chart names no "${t}" axis`);
    ok(`chart: ${Math.round(chart.width)}x${Math.round(chart.height)} SVG, ${chart.bars.length} bars proportional to the counts, labelled`);

    if (consoleErrors.length) console.log(`browser test: note: page console errors: ${consoleErrors.join(' | ').slice(0, 600)}`);
    console.log('browser test: PASS');
  } catch (e) {
    if (page) {
      try { await page.screenshot({ path: shot, fullPage: true }); } catch { /* the page may be gone */ }
    }
    if (!process.exitCode) {
      console.error(`browser test: FAIL: ${e.message}`);
      process.exitCode = 1;
    }
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(`browser test: FAIL: ${e.message}`);
  process.exitCode = 1;
});
