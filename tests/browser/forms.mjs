// Imports form-js schemas into form-js's viewer (web/assets, as `phasegate serve` serves it) in
// Debian's headless Chromium; prints, per schema, the import warnings and the keys the viewer drew.
// Usage: node forms.mjs SCHEMAS.json   (an object: name → form-js schema)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const here = dirname(fileURLToPath(import.meta.url));
const bundle = join(here, '..', '..', 'web', 'assets', 'node_modules', '@bpmn-io', 'form-js', 'dist', 'form-viewer.umd.js');
const schemas = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
const results = { __page_errors__: [] };
try {
  const page = await browser.newPage();
  page.on('pageerror', (err) => results.__page_errors__.push(String(err)));
  await page.setContent('<!doctype html><html><body><div id="form"></div></body></html>');
  await page.addScriptTag({ content: readFileSync(bundle, 'utf8') });
  for (const [name, schema] of Object.entries(schemas)) {
    results[name] = await page.evaluate(async (schema) => {
      document.getElementById('form').replaceChildren();
      const form = new window.FormViewer.Form({ container: '#form' });
      try {
        const { warnings } = await form.importSchema(schema, {});
        const drawn = [...document.querySelectorAll('#form [id^="fjs-form-"]')].length;
        const labels = [...document.querySelectorAll('#form .fjs-form-field-label')].map((l) => l.innerText.replace('*', '').trim());
        form.destroy();
        return { error: null, warnings: warnings.map((w) => String(w.message || w)), drawn, labels };
      } catch (err) {
        return { error: String(err.message || err), warnings: [], drawn: 0, labels: [] };
      }
    }, schema);
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
