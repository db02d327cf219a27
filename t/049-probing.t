# Who has an account cannot be found out by probing (SPEC §7.1, §12): a
# registration is answered the same whether its address or login is taken
# or free (the address's owner is told by mail, at most five mails an hour);
# every registration from one client address counts, so that a 429 comes
# whatever was asked and tells nothing. A change of address on the profile
# still says "taken" to a person, and those answers are limited per client
# address (helpdesk_probe_limit), also when the probes arrive at once.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

my $hd = Helpdesk::Test->new(http => 'helpdesk_probe_limit 3 per=1h;')->start;
$hd->user('known');

sub register {
    my ($c, $email, $login) = @_;
    return $c->api('POST', 'accounts', { email => $email, login => $login, password => 'probe password 1',
                                         name => 'Probe' });
}

my $prober = $hd->client;
my $taken = register($prober, 'known@example.com', 'probe1');
my $free = register($prober, 'nobody-has-this@example.com', 'probe2');
my $login = register($prober, 'fresh@example.com', 'known');
is($taken->{status}, 202, 'a taken address: 202');
is($free->{status}, 202, 'a free address: 202');
is($login->{status}, 202, 'a taken login: 202');
s/"(email|login)":"[^"]*"/"$1":"."/g for my ($a, $b, $c) = map { $_->{content} } $taken, $free, $login;
is($a, $b, '... the answers differ in nothing but the address and login echoed');
is($c, $b, '... for the login too');

# the owner of the taken address hears of it, never more than five times
register($prober, 'known@example.com', "again$_") for 1 .. 8;
my @told = grep { $_->{to} eq 'known@example.com' } $hd->outbox;
ok(scalar(grep { $_->{kind} eq 'account_exists' } @told), 'the owner of the taken address is told someone tried');
is(scalar(grep { $_->{kind} =~ /^account_(exists|confirm)$/ } @told), 5,
   '... registrations mail an address at most five times an hour (its own link counted)');

# every registration from one client address counts: 30 an hour
my ($limited, $n) = (0, 0);
for my $i (1 .. 40) {
    my $res = register($prober, "addr$i\@example.com", "addr$i");
    if ($res->{status} == 429) {
        $limited = $res;
        last;
    }
    $n++;
}
ok($limited, 'registrations from one client address are limited, whatever they name');
is($limited && $limited->{json}{error}{code}, 'too_many_requests', '... too_many_requests');
ok($limited && ($limited->{headers}{'retry-after'} // 0) > 0, '... with Retry-After');
my ($rc, $out) = $hd->cli('stats');
my ($accounts) = $out =~ /^accounts\s+(\d+)/m;
is($accounts, 1, '... and none of these made an account (only links went out)') or diag($out);

# the HTML form says it in words
my $csrf = $prober->form_csrf('/register');
my $page = $prober->post_form('/register', { csrf => $csrf, email => 'known@example.com', login => 'probe6',
                                             password => 'probe password 1', name => 'Probe' });
is($page->{status}, 429, 'the form: 429 too');
like($page->{content}, qr/<h1|role="alert"/, '... as a page for people');



# a change of address on the profile counts the same way
my $other = Helpdesk::Test->new(http => 'helpdesk_probe_limit 2 per=1h;')->start;
$other->user('first');
my $me = $other->user('second');
is($me->api('POST', 'me/email', { email => 'first@example.com' })->{json}{error}{code}, 'email_taken',
   'a change to a taken address: email_taken');
# the registrations of the test's own users were from this address too, but
# made accounts: they do not count
is($me->api('POST', 'me/email', { email => 'first@example.com' })->{status}, 409, '... a second time');
my $res = $me->api('POST', 'me/email', { email => 'first@example.com' });
is($res->{status}, 429, '... a third: 429');
ok($res->{headers}{'retry-after'}, '... with Retry-After');
$other->finish;

# probes sent at once (a change of address to a taken one): counted one
# after another
my $burst = Helpdesk::Test->new(http => 'helpdesk_probe_limit 5 per=1h;')->start;
$burst->user('target');
my $mover = $burst->user('mover');
my %status;
$status{$_}++ for $burst->at_once(30, sub { $mover->api('POST', 'me/email', { email => 'target@example.com' })->{status} });
is(($status{409} // 0) + ($status{429} // 0), 30, '30 probes at once: each answered');
is($status{409} // 0, 5, '... exactly the limit of 5 said the address is taken');
$burst->finish;

$hd->finish;

my ($trc, $tout) = Helpdesk::Test->new->nginx_t(http => 'helpdesk_probe_limit 0 per=1h;');
like($tout, qr/helpdesk_probe_limit: invalid number "0"/, 'a bad helpdesk_probe_limit fails nginx -t, naming it');
($trc, $tout) = Helpdesk::Test->new->nginx_t(http => 'helpdesk_probe_limit 5 every=1h;');
like($tout, qr/helpdesk_probe_limit: invalid parameter "every=1h"/, '... and a bad window');

done_testing;
