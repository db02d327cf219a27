# Live pages (issue 17): a ticket page learns of a change without a reload,
# and an agent sees within seconds that another agent has the same ticket
# open or is writing a reply; the check itself is one cheap read.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Helpdesk::Test;
use Helpdesk::Browser qw(browser_script);

my $hd = Helpdesk::Test->new->start;
my $type = $hd->catalog(limit => 3);
my $ua = $hd->user('lena', password => 'lena password 12', client => { lang => 'en' });
my $n = $hd->ticket($ua, subject => 'Signing fails');
my $ivan = $hd->staff('ivan', 'agent', name => 'Ivan Petrov');
my $boss = $hd->staff('boss', 'administrator', name => 'Olga Boss');

# the API: the version, and no presence for customers
my $res = $ua->api('GET', "tickets/$n/live");
is($res->{status}, 200, 'GET tickets/{n}/live for its customer');
like($res->{json}{version}, qr/^\d+$/, '... a version');
is_deeply($res->{json}{others}, [], '... and nobody else listed to a customer');
is($hd->user('stranger')->api('GET', "tickets/$n/live")->{status}, 404, "another customer's ticket: 404");
is($ua->api('GET', "staff/tickets/$n/live")->{status}, 403, 'the staff route is not for customers');

my $custToken = $ua->api('POST', 'me/tokens', { name => 'live test' })->{json}{token};
my $ivanToken = $ivan->api('POST', 'me/tokens', { name => 'live test' })->{json}{token};

browser_script('live.mjs', $hd->url('/'), $n, 'ivan', 'ivan-password-1', 'boss', 'boss-password-1',
               'lena', 'lena password 12', $custToken, $ivanToken);
$hd->finish;

done_testing;
