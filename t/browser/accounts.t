# Registering, logging in and out, and the profile, in a real browser.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Helpdesk::Test;
use Helpdesk::Smtp;
use Helpdesk::Browser qw(browser_script);

my $hd = Helpdesk::Test->new;
my $relay = Helpdesk::Smtp->start(dir => $hd->dir . '/relay');
$hd->{http} = 'helpdesk_smtp 127.0.0.1:' . $relay->port . ' from=support@example.com starttls=off retry=1s;';
$hd->start;
browser_script('accounts.mjs', $hd->url('/'), $relay->dir);
$hd->finish;

done_testing;
