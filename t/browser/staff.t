# The staff console in a real browser: an agent logs in, opens the queue,
# takes the newest ticket, asks the customer for information and, once the
# customer has answered, provides a solution.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Helpdesk::Test;
use Helpdesk::Browser qw(browser_script);

my $hd = Helpdesk::Test->new->start;
my $type = $hd->catalog(limit => 5);
my $kate = $hd->user('kate', name => 'Kate Customer');
my $cert = $hd->certificate($kate, $type);
my $agent = $hd->staff('agent7', 'agent', departments => '1', name => 'Agent Seven');

# two older tickets, then the newest
$hd->ticket($kate, certificate => $cert, subject => "An older problem $_") for 1 .. 2;
my $newest = $hd->ticket($kate, certificate => $cert, subject => 'Signing fails with 0x80090008');

# the customer answers through the API with a personal token
my $token = $kate->api('POST', 'me/tokens', { name => 'browser test' })->{json}{token};
die 'no token' unless $token;

browser_script('staff.mjs', $hd->url('/'), 'agent7', 'agent7-password-1', $newest, $token);

# what the browser did, as the customer and the outbox see it
my $t = $kate->api('GET', "tickets/$newest")->{json};
is($t->{status}, 'solved', 'the customer sees the ticket solved');
ok($hd->last_mail('ticket_info_request', 'kate@example.com'), 'the information request was mailed');
ok($hd->last_mail('ticket_solution', 'kate@example.com'), 'so was the solution');
$hd->finish;

done_testing;
