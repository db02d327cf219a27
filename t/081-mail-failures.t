# When the relay says no, is gone or says nothing (SPEC §7.1): a 5xx fails
# at once, shows the relay's answer to administrators and marks the address
# (the account and staff see it; nothing more goes there until it is
# proven again); a relay down for a minute loses and repeats nothing; one
# that never answers times out while the worker keeps serving; what never
# gets through fails after its time and can be sent again by hand.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time sleep);
use Helpdesk::Test;
use Helpdesk::Smtp;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new(server => 'location = /metrics { helpdesk_metrics; }');
my $relay = Helpdesk::Smtp->start(dir => $t->dir . '/relay');
my $port = $relay->port;
sub smtp {
    my ($expire) = @_;
    $t->{http} = "helpdesk_smtp 127.0.0.1:$port from=support\@example.com starttls=off "
               . "timeout=2s retry=1s retry_max=2s expire=$expire;\n"
               . "    helpdesk_url http://127.0.0.1:" . $t->port . "/;";
}
smtp('2d');
$t->start;

sub wait_until {
    my ($what, $cond, $timeout) = @_;
    my $deadline = time + ($timeout // 20);
    my $ok;
    until (($ok = $cond->()) || time > $deadline) {
        sleep 0.2;
    }
    ok($ok, $what);
    return $ok;
}

sub outbox_of { my ($kind, $to) = @_; grep { $_->{kind} eq $kind && $_->{to} eq $to } $t->outbox }

# --- 550: failed at once, shown, the address marked -----------------------

# ivan registers by the link his mailbox got; then his mailbox goes away
my $ivan = $t->user('ivan', name => 'Иван', email => 'ivan@example.com');
my $admin = $t->staff('boss', 'administrator');
ok($relay->wait_for(to => 'ivan@example.com', subject => qr/регистрац/i), 'the registration link arrived');
$relay->restart('--reject', '^ivan@');

is($t->client->api('POST', 'password/forgot', { email => 'ivan@example.com' })->{status}, 202,
   'a reset link is asked for');
wait_until('the link the relay refused fails at once',
           sub { my ($m) = outbox_of('password_reset', 'ivan@example.com'); $m && $m->{state} eq 'failed' });
my ($m) = outbox_of('password_reset', 'ivan@example.com');
my $show = $t->mail($m->{id});
is($show->{attempts}, 1, 'after one attempt, not retried');
like($show->{answer}, qr/^550 5\.1\.1 <ivan\@example\.com>: Recipient address rejected/, 'the relay\'s words kept');

my $res = $admin->api('GET', 'admin/outbox?state=failed');
is($res->{status}, 200, 'the administrator lists failed mail');
my ($row) = grep { $_->{id} == $m->{id} } @{ $res->{json}{mail} };
ok($row, 'the refused one is there');
like($row->{answer}, qr/550 5\.1\.1/, 'with the answer');
is($res->{json}{failed}, 1, 'one failed');

$res = $admin->get("admin/outbox?state=failed");
like($res->{content}, qr/550 5\.1\.1 &lt;ivan\@example\.com&gt;: Recipient address rejected/,
     'the page shows the answer, escaped');
like($res->{content}, qr/Не доставлен/, 'in words, not codes');

my $me = $ivan->api('GET', 'me')->{json};
ok($me->{email_bounced}, 'the account knows its address bounced');
like($me->{email_bounced}{reason}, qr/550 5\.1\.1/, 'and why');
$res = $ivan->get('tickets');
like($res->{content}, qr/id="mail-banner".*Мы не можем доставить вам письма на адрес\s*<strong>ivan\@example\.com<\/strong>/s,
     'every page says so, with a way out');
like($res->{content}, qr{action="/profile/email/confirm"}, '... send the link again');

# staff see it on the customer's card
my $n = $t->ticket($ivan, subject => 'Ошибка');
$res = $admin->api('GET', "staff/tickets/$n");
ok($res->{json}{customer}{email_bounced}, 'staff see the customer cannot be reached');
like($admin->get("staff/tickets/$n")->{content}, qr/id="customer-bounced"/, '... on the page too');

# nothing more goes there: not even tried
wait_until('the new ticket\'s mail fails without a try',
           sub { my ($m) = outbox_of('ticket_created', 'ivan@example.com'); $m && $m->{state} eq 'failed' });
($m) = outbox_of('ticket_created', 'ivan@example.com');
$show = $t->mail($m->{id});
is($show->{attempts}, 0, 'no attempt was made');
like($show->{answer}, qr/not sent: mail to ivan\@example\.com bounced/, 'it says why');
is(scalar(grep { ($_->{subject} // '') =~ /\[#$n\]/ && grep { /ivan/ } @{ $_->{rcpt_tos} } } $relay->messages), 0,
   'the relay got nothing for it');

# the mailbox works again: the person asks for the link, follows it
$relay->restart();
$res = $ivan->api('POST', 'me/email/confirmation');
is($res->{status}, 202, 'the link again, asked for');
my $mail = $relay->wait_for(to => 'ivan@example.com', subject => qr/Подтвердите адрес/);
ok($mail, 'it goes to the bounced address (asked for)');
my ($token) = ($mail->{text} // '') =~ m{email/confirm\?token=([\w-]{43})};
# the page the link opens confirms; it does not ask to confirm
$res = $ivan->get("email/confirm?token=$token");
like($res->{content}, qr{action="/email/confirm"}, 'the link opens the page that proves the address');
unlike($res->{content}, qr/id="mail-banner"/, '... without the banner asking for it');
is($ivan->api('POST', 'email/confirm', { token => $token })->{status}, 200, 'followed');
$me = $ivan->api('GET', 'me')->{json};
ok(!$me->{email_bounced} && $me->{email_confirmed}, 'proven, the bounce forgotten');
unlike($ivan->get('tickets')->{content}, qr/id="mail-banner"/, 'the banner is gone');

my $n2 = $t->ticket($ivan, subject => 'Снова работает');
ok($relay->wait_for(to => 'ivan@example.com', subject => qr/\[#$n2\]/), 'mail reaches the address again');

# --- the relay down for a minute, then back -------------------------------

$relay->stop;
my $t0 = time;
my @numbers = map { $t->ticket($ivan, subject => "Пока почта лежит $_") } 1 .. 20;
wait_until('the relay is down: each is tried and deferred', sub {
    my @m = grep { $_->{kind} eq 'ticket_created' && $_->{subject} =~ /Пока почта лежит/ } $t->outbox;
    @m == 20 && !grep { $_->{state} ne 'queued' || !$t->mail($_->{id})->{attempts} } @m;
});
my ($one) = grep { $_->{subject} =~ /Пока почта лежит 1$/ } $t->outbox;
like($t->mail($one->{id})->{answer}, qr/onnect|refused/i, 'the answer says the relay could not be reached');

my $metrics = $t->client->get('/metrics')->{content};
like($metrics, qr/^helpdesk_outbox_depth (\d+)$/m, 'the depth is a metric');
my ($depth) = $metrics =~ /^helpdesk_outbox_depth (\d+)$/m;
ok($depth >= 20, "20 or more wait ($depth)");
my ($deferred) = $metrics =~ /^helpdesk_mail_deferred_total (\d+)$/m;
ok($deferred >= 20, "deferrals counted ($deferred)");
like($metrics, qr/^helpdesk_outbox_oldest_seconds [1-9]\d*$/m, 'the oldest waiting one\'s age');

# the web keeps answering meanwhile
my $slow = 0;
for (1 .. 10) {
    my $s = time;
    $ivan->get('tickets');
    $slow++ if time - $s > 0.5;
}
is($slow, 0, 'pages answer while mail waits');

sleep 60 - (time - $t0) if time - $t0 < 60;
$relay->start;
my @arrived = $relay->wait_for(where => sub { ($_[0]{subject} // '') =~ /Пока почта лежит/ },
                               count => 20, timeout => 20);
is(scalar @arrived, 20, 'a minute later the relay is back: all 20 arrive');
sleep 3;    # anything sent twice would be here by now
my %seen;
$seen{$_->{subject}}++ for grep { ($_->{subject} // '') =~ /Пока почта лежит/ } $relay->messages;
is_deeply([grep { $seen{$_} > 1 } keys %seen], [], 'none twice');
is(scalar keys %seen, 20, 'each of the 20');

# --- a relay that never answers -------------------------------------------

$relay->restart('--hang');
my $n3 = $t->ticket($ivan, subject => 'Сервер молчит');
my $s = time;
my $served = 0;
while (time - $s < 3) {
    my $r0 = time;
    my $r = $t->client->get('/');
    $served++ if $r->{status} == 200 && time - $r0 < 0.5;
}
ok($served > 10, "the worker serves while the relay hangs ($served pages in 3 s)");
wait_until('the silent relay times out and the mail waits', sub {
    my ($m) = grep { $_->{subject} =~ /\[#$n3\]/ } $t->outbox;
    $m && $m->{state} eq 'queued' && ($t->mail($m->{id})->{answer} // '') =~ /imed out/;
});
$relay->restart();
ok($relay->wait_for(subject => qr/\[#$n3\]/), 'the relay answers again: it arrives');

# --- expired, then sent again by hand -------------------------------------

smtp('15s');
$t->reload;
$relay->stop;
my $n4 = $t->ticket($ivan, subject => 'Никогда не дойдёт');
wait_until('past its time (expire=15s) it has failed', sub {
    my ($m) = grep { $_->{subject} =~ /\[#$n4\]/ } $t->outbox;
    $m && $m->{state} eq 'failed';
}, 40);
($m) = grep { $_->{subject} =~ /\[#$n4\]/ } $t->outbox;
like($t->mail($m->{id})->{answer}, qr/^gave up after \d+ attempts in 15 seconds: .*onnect/i,
     'it says it gave up, how long it tried and what it got');

$relay->start;
$res = $admin->post_form("admin/outbox/$m->{id}/drop", { csrf => $admin->form_csrf("admin/outbox/$m->{id}") });
is($res->{status}, 422, 'dropping asks first (the box unchecked)');
like($res->{content}, qr/Подтвердите действие/, 'and says so');

$res = $admin->api('POST', "admin/outbox/$m->{id}/retry");
is($res->{status}, 200, 'the administrator sends it again');
is($res->{json}{state}, 'queued', 'queued');
ok($relay->wait_for(subject => qr/\[#$n4\]/), 'it arrives');
is($t->mail($m->{id})->{state}, 'sent', 'sent');
is($admin->api('POST', "admin/outbox/$m->{id}/retry")->{status}, 409, 'a sent one is not sent again');

# a queued one dropped: never sent
$relay->stop;
my $n5 = $t->ticket($ivan, subject => 'Отменить письмо');
my ($q) = grep { $_->{subject} =~ /\[#$n5\]/ } $t->outbox;
$res = $admin->post_form("admin/outbox/$q->{id}/drop", { confirm => 1,
                         csrf => $admin->form_csrf("admin/outbox/$q->{id}") });
is($res->{status}, 303, 'dropped, with the box checked');
is($t->mail($q->{id})->{state}, 'dropped', 'dropped');
$relay->start;
my $n6 = $t->ticket($ivan, subject => 'После отмены');
ok($relay->wait_for(subject => qr/\[#$n6\]/), 'the next one arrives');
ok(!grep({ ($_->{subject} // '') =~ /\[#$n5\]/ } $relay->messages), 'the dropped one never did');

my ($rc, $out) = $t->cli('outbox', 'retry', 'abc');
is($rc, 2, 'outbox retry with a bad number is refused');
like($out, qr/"abc" is not the number of a mail/, 'with a sentence');
($rc, $out) = $t->cli('outbox', 'drop', '999999');
is($rc, 1, 'a mail that does not exist');
like($out, qr/no mail 999999 in the outbox/, '... says so');

$metrics = $t->client->get('/metrics')->{content};
my ($sent) = $metrics =~ /^helpdesk_mail_sent_total (\d+)$/m;
my ($failed) = $metrics =~ /^helpdesk_mail_failed_total (\d+)$/m;
my ($bounced) = $metrics =~ /^helpdesk_mail_bounced_total (\d+)$/m;
ok($sent >= 24, "sent counted ($sent)");
ok($failed >= 3, "failures counted ($failed)");
is($bounced, 1, 'the bounce counted');

$t->finish;
done_testing;
