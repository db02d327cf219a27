# The support regulations (CryptoPro portal §3, regulations §2.3, §6.3-6.4;
# issue 16): administrators publish editions in Markdown, in force from a
# day at least 15 calendar days ahead (less is refused, naming the field);
# every active account is e-mailed at publication; the portal shows the
# edition in force and the coming one with its date; the timer (here
# `helpdesk sweep --now`) makes the coming one in force on its day, and a
# ticket records the edition in force when it was created.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX qw(strftime);
use Helpdesk::Test;

binmode(Test::More->builder->$_, ':utf8') for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new->start;
my $admin = $t->staff('boss', 'administrator');
my $agent = $t->staff('agent', 'agent');
my $ivan = $t->user('ivan');
my $olga = $t->user('olga', client => { lang => 'en' });
my $visitor = $t->client;

# days in Moscow time, as the product counts them
sub day { strftime('%Y-%m-%d', gmtime(time + 3 * 3600 + $_[0] * 86400)) }

# --- nothing yet ----------------------------------------------------------

my $res = $visitor->api('GET', 'regulations');
is($res->{status}, 200, 'GET /regulations for anyone');
ok(!defined $res->{json}{in_force}, '... nothing in force before any edition');
like($visitor->get('/regulations')->{content}, qr/id="regulations-none"/, '... the page says so');
my $n0 = $t->ticket($ivan, subject => 'До регламента', description => 'Первое обращение');
is($ivan->api('GET', "tickets/$n0")->{json}{regulations}, 0, 'a ticket made then records no edition');

# --- refused: too soon, no text, not an administrator -------------------------

$res = $admin->api('POST', 'admin/regulations', { body_ru => "# Регламент\n\nТекст.", effective => day(14) });
is($res->{status}, 422, 'an edition 14 days ahead is refused');
is($res->{json}{error}{field}, 'effective', '... naming the field');
is($res->{json}{error}{code}, 'effective_too_soon', '... and why');
$res = $admin->api('POST', 'admin/regulations', { effective => day(20) });
is($res->{status}, 422, 'an edition without a text is refused');
is($res->{json}{error}{field}, 'body_ru', '... naming the field');
$res = $admin->api('POST', 'admin/regulations', { body_ru => 'x', effective => '2027-02-30' });
is($res->{json}{error}{code}, 'date_invalid', 'a day that does not exist is refused');
is($agent->api('POST', 'admin/regulations', { body_ru => 'x', effective => day(20) })->{status}, 403,
   'an agent may not publish');
is($ivan->api('POST', 'admin/regulations', { body_ru => 'x', effective => day(20) })->{status}, 403,
   'nor a customer');
is(scalar @{ $admin->api('GET', 'admin/regulations')->{json}{editions} }, 0, '... and nothing was published');
is(scalar(grep { $_->{kind} eq 'regulations_announced' } $t->outbox), 0, '... nor mailed');

# --- the first edition: 15 days ahead, announced -------------------------------

my $first_day = day(15);
$res = $admin->api('POST', 'admin/regulations',
    { body_ru => "# Регламент технической поддержки\n\nОбращения принимаются круглосуточно.",
      body_en => "# Technical support regulations\n\nTickets are accepted around the clock.",
      effective => $first_day });
is($res->{status}, 201, 'an edition 15 days ahead is published') or diag($res->{content});
my $first = $res->{json}{id};
ok($res->{json}{announced} >= 4, "... announced to every active account ($res->{json}{announced})");
my $mail = $t->last_mail('regulations_announced', 'ivan@example.com');
ok($mail, 'a customer gets the announcement');
like($mail->{body}, qr/вступает в силу/, '... in Russian');
like($mail->{body}, qr{/regulations}, '... with the link');
my $en = $t->last_mail('regulations_announced', 'olga@example.com');
like($en->{body} // '', qr/takes effect on/, '... and in English for who reads English');

$res = $visitor->api('GET', 'regulations');
ok(!defined $res->{json}{in_force}, 'not in force before its day');
is($res->{json}{coming}{id}, $first, '... it is the coming one');
is($res->{json}{coming}{effective}, $first_day, '... with its day');
my $page = $visitor->get('/regulations')->{content};
like($page, qr/id="regulations-coming"/, 'the page shows the coming edition');
unlike($page, qr/id="regulations-none"|редакция, приведённая выше|редакция выше/,
       '... and neither says there is none nor points to an edition "above" that is not there');
like($page, qr/первая редакция регламента/, '... but that it is the first');
like($page, qr/Обращения принимаются круглосуточно/, '... its text');
unlike($page, qr/\d{4}-\d\d-\d\d/, '... with its date in words, not ISO');

# a second edition must come after the first
$res = $admin->api('POST', 'admin/regulations', { body_ru => 'Вторая', effective => $first_day });
is($res->{json}{error}{code}, 'effective_not_after_last', 'another edition on the same day is refused');

# --- its day: the timer makes it the one in force -----------------------------------

my ($rc, $out) = $t->cli('sweep', '--now', day(15) . ' 00:01');
is($rc, 0, 'the timer runs on that day') or diag($out);
$res = $visitor->api('GET', 'regulations');
is($res->{json}{in_force}{id}, $first, 'the edition is in force on its day');
ok(!defined $res->{json}{coming}, '... and nothing is coming');
$page = $visitor->get('/regulations')->{content};
like($page, qr/id="regulations-in-force"/, 'the page shows it in force');
like($t->client(lang => 'en')->get('/regulations')->{content}, qr/Tickets are accepted around the clock/,
     '... in English for who reads English');

my $n1 = $t->ticket($ivan, subject => 'После регламента', description => 'Второе обращение');
is($ivan->api('GET', "tickets/$n1")->{json}{regulations}, $first, 'a ticket made now records the edition in force');
is($admin->api('GET', "staff/tickets/$n1")->{json}{regulations}, $first, '... staff see it too');
is($ivan->api('GET', "tickets/$n0")->{json}{regulations}, 0, '... the older ticket keeps what it had');

# --- the page links -------------------------------------------------------------

like($visitor->get('/')->{content}, qr{href="/regulations"}, 'the landing page links the regulations');
like($ivan->get('/tickets/new')->{content}, qr{id="regulations-accept".*href="/regulations"}s,
     'the new-ticket form says a ticket accepts them');

# --- the administrator's page: published through the form, after a confirmation ---

my $csrf = $admin->form_csrf('/admin/regulations');
like($admin->get('/admin/regulations')->{content}, qr/id="edition-$first"/, 'the admin page lists the edition');
$res = $admin->post_form('/admin/regulations', { csrf => $csrf, body_ru => 'Третья редакция', effective => day(40) });
is($res->{status}, 422, 'the form without the confirmation ticked is refused');
$res = $admin->post_form('/admin/regulations', { csrf => $csrf, body_ru => 'Третья редакция', effective => day(40),
                                                  confirm => 1 });
is($res->{status}, 303, 'with it, the edition is published');
$res = $visitor->api('GET', 'regulations');
is($res->{json}{coming}{effective}, day(40), 'and it is the coming one');
is($res->{json}{in_force}{id}, $first, '... the first still in force');

$t->stop;
($rc, $out) = $t->cli('check');
is($rc, 0, 'the data directory checks out') or diag($out);
$t->finish;
done_testing;
