// What every browser test shares: Debian's chromium under playwright-core,
// and a reporter whose lines ("ok - ...", "not ok - ... # why") the Perl
// wrapper (t/lib/Helpdesk/Browser.pm) turns into TAP.

import { chromium } from 'playwright-core';

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: FLAGS,
  });
}

let failed = 0;

// errors of the page's own scripts; a 4xx answer a test asks for (a form
// sent back with its errors is a 422) is logged by chromium too: not these
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) {
      errors.push(m.text());
    }
  });
  return errors;
}

export function check(ok, description, detail) {
  if (ok) {
    console.log(`ok - ${description}`);
  } else {
    failed++;
    console.log(`not ok - ${description}` + (detail ? ` # ${String(detail).replace(/\n/g, ' ')}` : ''));
  }
  return ok;
}

export function equal(got, expected, description) {
  return check(got === expected, description, `got ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
}

export function match(got, re, description) {
  return check(re.test(got ?? ''), description, `got ${JSON.stringify(got)}, expected ${re}`);
}

// runs the test body with a fresh browser, reports a crash as a failure
export async function run(body) {
  const browser = await launch();
  try {
    await body(browser);
  } catch (e) {
    check(false, 'the test ran to its end', e.stack || e);
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
}
