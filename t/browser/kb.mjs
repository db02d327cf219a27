// Suggestions while a ticket is typed, "this solved my problem", and the
// editor's live preview.

import { run, check, equal, match, watchErrors } from './browser.mjs';

const [base, login, password, editor, editorPassword, article] = process.argv.slice(2);

async function signIn(page, who, pw) {
  await page.goto(base + 'login');
  await page.fill('#login', who);
  await page.fill('#password', pw);
  await page.click('button[type=submit]');
}

await run(async (browser) => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const errors = watchErrors(page);

  await signIn(page, login, password);
  await page.goto(base + 'tickets/new');
  check(await page.isHidden('#kb-suggest-found'), 'no suggestions before anything is typed');

  await page.type('#subject', 'token not det', { delay: 40 });
  await page.waitForSelector('#kb-suggest-found:not([hidden])', { timeout: 5000 });
  const links = await page.$$eval('#kb-suggest-list a', (as) => as.map((a) => a.textContent));
  check(links.includes('The token is not detected'), 'a suggestion appears as the subject is typed', links.join(', '));
  equal(await page.inputValue('#kb-suggest-ids'), article, 'the form knows which were shown');
  match(page.url(), /\/tickets\/new$/, 'without a reload');

  await page.click('#kb-solved');
  match(await page.textContent('h1'), /Glad it helped/, '"this solved my problem" ends the draft');

  // the editor: the text as readers will see it, as it is typed
  const staff = await browser.newContext({ locale: 'en-US' });
  const edit = await staff.newPage();
  const staffErrors = watchErrors(edit);
  await signIn(edit, editor, editorPassword);
  await edit.goto(base + 'staff/kb/new');
  await edit.fill('#title', 'Preview check');
  await edit.type('#body', '**bold** and <b>raw</b>', { delay: 10 });
  await edit.waitForFunction(() => document.querySelector('#kb-preview strong') !== null, null, { timeout: 5000 });
  match(await edit.innerHTML('#kb-preview'), /<strong>bold<\/strong>/, 'the live preview renders Markdown');
  check(!(await edit.innerHTML('#kb-preview')).includes('<b>raw</b>'), '... without raw HTML');

  equal(errors.concat(staffErrors).join('; '), '', 'no script errors');
});
