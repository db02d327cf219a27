# The profile (SPEC §3): details and language, password change with the
# current password, personal API tokens used as Bearer and revoked.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $ua = $hd->user('paul', client => { lang => 'ru' });

# details and language through the form
my $page = $ua->get('/profile');
is($page->{status}, 200, 'the profile page');
like($page->{content}, qr/<h1>Профиль<\/h1>/, '... in Russian');
my ($csrf) = $page->{content} =~ /name="csrf" value="([^"]+)"/;
my $res = $ua->post_form('/profile', { csrf => $csrf, name => 'Павел Орлов', phone => '+7 812 000-00-00',
                                       organisation => 'НИИ', language => 'en' });
is($res->{status}, 303, 'saving details');
like($res->{headers}{'set-cookie'}, qr/hd_lang=en/, '... switches this browser to the chosen language');
$page = $ua->get('/profile?notice=profile_saved');
like($page->{content}, qr/Your changes are saved\./, '... and says so, in English now');
like($page->{content}, qr/value="Павел Орлов"/, '... showing the new name');

my $me = $ua->api('GET', 'me')->{json};
is_deeply([ @$me{qw(name phone organisation language)} ], [ 'Павел Орлов', '+7 812 000-00-00', 'НИИ', 'en' ],
          'the account has the new details');

$res = $ua->post_form('/profile', { csrf => $csrf, name => '', phone => 'nope', organisation => '', language => 'en' });
is($res->{status}, 422, 'bad details come back');
like($res->{content}, qr/Give your full name\./, '... naming the name');
like($res->{content}, qr/A phone number: digits/, '... and the phone');
is($ua->api('GET', 'me')->{json}{name}, 'Павел Орлов', '... and nothing changed');

$res = $ua->api('PATCH', 'me', { language => 'de' });
is($res->{status}, 422, 'an unknown language is refused');
$res = $ua->api('PATCH', 'me', { organisation => '' });
is($res->{json}{organisation}, '', 'PATCH clears a field given empty');
is($res->{json}{phone}, '+7 812 000-00-00', '... and leaves the absent ones');

# password change
my $other = $hd->client;
$other->login('paul', 'paul-password-1');
$res = $ua->api('POST', 'me/password', { current_password => 'not my password', password => 'a new password 1' });
is($res->{status}, 422, 'a wrong current password is refused');
is($res->{json}{error}{field}, 'current_password', '... naming it');
$res = $ua->api('POST', 'me/password', { password => 'a new password 1' });
is($res->{json}{error}{code}, 'password_required', 'the current password is required');
$res = $ua->api('POST', 'me/password', { current_password => 'paul-password-1', password => 'a new password 1' });
is($res->{status}, 200, 'the password is changed');
is($ua->api('GET', 'me')->{status}, 200, 'this session goes on');
is($other->api('GET', 'me')->{status}, 401, 'the other session has ended');
is($hd->client->api('POST', 'session', { login => 'paul', password => 'a new password 1' })->{status}, 200,
   'the new password logs in');

# API tokens
$res = $ua->api('POST', 'me/tokens', { name => '' });
is($res->{status}, 422, 'a token needs a name');
$res = $ua->api('POST', 'me/tokens', { name => 'backup script' });
is($res->{status}, 201, 'a token is created');
my $token = $res->{json}{token};
like($token, qr/^hdt_[\w-]{43}$/, '... shown once, with a prefix that scanners recognise');
my $token_id = $res->{json}{id};

my $script = $hd->client;
$res = $script->request('GET', '/api/v1/me', headers => { Authorization => "Bearer $token" });
is($res->{status}, 200, 'the token works as Authorization: Bearer');
is($res->{json}{login}, 'paul', '... for its account');
$res = $script->api('PATCH', 'me', { organisation => 'Через токен' }, headers => { Authorization => "Bearer $token" });
is($res->{status}, 200, '... and needs no CSRF token (no browser sends it by itself)');

$res = $ua->api('GET', 'me/tokens');
is(scalar @{ $res->{json}{tokens} }, 1, 'the list shows it');
is($res->{json}{tokens}[0]{name}, 'backup script', '... by name');
ok(!exists $res->{json}{tokens}[0]{token}, '... never the secret again');
my $db = Helpdesk::Test::read_file($hd->data . '/data.mdb');
ok(index($db, substr($token, 4)) < 0, 'the token is stored only as a hash');

# another account cannot revoke it
my $mallory = $hd->user('mallory');
is($mallory->api('DELETE', "me/tokens/$token_id")->{status}, 404, 'another account cannot revoke it: 404');

# through the page: created, shown once, revoked
$page = $ua->get('/profile');
($csrf) = $page->{content} =~ /name="csrf" value="([^"]+)"/;
$res = $ua->post_form('/profile/tokens', { csrf => $csrf, token_name => 'браузер' });
is($res->{status}, 201, 'a token created on the page');
like($res->{content}, qr{<code class="secret" id="new-token">hdt_[\w-]{43}</code>}, '... shown on that page');
unlike($ua->get('/profile')->{content}, qr/hdt_/, '... and never again');

$res = $ua->api('DELETE', "me/tokens/$token_id");
is($res->{status}, 204, 'the token is revoked');
$res = $script->request('GET', '/api/v1/me', headers => { Authorization => "Bearer $token" });
is($res->{status}, 401, 'and stops working at once');
like($res->{headers}{'www-authenticate'} // '', qr/Bearer/, '... with WWW-Authenticate: Bearer');
is($script->request('GET', '/api/v1/me', headers => { Authorization => 'Bearer hdt_nonsense' })->{status}, 401,
   'a made-up token is a 401');

$hd->finish;

done_testing;
