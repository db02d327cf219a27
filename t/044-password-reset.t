# Password reset (SPEC §3): the same answer for known and unknown addresses,
# a one-time link valid 1 hour by e-mail (the outbox), a new password, every
# session ended; the link never in the logs.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $old = $hd->user('rita', name => 'Маргарита');
my $other_device = $hd->client;
$other_device->login('rita', 'rita-password-1');

my $web = $hd->client(lang => 'en');
my $csrf = $web->form_csrf('/password/forgot');
my $known = $web->post_form('/password/forgot', { csrf => $csrf, email => 'RITA@example.com' });
my $unknown = $web->post_form('/password/forgot', { csrf => $csrf, email => 'nobody@example.com' });
is($known->{status}, 200, 'asking for a reset link');
is($unknown->{content}, $known->{content}, 'the same page for an unknown address (no enumeration)');
like($known->{content}, qr/If an account on the portal has this address, we have sent a link/, '... saying what happens');

my @mail = grep { $_->{kind} eq 'password_reset' } $hd->outbox;
is(scalar @mail, 1, 'one reset mail in the outbox, for the known address only');
is($mail[0]{to}, 'rita@example.com', '... to the account\'s address');

my $m = $hd->mail($mail[0]{id});
like($m->{subject}, qr/Смена пароля/, 'in the account\'s language (Russian)');
like($m->{body}, qr/Здравствуйте, Маргарита!/, '... addressed by name');
my ($link) = $m->{body} =~ m{(http://\S+/password/reset\?token=[\w-]{43})};
ok($link, '... with a link to set a new password');
like($link, qr{^http://127\.0\.0\.1:\d+/password/reset}, '... on the portal\'s own address, not the Host header');
like($m->{body}, qr/1 час/, '... saying it works for 1 hour');
like($m->{'message-id'}, qr/^<hd\.\d+\.[0-9a-f]+\@/, 'the mail has a Message-ID');

# the API answers the same way
my $res = $hd->client->api('POST', 'password/forgot', { email => 'nobody@example.com' });
is($res->{status}, 202, 'the API: 202 for an unknown address');
is($res->{json}{status}, 'sent', '... "sent", as for a known one');

# following the link
my ($path) = $link =~ m{^http://[^/]+(/.*)$};
$res = $web->get($path);
is($res->{status}, 200, 'the link opens the new-password form');
my ($token) = $res->{content} =~ /name="token" value="([^"]+)"/;
ok($token, '... carrying the token in the form');
($csrf) = $res->{content} =~ /name="csrf" value="([^"]+)"/;

$res = $web->post_form('/password/reset', { csrf => $csrf, token => $token, password => 'short',
                                            password_confirm => 'short' });
is($res->{status}, 422, 'a too-short new password is refused');
like($res->{content}, qr/at least 10 characters/, '... saying why');
$res = $web->post_form('/password/reset', { csrf => $csrf, token => $token, password => 'brand new secret 1',
                                            password_confirm => 'brand new secret 2' });
is($res->{status}, 422, 'two different passwords are refused');
$res = $web->post_form('/password/reset', { csrf => $csrf, token => $token, password => 'rita',
                                            password_confirm => 'rita' });
is($res->{status}, 422, 'the login as the password is refused');

$res = $web->post_form('/password/reset', { csrf => $csrf, token => $token, password => 'brand new secret 1',
                                            password_confirm => 'brand new secret 1' });
is($res->{status}, 303, 'the new password is set');
like($res->{headers}{location}, qr{/login\?notice=password_reset$}, '... and the login page follows');

is($old->api('GET', 'me')->{status}, 401, 'the old session has ended');
is($other_device->api('GET', 'me')->{status}, 401, 'every session has ended');
is($hd->client->api('POST', 'session', { login => 'rita', password => 'rita-password-1' })->{status}, 401,
   'the old password no longer works');
is($hd->client->api('POST', 'session', { login => 'rita', password => 'brand new secret 1' })->{status}, 200,
   'the new one does');

ok((grep { $_->{kind} eq 'password_changed' && $_->{to} eq 'rita@example.com' } $hd->outbox),
   'the owner is told by mail that the password changed');

$res = $web->get($path);
is($res->{status}, 404, 'the link works once');
like($res->{content}, qr/invalid or has expired/, '... then says it is invalid');
$res = $hd->client->api('POST', 'password/reset', { token => $token, password => 'another secret 123' });
is($res->{status}, 404, 'through the API too');
is($res->{json}{error}{code}, 'token_invalid', '... token_invalid');

# a newer link replaces the older one
$hd->client->api('POST', 'password/forgot', { email => 'rita@example.com' });
$hd->client->api('POST', 'password/forgot', { email => 'rita@example.com' });
my @links = map { ($hd->mail($_->{id})->{body} =~ /token=([\w-]{43})/)[0] }
            grep { $_->{kind} eq 'password_reset' } $hd->outbox;
is(scalar @links, 3, 'three reset mails in all');
$res = $hd->client->api('POST', 'password/reset', { token => $links[1], password => 'older link secret 1' });
is($res->{status}, 404, 'an older link stops working when a newer one is sent');
$res = $hd->client->api('POST', 'password/reset', { token => $links[2], password => 'newest link secret 1' });
is($res->{status}, 200, 'the newest one works, through the API');

# the secret never reaches a log
my $logs = $hd->access_log . $hd->error_log;
for my $t ($token, @links) {
    ok(index($logs, $t) < 0, 'a reset token is not in the logs');
}
like($hd->access_log, qr{"GET /password/reset\?token=\*{43} HTTP}, '... the access log shows it masked');
for my $pw ('brand new secret 1', 'rita-password-1', 'newest link secret 1') {
    ok(index($logs, $pw) < 0, 'a password is not in the logs');
}

$hd->finish;

done_testing;
