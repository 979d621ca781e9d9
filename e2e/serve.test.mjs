// End-to-end tests of `samspor serve` in a real browser: Debian's chromium, driven by
// playwright-core, against a server on loopback that the caller started over the demo index.
//
//   SAMSPOR_BASE_URL   the server, e.g. http://127.0.0.1:8080 (required)
//   SAMSPOR_E2E_OUT    where screenshots go (default: a temp dir; printed)
//   SAMSPOR_E2E_DOWNLOAD=1  also download a brief (run on its own by `browser_download_brief`)
//   CHROMIUM           the browser (default /usr/bin/chromium)
//
// Run through `cargo test --test serve_browser`, which builds the index and starts the server.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.SAMSPOR_BASE_URL;
if (!base) {
  throw new Error('SAMSPOR_BASE_URL is not set');
}
const out = process.env.SAMSPOR_E2E_OUT || mkdtempSync(join(tmpdir(), 'samspor-e2e-'));
mkdirSync(out, { recursive: true });
const downloads = process.env.SAMSPOR_E2E_DOWNLOAD === '1';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let context;
let profile;

before(async () => {
  profile = mkdtempSync(join(tmpdir(), 'samspor-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: DESKTOP,
    locale: 'nb-NO',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  console.log(`screenshots in ${out}`);
});

after(async () => {
  await context?.close();
  if (profile) {
    rmSync(profile, { recursive: true, force: true });
  }
});

/** A page that fails the test on a script error, a console error (CSP violations are
 * reported there) or any dialog (an escaped `<script>` must never run). */
async function open(path) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('dialog', async (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  page.problems = problems;
  if (path) {
    const response = await page.goto(base + path);
    assert.equal(response.status(), 200, `${path} answered ${response.status()}`);
  }
  return page;
}

/** Full-page screenshots at desktop and phone widths. */
async function shoot(page, name) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(out, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(out, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

async function done(page, { expectStatus400 = false } = {}) {
  const problems = page.problems.filter(
    (p) => !(expectStatus400 && p.includes('responded with a status of 400')),
  );
  assert.deepEqual(problems, [], 'no script errors, CSP violations or dialogs');
  await page.close();
}

test('search from the start page shows highlighted hits', async () => {
  const page = await open('/');
  assert.equal(await page.getAttribute('html', 'lang'), 'nb');
  await shoot(page, '01-start');
  await page.getByLabel('Søk i dokumentene').fill('listelengde');
  await page.getByRole('button', { name: 'Søk', exact: true }).click();
  await page.waitForURL(/\/sok\?q=listelengde/);
  await assert.doesNotReject(
    page.getByRole('heading', { name: /treff for «listelengde»/ }).waitFor(),
  );
  const first = page.locator('ol.hits > li').first();
  assert.match(await first.locator('h3').innerText(), /^3\.4\.1 Listelengde/);
  assert.ok((await page.locator('ol.hits mark').count()) > 0, 'highlighted words');
  await shoot(page, '02-sok');
  await done(page);
});

test('filters narrow the hits to one source and one theme', async () => {
  const page = await open('/sok?q=helsefellesskap');
  const all = await page.locator('ol.hits > li').count();
  assert.ok(all > 1, `several hits before filtering: ${all}`);
  await page.getByRole('combobox', { name: 'Kilde' }).selectOption('samarbeidsavtale-demo');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForURL(/kilde=samarbeidsavtale-demo/);
  const titles = await page.locator('ol.hits > li p.meta a').allInnerTexts();
  assert.ok(titles.length > 0 && titles.length < all, `fewer hits: ${titles.length} of ${all}`);
  for (const title of titles) {
    assert.match(title, /^Overordna samarbeidsavtale/);
  }
  assert.equal(await page.getByRole('combobox', { name: 'Kilde' }).inputValue(), 'samarbeidsavtale-demo', 'filter kept');

  await page.getByRole('combobox', { name: 'Kilde' }).selectOption('');
  await page.getByRole('combobox', { name: 'Tema' }).selectOption('fastlegekrise');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForURL(/tema=fastlegekrise/);
  const hits = page.locator('ol.hits > li');
  assert.ok((await hits.count()) > 0);
  for (const tags of await hits.evaluateAll((items) =>
    items.map((item) => [...item.querySelectorAll('a.tag')].map((a) => a.textContent)),
  )) {
    assert.ok(tags.includes('Fastlegekrise'), `every hit is on the theme: ${tags}`);
  }
  await shoot(page, '03-filter');
  await done(page);
});

test('a query with markup is shown as text, and a bad query is a Norwegian message', async () => {
  const page = await open('/');
  await page.getByLabel('Søk i dokumentene').fill('<script>alert(1)</script>');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/sok\?q=/);
  assert.equal(await page.title(), 'Søk: <script>alert(1)</script> – samspor', 'the query as text');
  assert.equal(await page.getByLabel('Søk i dokumentene').inputValue(), '<script>alert(1)</script>');
  assert.equal(await page.locator('script').count(), 1, 'only the site script, in the head');

  const response = await page.goto(`${base}/sok?q=${encodeURIComponent('fastlege AND (')}`);
  assert.equal(response.status(), 400);
  assert.match(await page.getByRole('alert').innerText(), /Søket kunne ikke tolkes/);
  await shoot(page, '04-ugyldig-sok');
  await done(page, { expectStatus400: true });
});

test('the keyboard reaches the skip link first and "/" jumps to the search box', async () => {
  const page = await open('/dokument');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Hopp til innholdet');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'innhold', 'focus in main');
  await page.keyboard.press('Tab');
  assert.match(await page.evaluate(() => document.activeElement.textContent), /^NOU 2099: 3/, 'then the first document');
  await page.goto(`${base}/`);
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
  await done(page);
});

test('open a document from a hit, then one of its sections', async () => {
  const page = await open('/sok?q=listelengde');
  await page.locator('ol.hits > li').first().locator('p.meta a').click();
  await page.waitForURL(/\/dokument\/nou-demo$/);
  assert.equal(await page.locator('h1').innerText(), 'NOU 2099: 3 Helsefellesskap i praksis');
  for (const heading of ['Innhold', 'Siterer', 'Sitert av', 'Versjoner', 'Endringer']) {
    assert.equal(await page.getByRole('heading', { name: heading, exact: true }).count(), 1, heading);
  }
  const sections = await page.locator('ol.sections > li > a').allInnerTexts();
  assert.ok(sections.some((s) => s.startsWith('3.4.1 ')), 'sections listed');
  assert.ok((await page.locator('section:has(#versjoner) tbody tr').count()) >= 1, 'versions listed');
  await shoot(page, '05-dokument');

  await page.getByRole('link', { name: /^3\.4\.1 / }).first().click();
  await page.waitForURL(/\/dokument\/nou-demo\/\d+$/);
  assert.match(await page.locator('h1').innerText(), /^3\.4\.1 Listelengde/);
  assert.ok((await page.locator('.section-text p').count()) > 0, 'section text');
  await shoot(page, '06-seksjon');
  await done(page);
});

test('theme and status pages', async () => {
  const page = await open('/tema/fastlegekrise');
  assert.equal(await page.locator('h1').innerText(), 'Fastlegekrise');
  assert.ok((await page.locator('ol.ranked > li').count()) > 0, 'ranked sections');
  assert.ok((await page.locator('ol.ranked blockquote').count()) > 0, 'evidence');
  await shoot(page, '07-tema');

  await page.goto(`${base}/status`);
  assert.equal(await page.locator('table.sources tbody tr').count(), 4);
  assert.ok((await page.locator('table.runs tbody tr').count()) >= 1);
  await shoot(page, '08-status');
  await done(page);
});

test('the brief form prefills a theme and can tick all themes', async () => {
  const page = await open('/notat?tema=fastlegekrise');
  assert.equal(await page.getByLabel('Fastlegekrise').isChecked(), true);
  assert.equal(await page.getByLabel('Barn og unge').isChecked(), false);
  await page.getByRole('button', { name: 'Velg alle' }).click();
  assert.equal(await page.getByLabel('Barn og unge').isChecked(), true);
  await page.getByRole('button', { name: 'Velg ingen' }).click();
  assert.equal(await page.getByLabel('Fastlegekrise').isChecked(), false);
  await shoot(page, '09-notat');
  await done(page);
});

test('download a brief', { skip: !downloads && 'run by browser_download_brief (SAMSPOR_E2E_DOWNLOAD=1)' }, async () => {
  const page = await open('/notat');
  await page.getByLabel('Fastlegekrise').check();
  await page.getByLabel('Rekruttere og beholde helsepersonell').check();
  for (const [label, type] of [
    ['Word (.docx)', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['Markdown (.md)', 'text/markdown'],
  ]) {
    await page.getByLabel(label).check();
    const responded = page.waitForResponse((r) => r.url().includes('/notat/last-ned'));
    const downloaded = page.waitForEvent('download', { timeout: 15000 });
    downloaded.catch(() => {}); // reported through the status check below when it never comes
    await page.getByRole('button', { name: 'Last ned notat' }).click();
    const response = await responded;
    assert.equal(response.status(), 200, `the brief: ${await response.text().catch(() => '')}`);
    assert.ok(response.headers()['content-type'].startsWith(type), response.headers()['content-type']);
    assert.match(response.headers()['content-disposition'], /^attachment; filename="samspor-notat-/);
    const download = await downloaded;
    const file = join(out, download.suggestedFilename());
    await download.saveAs(file);
    assert.ok(statSync(file).size > 0, `${file} is not empty`);
  }
  await done(page);
});
