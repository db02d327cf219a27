// The new-ticket form's extra fields: the category's and the type's only,
// as they are chosen; a required one is asked for at its field; the
// ticket shows what was given, an option by its label, a date as people
// write it, a mark as "yes".

import { run, check, equal, match, watchErrors } from './browser.mjs';

const [base, login, password] = process.argv.slice(2);

await run(async (browser) => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const errors = watchErrors(page);

  await page.goto(base + 'login');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('button[type=submit]');

  await page.goto(base + 'tickets/new');
  const visible = async () => (await page.$$eval('fieldset.form-group',
    (gs) => gs.filter((g) => !g.hidden).map((g) => g.id))).sort().join(' ');

  await page.selectOption('#category', 'technical');
  await page.selectOption('#type', 'consultation');
  equal(await visible(), 'form-technical-any', 'a technical question: only the fields of every technical request');
  check(await page.isHidden('#form-fields-hint'), '... the no-script hint hidden');

  await page.selectOption('#type', 'bug');
  equal(await visible(), 'form-technical-any form-technical-bug', 'an error: its own fields come');
  await page.selectOption('#type', 'enhancement');
  equal(await visible(), 'form-technical-any form-technical-enhancement', 'an enhancement: the desired date instead');
  check(await page.isVisible('#f-technical-enhancement-desired_date'), '... a date field');
  await page.selectOption('#category', 'feedback');
  equal(await visible(), '', 'feedback: no extra fields');

  // an error without its required field: told at the field
  await page.selectOption('#category', 'technical');
  await page.selectOption('#type', 'bug');
  await page.fill('#subject', 'Posting a document fails');
  await page.fill('#description', 'The document is not posted.');
  await page.selectOption('#f-technical-any-subtype', 'performance');
  await page.check('#f-technical-any-certified');
  await page.fill('#f-technical-bug-steps', '1. Open the document\n2. Post it');
  await page.click('#ticket-form button.primary');
  match(await page.textContent('#f-technical-bug-entity-error'), /Fill in this field/, 'the required field left empty is asked for');
  equal(await page.getAttribute('#f-technical-bug-entity', 'aria-invalid'), 'true', '... marked invalid');
  equal(await page.inputValue('#f-technical-bug-steps'), '1. Open the document\n2. Post it', '... what was written stays');
  equal(await visible(), 'form-technical-any form-technical-bug', '... the chosen forms still shown');

  await page.fill('#f-technical-bug-entity', 'Navigator: Administrator \\ Reference books');
  await page.click('#ticket-form button.primary');
  match(new URL(page.url()).pathname, /\/tickets\/\d+\/created$/, 'given: the ticket is created');
  const number = new URL(page.url()).pathname.match(/tickets\/(\d+)/)[1];

  await page.goto(base + `tickets/${number}`);
  const extra = await page.textContent('#extra-fields');
  match(extra, /Further details/, 'the ticket page shows the extra fields');
  match(extra, /System entity\s*Navigator: Administrator \\ Reference books/, '... the entity');
  match(extra, /Subtype of the request\s*Performance/, "... the option's label");
  match(extra, /certified version of the product\s*yes/, '... the mark as yes');
  check(errors.length === 0, 'no errors in the browser console', errors.join('; '));
});
