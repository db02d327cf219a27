# Attacks on sessions (SPEC §3, §12; issue 19, the session family): a
# session planted before login, a stolen cookie after logout, requests
# forged from another site or with another session's token, a reset link
# used twice, a password change that must end the other sessions, a revoked
# API token. Each case says what it proves.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $victim = $hd->user('victim', password => 'victim password 1');
$victim->api('DELETE', 'session');

# --- fixation: a session chosen by the attacker is never adopted ---

my $planted = 'P' x 43;
my $web = $hd->client;
$web->cookies->{hd_session} = $planted;
my $res = $web->api('POST', 'session', { login => 'victim', password => 'victim password 1' });
is($res->{status}, 200, 'a login from a browser carrying a planted session cookie');
my @cookies = ref $res->{headers}{'set-cookie'} ? @{ $res->{headers}{'set-cookie'} }
                                               : ($res->{headers}{'set-cookie'} // ());
my ($session) = grep { /^hd_session=[^;]+/ } @cookies;
my ($set) = ($session // '') =~ /^hd_session=([^;]*)/;
ok($set && $set ne $planted, '... gets a new session, not the planted one');
my $attacker = $hd->client;
$attacker->cookies->{hd_session} = $planted;
is($attacker->api('GET', 'me')->{status}, 401, '... and the planted value opens nothing');

# the cookie: not for scripts, not for other sites
like($session // '', qr/HttpOnly/i, 'the session cookie is HttpOnly');
like($session // '', qr/SameSite=(Lax|Strict)/i, '... SameSite');
like($session // '', qr/Path=\//, '... for the portal\'s path');

# --- logout ends the session on the server ---

my $stolen = $web->cookies->{hd_session};
$web->{csrf} = $res->{json}{csrf_token};
is($web->api('DELETE', 'session')->{status}, 204, 'logout');
my $thief = $hd->client;
$thief->cookies->{hd_session} = $stolen;
is($thief->api('GET', 'me')->{status}, 401, 'a cookie copied before the logout is worth nothing after it');

# --- forged requests ---

my $ua = $hd->client;
$ua->login('victim', 'victim password 1');
my $token = $ua->csrf;
$ua->{csrf} = undef;
$res = $ua->api('PATCH', 'me', { name => 'Взломан' });
is($res->{status}, 403, 'an API write with the session cookie but no X-CSRF-Token: 403');
$ua->{csrf} = 'x' x 43;
is($ua->api('PATCH', 'me', { name => 'Взломан' })->{status}, 403, '... with a made-up token: 403');
my $other = $hd->user('other');
$ua->{csrf} = $other->csrf;
is($ua->api('PATCH', 'me', { name => 'Взломан' })->{status}, 403, "... with another session's token: 403");
$ua->{csrf} = $token;
is($ua->api('GET', 'me')->{json}{name}, 'User victim', '... and the name never changed');

$res = $ua->post_form('/profile', { name => 'Взломан', phone => '', organisation => '', language => 'ru' });
is($res->{status}, 403, 'a form posted without its csrf field: 403');
$res = $ua->post_form('/profile', { csrf => $other->csrf, name => 'Взломан', phone => '', organisation => '',
                                    language => 'ru' });
is($res->{status}, 403, "... with another session's csrf field: 403");
is($ua->api('GET', 'me')->{json}{name}, 'User victim', '... still unchanged');

# --- a reset link works once ---

$hd->client->api('POST', 'password/forgot', { email => 'victim@example.com' });
my ($mail) = grep { $_->{kind} eq 'password_reset' } reverse $hd->outbox;
my ($reset) = $hd->mail($mail->{id})->{body} =~ /token=([\w-]{43})/;
ok($reset, 'a reset link');
is($hd->client->api('POST', 'password/reset', { token => $reset, password => 'victim password 2' })->{status}, 200,
   '... sets a new password once');
$res = $hd->client->api('POST', 'password/reset', { token => $reset, password => 'attacker password 1' });
like($res->{status}, qr/^4\d\d$/, '... and is refused the second time');
is($res->{json}{error}{code}, 'token_invalid', '... token_invalid');
is($ua->api('GET', 'me')->{status}, 401, 'the reset ended the sessions that were open');
is($hd->client->api('POST', 'session', { login => 'victim', password => 'attacker password 1' })->{status}, 401,
   "the second use's password is not the account's");

# --- a password change ends the other sessions, keeps this one ---

my $a = $hd->client; $a->login('victim', 'victim password 2');
my $b = $hd->client; $b->login('victim', 'victim password 2');
is($a->api('POST', 'me/password', { current_password => 'victim password 2', password => 'victim password 3' })->{status},
   200, 'a password change');
is($a->api('GET', 'me')->{status}, 200, '... keeps the session that made it');
is($b->api('GET', 'me')->{status}, 401, '... and ends the other one (a thief\'s)');

# --- API tokens ---

$res = $a->api('POST', 'me/tokens', { name => 'script' });
is($res->{status}, 201, 'an API token');
my ($id, $secret) = @{ $res->{json} }{qw(id token)};
my $bot = $hd->client;
is($bot->api('GET', 'me', undef, headers => { Authorization => "Bearer $secret" })->{status}, 200, '... works');
is($a->api('DELETE', "me/tokens/$id")->{status}, 204, '... is revoked');
is($bot->api('GET', 'me', undef, headers => { Authorization => "Bearer $secret" })->{status}, 401,
   '... and is worth nothing after');
is($bot->api('GET', 'me', undef, headers => { Authorization => 'Bearer ' . ('A' x 43) })->{status}, 401,
   'a made-up bearer token: 401');

$hd->finish;

done_testing;
