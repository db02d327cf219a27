# The landing page in a real browser: Russian, the three buttons, English one
# click away (SPEC §11).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Helpdesk::Test;
use Helpdesk::Browser qw(browser_script);

my $hd = Helpdesk::Test->new->start;
browser_script('landing.mjs', $hd->url('/'));
$hd->finish;

done_testing;
