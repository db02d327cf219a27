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

  // the newest first: the sort filter, folded until opened
  check(!(await page.isVisible('#f-sort')), 'the filters are folded while none is set');
  await page.click('#filters > summary');
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

  // bulk: three new tickets assigned to the agent, with a priority, at once
  await page.setViewportSize({ width: 1280, height: 800 });
  const fresh = [];
  for (const i of [1, 2, 3]) {
    const r = await page.request.post(base + 'api/v1/tickets', {
      headers: { Authorization: `Bearer ${customerToken}` },
      data: { subject: `Bulk problem ${i}`, description: 'One of three', category: 'technical', type: 'bug', severity: 3 },
    });
    fresh.push(String((await r.json()).number));
  }
  await page.goto(base + 'staff/tickets?queue=unassigned');
  for (const n of fresh) {
    await page.check(`#pick-${n}`);
  }
  await page.selectOption('#bulk-owner', 'me');
  await page.selectOption('#bulk-priority', 'high');
  await page.click('#bulk-apply');
  match(await page.textContent('.notice'), /chosen tickets are changed/, 'bulk: the three tickets are changed at once');
  await page.goto(base + 'staff/tickets?queue=mine');
  const mine = await page.$$eval('table tbody tr', (trs) => trs.map((tr) => tr.textContent));
  for (const n of fresh) {
    const row = mine.find((t) => t.includes(`Bulk problem`) && t.includes(n));
    check(row && /Agent Seven/.test(row) && /High/.test(row), `... ticket ${n} is the agent's, with high priority`, row);
  }
  await page.click('#bulk-apply');
  match(await page.textContent('.notice'), /Tick the tickets to change/, 'applying with nothing ticked says what to do');

  // the keyboard: j/k through the queue, x ticks, Enter opens, r to the reply
  match(await page.textContent('#keys'), /Keyboard shortcuts/, 'the shortcuts are listed on the page');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  const second = await page.evaluate(() => document.activeElement.textContent);
  const rows = await page.$$eval('table.staff-queue a.ticket-link', (as) => as.map((a) => a.textContent));
  check(rows.length > 1 && second === rows[1], 'j twice: the second ticket', `${second} of ${rows.join(' | ')}`);
  await page.keyboard.press('k');
  check(await page.evaluate(() => document.activeElement.textContent) === rows[0], 'k: back to the first');
  await page.keyboard.press('x');
  check(await page.$eval('table.staff-queue tbody tr input[type=checkbox]', (b) => b.checked), 'x ticks it');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#ticket-number');
  await page.keyboard.press('r');
  check(await page.evaluate(() => document.activeElement.id) === 'body', 'on the ticket, r goes to the reply');

  // a canned reply: made once, inserted on a ticket with its placeholders filled
  await page.goto(base + 'staff/macros');
  await page.fill('#title', 'Ask for the log');
  await page.fill('#body', 'Hello {{customer}}, please send the log of ticket {{ticket}}.');
  await page.selectOption('#kind', 'info_request');
  await page.click('#macro-save');
  match(await page.textContent('.notice'), /canned reply is saved/, 'a canned reply is saved');
  await page.goto(base + `staff/tickets/${newest}`);
  await page.selectOption('#macro', { label: 'Ask for the log' });
  await page.click('#macro-apply');
  equal(await page.inputValue('#body'), `Hello Kate Customer, please send the log of ticket ${newest}.`,
        '... and inserted on a ticket, the customer and the number filled in');
  check(await page.isChecked('input[name=kind][value=info_request]'), '... with its kind chosen');

  check(errors.length === 0, 'no errors in the browser console', errors.join('; '));
});
