# The landing page (SPEC §11): three main buttons, Russian by default,
# English one click away; security headers; static assets; errors.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

my $hd = Helpdesk::Test->new->start;
my $ua = $hd->client;

my $res = $ua->get('/');
is($res->{status}, 200, 'the landing page answers');
like($res->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, 'as UTF-8 HTML');

my $page = $res->{content};
utf8::decode($page);
binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);
like($page, qr{<html lang="ru">}, 'in Russian by default');
like($page, qr{<a class="button primary" href="/login">Войти</a>}, 'a "Log in" button');
like($page, qr{<a class="button" href="/certificates/register">Зарегистрировать сертификат</a>},
     'a "Register a certificate" button');
like($page, qr{<a class="button" href="/tickets/new">Создать обращение</a>}, 'a "Create a ticket" button');
like($page, qr{<link rel="stylesheet" href="/static/app.css">}, 'the stylesheet of the portal');
like($page, qr{<meta name="viewport" content="width=device-width, initial-scale=1">},
     'readable on a phone');
unlike($page, qr{<script>|style=|https?://}, 'no inline script or style, no external asset');

# the security headers, on every response
my $csp = $res->{headers}{'content-security-policy'} // '';
like($csp, qr{default-src 'none'}, 'a strict Content-Security-Policy');
like($csp, qr{script-src 'self'}, 'scripts only from the portal');
like($csp, qr{frame-ancestors 'none'}, 'no framing');
is($res->{headers}{'x-content-type-options'}, 'nosniff', 'nosniff');
is($res->{headers}{'referrer-policy'}, 'same-origin', 'a Referrer-Policy');

# English one click away: the link, then the page
my ($href) = $page =~ m{<a class="lang" href="([^"]+)" hreflang="en"};
ok($href, 'a link to the English version');
$href =~ s/&amp;/&/g;
$res = $ua->get($href);
is($res->{status}, 303, 'the language link redirects');
is($res->{headers}{location}, $hd->url('/'), '... back to the page it came from');
like($res->{headers}{'set-cookie'}, qr{hd_lang=en; Path=/; .*SameSite=Lax; HttpOnly},
     '... remembering the choice in a cookie');

$res = $ua->get('/');
like($res->{content}, qr{<html lang="en">}, 'the page is now in English');
like($res->{content}, qr{>Log in</a>.*>Register a certificate</a>.*>Create a ticket</a>}s,
     'with the three buttons in English');
my $en_page = $res->{content};
utf8::decode($en_page);
like($en_page, qr{hreflang="ru" lang="ru">Русский</a>}, 'and Russian one click away');

# a visitor whose browser asks for English gets English at once
my $en = $hd->client(lang => 'en-GB,en;q=0.9,ru;q=0.5');
like($en->get('/')->{content}, qr{<html lang="en">}, 'Accept-Language: en gets English');
my $ru = $hd->client(lang => 'de-DE, ru;q=0.3, en;q=0.2');
like($ru->get('/')->{content}, qr{<html lang="ru">}, 'the best of ours by q-value');

# the switch never sends a visitor elsewhere
for my $back ('//evil.example/', 'http://evil.example/', '/\\evil.example', "/%0d%0aX-Injected:%201") {
    $res = $hd->client->get("/lang/en?back=$back");
    is($res->{headers}{location}, $hd->url('/'), "no open redirect for back=$back");
    ok(!exists $res->{headers}{'x-injected'}, '... and no header injection');
}
is($hd->client->get('/lang/de')->{status}, 404, 'an unknown language is a 404');

# static assets from memory, with revalidation
$res = $ua->get('/static/app.css');
is($res->{status}, 200, 'the stylesheet is served');
like($res->{headers}{'content-type'}, qr{^text/css}, '... as CSS');
my $etag = $res->{headers}{etag};
ok($etag, '... with an ETag');
is($ua->get('/static/app.css', headers => { 'If-None-Match' => $etag })->{status}, 304,
   '... and a 304 when it did not change');
is($ua->get('/static/nope.css')->{status}, 404, 'an unknown asset is a 404');
is($ua->get('/static/../i18n/ru.json')->{status}, 404, 'no way out of the static folder');

# HEAD: headers only
$res = $ua->head('/');
is($res->{status}, 200, 'HEAD of the landing page');
is($res->{content} // '', '', '... without a body');
ok($res->{headers}{'content-length'} > 1000, '... but with the length of the page');

# errors: a page for people, JSON for the API, with the right status
$res = $ua->get('/no/such/page');
is($res->{status}, 404, 'an unknown page is a 404');
like($res->{content}, qr{Page not found\.}, '... with a message in the visitor\'s language');

$res = $ua->get('/api/v1/no-such-route');
is($res->{status}, 404, 'an unknown API route is a 404');
is_deeply($res->{json}{error}{code}, 'not_found', '... as a JSON error with a code');
ok($res->{json}{error}{message}, '... and a message');

$res = $ua->request('DELETE', '/');
is($res->{status}, 405, 'a method the route does not take is a 405');
like($res->{headers}{allow} // '', qr/GET/, '... saying which ones it takes');

$res = $ua->get('/api/v1/status');
is($res->{status}, 200, 'the API status answers');
is($res->{json}{status}, 'ok', '... ok');
is($res->{json}{schema}, 4, '... with the schema version read from LMDB');
my ($version) = `$Helpdesk::Test::BUILD/helpdesk --version` =~ /^helpdesk (\S+)/;
is($res->{json}{version}, $version, "... and the version the CLI says ($version)");
like($hd->error_log, qr/helpdesk \Q$version\E \(database schema/, '... which the log says too');

# no helpdesk_smtp: said once at start, and mail is kept
my @said = $hd->error_log =~ /(\[notice\].*no helpdesk_smtp: e-mail is kept in the outbox and not sent)/g;
is(scalar @said, 1, 'without helpdesk_smtp, the start says once that mail is not sent');

# the start says what runs on what, once
my $data = $hd->data;
my @start = $hd->error_log =~ /(\[notice\].*helpdesk \d+\.\d+\.\d+ \(database schema 4\): data directory \Q$data\E, map 64 MB, \d+ KB used \(\d+% full\), attachments in \Q$data\E\/files)/g;
is(scalar @start, 1, 'a notice at start: version, schema, data directory, map size and how full') or diag($hd->error_log);

$hd->finish;

# the portal under a prefix: every link carries it
my $sub = Helpdesk::Test->new(mount => '/support/')->start;
$res = $sub->client->get('/support/');
is($res->{status}, 200, 'the portal under /support/');
like($res->{content}, qr{href="/support/login"}, 'links carry the prefix');
like($res->{content}, qr{href="/support/static/app.css"}, 'assets too');
$res = $sub->client->get('/support');
is($res->{status}, 301, '/support without the slash');
is($res->{headers}{location}, $sub->url('/support/'), '... redirects to the portal');
is($sub->client->get('/return200')->{status}, 200, 'other locations are left alone');
$sub->finish;

done_testing;
