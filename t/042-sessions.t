# Sessions (SPEC §3, §12): valid in every worker, across reload and restart;
# stored only as hashes; idle and absolute lifetimes; CSRF on every change.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use Helpdesk::Test;

my $hd = Helpdesk::Test->new(http => 'helpdesk_session idle=3s absolute=1h;')->start;

my $ua = $hd->user('sam');
my $token = $ua->cookies->{hd_session};
like($token, qr/^[\w-]{43}$/, 'a 256-bit session token (43 base64url characters)');

# many requests on fresh connections land on both workers
my %pids;
for (1 .. 40) {
    my $c = $hd->client;
    $c->cookies->{hd_session} = $token;
    my $res = $c->api('GET', 'me');
    is($res->{json}{login}, 'sam', 'the session works') if $_ == 1;
    $pids{$1}++ if $hd->access_log =~ /.*\s(\d+) "GET \/api\/v1\/me HTTP\/1.1" 200/s;
}
my @log = $hd->access_log =~ /^\S+ (\d+) "GET \/api\/v1\/me HTTP\/1.1" 200/mg;
my %by_worker = map { $_ => 1 } @log;
cmp_ok(scalar keys %by_worker, '>=', 2, 'the session served by both workers: ' . join(', ', sort keys %by_worker));
is(scalar @log, 40, '... every one of 40 requests');

# only a hash is stored: the token is nowhere in the database file
my $db = Helpdesk::Test::read_file($hd->data . '/data.mdb');
ok(index($db, $token) < 0, 'the session token is not in the database');

$hd->reload;
is($ua->api('GET', 'me')->{status}, 200, 'the session survives nginx -s reload');
$hd->stop->start;
is($ua->api('GET', 'me')->{status}, 200, 'and a restart');

# CSRF: an unsafe API request with the cookie needs the header
my $csrf = $ua->csrf;
$ua->csrf(undef);
my $res = $ua->api('PATCH', 'me', { name => 'Changed Without Token' });
is($res->{status}, 403, 'PATCH /me without X-CSRF-Token is a 403');
is($res->{json}{error}{code}, 'csrf_invalid', '... saying why');
$res = $ua->api('PATCH', 'me', { name => 'Changed With Wrong Token' },
                headers => { 'X-CSRF-Token' => 'A' x 43 });
is($res->{status}, 403, 'a wrong token is a 403');
is($ua->api('GET', 'me')->{json}{name}, 'User sam', '... and nothing changed');
$res = $ua->api('DELETE', 'session');
is($res->{status}, 403, 'even logging out needs it');
$ua->csrf($csrf);
$res = $ua->api('PATCH', 'me', { name => 'Changed Properly' });
is($res->{status}, 200, 'with the right token the change is made');
is($res->{json}{name}, 'Changed Properly', '... and answered');

# forms: the field; another site's form has no token
my $csrf_form = $ua->form_csrf('/profile');
is($csrf_form, $csrf, "the forms carry the session's token");
$res = $ua->post_form('/profile', { name => 'Forged', phone => '', organisation => '', language => 'ru' },
                      headers => { Referer => 'https://evil.example/' });
is($res->{status}, 403, 'a forged form is a 403');
is($ua->api('GET', 'me')->{json}{name}, 'Changed Properly', '... and nothing changed');

# idle lifetime
sleep 4.2;
$res = $ua->api('GET', 'me');
is($res->{status}, 401, 'a session idle longer than its idle lifetime is gone');
like($res->{headers}{'set-cookie'} // '', qr/hd_session=; .*Max-Age=0/, '... and its cookie cleared');

# a forged or malformed cookie is nobody
my $f = $hd->client;
$f->cookies->{hd_session} = 'A' x 43;
is($f->api('GET', 'me')->{status}, 401, 'a made-up session token is a 401');
$f->cookies->{hd_session} = '../../etc/passwd';
is($f->api('GET', 'me')->{status}, 401, 'a malformed one too');

$hd->finish;

# the absolute lifetime ends a session that is used all the time
# (wide margins: under ASan, on a busy machine, a login takes a while)
my $abs = Helpdesk::Test->new(http => 'helpdesk_session idle=1h absolute=6s;')->start;
$ua = $abs->user('ada');
is($ua->api('GET', 'me')->{status}, 200, 'a fresh session');
sleep 2;
is($ua->api('GET', 'me')->{status}, 200, '... used');
sleep 4.5;
is($ua->api('GET', 'me')->{status}, 401, '... ends at its absolute lifetime all the same');
$abs->finish;

# bad lifetimes fail nginx -t
my ($rc, $out) = Helpdesk::Test->new->nginx_t(http => 'helpdesk_session idle=forever;');
isnt($rc, 0, 'a bad helpdesk_session fails nginx -t');
like($out, qr/helpdesk_session: invalid parameter "idle=forever"/, '... naming the value');

done_testing;
