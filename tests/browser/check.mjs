// Opens BPMN files in bpmn-js (the library inside Camunda Modeler) in Debian's headless Chromium
// and prints, per file, the import warnings and the diagram elements bpmn-js created, as JSON.
// Usage: node check.mjs FILE.bpmn...   (env CHROMIUM overrides /usr/bin/chromium)
// With SAVE_DIR set, each file is also saved back with bpmn-js's saveXML (what Camunda Modeler does
// on Ctrl+S) into SAVE_DIR under its own name.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const here = dirname(fileURLToPath(import.meta.url));
const bundle = join(here, 'node_modules', 'bpmn-js', 'dist', 'bpmn-modeler.production.min.js');
const files = process.argv.slice(2);

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
const results = {};
try {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  await page.setContent('<!doctype html><html><body><div id="canvas" style="width:1600px;height:900px"></div></body></html>');
  await page.addScriptTag({ content: readFileSync(bundle, 'utf8') });
  for (const file of files) {
    const xml = readFileSync(file, 'utf8');
    results[file] = await page.evaluate(async (xml) => {
      const modeler = window.__modeler || (window.__modeler = new window.BpmnJS({ container: '#canvas' }));
      const collect = () => modeler.get('elementRegistry').getAll()
        .filter((e) => e.businessObject && e.businessObject.id && !e.labelTarget)
        .map((e) => ({ id: e.businessObject.id, type: e.type,
                       bounds: e.waypoints ? null : [e.x, e.y, e.width, e.height] }));
      try {
        const { warnings } = await modeler.importXML(xml);
        const all = warnings.map((w) => w.message);
        const elements = collect();
        const diagrams = modeler.getDefinitions().diagrams || [];
        for (const diagram of diagrams.slice(1)) {      // multi-diagram files: open each one
          const opened = await modeler.open(diagram);
          all.push(...opened.warnings.map((w) => w.message));
          elements.push(...collect());
        }
        if (diagrams.length > 1) await modeler.open(diagrams[0]);
        const { xml: saved } = await modeler.saveXML({ format: true });
        return { error: null, warnings: all, elements, diagrams: diagrams.length, saved };
      } catch (err) {
        return { error: String(err.message || err), warnings: (err.warnings || []).map((w) => w.message), elements: [] };
      }
    }, xml);
    if (process.env.SAVE_DIR && results[file].saved) {
      writeFileSync(join(process.env.SAVE_DIR, basename(file)), results[file].saved);
    }
    delete results[file].saved;
  }
  results.__page_errors__ = pageErrors;
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
