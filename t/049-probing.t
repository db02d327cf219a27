# Who has an account cannot be found out by probing (SPEC §12): the answers
# that say an address or login is taken (registration, a change of
# address) are limited per client address; over the limit every such
# request from it is a 429 with Retry-After, which tells nothing, also
# when the probes arrive at once. People keep the clear answer.

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
my $res = register($prober, 'known@example.com', 'probe1');
is($res->{status}, 409, 'a taken address: 409 for a person');
is($res->{json}{error}{code}, 'email_taken', '... saying so, naming the field');
is($res->{json}{error}{field}, 'email', '... the e-mail');
is(register($prober, 'fresh@example.com', 'known')->{json}{error}{code}, 'login_taken', 'a taken login: said too');
is(register($prober, 'known@example.com', 'probe3')->{status}, 409, 'a third taken answer');

$res = register($prober, 'known@example.com', 'probe4');
is($res->{status}, 429, 'a fourth from the same address: 429');
is($res->{json}{error}{code}, 'too_many_requests', '... too_many_requests');
ok(($res->{headers}{'retry-after'} // 0) > 0 && $res->{headers}{'retry-after'} <= 3600,
   "... with Retry-After ($res->{headers}{'retry-after'} s)");
$res = register($prober, 'nobody-has-this@example.com', 'probe5');
is($res->{status}, 429, '... and a free address from it is refused the same way (the 429 tells nothing)');
my ($rc, $out) = $hd->cli('stats');
my ($accounts) = $out =~ /^accounts\s+(\d+)/m;
is($accounts, 1, '... and no account was made') or diag($out);

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
$res = $me->api('POST', 'me/email', { email => 'first@example.com' });
is($res->{status}, 429, '... a third: 429');
ok($res->{headers}{'retry-after'}, '... with Retry-After');
$other->finish;

# probes sent at once: counted one after another
my $burst = Helpdesk::Test->new(http => 'helpdesk_probe_limit 5 per=1h;')->start;
$burst->user('target');
my $client = $burst->client;
my %status;
$status{$_}++ for $burst->at_once(30, sub { register($client, 'target@example.com', "burst$_[0]")->{status} });
is(($status{409} // 0) + ($status{429} // 0), 30, '30 probes at once: each answered');
is($status{409} // 0, 5, '... exactly the limit of 5 said the address is taken');
$burst->finish;

$hd->finish;

my ($trc, $tout) = Helpdesk::Test->new->nginx_t(http => 'helpdesk_probe_limit 0 per=1h;');
like($tout, qr/helpdesk_probe_limit: invalid number "0"/, 'a bad helpdesk_probe_limit fails nginx -t, naming it');
($trc, $tout) = Helpdesk::Test->new->nginx_t(http => 'helpdesk_probe_limit 5 every=1h;');
like($tout, qr/helpdesk_probe_limit: invalid parameter "every=1h"/, '... and a bad window');

done_testing;
