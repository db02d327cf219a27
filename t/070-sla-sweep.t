# The timer's work run at chosen instants with `helpdesk sweep --now`
# (SPEC §6.2-6.4, §10.3), on the default policy: a ticket's SLA due times
# as the staff API shows them, at risk at 80% and breached at 100% once each
# (an event staff see and customers do not, e-mail to the owner or the
# department's managers, priority one step up, a breach record), the staff
# queue with breached first, auto-close after a solution and after a
# question (3 working days), a customer reply that cancels it, and a sweep
# that repeats nothing.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::Local qw(timegm);
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new;
$hd->{http} = 'helpdesk_url https://support.example.com/;';
$hd->start;
my $type = $hd->catalog(limit => 50);
my $kate = $hd->user('kate');
my $cert = $hd->certificate($kate, $type);
my $agent = $hd->staff('agent1', 'agent', departments => '1');
my $boss = $hd->staff('boss', 'manager', departments => '1');

sub epoch {
    my ($iso) = @_;
    return undef unless defined $iso;
    my ($y, $m, $d, $H, $M, $S) = $iso =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)Z$/ or die "time $iso";
    return timegm($S, $M, $H, $d, $m - 1, $y);
}

sub staff_view { $agent->api('GET', "staff/tickets/$_[0]")->{json} }

sub sweep {
    my ($at, @more) = @_;
    my ($rc, $out) = $hd->cli('sweep', '--now', "\@$at", @more);
    die "sweep: $out" if $rc;
    my %r = $out =~ /^(\w+) (\d+)$/mg;
    return \%r;
}

sub mails { my ($kind, $to) = @_; scalar grep { $_->{kind} eq $kind && lc $_->{to} eq lc $to } $hd->outbox }

# --- the clocks as staff see them ---

my $n = $hd->ticket($kate, certificate => $cert, subject => 'Не подписывается документ');
my $t = staff_view($n);
my ($created, $due, $warn) = map { epoch($_) } @$t{qw(created response_due sla_warn)};
ok($due && $warn, 'a new ticket has a response due time and an at-risk time');
is($t->{sla_due}, $t->{response_due}, '... the due time the queue shows is the response clock');
is($t->{resolution_due}, undef, '... and no resolution clock by default');
ok($warn > $created && $warn < $due, '... at risk between creation and due');
# 12 working hours: at least 12 h later, at most a long weekend or holiday later
ok($due - $created >= 12 * 3600 && $due - $created <= 16 * 86400,
   '12 working hours lie 12 h to 16 days ahead');
is($t->{sla_state}, 'ok', '... and it is not at risk yet');

my ($rc, $out) = $hd->cli('sweep', '--now', 'tomorrow');
is($rc, 2, 'sweep --now with no time: usage error');
like($out, qr/--now: invalid time "tomorrow"/, '... naming the option and the value');

my $r = sweep($warn - 1);
is_deeply([ @$r{qw(autoclosed at_risk breached)} ], [ 0, 0, 0 ], 'a second before 80%: nothing to do');

# at risk: once, the owner (nobody yet: the department) told
$r = sweep($warn);
is($r->{at_risk}, 1, 'at 80% the ticket is at risk');
is($r->{breached}, 0, '... not breached');
$t = staff_view($n);
is($t->{sla_state}, 'at_risk', '... the staff API says at_risk');
ok(mails('ticket_sla_at_risk', 'agent1@support.example'), '... the department is told (nobody owns it)');
my ($event) = grep { ($_->{event}{action} // '') eq 'sla_at_risk' } @{ $t->{messages} };
ok($event, '... a system event in the thread');
ok(!(grep { ($_->{event}{action} // '') =~ /^sla_/ } @{ $kate->api('GET', "tickets/$n")->{json}{messages} }),
   '... which the customer does not see');
$r = sweep($warn + 60);
is($r->{at_risk}, 0, 'a later sweep does not warn again');

# breached: once; priority one step up; managers mailed; a breach record
my $prio = $t->{priority};
$r = sweep($due);
is($r->{breached}, 1, 'at 100% the ticket is breached');
$t = staff_view($n);
is($t->{sla_state}, 'breached', '... the staff API says breached');
is($t->{priority}, 'elevated', '... priority one step up (normal → elevated)') if $prio eq 'normal';
ok(mails('ticket_sla_breached', 'boss@support.example'), "... the department's manager is e-mailed");
ok(!mails('ticket_sla_breached', 'agent1@support.example'), '... agents are not');
my $m = $hd->last_mail('ticket_sla_breached', 'boss@support.example');
like($m->{subject}, qr/\[#$n\]/, '... the mail names the ticket');
like($m->{body}, qr{/staff/tickets/$n}, '... and links to its staff page');
ok((grep { ($_->{action} // '') eq 'sla_breached' } @{ $t->{audit} }), '... the audit has it');
($rc, $out) = $hd->cli('stats');
like($out, qr/sla_breaches\s+1\b/, '... and the breach is kept for reports');
$r = sweep($due + 3600);
is($r->{breached}, 0, 'a later sweep does not breach it again');
is(mails('ticket_sla_breached', 'boss@support.example'), 1, '... nor mail again');

# the queue: the breached ticket first, even above a more urgent one
my $other = $hd->ticket($kate, certificate => $cert, subject => 'Второй вопрос', severity => 1);
my $list = $boss->api('GET', 'staff/tickets?queue=all')->{json}{tickets};
is($list->[0]{number}, $n, 'the staff queue shows the breached ticket first');
is($list->[0]{sla_state}, 'breached', '... marked breached');
my $page = $boss->get('/staff/tickets?queue=all');
like($page->{content}, qr/\Q$n\E/, '... on the HTML queue too');

# the staff reply stops the response clock: the breach ends with it
$hd->staff_says($agent, $n, 'reply', 'Смотрим');
$t = staff_view($n);
is($t->{response_due}, undef, 'a staff reply stops the response clock');
is($t->{sla_state}, 'ok', '... and the ticket is no longer breached');
# the customer's next message starts it again
$kate->api('POST', "tickets/$n/messages", { body => 'Есть новости?' });
$t = staff_view($n);
ok(epoch($t->{response_due}) >= $due, "the customer's message starts a new response clock");
is($t->{sla_state}, 'ok', '... not breached: a new clock');

# --- auto-close ---

my $s = $hd->ticket($kate, certificate => $cert, subject => 'Решённый вопрос');
$hd->staff_says($agent, $s, 'solution', 'Переустановите');
$t = staff_view($s);
my $close_at = epoch($t->{autoclose_due});
ok($close_at, 'a solution sets an auto-close time');
ok($close_at - epoch($t->{updated}) >= 27 * 3600, '... 3 working days (27 working hours) ahead');
is($t->{response_due}, undef, '... and the response clock stands');

my $a = $hd->ticket($kate, certificate => $cert, subject => 'Вопрос без ответа');
$hd->staff_says($agent, $a, 'info_request', 'Пришлите журнал');
my $c = $hd->ticket($kate, certificate => $cert, subject => 'Ответ успел');
$hd->staff_says($agent, $c, 'info_request', 'Пришлите версию');
$kate->api('POST', "tickets/$c/messages", { body => 'Версия 5.0' });
is(staff_view($c)->{autoclose_due}, undef, "the customer's reply cancels the auto-close");

$r = sweep($close_at - 1);
is($r->{autoclosed}, 0, 'a second before: nothing closes');
$r = sweep($close_at + 86400 * 20);
is($r->{autoclosed}, 2, 'after the period both close by themselves');
is($kate->api('GET', "tickets/$s")->{json}{status}, 'closed', '... solved → closed');
is($kate->api('GET', "tickets/$a")->{json}{status}, 'closed_no_info', '... awaiting_customer → closed_no_info');
is($kate->api('GET', "tickets/$c")->{json}{status}, 'open', '... the answered one stays open');

my ($ev) = grep { ($_->{event}{action} // '') eq 'autoclosed' } @{ $kate->api('GET', "tickets/$s")->{json}{messages} };
ok($ev, 'a system event in the thread');
is($ev->{event}{from}, 'solved', '... saying it was closed after the solution') if $ev;
$page = $kate->get("/tickets/$s");
like($page->{content}, qr/Закрыто автоматически \(без реакции на решение\)/,
     '... the page says why');
my ($au) = grep { $_->{action} eq 'autoclosed' } @{ staff_view($a)->{audit} };
like($au->{detail} // '', qr/^timer pid \d+$/, '... the audit says which process did it');

$m = $hd->last_mail('ticket_autoclosed', 'kate@example.com');
ok($m, 'the customer is e-mailed');
like($m->{body}, qr/в течение 3 рабочих дней\./, '... with the period, in words');
like($m->{body}, qr/до \d\d\.\d\d\.\d{4} \d\d:\d\d \(МСК\)/, '... and until when it can be reopened');
like($m->{body}, qr{/tickets/\d+/rate\?t=}, '... and the rating link');
like($m->{body}, qr{https://support\.example\.com/tickets/\d+}, '... to the portal nginx serves (helpdesk_url), not localhost');
unlike($m->{body}, qr{localhost}, '... nowhere localhost');
is(scalar(grep { $_->{kind} eq 'ticket_autoclosed' } $hd->outbox), 2, 'one mail each');

$r = sweep($close_at + 86400 * 21);
is($r->{autoclosed}, 0, 'the next sweep closes nothing twice');

# reopened within the window (it closed "in the future": the window is ahead)
my $res = $kate->api('POST', "tickets/$s/reopen", { body => 'Не помогло' });
is($res->{json}{status}, 'open', 'an auto-closed ticket can be reopened');

# periods given to the sweep: 0 never closes
$hd->staff_says($agent, $s, 'solution', 'Ещё раз');
$r = sweep(epoch(staff_view($s)->{autoclose_due}) + 1, '--solved', '0');
is($r->{autoclosed}, 1, 'sweep takes what is due whatever the period now');
($rc, $out) = $hd->cli('sweep', '--now', '@1', '--solved', 'soon');
is($rc, 2, 'a bad period: usage error');
like($out, qr/--solved: invalid period "soon"/, '... naming it');

($rc, $out) = $hd->cli('check');
is($rc, 0, 'the data checks consistent') or diag($out);

$hd->finish;
done_testing;
