# Accounts (SPEC §3, §9): registration through the API and the form, log in
# by login or e-mail, me, log out; every bad input a clear 4xx that names
# the field and changes nothing.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $ua = $hd->client(lang => 'en');

# --- the API ---------------------------------------------------------------

my %anna = (email => 'Anna.Ivanova@Example.COM', login => 'anna', password => 'a long secret 1',
            name => 'Анна Иванова', phone => '+7 (495) 123-45-67', organisation => 'ООО «Ромашка»');
my $res = $ua->api('POST', 'accounts', \%anna);
is($res->{status}, 202, 'POST /accounts takes a registration');
is_deeply($res->{json}, { pending => 'email', email => 'Anna.Ivanova@Example.COM', login => 'anna' },
          '... and says a link went to the address');
my ($rc0, $out0) = $hd->cli('check');
like($out0, qr/^accounts\s+0$/m, '... nothing is made before the address proves itself');

# the link in the mail makes the account and logs its person in
my $token = $hd->register_token('Anna.Ivanova@Example.COM');
my $anna_ua = $hd->client(lang => 'en');
$res = $anna_ua->api('POST', 'email/confirm', { token => $token });
is($res->{status}, 201, 'the link makes the account');
ok($res->{json}{id} > 0, '... answering its id');
is(length($res->{json}{csrf_token} // ''), 43, '... and a session with its CSRF token');
$res = $anna_ua->api('GET', 'me');
is_deeply([ @{ $res->{json} }{qw(email login name)} ], [ 'Anna.Ivanova@Example.COM', 'anna', 'Анна Иванова' ],
          '... as registered');
ok(!exists $res->{json}{password}, '... never the password');
ok($res->{json}{email_confirmed}, '... its address proven');
is($anna_ua->api('POST', 'email/confirm', { token => $token })->{status}, 404, 'the link works once');

# the same answer whatever exists (SPEC §7.1, §12): a taken address, a taken
# login; the address's owner is told by mail, a prober learns nothing
my $taken = $ua->api('POST', 'accounts', {
    email => 'anna.ivanova@example.com', login => 'anna2', password => 'a long secret 1', name => 'Other',
});
my $fresh = $ua->api('POST', 'accounts', {
    email => 'nobody.here@example.com', login => 'anna3', password => 'a long secret 1', name => 'Other',
});
my $login = $ua->api('POST', 'accounts', {
    email => 'other@example.com', login => 'ANNA', password => 'a long secret 1', name => 'Other',
});
is($taken->{status}, 202, 'a taken address (in another case) is answered 202');
is($login->{status}, 202, 'so is a taken login');
is_deeply([ sort keys %{ $taken->{json} } ], [ sort keys %{ $fresh->{json} } ], '... in the very shape of a free one');
is($taken->{json}{pending}, $fresh->{json}{pending}, '... saying the same');
my $owner_mail = $hd->last_mail('account_exists', 'Anna.Ivanova@Example.COM');
ok($owner_mail, 'the address\'s owner is told someone tried to register with it');
like($owner_mail->{body} // '', qr{/password/forgot}, '... and how to reset the password');
ok($hd->last_mail('register_login_taken', 'other@example.com'), 'the other address is asked to choose another login');
ok(!$hd->last_mail('account_confirm', 'anna.ivanova@example.com')
   || $hd->last_mail('account_confirm', 'anna.ivanova@example.com')->{id} == $hd->last_mail('account_confirm', 'Anna.Ivanova@Example.COM')->{id},
   '... and no link makes a second account of a taken address');

# validation: every bad field is named
my %bad = (
    email => [ 'not-an-address', 'email_invalid' ],
    login => [ 'a b', 'login_invalid' ],
    password => [ 'short', 'password_too_short' ],
    name => [ '', 'name_required' ],
    phone => [ 'call me', 'phone_invalid' ],
);
for my $field (sort keys %bad) {
    my %f = (email => 'v@example.com', login => 'valid', password => 'a long secret 1', name => 'V');
    $f{$field} = $bad{$field}[0];
    $res = $ua->api('POST', 'accounts', \%f);
    is($res->{status}, 422, "a bad $field is refused");
    is($res->{json}{error}{field}, $field, "... naming the field $field");
    is($res->{json}{error}{code}, $bad{$field}[1], "... as $bad{$field}[1]");
}

$res = $ua->api('POST', 'accounts', { email => 'x', login => '', password => '1', name => '' });
is($res->{status}, 422, 'several bad fields');
is_deeply([ sort map { $_->{field} } @{ $res->{json}{errors} } ],
          [ qw(email login name password) ], '... each named in "errors"');

$res = $ua->api('POST', 'accounts', { email => 'pw@example.com', login => 'samepass',
                                      password => 'SamePass', name => 'X' });
is($res->{json}{error}{code}, 'password_too_short', 'a password of fewer than 10 characters');
$res = $ua->api('POST', 'accounts', { email => 'pw@example.com', login => 'samepass10',
                                      password => 'SAMEPASS10', name => 'X' });
is($res->{json}{error}{code}, 'password_is_login', 'a password that is the login');
$res = $ua->api('POST', 'accounts', { email => 'pw@example.com', login => 'samepass',
                                      password => 'PW@example.com', name => 'X' });
is($res->{json}{error}{code}, 'password_is_email', 'a password that is the e-mail');
$res = $ua->api('POST', 'accounts', { email => 'pw@example.com', login => 'pwpwpw',
                                      password => 'пароль-длинный', name => 'X' });
is($res->{status}, 202, 'a password in Cyrillic of 14 characters is fine');
is($ua->api('POST', 'email/confirm', { token => $hd->register_token('pw@example.com') })->{status}, 201,
   '... and its link makes the account');

# bad bodies
$res = $ua->api('POST', 'accounts', '{"email": "x@y.z", ');
is($res->{status}, 400, 'broken JSON is a 400');
is($res->{json}{error}{code}, 'json_invalid', '... saying so');
$res = $ua->api('POST', 'accounts', '[1, 2]');
is($res->{status}, 400, 'a JSON array is not an object: 400');
$res = $ua->api('POST', 'accounts', '{"email": "a@b.cd", "email": "c@d.ef"}');
is($res->{status}, 400, 'a field given twice is a 400');
$res = $ua->api('POST', 'accounts', { email => [], login => 'x', password => 'y', name => 'z' });
is($res->{status}, 400, 'a field that is not a string is a 400');
is($res->{json}{error}{field}, 'email', '... naming it');
$res = $ua->api('POST', 'accounts', 'email=a@b.cd', headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is($res->{status}, 415, 'the API takes JSON only');
$res = $ua->api('POST', 'accounts', '{"email": "a\u0000b@c.de", "login": "nul", "password": "long enough 1", "name": "N"}');
is($res->{status}, 400, 'a NUL character is refused');
$res = $ua->api('POST', 'accounts', "{\"email\": \"\xff\xfe\@x.de\", \"login\": \"utf\", \"password\": \"long enough 1\", \"name\": \"N\"}");
is($res->{status}, 400, 'invalid UTF-8 in JSON is a 400');
$res = $ua->api('POST', 'accounts', { email => 'big@example.com', login => 'big', password => 'long enough 1',
                                      name => 'x' x (1024 * 1024) });
is($res->{status}, 413, 'a 1 MB body is a 413');
is($res->{json}{error}{code}, 'body_too_large', '... with a clear code');
$res = $ua->api('POST', 'accounts', { email => 'long@example.com', login => 'long', password => 'long enough 1',
                                      name => 'я' x 201 });
is($res->{status}, 422, 'a name of 201 characters is refused');
is($res->{json}{error}{code}, 'name_too_long', '... as too long');
$res = $ua->api('POST', 'accounts', { email => ('e' x 250) . '@example.com', login => 'longmail',
                                      password => 'long enough 1', name => 'x' });
is($res->{status}, 422, 'an overlong e-mail is refused');
$res = $ua->api('POST', 'accounts', { email => 'ctl@example.com', login => 'ctl', password => 'long enough 1',
                                      name => "bell\x07" });
is($res->{json}{error}{code}, 'name_invalid', 'control characters in a name are refused');

my ($rc, $out) = $hd->cli('check');
like($out, qr/^accounts\s+2$/m, 'of all these, exactly the two good registrations are stored');
like($out, qr/^consistent$/m, '... consistently');

# --- log in and out ----------------------------------------------------------

$res = $ua->api('POST', 'session', { login => 'anna', password => 'a long secret 1' });
is($res->{status}, 200, 'log in by login');
ok(length($res->{json}{csrf_token}) == 43, '... with a CSRF token');
is($res->{json}{account}{login}, 'anna', '... and the account');
my ($cookie) = grep { /^hd_session=/ } @{ ref $res->{headers}{'set-cookie'} ? $res->{headers}{'set-cookie'} : [ $res->{headers}{'set-cookie'} ] };
like($cookie, qr/^hd_session=[\w-]{43}; Path=\/; Max-Age=\d+; SameSite=Lax; HttpOnly$/,
     'the session cookie is HttpOnly and SameSite=Lax (Secure only over TLS)');
$ua->csrf($res->{json}{csrf_token});

$res = $ua->api('GET', 'me');
is($res->{status}, 200, 'GET /me');
is_deeply([ @{ $res->{json} }{qw(login email name role language phone organisation)} ],
          [ 'anna', 'Anna.Ivanova@Example.COM', 'Анна Иванова', 'customer', 'en', '+7 (495) 123-45-67',
            'ООО «Ромашка»' ],
          '... is the account, in the language it registered with');
ok(exists $res->{json}{company} && !defined $res->{json}{company}, '... without a company');

my $by_mail = $hd->client;
is($by_mail->api('POST', 'session', { login => 'ANNA.ivanova@example.com', password => 'a long secret 1' })->{status},
   200, 'log in by e-mail, in any case');

$res = $hd->client->api('POST', 'session', { login => 'anna', password => 'wrong password!' });
is($res->{status}, 401, 'a wrong password is a 401');
is($res->{json}{error}{code}, 'bad_credentials', '... bad_credentials');
my $unknown = $hd->client->api('POST', 'session', { login => 'nobody', password => 'wrong password!' });
is($unknown->{status}, 401, 'an unknown account is the same 401');
is($unknown->{content}, $res->{content}, '... with the very same answer');

$res = $hd->client->api('POST', 'session', { login => 'anna' });
is($res->{status}, 422, 'a missing password is a 422');
is($res->{json}{error}{field}, 'password', '... naming it');

$res = $ua->api('DELETE', 'session');
is($res->{status}, 204, 'DELETE /session logs out');
is($ua->api('GET', 'me')->{status}, 401, 'after which /me is a 401');
is($hd->client->api('GET', 'me')->{status}, 401, 'as it is for a visitor');
is($by_mail->api('GET', 'me')->{status}, 200, 'the other session goes on');

# --- the HTML forms ----------------------------------------------------------

my $web = $hd->client(lang => 'ru');
$res = $web->get('/register');
is($res->{status}, 200, 'the registration page');
my ($csrf) = $res->{content} =~ /name="csrf" value="([^"]+)"/;
ok($csrf, '... has a CSRF token in its form');
ok($web->cookies->{hd_csrf}, '... matched by a cookie (double submit)');
like($res->{content}, qr/<label for="email">Электронная почта<\/label>/, '... labelled fields');

$res = $web->post_form('/register', { csrf => $csrf, email => 'bad', login => 'petr', password => '1',
                                      name => 'Пётр' });
is($res->{status}, 422, 'a bad form comes back');
my $page = $res->{content};
utf8::decode($page);
like($page, qr/Это не похоже на адрес электронной почты\./, '... with the e-mail error');
like($page, qr/Пароль должен быть не короче 10 символов\./, '... and the password error');
like($page, qr/id="login"[^>]*value="petr"/, '... keeping what was typed');
unlike($page, qr/value="1"/, '... but not the password');
like($page, qr/aria-invalid="true" aria-describedby="email-error"/, '... marking the field for screen readers');

$res = $web->post_form('/register', { email => 'petr@example.com', login => 'petr',
                                      password => 'petr password 1', name => 'Пётр' });
is($res->{status}, 403, 'a form without its CSRF token is a 403');
$res = $web->post_form('/register', { csrf => 'x' x 43, email => 'petr@example.com', login => 'petr',
                                      password => 'petr password 1', name => 'Пётр' });
is($res->{status}, 403, 'a form with a wrong CSRF token is a 403');

$res = $web->post_form('/register', { csrf => $csrf, email => 'petr@example.com', login => 'petr',
                                      password => 'petr password 1', name => 'Пётр Сидоров' });
is($res->{status}, 202, 'the good form is taken');
$page = $res->{content};
utf8::decode($page);
like($page, qr/Мы отправили письмо на указанный адрес/, '... the page says to open the mailed link');
ok(!$web->cookies->{hd_session}, '... nobody is logged in yet');

# the link: its page, then its button (a mail client's prefetch of the link
# makes nothing)
my $link = "/email/confirm?token=" . $hd->register_token('petr@example.com');
$page = $web->get($link)->{content};
utf8::decode($page);
like($page, qr/Завершите регистрацию/, 'the mailed link opens "finish the registration"');
$res = $web->post_form('/email/confirm', { csrf => $web->form_csrf($link),
                                           token => $hd->register_token('petr@example.com') });
is($res->{status}, 303, 'its button makes the account');
like($res->{headers}{location}, qr{/tickets/new\?notice=registered$}, '... and goes to what one came for: a ticket');
ok($web->cookies->{hd_session}, '... logged in');
$res = $web->get('/profile?notice=registered');
$page = $res->{content};
utf8::decode($page);
like($page, qr/Добро пожаловать!/, '... with a welcome');
like($page, qr/value="Пётр Сидоров"/, '... showing the name');

# log out through the form, log in through the form
($csrf) = $page =~ /action="\/logout">\s*<input type="hidden" name="csrf" value="([^"]+)"/;
ok($csrf, 'the page has a log-out form');
$res = $web->post_form('/logout', { csrf => $csrf });
is($res->{status}, 303, 'logging out');
is($web->get('/profile')->{status}, 303, 'the profile then sends to the login page');
like($web->get('/profile')->{headers}{location}, qr{/login\?next=/profile$}, '... coming back afterwards');

$csrf = $web->form_csrf('/login?next=/profile');
$res = $web->post_form('/login', { csrf => $csrf, login => 'petr', password => 'wrong one!!', next => '/profile' });
is($res->{status}, 401, 'a wrong password on the form');
$page = $res->{content};
utf8::decode($page);
like($page, qr/Неверный логин или пароль\./, '... says so');
$res = $web->post_form('/login', { csrf => $csrf, login => 'petr', password => 'petr password 1',
                                   next => '/profile' });
is($res->{status}, 303, 'the right password');
like($res->{headers}{location}, qr{/profile$}, '... goes back where it was asked for');
$res = $web->post_form('/login', { csrf => $csrf, login => 'petr', password => 'petr password 1',
                                   next => '//evil.example/' });
unlike($res->{headers}{location}, qr/evil/, 'never to another site');

# forms: bad bodies
$csrf = $web->form_csrf('/profile');
$res = $web->request('POST', '/profile', content => "csrf=$csrf&name=%FF%FEbad",
                     headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is($res->{status}, 400, 'invalid UTF-8 in a form is a 400');
like($res->{content}, qr/The text is not UTF-8|не в кодировке UTF-8/, '... saying so');
like($web->get('/profile')->{content}, qr/value="Пётр Сидоров"/, '... and changes nothing');
$res = $web->request('POST', '/login', content => '{"login":"x"}', headers => { 'Content-Type' => 'application/json' });
is($res->{status}, 415, 'a form route takes forms');

$hd->finish;

done_testing;
