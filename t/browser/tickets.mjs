// A customer's ticket from start to end: the form (with a screenshot
// attached), the confirmation, "My tickets" with its counts, the ticket
// page, a reply, support's solution, closing, rating.

import { run, check, equal, match, watchErrors } from './browser.mjs';

const [base, login, password, cert, staffToken, shot] = process.argv.slice(2);

await run(async (browser) => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const errors = watchErrors(page);

  await page.goto(base + 'login');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('button[type=submit]');

  equal(new URL(page.url()).pathname, '/tickets', 'logged in, the customer lands on "My tickets"');
  equal(await page.textContent('header a.nav-new'), 'Create a ticket', '"Create a ticket" is in the header');
  check(await page.$('header form[role=search] input[name=q]') !== null, '... with a search box');

  // a screenshot to attach: of the portal itself
  await page.goto(base);
  equal(await page.textContent('.hero .button.primary'), 'Create a ticket',
        'the landing page knows who is logged in: its main button creates a ticket');
  equal(await page.$('.hero a[href$="/login"]'), null, '... and it offers no "Log in"');
  match(await page.textContent('#dash-tickets'), /Unclosed tickets: 0/, '... a dashboard: no unclosed tickets yet');
  match(await page.textContent('#dash-certificates'), new RegExp(`${cert}.*unclosed 0 / 2`), '... the certificate with what is left of it');
  await page.screenshot({ path: shot });

  await page.click('text=Create a ticket');
  equal(new URL(page.url()).pathname, '/tickets/new', 'the landing page\'s button opens the form');
  match(await page.textContent('#one-problem'), /One ticket, one problem/, 'the form says "one ticket, one problem"');
  match(await page.textContent('#no-certificate-note'), /lowest priority/,
        '... and what a ticket without a certificate gets');
  match(await page.textContent('.cert-choice'), /unclosed 0 of 2/, '... and "unclosed N of M"');

  await page.check(`input[name=certificate][value="${cert}"]`);
  await page.selectOption('#type', 'bug');
  await page.selectOption('#severity', '2');
  await page.fill('#subject', 'CSP fails to sign');
  await page.fill('#description', 'Error 0x80090008 when signing.\nScreenshot attached.');
  await page.setInputFiles('#attachments', shot);
  await page.click('button:text-is("Send")');

  match(await page.textContent('h1'), /registered/, 'a confirmation page');
  const number = (await page.textContent('#created-number')).trim();
  check(/^\d+$/.test(number), 'with the ticket number', number);

  await page.click('a:has-text("My tickets")');
  const summary = await page.textContent('#limits-summary');
  match(summary, /Unclosed tickets: 1, Tickets allowed: 2/, '"My tickets" shows the counts');
  const rows = await page.$$eval('table.tickets tbody tr', (trs) => trs.map((tr) => tr.textContent));
  equal(rows.length, 1, 'one ticket in the list');
  check(rows[0].includes(number) && rows[0].includes('CSP fails to sign') && /New/.test(rows[0]),
        'the row: number, subject, status', rows[0]);

  await page.click(`a.ticket-link:has-text("${number}")`);
  equal(await page.textContent('#ticket-number'), number, 'the ticket page');
  match(await page.textContent('.thread'), /Error 0x80090008/, 'the description in the thread');
  const file = await page.$('.files a');
  check(file !== null, 'the screenshot is attached');
  match(await file.textContent(), /screenshot\.png/, '... by its name');
  const download = await context.request.get(new URL(await file.getAttribute('href'), base).href);
  equal(download.status(), 200, 'the screenshot downloads');
  match(download.headers()['content-disposition'], /^attachment/, '... as an attachment');
  equal((await download.body()).subarray(1, 4).toString(), 'PNG', '... and is the PNG');

  await page.fill('#body', 'It also happens with CSP 5.0 R3.');
  await page.click('button:has-text("Send the reply")');
  match(await page.textContent('.notice'), /reply is added/, 'a reply');
  match(await page.textContent('#ticket-status'), /In progress/, '... puts the ticket in progress');
  match(await page.textContent('.thread'), /CSP 5\.0 R3/, '... and is in the thread');

  // support gives a solution
  const solution = await context.request.post(base + `api/v1/staff/tickets/${number}/messages`, {
    headers: { Authorization: `Bearer ${staffToken}` },
    data: { kind: 'solution', body: 'Update to 5.0 R3 build 12000.' },
  });
  equal(solution.status(), 201, 'support provides a solution');

  await page.reload();
  match(await page.textContent('#ticket-status'), /Solution provided/, 'the page shows the solution');
  match(await page.textContent('.thread'), /build 12000/, '... in the thread');
  await page.goto(base);
  match(await page.textContent('#dash-tickets'), new RegExp(`Unclosed tickets: 1[\\s\\S]*${number}[\\s\\S]*waiting for your answer`),
        'the landing\'s dashboard marks the ticket as waiting for the customer');
  await page.goto(base + `tickets/${number}`);

  await page.click('#close-ticket');
  match(await page.textContent('.notice'), /ticket is closed/, 'closing it (no question: the solution fits)');
  match(await page.textContent('#ticket-status'), /^Closed$/, '... closed');
  const top = await page.evaluate(() => ({
    status: document.querySelector('#ticket-status').getBoundingClientRect().top,
    rate: document.querySelector('#rate').getBoundingClientRect().top,
    scrolled: window.scrollY,
  }));
  check(top.scrolled === 0 && top.status >= 0, '... the page does not jump: the header and the closed state in sight',
        JSON.stringify(top));
  check(top.rate < top.status + 600, '... and the rating right under them', JSON.stringify(top));
  const order = await page.evaluate(() => {
    const rate = document.querySelector('#rate');
    const reopen = document.querySelector('#reopen');
    return !reopen || (rate.compareDocumentPosition(reopen) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
  });
  check(order, '... which comes before "Problem not solved?"');

  // the stars: clicked, and with the keyboard (radio buttons underneath)
  await page.click('label[for=star-2]');
  equal(await page.$eval('input[name=stars]:checked', (e) => e.value), '2', 'a click on the second star chooses 2');
  const filled = await page.$$eval('.star-row label', (ls) => ls.map((l) => getComputedStyle(l).color));
  check(filled[0] === filled[1] && filled[1] !== filled[2], '... and fills the first two stars', filled.join(' '));
  await page.focus('#star-2');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  equal(await page.$eval('input[name=stars]:checked', (e) => e.value), '5', 'the arrow keys move to five');
  const size = await page.$eval('label[for=star-5]', (l) => { const r = l.getBoundingClientRect(); return [r.width, r.height]; });
  check(size[0] >= 44 && size[1] >= 44, 'each star is a 44 px target', size.join('x'));
  await page.fill('#comment', 'Quick and to the point');
  await page.click('#rate-ticket');
  match(await page.textContent('.notice'), /Thank you for the rating/, 'rating it');
  equal(await page.textContent('.rating'), '★★★★★', '... five stars shown');
  equal(await page.textContent('#rating-comment'), 'Quick and to the point', '... with the comment');
  equal(await page.$('#rate-ticket'), null, '... and no second rating offered');

  // cancelling an unsolved ticket asks first, and says it is final
  await page.goto(base + 'tickets/new');
  await page.check('input[name=certificate][value=""]');
  await page.selectOption('#type', 'consultation');
  await page.fill('#subject', 'A question I will withdraw');
  await page.fill('#description', 'Never mind.');
  await page.click('button:text-is("Send")');
  const second = (await page.textContent('#created-number')).trim();
  await page.goto(base + `tickets/${second}`);
  await page.click('#close-ticket');
  match(await page.textContent('#cancel-confirm h1'), new RegExp(`Cancel ticket #${second}\\?`), 'closing an unsolved ticket asks first');
  match(await page.textContent('#cancel-confirm'), /final/, '... saying it is final');
  await page.click('#cancel-no');
  equal(new URL(page.url()).pathname, `/tickets/${second}`, '"Do not cancel" goes back to the ticket');
  match(await page.textContent('#ticket-status'), /New/, '... which is still new');
  await page.click('#close-ticket');
  await page.click('#cancel-yes');
  match(await page.textContent('#ticket-status'), /Cancelled/, 'confirmed, it is cancelled');

  await page.setViewportSize({ width: 360, height: 740 });
  let overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'the ticket page is readable on a phone', `${overflow}px too wide`);
  await page.goto(base + 'tickets?show=all');
  overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'the list too', `${overflow}px too wide`);

  check(errors.length === 0, 'no errors in the browser console', errors.join('; '));
});
