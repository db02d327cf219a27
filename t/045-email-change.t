# E-mail change (SPEC §3): confirmed by a link sent to the new address; until
# then the old address stays; the account keeps everything.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

my $hd = Helpdesk::Test->new->start;
my $ua = $hd->user('eve', client => { lang => 'en' });
$hd->user('taken');
my $id = $ua->api('GET', 'me')->{json}{id};

my $res = $ua->api('POST', 'me/email', { email => 'not an address' });
is($res->{status}, 422, 'a bad new address is refused');
$res = $ua->api('POST', 'me/email', { email => 'TAKEN@example.com' });
is($res->{status}, 409, 'an address of another account is refused');
is($res->{json}{error}{field}, 'email', '... naming the field');
$res = $ua->api('POST', 'me/email', { email => 'EVE@example.com' });
is($res->{json}{error}{code}, 'email_same', 'the same address is refused');

$res = $ua->api('POST', 'me/email', { email => 'eve.new@example.org' });
is($res->{status}, 202, 'a change of address is asked for');

my $confirm = $hd->last_mail('email_change', 'eve.new@example.org');
ok($confirm, 'a confirmation mail goes to the new address');
my ($link) = $confirm->{body} =~ m{http://[^/]+(/email/confirm\?token=[\w-]{43})};
ok($link, '... with a link');
ok($hd->last_mail('email_change_notice', 'eve@example.com'), 'the old address is told');

is($ua->api('GET', 'me')->{json}{email}, 'eve@example.com', 'until confirmed, the old address stays');
is($hd->client->api('POST', 'session', { login => 'eve@example.com', password => 'eve-password-1' })->{status},
   200, '... and logs in');

# the link opens a page with a button: a mail scanner following it confirms nothing
my $web = $hd->client(lang => 'en');
$res = $web->get($link);
is($res->{status}, 200, 'the link opens a confirmation page');
like($res->{content}, qr{notifications go to: <strong>eve\.new\@example\.org</strong>}, '... showing the new address');
is($ua->api('GET', 'me')->{json}{email}, 'eve@example.com', '... without changing anything yet');

my ($token) = $res->{content} =~ /name="token" value="([^"]+)"/;
my ($csrf) = $res->{content} =~ /name="csrf" value="([^"]+)"/;
$res = $web->post_form('/email/confirm', { csrf => $csrf, token => $token });
is($res->{status}, 303, 'the button confirms');
like($res->{headers}{location}, qr{/login\?notice=email_changed$}, '... and says so');

my $me = $ua->api('GET', 'me')->{json};
is($me->{email}, 'eve.new@example.org', 'the account has the new address');
is($me->{id}, $id, '... and is the same account (keeping its tickets and certificates)');
is($me->{login}, 'eve', '... and login');
is($hd->client->api('POST', 'session', { login => 'eve.new@example.org', password => 'eve-password-1' })->{status},
   200, 'the new address logs in');
is($hd->client->api('POST', 'session', { login => 'eve@example.com', password => 'eve-password-1' })->{status},
   401, 'the old one no longer does');

$res = $web->post_form('/email/confirm', { csrf => $csrf, token => $token });
is($res->{status}, 404, 'the link works once');

# through the API, and a race with another account taking the address
$ua->api('POST', 'me/email', { email => 'contested@example.com' });
my ($t2) = $hd->last_mail('email_change', 'contested@example.com')->{body} =~ /token=([\w-]{43})/;
$hd->user('contester', email => 'contested@example.com');
$res = $hd->client->api('POST', 'email/confirm', { token => $t2 });
is($res->{status}, 409, 'confirming an address taken meanwhile is a conflict');
is($ua->api('GET', 'me')->{json}{email}, 'eve.new@example.org', '... and changes nothing');

my ($rc, $out) = $hd->cli('check');
like($out, qr/^consistent$/m, 'the indexes stay consistent');

$hd->finish;

done_testing;
