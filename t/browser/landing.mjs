// A visitor opens the portal: the landing page in Russian with its three
// main buttons, then English one click away, and back.

import { run, check, equal, match, watchErrors } from './browser.mjs';

const base = process.argv[2];

await run(async (browser) => {
  const page = await browser.newPage({ locale: 'ru-RU' });
  const errors = watchErrors(page);

  const res = await page.goto(base);
  equal(res.status(), 200, 'the landing page loads');
  equal(await page.getAttribute('html', 'lang'), 'ru', 'in Russian');
  equal(await page.textContent('h1'), 'Техническая поддержка', 'with its heading');

  const buttons = await page.$$eval('.actions a.button', (as) => as.map((a) => a.textContent.trim()));
  equal(JSON.stringify(buttons),
        JSON.stringify(['Войти', 'Зарегистрировать сертификат', 'Создать обращение']),
        'the three main buttons');

  // the stylesheet applied: the primary button is filled
  const bg = await page.$eval('.button.primary', (a) => getComputedStyle(a).backgroundColor);
  equal(bg, 'rgb(31, 95, 191)', 'the stylesheet is applied (CSP allows it)');

  // readable on a phone: nothing wider than the screen
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, 'no horizontal scrolling on a 360 px phone', `${overflow}px too wide`);

  // on the phone the header is the brand and a menu button, which opens it
  check(!(await page.isVisible('text=English')), 'on the phone the menu is folded');
  await page.click('header .menu-button');
  check(await page.isVisible('#site-nav'), '... and its button opens it');
  await page.click('text=English');
  await page.waitForLoadState('load');
  equal(await page.getAttribute('html', 'lang'), 'en', 'one click switches to English');
  equal(await page.textContent('h1'), 'Technical support', 'the heading in English');
  equal(new URL(page.url()).pathname, '/', 'on the same page');

  await page.reload();
  equal(await page.getAttribute('html', 'lang'), 'en', 'the choice is remembered');

  await page.click('header .menu-button');
  await page.click('text=Русский');
  equal(await page.getAttribute('html', 'lang'), 'ru', 'and Russian is one click back');

  check(errors.length === 0, 'no errors in the browser console', errors.join('; '));

  await page.click('main >> text=Войти');
  match(new URL(page.url()).pathname, /^\/login$/, 'the "Log in" button leads to the login page');
});
