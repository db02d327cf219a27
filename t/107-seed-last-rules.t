# The seed services' last rules (Kaspersky blocks 6, 9, 10): a company's
# administrator corrects a colleague's request (subject, type, severity,
# versions, extra fields; audited with who did it), as the author may; a
# member who only sees may not. The e-mails say what the customer may count
# on: the confirmation names the support level and, for standard support,
# how to report an extended contract, and repeats "one ticket, one problem";
# the question and the solution say how many working days are left and
# until when; a cancelled ticket's e-mail has no survey (it could not be
# answered); the number of working days is written in words.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $type = $hd->catalog(limit => 10);
my $agent = $hd->staff('agent', 'agent');

my $olga = $hd->user('olga');
is($olga->api('POST', 'company', { name => 'ООО «Ромашка»' })->{status}, 201, 'a company');
my $anna = $hd->invite($olga, 'anna');
my $petr = $hd->invite($olga, 'petr');
my $ivan = $hd->invite($olga, 'ivan');
my %id = map { $_->{name} => $_->{id} } @{ $olga->api('GET', 'company')->{json}{members} };
$olga->api('PATCH', "company/members/$id{'User anna'}", { role => 'admin' });
$olga->api('PATCH', "company/members/$id{'User ivan'}", { sees_company_tickets => JSON::PP::true() });
my $contract = $hd->certificate($olga, $type, holder => 'company');

my $n = $hd->ticket($petr, subject => 'Ошибка подписи', certificate => $contract, severity => 3);

# --- the confirmation -------------------------------------------------------

my $m = $hd->last_mail('ticket_created', 'petr@example.com');
like($m->{body}, qr/Уровень поддержки: стандартная/, 'the confirmation names the support level');
like($m->{body}, qr/контракт расширенной поддержки \(MSA\), зарегистрируйте его в разделе «Мои сертификаты»/,
     '... and for standard support how to report an extended contract');
like($m->{body}, qr/одно обращение — одна проблема/, '... and repeats "one ticket, one problem"');

# --- corrections ------------------------------------------------------------

my $res = $anna->api('PATCH', "tickets/$n", { subject => 'Ошибка подписи в 1С', severity => 2,
                                              type => 'consultation', product_version => '5.0 R3',
                                              os_version => 'Windows 11' });
is($res->{status}, 200, "the company's administrator corrects a colleague's request") or diag $res->{content};
is($res->{json}{subject}, 'Ошибка подписи в 1С', '... its subject');
is($res->{json}{severity}, 2, '... severity');
is($res->{json}{type}, 'consultation', '... type');
is($res->{json}{product_version}, '5.0 R3', '... product version');
is($res->{json}{os_version}, 'Windows 11', '... OS version');

my $staff = $agent->api('GET', "staff/tickets/$n")->{json};
my @edits = grep { $_->{action} eq 'edited' } @{ $staff->{audit} };
ok(scalar(grep { ($_->{detail} // '') =~ /^subject: Ошибка подписи -> Ошибка подписи в 1С$/ } @edits),
   'the audit keeps the change of subject') or diag explain \@edits;
ok(scalar(grep { ($_->{detail} // '') eq 'severity: 3 -> 2' } @edits), '... and of severity');
ok(!(grep { $_->{side} ne 'customer' } @edits), '... made on the customer side');
ok(scalar(grep { ($_->{actor} // '') eq 'User anna' } @edits), '... by the administrator') or diag explain \@edits;

$res = $petr->api('PATCH', "tickets/$n", { subject => 'Ошибка подписи в 1С:Бухгалтерии' });
is($res->{status}, 200, 'the author corrects their own request');
$res = $ivan->api('PATCH', "tickets/$n", { subject => 'Не моё' });
is($res->{status}, 403, 'a member who only sees the company\'s tickets may not');
$res = $hd->user('zed')->api('PATCH', "tickets/$n", { subject => 'Чужое' });
is($res->{status}, 404, 'somebody else: no such ticket');
$res = $anna->api('PATCH', "tickets/$n", { severity => 9 });
is($res->{status}, 422, 'a bad severity: 422');
is($res->{json}{error}{field}, 'severity', '... naming the field');
$res = $anna->api('PATCH', "tickets/$n", { subject => '' });
is($res->{json}{error}{field}, 'subject', 'an empty subject: refused, naming the field');
$res = $anna->api('PATCH', "tickets/$n", {});
is($res->{status}, 422, 'nothing to change: 422');
is($petr->api('GET', "tickets/$n")->{json}{subject}, 'Ошибка подписи в 1С:Бухгалтерии', '... and nothing changed');

# the page: a form for who may, with the colleague's note
my $page = $anna->get("tickets/$n");
like($page->{content}, qr/<details class="card" id="edit"/, 'the administrator\'s page offers the correction');
like($page->{content}, qr/Вы исправляете обращение коллеги/, '... saying it is a colleague\'s');
unlike($ivan->get("tickets/$n")->{content}, qr/id="edit"/, 'a member who only sees gets no form');
my ($csrf) = $page->{content} =~ /name="csrf" value="([^"]+)"/;
$res = $anna->post_form("tickets/$n/edit", { csrf => $csrf, subject => 'Через форму', type => 'bug',
                                             severity => 1, product_version => '', os_version => 'Windows 11' });
is($res->{status}, 303, 'the form saves');
$page = $anna->get("tickets/$n");
like($page->{content}, qr/id="ticket-subject">Через форму</, '... the new subject shown');

# --- the mails of waiting: working days and the date --------------------------

$hd->staff_says($agent, $n, 'info_request', 'Пришлите журнал.');
$m = $hd->last_mail('ticket_info_request', 'petr@example.com');
like($m->{body}, qr/Если ответа не будет в течение 3 рабочих дней \(до \d\d\.\d\d\.\d{4} \d\d:\d\d МСК\)/,
     'the question says the working days, in words, and the date');
unlike($m->{body}, qr/нескольких рабочих дней/, '... not "several working days"');
$hd->staff_says($agent, $n, 'solution', 'Обновите драйвер.');
$m = $hd->last_mail('ticket_solution', 'petr@example.com');
like($m->{body}, qr/в течение 3 рабочих дней \(до \d\d\.\d\d\.\d{4} \d\d:\d\d МСК\)/, '... so does the solution');

# the English reader reads it in English
my $eng = $hd->user('eng');
is($eng->api('PATCH', 'me', { language => 'en' })->{status}, 200, 'a reader of English');
my $ne = $hd->ticket($eng, subject => 'Signature fails');
$hd->staff_says($agent, $ne, 'solution', 'Update the driver.');
$m = $hd->last_mail('ticket_solution', 'eng@example.com');
like($m->{body}, qr/within 3 working days \(by \d\d\.\d\d\.\d{4} \d\d:\d\d Moscow time\)/, '... and in English');

# --- a cancelled ticket: no survey ---------------------------------------------

my $nc = $hd->ticket($petr, subject => 'Отменю');
$res = $petr->api('POST', "tickets/$nc/close");
is($res->{json}{status}, 'cancelled_by_customer', 'an unsolved ticket closed by its author is cancelled');
$m = $hd->last_mail('ticket_cancelled', 'petr@example.com');
ok($m, 'the cancellation is mailed');
unlike($m->{body}, qr{/rate\?t=}, '... without a rating link, which could not be used');
unlike($m->{html} // '', qr{/rate\?t=}, '... nor in its HTML');
$res = $petr->api('PATCH', "tickets/$nc", { subject => 'Поздно' });
is($res->{status}, 409, 'a closed ticket is not corrected');

# the autoclosed mail: "3 рабочих дней", no "дн.."
$hd->staff_says($agent, $n, 'solution', 'Ещё раз.');
my ($rc, $out) = $hd->cli('sweep', '--now', '@' . (time + 30 * 86400));
is($rc, 0, 'a sweep a month later') or diag $out;
$m = $hd->last_mail('ticket_autoclosed', 'petr@example.com');
like($m->{body}, qr/ответа от вас не было в течение 3 рабочих дней\. /, 'the autoclosed mail says "3 рабочих дней."');
unlike($m->{body}, qr/дн\.\./, '... never "дн.."');

$hd->stop;
unlike($hd->error_log, qr/\[(alert|emerg)\]/, 'no alert in the error log');

done_testing;
