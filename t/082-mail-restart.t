# Nothing lost, nothing sent twice across restarts (SPEC §7.1, §10.2): 500
# messages queued while the relay is down go out after nginx restarts,
# through a reload and another restart in the middle of their delivery,
# each exactly once; after a kill -9 in the middle, none is missing (the
# few in flight at that instant may come twice, which SPEC allows).

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time sleep);
use Helpdesk::Test;
use Helpdesk::Smtp;

my $t = Helpdesk::Test->new;
my $relay = Helpdesk::Smtp->start(dir => $t->dir . '/relay');
my $port = $relay->port;
$relay->stop;

$t->{http} = "helpdesk_smtp 127.0.0.1:$port from=support\@example.com starttls=off "
           . "timeout=3s retry=1s retry_max=1s concurrency=2;";
$t->start;

my $ivan = $t->user('ivan');

sub tickets {
    my ($n, $tag) = @_;
    return map { $t->ticket($ivan, subject => "$tag $_") } 1 .. $n;
}

# how many times each subject of the batch arrived
sub arrivals {
    my ($tag) = @_;
    my %n;
    $n{$_->{subject}}++ for grep { ($_->{subject} // '') =~ /\] [^:]*: \Q$tag\E \d+$/ } $relay->messages;
    return \%n;
}

sub wait_count {
    my ($tag, $count, $timeout) = @_;
    my $deadline = time + ($timeout // 60);
    my $got;
    while (time < $deadline) {
        $got = arrivals($tag);
        last if keys %$got >= $count;
        sleep 0.1;
    }
    return scalar keys %$got;
}

# --- 500 queued, nginx restarted ------------------------------------------

my $t0 = time;
my @batch = tickets(500, 'batch');
diag(sprintf '500 tickets in %.1f s', time - $t0);
is(scalar @batch, 500, '500 tickets while the relay is down');

$t->stop;
$relay->restart('--delay', 10);
$t->start;
ok(wait_count('batch', 100, 30) >= 100, 'after a restart, delivery begins');

$t->reload;
ok(wait_count('batch', 250, 60) >= 250, 'through a reload, it goes on');

$t->stop;
$t->start;
is(wait_count('batch', 500, 90), 500, 'and through another restart: all 500 arrived');
sleep 2;
my $got = arrivals('batch');
is_deeply([grep { $got->{$_} > 1 } sort keys %$got], [], 'none of them twice');
my @left = grep { $_->{state} ne 'sent' } $t->outbox;
is(scalar @left, 0, 'the outbox has sent everything') or diag explain \@left;

# --- kill -9 in the middle ------------------------------------------------

$relay->stop;
my @crash = tickets(200, 'crash');
$relay->restart('--delay', 10);
ok(wait_count('crash', 40, 30) >= 40, 'delivery of 200 more is under way');
$t->crash;
my $at_crash = scalar keys %{ arrivals('crash') };
$t->start;
is(wait_count('crash', 200, 120), 200, "after kill -9 (at $at_crash of 200) every one arrives");
sleep 2;
$got = arrivals('crash');
my @twice = grep { $got->{$_} > 1 } keys %$got;
ok(@twice <= 10, scalar(@twice) . ' came twice: no more than were in flight when it was killed');
diag(scalar(@twice) . ' of 200 twice after kill -9');
@left = grep { $_->{state} ne 'sent' } $t->outbox;
is(scalar @left, 0, 'the outbox has sent everything') or diag explain \@left;

$t->finish;
done_testing;
