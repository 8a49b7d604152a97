// The web story of `phasegate serve` in Debian's headless Chromium (tests/test_web_browser.py runs it).
// Env: BASE (the server), MANAGER_TOKEN, OTHER_TOKEN, INSTANCE, SHOTS (a folder for screenshots).
// Prints one JSON object of what each step saw; the Python test asserts on it and on the store.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

const { BASE, MANAGER_TOKEN, OTHER_TOKEN, INSTANCE, SHOTS } = process.env;
mkdirSync(SHOTS, { recursive: true });
const seen = { pageErrors: [] };

const browser = await puppeteer.launch({
  protocolTimeout: 60000,
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--lang=zh-CN',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});

async function person(token) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1360, height: 900 });
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'zh-CN,zh;q=0.9' });
  page.on('pageerror', (err) => seen.pageErrors.push(String(err)));
  page.on('console', (msg) => {   // refused requests are part of the story; anything else is a fault
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) seen.pageErrors.push(msg.text());
  });
  page.on('response', (r) => { if (r.status() === 404) seen.pageErrors.push('404 ' + r.url()); });
  await page.goto(BASE + '/signin');
  await page.type('input[name=token]', token);
  await Promise.all([page.waitForNavigation(), page.click('form.signin button')]);
  return page;
}

const text = (page, selector) => page.$eval(selector, (el) => el.innerText);

async function choose(page, label, option) {
  // form-js's select: open the field whose label reads `label`, pick the item reading `option`
  const fields = await page.$$('.fjs-form-field-select');
  for (const field of fields) {
    if (!(await field.$eval('label', (el) => el.innerText)).includes(label)) continue;
    await (await field.$('.fjs-input-group')).click();
    await page.waitForSelector('.fjs-dropdownlist-item', { timeout: 5000 });
    for (const item of await page.$$('.fjs-dropdownlist-item')) {
      if ((await item.evaluate((el) => el.innerText)).trim() === option) { await item.click(); return; }
    }
  }
  throw new Error(`no option ${option} in ${label}`);
}

async function submitAndWait(page) {
  await page.evaluate(() => { delete document.body.dataset.answered; });
  await page.click('.fjs-form-field-button button[type=submit], button.fjs-button[type=submit]');
  await page.waitForFunction(() => document.body.dataset.answered, { timeout: 20000 });
  return page.evaluate(() => document.body.dataset.answered);
}

try {
  // someone of another lane (技术部) opens the manager's task: refused, shown
  const other = await person(OTHER_TOKEN);
  const otherTasks = await text(other, 'main');
  const manager = await person(MANAGER_TOKEN);
  seen.tasklist = await text(manager, '#tasks');
  await manager.screenshot({ path: join(SHOTS, 'tasklist.png'), fullPage: true });
  const href = await manager.$eval('a.task', (a) => a.getAttribute('href'));
  seen.taskHref = href;
  const answer = await other.goto(BASE + href);
  seen.other = { tasks: otherTasks, status: answer.status(), text: await text(other, 'main') };

  // a second tab of the manager's on the instance page, to see it refresh by itself
  const watcher = await manager.browserContext().newPage();
  await watcher.setViewport({ width: 1360, height: 900 });
  await watcher.goto(BASE + '/instances/' + INSTANCE);
  seen.watcherRevisionBefore = await watcher.evaluate(() => document.body.dataset.revision);

  // the manager opens the draft approval (a tab in front: background tabs are not drawn)
  await manager.bringToFront();
  await manager.click('a.task');
  await manager.waitForFunction(() => document.body.dataset.ready === 'true', { timeout: 20000 });
  seen.formText = await text(manager, '#form');

  // a forged POST from the page's own origin but without the CSRF token
  seen.forged = await manager.evaluate(async (instance) => {
    const r = await fetch(`/api/instances/${instance}/tasks/review_draft/complete`, {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ draft_decision: 'approve', review_comments: '' }) });
    return { status: r.status, body: await r.json() };
  }, INSTANCE);

  // an invalid decision: send back without saying why
  await choose(manager, '审议结论', '退回修改');
  seen.invalidStatus = await submitAndWait(manager);
  seen.invalidMessages = await text(manager, '#messages');
  await manager.screenshot({ path: join(SHOTS, 'form-invalid.png'), fullPage: true });

  // a valid one: approve
  await choose(manager, '审议结论', '通过');
  const moved = manager.waitForNavigation({ timeout: 20000 });
  seen.validStatus = await submitAndWait(manager);
  await moved;
  await manager.waitForFunction(() => document.body.dataset.marked, { timeout: 20000 });
  seen.instanceUrl = manager.url();
  seen.marked = await manager.evaluate(() => document.body.dataset.marked);
  seen.classes = await manager.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll('.djs-element[data-element-id]')) {
      const marks = [...el.classList].filter((c) => c.startsWith('pg-'));
      if (marks.length) out[el.getAttribute('data-element-id')] = marks;
    }
    return out;
  });
  seen.notes = await manager.$$eval('.pg-note', (els) => els.map((e) => e.innerText));
  seen.instanceText = await text(manager, 'main');
  await manager.screenshot({ path: join(SHOTS, 'instance-overlay.png'), fullPage: true });

  // the other tab refreshed on its own
  await watcher.bringToFront();
  await watcher.waitForFunction((before) => document.body.dataset.revision !== before,
    { timeout: 15000 }, seen.watcherRevisionBefore);
  seen.watcherRevisionAfter = await watcher.evaluate(() => document.body.dataset.revision);

  await manager.goto(BASE + '/');
  seen.tasklistAfter = await text(manager, 'main');
  await manager.goto(BASE + '/programme');
  seen.programme = await text(manager, '#standing');
  await manager.screenshot({ path: join(SHOTS, 'programme.png'), fullPage: true });
} catch (err) {
  seen.error = String(err.stack || err);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(seen));
