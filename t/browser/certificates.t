# The certificate wizard and "My certificates" in a real browser.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Helpdesk::Test;
use Helpdesk::Browser qw(browser_script);

my $hd = Helpdesk::Test->new->start;
my $type = $hd->catalog;
my ($cert) = $hd->issue($type);
$hd->issue($type, '--number', 'OLD-2024', '--from', '2024-01-01', '--until', '2024-12-31', '--no-code');
$hd->user('vera', password => 'vera password 12', client => { lang => 'en' });
$hd->cli('certs', 'assign', 'OLD-2024', '--account', 'vera');

browser_script('certificates.mjs', $hd->url('/'), 'vera', 'vera password 12', @$cert);
$hd->finish;

done_testing;
