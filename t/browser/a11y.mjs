// axe-core on every page of a journey, in both languages and at both widths;
// the weight budget; a screenshot of each (see a11y.t).

import { run, check, watchErrors } from './browser.mjs';

const [base, login, password, staffLogin, staffPassword, ticket, article, shots, axePath, licence, licenceCode] =
  process.argv.slice(2);

const visitor = ['', 'login', 'register', 'password/forgot', 'kb', 'kb/search?q=подпись', `kb/${article}`,
                 'regulations'];
const customer = ['', 'tickets', `tickets/${ticket}`, 'tickets/new', 'certificates', 'certificates/register',
                  'company', `certificates/${licence}/activation`, 'profile', 'kb'];
const staff = ['staff/tickets', `staff/tickets/${ticket}`, 'staff/tickets/new', 'staff/search?q=подпись',
               'staff/reports', 'staff/macros', 'staff/kb', 'staff/kb/new', `staff/kb/${article}/edit`, 'staff/kb/report',
               'admin', 'admin/staff', 'admin/departments', 'admin/products', 'admin/certificates',
               'admin/companies', 'admin/outbox', 'admin/mail', 'admin/regulations', 'admin/categories', 'admin/forms',
               'admin/forms/technical/bug'];

const widths = [[1280, 800], [390, 844]];
const HTML_MAX = 60 * 1024;
const ASSETS_MAX = 30 * 1024;

async function logIn(page, who, secret) {
  await page.goto(base + 'login');
  await page.fill('#login', who);
  await page.fill('#password', secret);
  await page.click('form button[type=submit]');
}

// one page: its weight, axe's serious and critical findings, a screenshot
async function audit(page, path, lang, width, role, arrived) {
  const res = arrived || await page.goto(base + path);
  const html = res ? (await res.body()).length : 0;
  const name = `${role} ${lang} ${width}px /${path}`;
  check(res && res.status() === (arrived ? arrived.status() : 200), `${name}: ${arrived ? arrived.status() : 200}`,
        res && res.status());
  check(html <= HTML_MAX, `${name}: ${html} bytes of HTML, within 60 KB`);

  await page.addScriptTag({ path: axePath });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  check(found.length === 0, `${name}: no serious or critical axe-core violation`, found.join('; '));

  // dates in words: no ISO date or time in what the page says
  const iso = await page.evaluate(() => (document.body.innerText.match(/\b\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?\b/g) || []));
  check(iso.length === 0, `${name}: no ISO dates in its text`, iso.slice(0, 3).join(', '));

  const file = `${shots}/${role}-${lang}-${width}-${(path || 'landing').replace(/[^\w]+/g, '_')}.png`;
  await page.screenshot({ path: file, fullPage: true });
}

await run(async (browser) => {
  // the assets every page loads: their weight once
  {
    const page = await browser.newPage();
    await page.goto(base);
    const sizes = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => /\.(css|js)$/.test(e.name)).map((e) => e.decodedBodySize));
    const total = sizes.reduce((a, b) => a + b, 0);
    check(total <= ASSETS_MAX, `CSS and JavaScript: ${total} bytes, within 30 KB`);
    await page.close();
  }

  for (const lang of ['ru', 'en']) {
    for (const [width, height] of widths) {
      for (const [role, pages, who] of [['visitor', visitor, null], ['customer', customer, [login, password]],
                                        ['staff', staff, [staffLogin, staffPassword]]]) {
        // bypassCSP: the portal's CSP (script-src 'self') would refuse the injected axe
        const context = await browser.newContext({ locale: lang === 'ru' ? 'ru-RU' : 'en-US', bypassCSP: true,
                                                   viewport: { width, height } });
        const page = await context.newPage();
        const errors = watchErrors(page);
        await page.goto(base + `lang/${lang}`);
        if (who) {
          await logIn(page, ...who);
          await page.goto(base + `lang/${lang}`);
        }
        for (const path of pages) {
          await audit(page, path, lang, width, role);
        }
        // a visitor registering with a licence another company holds: the
        // licence-conflict page, which only a POST shows
        if (role === 'visitor') {
          const who = `conflict${lang}${width}`;
          await page.goto(base + 'register');
          await page.fill('#email', `${who}@example.com`);
          await page.fill('#login', who);
          await page.fill('#password', `${who} strong password`);
          await page.fill('#name', `${who} Petrova`);
          await page.fill('#certificate', licence);
          await page.fill('#activation_code', licenceCode);
          const [arrived] = await Promise.all([
            page.waitForNavigation(),
            page.click('form[action$="register"] button[type=submit]'),
          ]);
          check((await page.$('#licence-conflict')) !== null, `${lang} ${width}px: the licence-conflict page`);
          await audit(page, 'register (licence conflict)', lang, width, role, arrived);
        }
        check(errors.length === 0, `${role} ${lang} ${width}px: no errors in the console`, errors.join('; '));
        await context.close();
      }
    }
  }
});
