// Mail in the browser, through a real relay: a person registers, follows
// the confirmation link from the message the relay received, forgets the
// password, and resets it by the link of the next message.

import { readdirSync, readFileSync } from 'node:fs';
import { run, check, equal, match, watchErrors } from './browser.mjs';

const base = process.argv[2];
const relay = process.argv[3];

// the newest message the relay took for an address whose subject matches
async function message(to, subject) {
  for (let i = 0; i < 150; i++) {
    const found = readdirSync(relay).filter((f) => /^\d+\.json$/.test(f)).sort().reverse()
      .map((f) => JSON.parse(readFileSync(`${relay}/${f}`, 'utf8')))
      .find((m) => m.rcpt_tos.includes(to) && subject.test(m.subject || ''));
    if (found) {
      return found;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

await run(async (browser) => {
  const page = await browser.newPage({ locale: 'en-US' });
  const errors = watchErrors(page);

  await page.goto(base + 'register');
  await page.fill('#email', 'olga@example.com');
  await page.fill('#login', 'olga');
  await page.fill('#password', 'olga strong password');
  await page.fill('#name', 'Olga Smirnova');
  await page.click('button[type=submit]');
  match(await page.textContent('main'), /We sent a message to the address you gave/, 'registration says a link was sent');

  const m0 = await message('olga@example.com', /Finish your registration/);
  check(m0, 'the registration link arrived at the relay');
  const confirm = (m0?.text || '').match(/https?:\/\/\S+\/email\/confirm\?token=[\w-]{43}/)?.[0];
  check(confirm?.startsWith(base), 'with a link to the portal', confirm);
  check(/<a href="https?:\/\/[^"]+\/email\/confirm\?token=/.test(m0?.html || ''), '... in its HTML part too');
  await page.goto(confirm);
  match(await page.textContent('h1'), /Finish your registration/, 'the link opens its page');
  await page.click('button:text-is("Finish the registration")');
  match(await page.textContent('.notice'), /Welcome/, 'the account is made, logged in');
  equal(await page.$('#mail-banner'), null, 'no banner asks to confirm the address: the link proved it');
  let m;

  await page.click('button:has-text("Log out")');
  await page.goto(base + 'login');
  await page.click('text=Forgot your password?');
  await page.fill('#email', 'olga@example.com');
  await page.click('button[type=submit]');
  match(await page.textContent('main'), /sent|If an account/i, 'the page says a link is on its way');

  m = await message('olga@example.com', /Password reset/);
  check(m, 'the reset link arrived at the relay');
  check(/<a href="https?:\/\/[^"]+\/password\/reset\?token=/.test(m?.html || ''),
        'the HTML part links it too');
  const reset = (m?.text || '').match(/https?:\/\/\S+\/password\/reset\?token=[\w-]{43}/)?.[0];
  await page.goto(reset);
  await page.fill('#password', 'a brand new password');
  await page.fill('#password_confirm', 'a brand new password');
  await page.click('button[type=submit]');
  match(await page.textContent('.notice'), /password is changed|Log in with the new password/i,
        'the new password is set');

  await page.goto(base + 'login');
  await page.fill('#login', 'olga');
  await page.fill('#password', 'a brand new password');
  await page.click('button[type=submit]');
  match(await page.textContent('.nav'), /Olga Smirnova/, 'she logs in with it');

  m = await message('olga@example.com', /password was changed/i);
  check(m, 'and is told by mail that the password changed');

  // the same link twice does nothing
  await page.goto(reset);
  match(await page.textContent('main'), /invalid|expired/i, 'a used reset link is dead');
  check(errors.length === 0, 'no errors in the browser console', errors.join('; '));
});
