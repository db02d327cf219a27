# Tickets (SPEC §5.1-5.5, §9): creating one through the API and the form,
# with and without a certificate; the confirmation page and e-mail; "My
# tickets" with its counts, paging and the resolved toggle; the ticket page
# and its thread; bad input answered with the field and nothing stored.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new(http => 'helpdesk_ticket_start 33858;')->start;

my $type = $hd->catalog(limit => 2, department => 'Расширенная поддержка');
my $ua = $hd->user('nat', name => 'Nat M');
my $cert = $hd->certificate($ua, $type);

# --- the API ---

my $res = $ua->api('POST', 'tickets', {
    subject => 'Не работает КриптоПро CSP',
    description => "Ошибка 0x80090008 при подписи.\nОС: Windows 11",
    category => 'technical', type => 'bug', severity => 2,
    certificate => $cert, product_version => '5.0 R3', os_version => 'Windows 11',
});
is($res->{status}, 201, 'POST /tickets with a certificate: 201');
is($res->{json}{number}, 33858, '... numbered from helpdesk_ticket_start');
is($res->{json}{status}, 'new', '... new');
is($res->{json}{priority}, 'normal', '... normal priority with a standard certificate');
is($res->{json}{department}, 'Расширенная поддержка', "... in the certificate type's department");
my $first = $res->{json}{number};

my $mail = $hd->last_mail('ticket_created', 'nat@example.com');
ok($mail, 'a confirmation e-mail is in the outbox at once');
like($mail->{subject}, qr/^\[#33858\] /, '... with [#number] in its subject');
like($mail->{body}, qr/зарегистрировано под номером 33858/, '... and the number in its text');
like($mail->{body}, qr{/tickets/33858$}m, '... and a link to the ticket');

$res = $ua->api('POST', 'tickets', {
    subject => 'Вопрос без сертификата', description => 'Как установить?',
    category => 'technical', type => 'consultation', severity => 3,
});
is($res->{status}, 201, 'a ticket without a certificate');
is($res->{json}{priority}, 'low', '... gets the lowest priority');
is($res->{json}{department}, 'Базовая поддержка', '... and the general queue');
my $sev1 = $hd->user('sevone')->api('POST', 'tickets', {
    subject => 'Всё сломалось', description => 'Ничего не работает',
    category => 'technical', type => 'bug', severity => 1,
});
is($sev1->{json}{priority}, 'low', 'without a certificate severity 1 does not raise it: still low (SPEC §5.4)');
like($hd->last_mail('ticket_created', 'nat@example.com')->{body}, qr/минимальный приоритет/,
     '... which its confirmation says');

$res = $ua->api('POST', 'tickets', {
    subject => 'Критично', description => 'Всё стоит', category => 'technical',
    type => 'bug', severity => 1, certificate => $cert,
});
is($res->{json}{priority}, 'elevated', 'severity 1 raises the priority one step');

$res = $ua->api('POST', 'tickets', {
    subject => 'Спасибо Наталье', description => 'Очень помогла', category => 'feedback',
    type => 'consultation', severity => 4,
});
is($res->{json}{department}, 'Сервис-менеджеры', "feedback goes to the service managers' department");

# --- bad input: the field named, nothing stored ---

my %good = (subject => 'S', description => 'D', category => 'technical', type => 'bug', severity => 3);
my @bad = (
    [ { %good, subject => '' }, 'subject', 'subject_required' ],
    [ { %good, subject => 'x' x 300 }, 'subject', 'subject_too_long' ],
    [ { %good, subject => 'x' x (100 * 1024) }, 'subject', 'field_too_long' ],
    [ { %good, description => '' }, 'description', 'body_required' ],
    [ { %good, category => 'gossip' }, 'category', 'category_invalid' ],
    [ { %good, type => undef }, 'type', 'type_required' ],
    [ { %good, severity => 7 }, 'severity', 'severity_invalid' ],
    [ { %good, severity => 'high' }, 'severity', 'severity_invalid' ],
    [ { %good, certificate => 'NO-SUCH-1' }, 'certificate', 'certificate_unknown' ],
    [ { %good, premium => 'maybe' }, 'premium', 'premium_invalid' ],
    [ { %good, subject => "a\x{7}b" }, 'subject', 'text_invalid' ],
);
for my $b (@bad) {
    my ($fields, $field, $code) = @$b;
    delete $fields->{$_} for grep { !defined $fields->{$_} } keys %$fields;
    $res = $ua->api('POST', 'tickets', $fields);
    my $what = $code;
    ok($res->{status} == 422 || $res->{status} == 400, "bad input ($what): a 4xx ($res->{status})");
    is($res->{json}{error}{field}, $field, "... naming the field $field");
    is($res->{json}{error}{code}, $code, "... $code");
}
$res = $ua->api('POST', 'tickets', '{"subject": "broken', headers => { 'Content-Type' => 'application/json' });
is($res->{status}, 400, 'broken JSON: 400');
$res = $ua->api('POST', 'tickets', '{"subject": "a\u0000b", "description": "d"}');
is($res->{status}, 400, 'a NUL in JSON: 400');

# someone else's certificate is as unknown as a made-up one
my $other = $hd->user('other');
my $other_cert = $hd->certificate($other, $type);
$res = $ua->api('POST', 'tickets', { %good, certificate => $other_cert });
is($res->{status}, 422, "someone else's certificate: 422");
is($res->{json}{error}{code}, 'certificate_unknown', '... certificate_unknown, like a made-up one');

$res = $ua->api('GET', 'tickets?show=all');
is($res->{json}{total}, 4, 'none of the bad requests stored anything');
my @created = grep { $_->{kind} eq 'ticket_created' && $_->{to} eq 'nat@example.com' } $hd->outbox;
is(scalar @created, 4, '... nor queued any e-mail');

# --- the form ---

my $page = $ua->get('/tickets/new');
is($page->{status}, 200, 'GET /tickets/new');
like($page->{content}, qr/Одно обращение — одна проблема/, 'the form says "one ticket, one problem"');
like($page->{content}, qr/минимальный приоритет.*общей очереди/s,
     '... and, before sending, what a ticket without a certificate gets');
like($page->{content}, qr/\Q$cert\E.*незакрытых 2 из 2/s, '... and "unclosed N of M" for the certificate');
like($page->{content}, qr/enctype="multipart\/form-data"/, '... and takes files');

# the certificate is full now (2 of 2): close one to make room
$res = $ua->api('POST', "tickets/$first/close");
is($res->{json}{status}, 'cancelled_by_customer', 'closing a new ticket cancels it');

my $csrf = $ua->form_csrf('/tickets/new');
$res = $ua->post_multipart('/tickets/new', [
    csrf => $csrf, certificate => $cert, category => 'technical', type => 'bug', severity => 3,
    product => '', product_version => '', os_version => '',
    subject => 'Через форму', description => "Текст\nв две строки",
], [ [ 'attachments', '', '', 'application/octet-stream' ] ]);
is($res->{status}, 303, 'the form creates a ticket and redirects');
my ($number) = ($res->{headers}{location} // '') =~ m{/tickets/(\d+)/created$};
ok($number, '... to its confirmation page');
$page = $ua->get("/tickets/$number/created");
like($page->{content}, qr/Номер обращения:\s*<strong id="created-number">$number</s, 'the confirmation page shows the number');

# the form again with errors, values kept
$res = $ua->post_multipart('/tickets/new', [
    csrf => $csrf, certificate => '', category => 'technical', type => 'bug', severity => 3,
    subject => '', description => 'Описание <b>жирным</b>',
]);
is($res->{status}, 422, 'a form with errors comes back 422');
like($res->{content}, qr/Укажите тему обращения/, '... saying what is wrong');
like($res->{content}, qr/Описание &lt;b&gt;жирным&lt;\/b&gt;/, '... keeping (escaped) what was typed');

# over the limit through the form
$csrf = $ua->form_csrf('/tickets/new');
$res = $ua->post_multipart('/tickets/new', [
    csrf => $csrf, certificate => $cert, category => 'technical', type => 'bug', severity => 3,
    subject => 'Третье', description => 'Лимит',
]);
is($res->{status}, 409, 'over the certificate limit: 409');
like($res->{content}, qr/столько обращений, сколько разрешено/, '... with a clear message');

# --- my tickets ---

for my $i (1 .. 21) {
    $hd->ticket($ua, subject => "Тикет $i");
}
$res = $ua->api('GET', 'tickets');
is($res->{status}, 200, 'GET /tickets');
is($res->{json}{unclosed}, 25, '... 25 unclosed');
is($res->{json}{resolved}, 1, '... 1 resolved');
is($res->{json}{total}, 25, '... unclosed only by default');
is(scalar @{ $res->{json}{tickets} }, 20, '... a page of 20');
is($res->{json}{tickets}[0]{subject}, 'Тикет 21', '... the last updated first');
is($res->{json}{allowed}, 2, '... "allowed" from the certificate');
is_deeply([ map { $_->{number} } @{ $res->{json}{certificates} } ], [ $cert ], '... per certificate');
ok(!grep({ $_->{status} eq 'cancelled_by_customer' } @{ $res->{json}{tickets} }), '... no closed ones');
my @columns = sort keys %{ $res->{json}{tickets}[0] };
ok(!(grep { !exists $res->{json}{tickets}[0]{$_} } qw(number subject updated last_replier department type status priority)),
   "... each with the seed's columns (@columns)");

$res = $ua->api('GET', 'tickets?page=2');
is(scalar @{ $res->{json}{tickets} }, 5, 'page 2 holds the rest');
$res = $ua->api('GET', 'tickets?show=all&page=2');
is($res->{json}{total}, 26, 'show=all counts the resolved too');
is(scalar @{ $res->{json}{tickets} }, 6, '... and lists them');
$res = $ua->api('GET', 'tickets?per_page=5&page=3');
is(scalar @{ $res->{json}{tickets} }, 5, 'per_page');
is($ua->api('GET', 'tickets?page=0')->{status}, 400, 'page=0: 400');
is($ua->api('GET', 'tickets?show=some')->{status}, 400, 'show=some: 400');

$page = $ua->get('/tickets');
$res = $ua->api('GET', 'tickets');
like($page->{content}, qr/Количество незакрытых обращений: <strong>$res->{json}{unclosed}<\/strong>, Допустимое число обращений: <strong>$res->{json}{allowed}<\/strong>/,
     "the page says \"Unclosed: N, allowed: M\" as the API does ($res->{json}{unclosed}, $res->{json}{allowed})");
is($res->{json}{unclosed}, 25, '... all the unclosed ones, with a certificate or without');
like($page->{content}, qr/обращения без сертификата не ограничены/, '... and says the limit is per certificate');
like($page->{content}, qr/Показать решённые обращения \(1\)/, '... and "Show resolved (1)"');
like($page->{content}, qr/Страница 1 из 2/, '... page 1 of 2');
my @rows = $page->{content} =~ /<tr class="ticket /g;
is(scalar @rows, 20, '... 20 rows');
$page = $ua->get('/tickets?show=all&page=2');
like($page->{content}, qr/Отменено пользователем/, 'the resolved ones on request');

# --- a ticket ---

$res = $ua->api('GET', "tickets/$number");
is($res->{status}, 200, 'GET /tickets/{n}');
is($res->{json}{certificate}, $cert, '... its certificate');
is($res->{json}{messages}[0]{body}, "Текст\nв две строки", '... the description as the first message');
is($res->{json}{messages}[0]{author}, 'Nat M', '... by its author');
ok(!exists $res->{json}{messages}[0]{event}, '... which is no event');

$res = $ua->api('POST', "tickets/$number/messages", { body => 'Дополнение' });
is($res->{status}, 201, 'a reply: 201');
is($res->{json}{status}, 'open', '... the ticket is open');
$res = $ua->api('GET', "tickets/$number");
my @kinds = map { $_->{kind} } @{ $res->{json}{messages} };
is_deeply(\@kinds, [ 'customer', 'customer', 'event' ], '... the thread: description, reply, the status event');
is($res->{json}{messages}[2]{event}{from}, 'new', '... from new');
is($res->{json}{messages}[2]{event}{to}, 'open', '... to open');

$page = $ua->get("/tickets/$number");
like($page->{content}, qr/Просмотр обращения: №<span id="ticket-number">$number</, 'the page: "Ticket no."');
like($page->{content}, qr/Отдел.*Расширенная поддержка/s, '... the department');
like($page->{content}, qr/Добавить ответ/, '... "Add reply"');
like($page->{content}, qr/id="close-ticket">Отменить обращение</, '... "Cancel the ticket" (an open one cannot be closed, only cancelled)');
like($page->{content}, qr/Текст\nв две строки.*Дополнение/s, '... the thread oldest first');
$page = $ua->get("/tickets/$number?order=newest");
like($page->{content}, qr/Дополнение.*Текст\nв две строки/s, '... or newest first');

is($ua->get('/tickets/99999999')->{status}, 404, 'an unknown ticket: 404');
is($ua->get('/tickets/abc')->{status}, 404, 'a number that is none: 404');

$hd->finish;
done_testing;
