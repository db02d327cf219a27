// The seed services' own flows in the browser (issue 16): the company's
// owner asks for the MSA contract's activation from "My certificates",
// staff approve it on the ticket it made; an APNs request refuses a text
// file renamed .csr at its field and takes a real CSR, whose subject staff
// then see.

import { run, check, equal, match, watchErrors } from './browser.mjs';

const [base, owner, ownerPassword, staff, staffPassword, cert, csrPath, fakePath] = process.argv.slice(2);

await run(async (browser) => {
  const customer = await browser.newPage({ locale: 'en-US' });
  const agent = await browser.newPage({ locale: 'en-US' });
  const errors = watchErrors(customer).concat(watchErrors(agent));

  async function logIn(page, who, secret) {
    await page.goto(base + 'login');
    await page.fill('#login', who);
    await page.fill('#password', secret);
    await page.click('form button[type=submit]');
  }

  await logIn(customer, owner, ownerPassword);
  await logIn(agent, staff, staffPassword);

  // the activation, asked for
  await customer.goto(base + 'certificates');
  await Promise.all([customer.waitForURL(/activation$/), customer.click(`a[href$="certificates/${cert}/activation"]`)]);
  match(await customer.textContent('h1'), new RegExp(cert), 'the activation page of the contract');
  await customer.fill('#contacts-field', 'Anna Smirnova | anna@example.com | +7 495 000-00-01\nBoris Ivanov | not an address | +7 495 000-00-02');
  await customer.click('form[action$="/activation"] button[type=submit]');
  match(await customer.textContent('#contacts-error'), /real e-mail address|настоящий адрес/, 'a bad line is named at the field');
  await customer.fill('#contacts-field', 'Anna Smirnova | anna@example.com | +7 495 000-00-01\nBoris Ivanov | boris@example.com | +7 495 000-00-02');
  await Promise.all([customer.waitForURL(/tickets\/\d+/), customer.click('form[action$="/activation"] button[type=submit]')]);
  match(await customer.textContent('.notice'), /activation request is sent|Запрос на активацию отправлен/, 'the request is a ticket');
  const ticket = customer.url().match(/tickets\/(\d+)/)[1];

  // approved by staff on that ticket
  await agent.goto(base + `staff/tickets/${ticket}`);
  match(await agent.textContent('#activation'), /boris@example\.com/, 'staff see who the request names');
  await agent.click('#activation button[type=submit]');
  match(await agent.textContent('.notice'), /contract is activated|Контракт активирован/, 'staff approve it');
  await customer.goto(base + `certificates/${cert}/activation`);
  match(await customer.textContent('#activation-state'), /anna@example\.com[\s\S]*boris@example\.com/,
        'the contract shows activated with its contacts');

  // an APNs request
  await customer.goto(base + 'tickets/new');
  await customer.selectOption('#category', 'apns_certificate');
  await customer.fill('#subject', 'APNs certificate for our app');
  await customer.fill('#description', 'Please sign the attached request.');
  await customer.setInputFiles('#attachments', fakePath);
  await customer.click('form[action$="tickets/new"] button.primary[type=submit]');
  match(await customer.textContent('.form-errors'), /not a certificate signing request|не является запросом на сертификат/, 'a text file renamed .csr is refused, saying why');
  await customer.setInputFiles('#attachments', csrPath);
  await Promise.all([customer.waitForURL(/tickets\/\d+/), customer.click('form[action$="tickets/new"] button.primary[type=submit]')]);
  const apns = customer.url().match(/tickets\/(\d+)/)[1];
  await agent.goto(base + `staff/tickets/${apns}`);
  match(await agent.textContent('#csr'), /CN=com\.example\.push.*RSA 2048 bits/, 'staff see what the CSR asks for');
  check(errors.length === 0, 'no errors in the browser console', errors.join('; '));
});
