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

  // where the eye is: under the description, above the button that sends
  const at = await page.evaluate(() => ({
    description: document.querySelector('#description').getBoundingClientRect().bottom,
    found: document.querySelector('#kb-suggest-found').getBoundingClientRect().top,
    // (the button's bar sticks to the screen's bottom: its place is in the form)
    before: (document.querySelector('#kb-suggest-found')
      .compareDocumentPosition(document.querySelector('.form-actions')) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0,
  }));
  check(at.found >= at.description && at.found - at.description < 200,
        'the suggestions appear right under the description', JSON.stringify(at));
  check(at.before, '... before the button that sends', JSON.stringify(at));

  // a long description: the form asks with its start, and is answered
  const long = 'The token is not detected after the driver update. '.repeat(30);
  const asked = page.waitForResponse((r) => r.url().includes('/api/v1/kb/suggest'));
  await page.fill('#description', long);
  await page.type('#description', ' x', { delay: 40 });
  equal((await asked).status(), 200, 'a long description is searched by its start, not refused');

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
