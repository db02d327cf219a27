# Ticket forms in a real browser (issue 16): the extra fields shown are the
# chosen category's and type's, a required one left empty is told at its
# field, and the ticket shows the values as a person reads them.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Helpdesk::Test;
use Helpdesk::Browser qw(browser_script);

my $hd = Helpdesk::Test->new->start;
my ($rc, $out) = $hd->cli('forms', 'set', 'technical', 'bug', { stdin =>
    "entity | text | required | Сущность системы | System entity\n"
  . "steps | long | optional | Шаги | Steps to reproduce\n" });
die "forms set: $out" if $rc;
my $ua = $hd->user('fiona', password => 'fiona password 12', client => { lang => 'en' });

browser_script('forms.mjs', $hd->url('/'), 'fiona', 'fiona password 12');
$hd->finish;

done_testing;
