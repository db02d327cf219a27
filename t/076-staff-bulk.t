# Bulk changes on the staff queue (issue 17): the owner and the priority of
# chosen tickets changed at once, each an audited change of its own as if
# made on its page; a ticket the agent may not touch is refused alone.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

my $hd = Helpdesk::Test->new->start;
my $ua = $hd->user('mira');
my $admin = $hd->staff('chief', 'administrator');
my $agent = $hd->staff('anton', 'agent', departments => '1', name => 'Anton Agent');
my @n = map { $hd->ticket($ua, subject => "Bulk $_") } 1 .. 4;

# one of them moves to another department: not the agent's any more
is($admin->api('PATCH', "staff/tickets/$n[3]", { department => 2 })->{status}, 200, 'a ticket moved to department 2');

my $res = $agent->api('POST', 'staff/tickets/bulk', { tickets => [ @n ], owner => 'me', priority => 'high' });
is($res->{status}, 200, 'POST staff/tickets/bulk');
is($res->{json}{changed}, 3, '... three changed');
is_deeply($res->{json}{failed}, [ $n[3] ], '... the other department\'s refused alone');

for my $k (0 .. 2) {
    my $t = $agent->api('GET', "staff/tickets/$n[$k]")->{json};
    is($t->{owner}, 'Anton Agent', "ticket $n[$k]: the agent's");
    is($t->{priority}, 'high', '... with high priority');
    ok((grep { ($_->{actor} // '') eq 'Anton Agent' } @{ $t->{audit} }) >= 1, '... and the change in its audit, by the agent');
}
my $other = $admin->api('GET', "staff/tickets/$n[3]")->{json};
is($other->{priority}, 'low', 'the refused one keeps its priority (low: no certificate)');
is($other->{owner}, undef, '... and has no owner');

# mistakes: a 422 naming the field, nothing changed
$res = $agent->api('POST', 'staff/tickets/bulk', { tickets => [], owner => 'me' });
is($res->{status}, 422, 'no tickets: 422');
is($res->{json}{error}{field}, 'tickets', '... naming the field');
$res = $agent->api('POST', 'staff/tickets/bulk', { tickets => [ $n[0] ] });
is($res->{status}, 422, 'nothing to change: 422');
$res = $agent->api('POST', 'staff/tickets/bulk', { tickets => [ $n[0] ], priority => 'extreme' });
is($res->{json}{error}{field}, 'priority', 'a bad priority: 422 naming it');
$res = $agent->api('POST', 'staff/tickets/bulk', { tickets => [ 1 .. 101 ], owner => 'me' });
is($res->{json}{error}{field}, 'tickets', 'more than 100 tickets: refused');
is($ua->api('POST', 'staff/tickets/bulk', { tickets => [ $n[0] ], owner => 'me' })->{status}, 403,
   'a customer may not');

# the queue's live check: the count of ticket writes in what it shows
my $v0 = $agent->api('GET', 'staff/queue/live')->{json}{version};
like($v0, qr/^\d+$/, 'GET staff/queue/live: a version');
$hd->ticket($ua, subject => 'One more');
my $v1 = $agent->api('GET', 'staff/queue/live')->{json}{version};
cmp_ok($v1, '>', $v0, '... which grows when a ticket of its departments is written');
my $d2 = $admin->api('GET', 'staff/queue/live?department=2')->{json}{version};
$admin->api('PATCH', "staff/tickets/$n[3]", { priority => 'high' });
cmp_ok($admin->api('GET', 'staff/queue/live?department=2')->{json}{version}, '>', $d2,
       '... per department too');
$res = $agent->api('GET', 'staff/queue/live?department=2');
is($res->{status}, 403, 'an agent outside department 2 is not told its writes (as its queue says 403)');
is($res->{json}{error}{code}, 'department_forbidden', '... saying why');
ok(!exists $res->{json}{version}, '... and no counter');
is($agent->api('GET', 'staff/queue/live?department=x')->{status}, 400, 'a bad department: 400');
is($ua->api('GET', 'staff/queue/live')->{status}, 403, 'not for customers');

$hd->finish;
done_testing;
