# The timer inside the nginx workers (SPEC §6.3-6.4) on a seconds-scale
# configuration: a solved ticket closes by itself and the customer is told;
# it can be reopened within the window and not after; a question unanswered
# closes as closed_no_info; an answer in time cancels that. Four workers:
# one of them does the work at a time (the audit names the process); kill -9
# of it hands the lease on at once; a reload in the middle of a sweep closes
# no ticket twice and misses none.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep time);
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new(
    workers => 4,
    http    => 'helpdesk_autoclose solved=2s awaiting=2s;
                helpdesk_reopen_window 3s;
                helpdesk_timer interval=200ms batch=5;',
)->start;

my $type = $hd->catalog(limit => 1000);
my $kate = $hd->user('kate');
my $cert = $hd->certificate($kate, $type);
my $agent = $hd->staff('agent1', 'agent');

sub status { $kate->api('GET', "tickets/$_[0]")->{json}{status} }

# waits until every ticket has left the status (or the time is up)
sub wait_closed {
    my ($secs, @n) = @_;
    my $deadline = time + $secs;
    my %open = map { $_ => 1 } @n;
    while (%open && time < $deadline) {
        for (keys %open) {
            delete $open{$_} if status($_) =~ /^closed/;
        }
        sleep 0.1 if %open;
    }
    return !%open;
}

# the autoclose audit records of a ticket
sub closings {
    my ($n) = @_;
    return grep { $_->{action} eq 'autoclosed' } @{ $agent->api('GET', "staff/tickets/$n")->{json}{audit} };
}

sub closer_pids {
    my %pids;
    for my $n (@_) {
        for (closings($n)) {
            $pids{$1}++ if ($_->{detail} // '') =~ /^timer pid (\d+)$/;
        }
    }
    return \%pids;
}

# --- a solved ticket closes by itself ---

my $n = $hd->ticket($kate, certificate => $cert, subject => 'Решение подошло?');
is($hd->staff_says($agent, $n, 'solution', 'Обновите драйвер')->{status}, 'solved', 'solved');
is(status($n), 'solved', '... and stays so at first');
ok(wait_closed(6, $n), 'after the period it closes by itself');
is(status($n), 'closed', '... as closed');
my $m = $hd->last_mail('ticket_autoclosed', 'kate@example.com');
ok($m, 'the customer is told');
like($m->{subject}, qr/\[#$n\]/, '... about this ticket');
like($m->{body}, qr/в течение 2 секунд\./, '... after how long, in words');
my ($ev) = grep { $_->{kind} eq 'event' && $_->{event}{action} eq 'autoclosed' }
           @{ $kate->api('GET', "tickets/$n")->{json}{messages} };
ok($ev, 'a system event in the thread says so');

my $res = $kate->api('POST', "tickets/$n/reopen", { body => 'Не помогло' });
is($res->{json}{status}, 'open', 'within the window the customer reopens it');

$hd->staff_says($agent, $n, 'solution', 'Тогда так');
ok(wait_closed(6, $n), 'solved again, it closes again');
sleep 4.5;    # whole seconds: closed at T.9 may still reopen at T+3.9
$res = $kate->api('POST', "tickets/$n/reopen", { body => 'Опять' });
is($res->{status}, 409, "after the window: 409") or diag($res->{content} . " " . explain($kate->api("GET", "tickets/$n")->{json}{status}));
is($res->{json}{error}{code}, 'reopen_window_passed', '... reopen_window_passed');
like($kate->get("/tickets/$n")->{content}, qr{tickets/new\?reference=$n},
     '... the page offers a new ticket referring to this one');

# --- a question without an answer, and one answered in time ---

my $q = $hd->ticket($kate, certificate => $cert, subject => 'Нужен журнал');
$hd->staff_says($agent, $q, 'info_request', 'Пришлите журнал');
my $r = $hd->ticket($kate, certificate => $cert, subject => 'Журнал будет');
$hd->staff_says($agent, $r, 'info_request', 'Пришлите журнал');
$kate->api('POST', "tickets/$r/messages", { body => 'Вот журнал' });
ok(wait_closed(6, $q), 'an unanswered question closes by itself');
is(status($q), 'closed_no_info', '... as closed_no_info');
sleep 1;
is(status($r), 'open', 'the answered one stays open');

# --- one worker at a time ---

my @batch = map { $hd->ticket($kate, certificate => $cert, subject => "Пакет $_") } 1 .. 12;
$hd->staff_says($agent, $_, 'solution', 'Готово') for @batch;
ok(wait_closed(8, @batch), 'a dozen solved tickets all close');
my $pids = closer_pids(@batch);
is(scalar(keys %$pids), 1, 'one process did all of it')
    or diag(explain($pids));
my ($holder) = keys %$pids;
my %workers = map { $_ => 1 } $hd->worker_pids;
ok($workers{$holder}, '... one of the four workers');
is((grep { scalar(closings($_)) == 1 } @batch), 12, '... each closed once');

# kill -9 of the holder: another worker takes over within an interval
kill 'KILL', $holder;
# a kept-alive connection to the killed worker fails once: open new ones
sleep 0.2;
$_->get('/') for $kate, $agent;
my @after = map { $hd->ticket($kate, certificate => $cert, subject => "После $_") } 1 .. 6;
$hd->staff_says($agent, $_, 'solution', 'Готово') for @after;
my $solved_at = time;
ok(wait_closed(6, @after), 'after kill -9 of the holder the tickets still close');
my $took = time - $solved_at;
ok($took < 2 + 1.5, sprintf('... in %.1f s (2 s period + the timer)', $took));
$pids = closer_pids(@after);
ok(!$pids->{$holder} && keys %$pids == 1, '... by one other process')
    or diag(explain($pids));

# a reload in the middle of a sweep: nothing twice, nothing missed
my @many = map { $hd->ticket($kate, certificate => $cert, subject => "Много $_") } 1 .. 60;
$hd->staff_says($agent, $_, 'solution', 'Готово') for @many;
my $t0 = time;
# the first of them fall due 2 s after their solution: reload as they do
sleep 0.1 while time < $t0 + 1.2;
$hd->reload;
ok(wait_closed(10, @many), 'after a reload during the sweep every ticket closes');
my @counts = map { scalar closings($_) } @many;
is((grep { $_ == 1 } @counts), 60, '... each exactly once (one audit record each)');
my $events = 0;
for my $x (@many) {
    $events += grep { $_->{kind} eq 'event' && $_->{event}{action} eq 'autoclosed' }
               @{ $kate->api('GET', "tickets/$x")->{json}{messages} };
}
is($events, 60, '... and one event each');
my $mails = grep { $_->{kind} eq 'ticket_autoclosed' } $hd->outbox;
is($mails, 1 + 1 + 1 + 12 + 6 + 60, '... and one e-mail each');

my ($rc, $out) = $hd->cli('check');
is($rc, 0, 'the data checks consistent') or diag($out);
unlike($hd->error_log, qr/\[error\].*helpdesk timer/, 'the timer logged no error');

$hd->finish(allow => qr/exited on signal 9/);
done_testing;
