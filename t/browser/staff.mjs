// An agent's day in the console: log in, the queue, the newest ticket
// taken, an information request, the customer's answer, the solution.

import { run, check, equal, match, watchErrors } from './browser.mjs';

const [base, login, password, newest, customerToken] = process.argv.slice(2);

await run(async (browser) => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const errors = watchErrors(page);

  await page.goto(base + 'login?lang=en');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  equal(new URL(page.url()).pathname, '/staff/tickets', 'logged in, staff land on their queue');

  // staff accounts are made in Russian: one click to English
  await page.click('a.lang[hreflang=en]');
  await page.click('nav a:has-text("Queue")');
  equal(new URL(page.url()).pathname, '/staff/tickets', 'the navigation leads staff to the queue');
  match(await page.textContent('#queue-unassigned'), /Unassigned\s*3/, 'three tickets are unassigned');
  match(await page.textContent('#queue-mine'), /Mine\s*0/, 'none is the agent\'s yet');

  // the desk at 1280 px: the queue's every column without a scroll bar
  await page.setViewportSize({ width: 1280, height: 800 });
  const fit = await page.evaluate(() => {
    const wrap = document.querySelector('.table-wrap');
    const due = [...document.querySelectorAll('table.staff-queue th')].pop().getBoundingClientRect();
    return { over: wrap.scrollWidth - wrap.clientWidth, right: due.right, width: window.innerWidth };
  });
  check(fit.over <= 0, 'at 1280 px the queue fits its container', `${fit.over}px hidden`);
  check(fit.right <= fit.width, '... its last column ("Last update") in view', `${fit.right} of ${fit.width}`);

  // the newest first: the sort filter
  await page.selectOption('#f-sort', 'created');
  await page.click('#apply-filters');
  const first = await page.$eval('table tbody tr .number', (e) => e.textContent.trim());
  equal(first, newest, 'sorted by creation, the newest ticket is first');
  match(await page.textContent('table tbody tr'), /Signing fails with 0x80090008/, '... with its subject');

  await page.click('table tbody tr a.ticket-link');
  equal(await page.textContent('#ticket-number'), newest, 'the ticket opens');
  match(await page.textContent('#customer-name'), /Kate Customer/, 'the customer is shown beside it');
  match(await page.textContent('#ticket-certificate'), /1|2|3/, '... with the certificate');
  const certText = await page.textContent('#ticket-certificate');
  check(!/\b\d{4}-\d{2}-\d{2}\b/.test(certText), '... its dates in words, not ISO', certText);
  check(!/\bactive\b|\(standard\)/.test(certText), '... its state and level in words, not codes', certText);
  match(certText, /Active/, '... "Active"');

  await page.click('#take-ticket');
  match(await page.textContent('#ticket-owner'), /Agent Seven/, 'taken: the agent owns it');
  equal(await page.$('#take-ticket'), null, '... and "take" is gone');

  await page.check('input[name=kind][value=info_request]');
  await page.fill('#body', 'Which version of CSP is installed?');
  await page.click('#send-message');
  match(await page.textContent('.notice'), /reply is added/, 'the information request is sent');
  match(await page.textContent('#ticket-status'), /^Waiting for the customer$/, '... the ticket waits for the customer, in staff words');
  match(await page.textContent('.thread'), /Which version of CSP/, '... the question is in the thread');

  const answer = await context.request.post(base + `api/v1/tickets/${newest}/messages`, {
    headers: { Authorization: `Bearer ${customerToken}` },
    data: { body: 'CSP 5.0 R2.' },
  });
  equal(answer.status(), 201, 'the customer answers');

  await page.goto(base + 'staff/tickets?queue=mine');
  match(await page.textContent('#queue-mine'), /Mine\s*1/, 'the ticket is in the agent\'s queue');
  match(await page.textContent('table tbody'), /In progress/, '... back in progress after the answer');
  await page.click(`a.ticket-link:has-text("${newest}")`);
  match(await page.textContent('.thread'), /CSP 5\.0 R2/, 'the answer is in the thread');

  await page.check('input[name=kind][value=solution]');
  await page.fill('#body', 'Update to CSP 5.0 R3: the error is fixed there.');
  await page.click('#send-message');
  match(await page.textContent('#ticket-status'), /^Solution sent$/, 'the solution marks the ticket solved (staff: "Solution sent")');
  match(await page.textContent('.thread'), /fixed there/, '... and is in the thread');

  await page.setViewportSize({ width: 360, height: 740 });
  let overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'the staff ticket page is readable on a phone', `${overflow}px too wide`);
  await page.goto(base + 'staff/tickets');
  overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'the queue too', `${overflow}px too wide`);

  check(errors.length === 0, 'no errors in the browser console', errors.join('; '));
});
