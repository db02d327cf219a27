// axe-core on every page of a journey, in both languages and at both widths;
// the weight budget; a screenshot of each (see a11y.t).

import { appendFileSync, writeFileSync } from 'node:fs';

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

  await layout(page, name, width);

  const file = `${shots}/${role}-${lang}-${width}-${(path || 'landing').replace(/[^\w]+/g, '_')}.png`;
  await page.screenshot({ path: file, fullPage: true });
}

// the layout as a property (SPEC §11): nothing wider than the screen, the
// header one row (72 px at most on a desktop, 120 px on a phone, where a
// menu button opens the menu), one primary action, on a form visible
// without scrolling. Each page's widest element is reported (LAYOUT lines)
async function layout(page, name, width) {
  const m = await page.evaluate(() => {
    const vw = window.innerWidth;
    let widest = null;
    for (const e of document.querySelectorAll('body *')) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const st = getComputedStyle(e);
      if (st.visibility === 'hidden' || st.position === 'fixed') continue;
      if (!widest || r.right >= widest.right) {
        widest = { right: Math.round(r.right), what: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                   + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') };
      }
    }
    // a box that scrolls sideways hides part of what it holds (a table
    // wider than its column)
    const inner = [...document.querySelectorAll('main *')].filter((e) => {
      const st = getComputedStyle(e);
      return (st.overflowX === 'auto' || st.overflowX === 'scroll' || st.overflowX === 'hidden')
             && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0 && !e.matches('.sr-only, pre, pre *, code');
    }).map((e) => `${e.tagName.toLowerCase()}${e.className ? '.' + String(e.className).trim().split(/\s+/).join('.') : ''}`
                   + ` ${e.scrollWidth} in ${e.clientWidth}`);
    const header = document.querySelector('header.top');
    const h = header ? header.getBoundingClientRect() : null;
    const primaries = [...document.querySelectorAll('.button.primary, button.primary')]
      .filter((e) => e.getBoundingClientRect().width > 0);
    const form = document.querySelector('main form[method=post]:not(.inline), main form.primary-form');
    const primary = primaries[0] || null;
    const pr = primary ? primary.getBoundingClientRect() : null;
    const menu = document.querySelector('header .menu-button');
    return { vw, scroll: document.documentElement.scrollWidth, widest, inner, header: h && Math.round(h.height),
             primaries: primaries.length, hasForm: !!form,
             primaryVisible: pr ? pr.top >= 0 && pr.bottom <= window.innerHeight : null,
             primaryText: primary ? primary.textContent.trim() : null,
             menuShown: menu ? getComputedStyle(menu).display !== 'none' : false };
  });
  appendFileSync(`${shots}/layout.txt`, `${name}: widest ${m.widest ? m.widest.right : 0} px `
                 + `(${m.widest ? m.widest.what : '-'}), page ${m.scroll} px, header ${m.header} px`
                 + `${m.inner.length ? ', scrolls inside: ' + m.inner.join('; ') : ''}\n`);
  check(m.scroll <= m.vw, `${name}: the page fits the screen (${m.scroll} <= ${m.vw} px)`);
  check(!m.widest || m.widest.right <= m.vw, `${name}: no element past the screen's right edge`,
        m.widest && `${m.widest.what} ends at ${m.widest.right} px`);
  check(m.inner.length === 0, `${name}: nothing scrolls sideways inside the page`, m.inner.slice(0, 3).join('; '));
  const most = width >= 1000 ? 72 : 120;
  check(m.header !== null && m.header <= most, `${name}: the header is one row (${m.header} <= ${most} px)`);
  check(m.primaries <= 1, `${name}: one primary action at most`, `${m.primaries} of them`);
  if (m.hasForm && m.primaryVisible !== null) {
    check(m.primaryVisible, `${name}: the primary action "${m.primaryText}" is visible without scrolling`);
  }
  if (width < 1000) {
    check(m.menuShown, `${name}: a menu button on the phone`);
  }
}

await run(async (browser) => {
  writeFileSync(`${shots}/layout.txt`, '');

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
