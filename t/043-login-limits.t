# Failed logins are limited per account and per address (SPEC §12): 429 with
# Retry-After, the same for unknown accounts, lifted after the window.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep time);
use Helpdesk::Test;

my $hd = Helpdesk::Test->new(http => 'helpdesk_login_limit 3 per=4s;')->start;
$hd->user('lim');
$hd->user('other');

my $c = $hd->client;
for (1 .. 3) {
    is($c->api('POST', 'session', { login => 'lim', password => "wrong $_ password" })->{status}, 401,
       "failed login $_ of 3");
}
my $res = $c->api('POST', 'session', { login => 'lim', password => 'lim-password-1' });
is($res->{status}, 429, 'then even the right password is refused: 429');
is($res->{json}{error}{code}, 'too_many_attempts', '... saying why');
ok($res->{headers}{'retry-after'} >= 1 && $res->{headers}{'retry-after'} <= 4,
   "... with Retry-After ($res->{headers}{'retry-after'} s)");

# the same for an account that does not exist: no enumeration
for (1 .. 3) {
    $c->api('POST', 'session', { login => 'ghost', password => "wrong $_ password" });
}
my $ghost = $c->api('POST', 'session', { login => 'ghost', password => 'whatever 1234' });
is($ghost->{status}, 429, 'an unknown account is limited the same way');
is($ghost->{json}{error}{code}, $res->{json}{error}{code}, '... with the same answer');

# and in time: an unknown account costs a hash too
my $t0 = time;
$hd->client->api('POST', 'session', { login => 'nobody-at-all', password => 'x' x 12 });
my $unknown = time - $t0;
$t0 = time;
$hd->client->api('POST', 'session', { login => 'other', password => 'x' x 12 });
my $known = time - $t0;
cmp_ok($unknown, '>', 0.5 * $known, sprintf('an unknown account takes as long as a wrong password (%.0f ms vs %.0f ms)',
                                            1000 * $unknown, 1000 * $known));

sleep 4.2;
$res = $c->api('POST', 'session', { login => 'lim', password => 'lim-password-1' });
is($res->{status}, 200, 'after the window the limit is lifted');

$hd->finish;

# per address: one address trying many accounts
my $addr = Helpdesk::Test->new(http => 'helpdesk_login_limit 4 per=1h;')->start;
$addr->user('victim');
my $attacker = $addr->client;
for my $i (1 .. 4) {
    $attacker->api('POST', 'session', { login => "user$i", password => 'guess guess 1' });
}
$res = $attacker->api('POST', 'session', { login => 'victim', password => 'victim-password-1' });
is($res->{status}, 429, 'four failures from one address on four accounts: the address is limited');
$addr->finish;

# guesses sent at once, each on another account: the address's limit holds
# while the first ones are still being hashed
my $burst = Helpdesk::Test->new(http => 'helpdesk_login_limit 5 per=1h;')->start;
my $client = $burst->client;
my %status;
$status{$_}++ for $burst->at_once(40, sub {
    $client->api('POST', 'session', { login => "burst$_[0]", password => 'guess guess 1' })->{status};
});
is(($status{401} // 0) + ($status{429} // 0), 40, '40 wrong logins at once from one address: each answered');
cmp_ok($status{401} // 0, '<=', 5, "... no more than the limit of 5 checked (" . ($status{401} // 0) . ")");
is($status{429} // 0, 40 - ($status{401} // 0), '... the rest refused with 429');
$burst->finish;

# people behind one address who log in are not guessing: successes do not
# add up to the address's limit
my $office = Helpdesk::Test->new(http => 'helpdesk_login_limit 3 per=1h;')->start;
$office->user("clerk$_") for 1 .. 6;
is($office->client->api('POST', 'session', { login => 'clerk1', password => 'clerk1-password-1' })->{status}, 200,
   'six people of one address logged in, a seventh login still goes through');
$office->finish;

my ($rc, $out) = Helpdesk::Test->new->nginx_t(http => 'helpdesk_login_limit 0 per=1m;');
like($out, qr/helpdesk_login_limit: invalid number "0"/, 'a bad helpdesk_login_limit fails nginx -t');

done_testing;
