// A company registers itself in the browser with its licence's number and
// activation code (Kaspersky block 5): the company page opens, the new
// account its owner. Someone else registering the same licence is told of
// the licence conflict and the two ways out, and the account question link
// opens the new-ticket form on that category.

import { run, check, equal, match, watchErrors, finishRegistration } from './browser.mjs';

const [base, number, code, relay] = process.argv.slice(2);

await run(async (browser) => {
  const page = await browser.newPage({ locale: 'en-US' });
  const errors = watchErrors(page);

  async function register(login, company, withCode) {
    await page.goto(base + 'register');
    await page.fill('#email', `${login}@example.com`);
    await page.fill('#login', login);
    await page.fill('#password', `${login} strong password`);
    await page.fill('#name', `${login} Petrova`);
    await page.fill('#certificate', number);
    await page.fill('#activation_code', withCode);
    if (company) await page.fill('#organisation', company);
    await page.click('form[action$="register"] button[type=submit]');
  }

  await page.goto(base + 'register');
  match(await page.textContent('fieldset.licence legend'), /licence/i, 'the registration form offers a licence');

  // a wrong code: said at the field, nothing made
  await register('irina', 'Antivirus Ltd', 'AAAA-BBBB-CCCC-DDDD');
  match(await page.textContent('#activation_code-error'), /wrong/, 'a wrong code is named at its field');
  equal(await page.inputValue('#certificate'), number, 'the number stays as typed');

  await register('irina', 'Antivirus Ltd', code);
  match(await page.textContent('main'), /We sent a message/, 'registered with the licence: a link to the address');
  await finishRegistration(page, relay, 'irina@example.com');
  equal(new URL(page.url()).pathname, '/company', 'the link makes the account: the company page opens');
  match(await page.textContent('main'), /Antivirus Ltd/, 'the company is named as typed');
  match(await page.textContent('.notice'), /your company holds the licence/, 'and says it holds the licence');
  await page.click('button:has-text("Log out")');

  await register('pavel', '', code);
  match(await page.textContent('#licence-conflict h1'), /not yours yet/, 'the same licence again: the conflict page');
  match(await page.textContent('#licence-conflict'), new RegExp(number), '... naming the licence');
  match(await page.textContent('#licence-conflict'), /invite you/, '... the first way out: an invitation');
  match(await page.textContent('#register-pending'), /We sent a message/, '... and that a link went to the address');
  await finishRegistration(page, relay, 'pavel@example.com');
  await page.goto(base + 'tickets/new?category=account_or_contract');
  equal(await page.inputValue('select[name=category]'), 'account_or_contract',
        '... the second: the new-ticket form on an account question');
  check(errors.length === 0, 'no errors in the browser console', errors.join('; '));
});
