// What every browser test shares: Debian's chromium under playwright-core,
// and a reporter whose lines ("ok - ...", "not ok - ... # why") the Perl
// wrapper (t/lib/Helpdesk/Browser.pm) turns into TAP.

import { readdirSync, readFileSync } from 'node:fs';
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


// the newest message a relay (t/lib/smtp-sink.py) took for an address whose
// subject matches, waiting for it a while; null when none came
export async function mailTo(relay, to, subject) {
  for (let i = 0; i < 150; i++) {
    const found = readdirSync(relay).filter((f) => /^\d+\.json$/.test(f)).sort().reverse()
      .map((f) => JSON.parse(readFileSync(`${relay}/${f}`, 'utf8')))
      .find((m) => m.rcpt_tos.includes(to) && subject.test(m.subject || ''));
    if (found) {
      return found;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

// a registration finished as a person does: the link of the mail the
// relay took, then its button; the page logged in
export async function finishRegistration(page, relay, to) {
  const m = await mailTo(relay, to, /Finish your registration|Завершите регистрацию/);
  const link = (m?.text || '').match(/https?:\/\/\S+\/email\/confirm\?token=[\w-]{43}/)?.[0];
  check(link, `the registration link for ${to} arrived`, m && m.subject);
  await page.goto(link);
  await page.click('form[action$="email/confirm"] button[type=submit]');
  return link;
}
