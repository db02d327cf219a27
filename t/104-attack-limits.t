# Attacks on the limits (SPEC §12; issue 19, the limits family): bodies that
# are too many, too big, too deep or too slow; a flood of wrong logins at
# once. The portal refuses each with a clear answer and keeps serving.
# (The login and probing limits in depth: t/043, t/049.)

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(sleep time);
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new(http => 'helpdesk_upload_limits file=100k message=250k count=3;')->start;
my $ua = $hd->user('flood');
my %t = (subject => 'Лимиты', description => 'x', category => 'technical', type => 'bug', severity => 3);

# --- too many, too big, too deep ---

my $form = join '&', map { "f$_=$_" } 1 .. 101;
my $res = $ua->request('POST', '/profile', content => $form,
                       headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is($res->{status}, 400, 'a form of 101 fields: 400');

$res = $ua->api('POST', 'tickets', { %t, description => 'я' x (2 << 20) });
is($res->{status}, 413, 'a JSON body of 4 MB: 413');
like($res->{headers}{'content-type'}, qr{^application/json}, '... answered in JSON, as the API is');
is($res->{json}{error}{code}, 'body_too_large', '... body_too_large');

my $deep = ('[' x 100_000) . (']' x 100_000);
$res = $ua->api('POST', 'tickets', "{\"subject\": $deep}");
is($res->{status}, 400, 'JSON nested 100,000 deep: 400, not a crash');
is($res->{json}{error}{code}, 'json_invalid', '... json_invalid');

$res = $ua->post_multipart('tickets', \%t, [ map { [ 'attachments', "f$_.txt", "file $_" ] } 1 .. 4 ], api => 1);
is($res->{status}, 422, 'four files where three are allowed: 422');
$res = $ua->post_multipart('tickets', \%t, [ [ 'attachments', 'big.bin', 'b' x (101 * 1024) ] ], api => 1);
is($res->{status}, 413, 'a file over the limit: 413');
is($ua->api('GET', 'tickets')->{json}{total}, 0, '... and none of them made a ticket');

my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $hd->port) or die;
print $s "GET / HTTP/1.1\r\nHost: x\r\nX-Long: " . ('a' x (1 << 20)) . "\r\n\r\n";
my $answer = '';
sysread($s, $answer, 200);
like($answer, qr{^HTTP/1\.1 (400|413|414|431|494)}, 'a 1 MB header line: refused by nginx');
close $s;

# --- slow clients do not take the portal down ---

my @slow;
for (1 .. 200) {
    my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $hd->port) or last;
    print $c "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n";
    push @slow, $c;
}
is(scalar @slow, 200, '200 connections each sending half a request');
my $t0 = time;
is($hd->client->get('/')->{status}, 200, '... while the landing page answers');
cmp_ok(time - $t0, '<', 2, '... quickly');
is($ua->api('GET', 'me')->{status}, 200, '... and a signed-in read too');
close $_ for @slow;

# --- wrong logins at once ---

$hd->user("acct$_") for 1 .. 3;
my @codes = $hd->at_once(30, sub {
    my ($i) = @_;
    my $res = $hd->client->api('POST', 'session', { login => 'acct' . (1 + $i % 3), password => "wrong $i" });
    return $res->{status};
});
my $refused = grep { $_ == 429 } @codes;
my $tried = grep { $_ == 401 } @codes;
cmp_ok($tried, '<=', 5, "30 wrong logins at once from one address: at most the limit (5) are tried ($tried)");
is($refused + $tried, 30, '... the rest refused with 429');

$hd->finish;

done_testing;
