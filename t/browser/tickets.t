# A ticket's life in a real browser: log in, create a ticket with an
# attached screenshot, see it in the list with the counts, open it, reply,
# close it once support has given a solution, rate it.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Helpdesk::Test;
use Helpdesk::Browser qw(browser_script);

my $hd = Helpdesk::Test->new->start;
my $type = $hd->catalog(limit => 2);
my $ua = $hd->user('tina', password => 'tina password 12', client => { lang => 'en' });
my $cert = $hd->certificate($ua, $type);

# support answers through the staff API with a personal token
my $agent = $hd->staff('agent7', 'agent');
my $token = $agent->api('POST', 'me/tokens', { name => 'browser test' })->{json}{token};

browser_script('tickets.mjs', $hd->url('/'), 'tina', 'tina password 12', $cert, $token,
               $hd->dir . '/screenshot.png');
$hd->finish;

done_testing;
