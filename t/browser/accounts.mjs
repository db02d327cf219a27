// A person registers in the browser, sees the profile, logs out, logs in
// with their e-mail, changes their name, and logs out again.

import { run, check, equal, match, watchErrors, finishRegistration } from './browser.mjs';

const [base, relay] = process.argv.slice(2);

await run(async (browser) => {
  const page = await browser.newPage({ locale: 'en-US' });
  const errors = watchErrors(page);

  await page.goto(base);
  await page.click('text=Register');
  equal(new URL(page.url()).pathname, '/register', 'the landing page leads to registration');

  // a mistake first: the form says what is wrong, keeping what was typed
  await page.fill('#email', 'olga@example');
  await page.fill('#login', 'olga');
  await page.fill('#password', 'short');
  await page.fill('#name', 'Olga Smirnova');
  await page.click('button[type=submit]');
  match(await page.textContent('.form-errors'), /does not look like an e-mail address/,
        'a bad e-mail is named at the top');
  equal(await page.getAttribute('#email', 'aria-invalid'), 'true', 'the field is marked invalid for screen readers');
  equal(await page.inputValue('#login'), 'olga', 'what was typed stays');
  equal(await page.inputValue('#password'), '', 'but not the password');

  await page.fill('#email', 'olga@example.com');
  await page.fill('#password', 'olga strong password');
  await page.fill('#phone', '+7 999 123-45-67');
  await page.click('button[type=submit]');
  match(await page.textContent('main'), /We sent a message to the address you gave/,
        'registered: the page says to open the link mailed to the address');

  await finishRegistration(page, relay, 'olga@example.com');
  equal(new URL(page.url()).pathname, '/tickets/new', 'the link makes the account: on to a ticket, logged in');
  match(await page.textContent('.notice'), /Welcome/, 'with a welcome');
  await page.goto(base + 'profile');
  equal(await page.inputValue('#name'), 'Olga Smirnova', 'showing the name');
  match(await page.textContent('.nav'), /Olga Smirnova/, 'the header says who is logged in');

  await page.click('button:has-text("Log out")');
  match(await page.textContent('.notice'), /logged out/, 'logged out');
  match(await page.textContent('.nav'), /Log in/, 'the header offers to log in again');

  await page.goto(base + 'profile');
  equal(new URL(page.url()).pathname, '/login', 'the profile needs a login');
  await page.fill('#login', 'OLGA@example.com');
  await page.fill('#password', 'olga strong password');
  await page.click('button[type=submit]');
  equal(new URL(page.url()).pathname, '/profile', 'logged in by e-mail, back on the profile');

  await page.fill('#name', 'Olga S. Smirnova');
  await page.click('section[aria-labelledby=details-heading] button[type=submit]');
  match(await page.textContent('.notice'), /saved/, 'the name is saved');
  equal(await page.inputValue('#name'), 'Olga S. Smirnova', '... and shown');

  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'the profile is readable on a phone', `${overflow}px too wide`);

  await page.click('header .menu-button');
  await page.click('button:has-text("Log out")');
  equal(new URL(page.url()).pathname, '/', 'logged out again (from the phone\'s menu)');
  check(errors.length === 0, 'no errors in the browser console', errors.join('; '));
});
