// Two agents on one ticket, and its customer: presence and changes seen
// without a reload (see live.t).

import { run, check, match, watchErrors } from './browser.mjs';

const [base, ticket, ivan, ivanPassword, boss, bossPassword, customer, customerPassword,
       customerToken, ivanToken] = process.argv.slice(2);

async function open(browser, who, secret, path) {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(base + 'lang/en');
  await page.goto(base + 'login');
  await page.fill('#login', who);
  await page.fill('#password', secret);
  await page.click('form button[type=submit]');
  await page.goto(base + path);
  // staff accounts are made in Russian: one click to English
  if (await page.$('a.lang[hreflang=en]')) {
    await page.click('a.lang[hreflang=en]');
  }
  return page;
}

async function within(ms, fn) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) {
      return v;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

await run(async (browser) => {
  const a = await open(browser, ivan, ivanPassword, `staff/tickets/${ticket}`);
  const b = await open(browser, boss, bossPassword, `staff/tickets/${ticket}`);
  const c = await open(browser, customer, customerPassword, `tickets/${ticket}`);
  const errors = [watchErrors(a), watchErrors(b), watchErrors(c)];
  const started = Date.now();

  const seen = await within(5000, async () => /Also looking at this ticket: Ivan Petrov/.test(
    (await b.textContent('#live-others')) || '') && await b.isVisible('#live-others'));
  check(seen, 'the second agent sees within 5 s that Ivan has the ticket open',
        `${Date.now() - started} ms`);
  const back = await within(6000, async () => /Olga Boss/.test((await a.textContent('#live-others')) || ''));
  check(back, '... and Ivan sees Olga at his next look');
  check(!(await c.isVisible('#live')), 'the customer is shown nothing of the kind');

  await a.fill('#body', 'Dear customer, ');
  const writing = await within(7000, async () => /Ivan Petrov \(writing a reply\)/.test(
    (await b.textContent('#live-others')) || ''));
  check(writing, 'when Ivan starts a reply, Olga sees "writing a reply" within seconds');

  // the customer writes (API): both agents' pages learn it without a reload
  const r = await fetch(base + `api/v1/tickets/${ticket}/messages`, {
    method: 'POST', headers: { Authorization: `Bearer ${customerToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ body: 'More details: it happens with every file.' }),
  });
  check(r.status === 201, 'the customer adds a message', r.status);
  const changed = await within(7000, async () => b.isVisible('#live-changed'));
  check(changed, 'the open staff page says the ticket changed');
  match(await b.textContent('#live-changed'), /changed while this page was open/, '... in words');
  await b.click('#live-changed a');
  match(await b.textContent('.thread'), /every file/, '"Reload" shows the new message');

  // support answers: the customer's open page learns it
  const s = await fetch(base + `api/v1/staff/tickets/${ticket}/messages`, {
    method: 'POST', headers: { Authorization: `Bearer ${ivanToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'reply', body: 'Please send the log.' }),
  });
  check(s.status === 201, 'support answers', s.status);
  const told = await within(7000, async () => c.isVisible('#live-changed'));
  check(told, "the customer's open ticket page says it changed, without a reload");

  // the queue learns of a new ticket without a reload
  await a.goto(base + 'staff/tickets');
  check(!(await a.isVisible('#live-changed')), 'the queue, freshly loaded, says nothing');
  const t2 = await fetch(base + 'api/v1/tickets', {
    method: 'POST', headers: { Authorization: `Bearer ${customerToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ subject: 'A new one', description: 'For the queue', category: 'technical', type: 'bug', severity: 3 }),
  });
  check(t2.status === 201, 'a new ticket', t2.status);
  const queued = await within(7000, async () => a.isVisible('#live-changed'));
  check(queued, 'the open queue says it changed, without a reload');
  await a.click('#live-changed a');
  match(await a.textContent('table.staff-queue'), /A new one/, '"Reload" shows the new ticket');

  check(errors.every((e) => e.length === 0), 'no errors in the browser console', errors.flat().join('; '));
});
