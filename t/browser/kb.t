# The knowledge base in a real browser: suggestions appear as a customer
# types a ticket's subject, "this solved my problem" ends the draft
# without a ticket; the article editor shows the text as readers will see
# it while it is typed.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Helpdesk::Test;
use Helpdesk::Browser qw(browser_script);

my $hd = Helpdesk::Test->new->start;
my $admin = $hd->staff('editor', 'administrator');
my $res = $admin->api('POST', 'staff/kb/articles',
                      { title => 'The token is not detected', language => 'en', audience => 'public',
                        state => 'published',
                        body => 'Reinstall the token driver and try another USB port.' });
is($res->{status}, 201, 'an article');
my $ua = $hd->user('tina', password => 'tina password 12', client => { lang => 'en' });

browser_script('kb.mjs', $hd->url('/'), 'tina', 'tina password 12', 'editor', 'editor-password-1',
               $res->{json}{id});

is($ua->api('GET', 'tickets?show=all')->{json}{total}, 0, 'no ticket was made');
is($admin->api('GET', 'staff/kb/report')->{json}{deflections}, 1, 'the deflection is counted');
$hd->finish;

done_testing;
