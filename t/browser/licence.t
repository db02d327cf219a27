# Registering with a licence in a real browser (issue 16): a company made,
# and the licence conflict explained.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Helpdesk::Test;
use Helpdesk::Browser qw(browser_script);

use Helpdesk::Smtp;
my $hd = Helpdesk::Test->new;
my $relay = Helpdesk::Smtp->start(dir => $hd->dir . '/relay');
$hd->{http} = 'helpdesk_smtp 127.0.0.1:' . $relay->port . ' from=support@example.com starttls=off retry=1s;';
$hd->start;
my $type = $hd->catalog(name => 'Kaspersky Endpoint Security', kind => 'contract');
my ($lic) = $hd->issue($type);
browser_script('licence.mjs', $hd->url('/'), $lic->[0], $lic->[1], $relay->dir);
$hd->finish;

done_testing;
