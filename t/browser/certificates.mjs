// A customer registers a certificate with the wizard and manages the list:
// log in, "Register a certificate", number, code, "My certificates", hide
// the expired one and show it again.

import { run, check, equal, match, watchErrors } from './browser.mjs';

const [base, login, password, number, code] = process.argv.slice(2);

await run(async (browser) => {
  const page = await browser.newPage({ locale: 'en-US' });
  const errors = watchErrors(page);

  await page.goto(base + 'login');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  equal(new URL(page.url()).pathname, '/tickets', 'logged in, a customer lands on "My tickets"');

  await page.goto(base);
  await page.click('text=Register a certificate');
  match(await page.textContent('.step'), /Step 1 of 3/, 'the landing page\'s button opens the wizard');

  await page.fill('#number', 'NO-SUCH-NUMBER');
  await page.click('button:has-text("Next")');
  match(await page.textContent('.form-errors'), /No certificate has this number/, 'an unknown number is named');

  await page.fill('#number', number);
  await page.click('button:has-text("Next")');
  match(await page.textContent('.step'), /Step 2 of 3/, 'a good number leads to step 2');
  match(await page.textContent('dl.facts'), /КриптоПро CSP/, 'which shows the product');
  match(await page.textContent('dl.facts'), /12 months/, '... and the term');

  await page.fill('#code', 'AAAA-BBBB-CCCC-DDDD');
  await page.click('button:has-text("Register")');
  match(await page.textContent('#code-error'), /wrong/, 'a wrong code is named beside the field');

  await page.fill('#code', code);
  await page.click('button:has-text("Register")');
  match(await page.textContent('.step'), /Step 3 of 3/, 'the right code: step 3');
  match(await page.textContent('.notice'), /registered/, 'the certificate is registered');
  equal(await page.textContent('#registered-number'), number, '... this one');

  await page.click('a:has-text("My certificates")');
  const rows = await page.$$eval('table.list tbody tr', (trs) => trs.map((tr) => tr.textContent));
  equal(rows.length, 2, '"My certificates": the new one and the expired one');
  check(rows.some((r) => r.includes(number) && /Active/.test(r) && /0 of 2/.test(r)),
        'the new one, active, 0 of 2 tickets', rows.join(' | '));
  check(rows.some((r) => /Expired/.test(r)), 'the expired one, expired', rows.join(' | '));

  await page.click('button:has-text("Hide expired")');
  equal((await page.$$('table.list tbody tr')).length, 1, '"Hide expired" hides it');
  await page.reload();
  equal((await page.$$('table.list tbody tr')).length, 1, '... and is remembered');

  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'the list is readable on a phone', `${overflow}px too wide`);

  await page.click('button:has-text("Show expired")');
  equal((await page.$$('table.list tbody tr')).length, 2, '"Show expired" shows it again');

  check(errors.length === 0, 'no errors in the browser console', errors.join('; '));
});
