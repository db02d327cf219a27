# Registering, logging in and out, and the profile, in a real browser.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Helpdesk::Test;
use Helpdesk::Browser qw(browser_script);

my $hd = Helpdesk::Test->new->start;
browser_script('accounts.mjs', $hd->url('/'));
$hd->finish;

done_testing;
