# Certificates (SPEC §4): issued by administrators, registered by customers
# through the wizard or the API with every error named, wrong codes limited,
# one winner when two race for a number; "My certificates" and its toggle.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use POSIX qw(_exit);
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $type = $hd->catalog(name => 'Сертификат на ТП (1 год)', limit => 2);
my $admin = $hd->staff('root');

# issuing: the administration page, the API, the CLI
my $page = $admin->get('/admin/certificates');
my ($csrf) = $page->{content} =~ /name="csrf" value="([^"]+)"/;
my $res = $admin->post_form('/admin/certificates', { csrf => $csrf, type => $type, number => '',
                                                     valid_from => '', valid_until => '', with_code => 1 });
is($res->{status}, 201, 'an administrator issues a certificate on the page');
my ($web_number) = $res->{content} =~ /<dd id="issued-number">([^<]+)</;
my ($web_code) = $res->{content} =~ /<code class="secret" id="issued-code">([^<]+)</;
like($web_number, qr/^HD-\d{4}-\d{6}$/, '... a number generated');
like($web_code, qr/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/, '... and an activation code, shown once');
unlike($admin->get('/admin/certificates?q=' . $web_number)->{content}, qr/\Q$web_code\E/,
       '... and never again');
like($admin->get('/admin/certificates?q=' . $web_number)->{content}, qr/не зарегистрирован/, 'the search finds it (in the administrator\'s Russian)');

$res = $admin->api('POST', 'admin/certificates', { type => $type + 0, number => 'API-0001', code => JSON::PP::true() });
is($res->{status}, 201, 'POST /admin/certificates');
my $api_code = $res->{json}{code};
ok($api_code, '... with its code');
$res = $admin->api('POST', 'admin/certificates', { type => $type + 0, number => 'api-0001' });
is($res->{status}, 409, 'a taken number (in another case) is refused');
$res = $admin->api('POST', 'admin/certificates', { type => 999, number => 'X-1' });
is($res->{json}{error}{code}, 'type_unknown', 'an unknown type is refused');
$res = $admin->api('POST', 'admin/certificates', { type => $type + 0, valid_from => '2026-02-30' });
is($res->{json}{error}{field}, 'valid_from', 'a date that does not exist is refused');
is($hd->user('nosy')->api('POST', 'admin/certificates', { type => $type + 0 })->{status}, 403,
   'a customer cannot issue: 403');

my ($valid) = $hd->issue($type);
my ($nocode) = $hd->issue($type, '--number', 'NOCODE-1', '--no-code');
my ($expired) = $hd->issue($type, '--number', 'OLD-1', '--from', '2024-01-01', '--until', '2024-12-31');
my ($future) = $hd->issue($type, '--number', 'NEXT-1', '--from', '2030-01-01', '--until', '2030-12-31');

# the wizard, step by step
my $ua = $hd->user('olga', client => { lang => 'en' });
$page = $ua->get('/certificates/register');
is($page->{status}, 200, 'the wizard opens');
like($page->{content}, qr/Step 1 of 3/, '... on step 1');
($csrf) = $page->{content} =~ /name="csrf" value="([^"]+)"/;

my %errors = (
    'NO-SUCH-1' => qr/No certificate has this number/,
    'OLD-1'     => qr/The certificate has expired/,
    'NEXT-1'    => qr/The certificate is not valid yet/,
);
for my $n (sort keys %errors) {
    $res = $ua->post_form('/certificates/register', { csrf => $csrf, step => 'number', number => $n });
    like($res->{content}, $errors{$n}, "step 1 with $n says why it cannot go on");
    like($res->{content}, qr/Step 1 of 3/, '... and stays on step 1');
}

$res = $ua->post_form('/certificates/register', { csrf => $csrf, step => 'number', number => " $valid->[0] " });
is($res->{status}, 200, 'a good number');
like($res->{content}, qr/Step 2 of 3/, '... leads to step 2');
like($res->{content}, qr/КриптоПро CSP/, '... showing the product');
like($res->{content}, qr/Сертификат на ТП \(1 год\)/, '... the type');
like($res->{content}, qr/12 months/, '... and the term');
like($res->{content}, qr/id="code"/, '... and asking for the activation code');

$res = $ua->post_form('/certificates/register', { csrf => $csrf, step => 'confirm', number => $valid->[0], code => '' });
like($res->{content}, qr/Enter the activation code/, 'no code: step 2 says so');
$res = $ua->post_form('/certificates/register', { csrf => $csrf, step => 'confirm', number => $valid->[0],
                                                  code => 'AAAA-BBBB-CCCC-DDDD' });
is($res->{status}, 422, 'a wrong code');
like($res->{content}, qr/The activation code is wrong/, '... is named');
like($res->{content}, qr/Step 2 of 3/, '... on step 2');

(my $typed = lc $valid->[1]) =~ s/-/ /g;
$res = $ua->post_form('/certificates/register', { csrf => $csrf, step => 'confirm', number => $valid->[0],
                                                  code => $typed });
is($res->{status}, 200, 'the right code (typed in lower case, with spaces)');
like($res->{content}, qr/Step 3 of 3/, '... step 3');
like($res->{content}, qr/The certificate is registered\./, '... says it is registered');
like($res->{content}, qr/id="registered-number">\Q$valid->[0]\E</, '... which one');

# someone else cannot take it
my $other = $hd->user('pyotr');
$res = $other->api('POST', 'certificates', { number => $valid->[0], code => $valid->[1] });
is($res->{status}, 409, 'a certificate registered to another holder');
is($res->{json}{error}{code}, 'cert_registered_elsewhere', '... is refused with a clear code');
$res = $ua->api('POST', 'certificates', { number => $valid->[0], code => $valid->[1] });
is($res->{status}, 200, 'registering one\'s own again is fine (200, not 201)');

# the API
$res = $other->api('POST', 'certificates', { number => 'NOCODE-1' });
is($res->{status}, 201, 'POST /certificates without a code, when the certificate has none');
is_deeply([ @{ $res->{json} }{qw(number product type state)} ],
          [ 'NOCODE-1', 'КриптоПро CSP', 'Сертификат на ТП (1 год)', 'active' ], '... answering what was registered');
like($res->{json}{valid_until}, qr/^\d{4}-\d{2}-\d{2}$/, '... and until when');
is($other->api('POST', 'certificates', { number => '' })->{json}{error}{code}, 'number_required', 'no number: 422');
is($other->api('POST', 'certificates', { number => 'OLD-1', code => $expired->[1] })->{json}{error}{code},
   'cert_expired', 'an expired one through the API');

# wrong codes are limited per account...
my $guesser = $hd->user('guesser');
my ($target) = $hd->issue($type);
for (1 .. 5) {
    $guesser->api('POST', 'certificates', { number => $target->[0], code => "WRONG-$_" });
}
$res = $guesser->api('POST', 'certificates', { number => $target->[0], code => $target->[1] });
is($res->{status}, 429, 'after 5 wrong codes, even the right one waits');
ok($res->{headers}{'retry-after'} > 0, '... with Retry-After');
# ... and per certificate number, whoever guesses
my ($target2) = $hd->issue($type);
for my $i (1 .. 5) {
    $hd->user("guess$i")->api('POST', 'certificates', { number => $target2->[0], code => 'WRONG' });
}
$res = $hd->user("guess6")->api('POST', 'certificates', { number => $target2->[0], code => $target2->[1] });
is($res->{status}, 429, 'after 5 wrong codes from 5 accounts, the number waits');

# the race: twenty customers, one number
my ($prize) = $hd->issue($type);
my @racers = map { $hd->user("racer$_") } 1 .. 20;
pipe(my $r, my $w) or die;
my @kids;
for my $c (@racers) {
    my $pid = fork // die;
    if (!$pid) {
        close $r;
        my $res = $c->api('POST', 'certificates', { number => $prize->[0], code => $prize->[1] });
        syswrite $w, "$res->{status}\n";
        _exit(0);
    }
    push @kids, $pid;
}
close $w;
waitpid $_, 0 for @kids;
my @status = map { chomp; $_ } <$r>;
is(scalar(grep { $_ == 201 } @status), 1, 'twenty customers racing for one number: exactly one wins');
is(scalar(grep { $_ == 409 } @status), 19, '... the others are told it is registered elsewhere');

# My certificates: active and expired by default; "hide expired" remembered
$hd->issue($type, '--number', 'MINE-OLD', '--from', '2025-01-01', '--until', '2025-06-30', '--no-code');
my ($rc, $out) = $hd->cli('certs', 'assign', 'MINE-OLD', '--account', 'olga');
is($rc, 0, 'an operator assigns an expired certificate to the customer') or diag($out);

$res = $ua->api('GET', 'certificates');
is(scalar @{ $res->{json}{certificates} }, 2, 'GET /certificates: active and expired');
my %by = map { $_->{number} => $_ } @{ $res->{json}{certificates} };
is_deeply([ @{ $by{ $valid->[0] } }{qw(state unclosed limit holder)} ], [ 'active', 0, 2, 'account' ],
          '... each with its state, unclosed tickets and limit');
is($by{'MINE-OLD'}{state}, 'expired', '... the old one expired');
is(scalar @{ $ua->api('GET', 'certificates?hide_expired=1')->{json}{certificates} }, 1, '?hide_expired=1');

$page = $ua->get('/certificates');
is($page->{status}, 200, 'the page "My certificates"');
like($page->{content}, qr/<strong>\Q$valid->[0]\E<\/strong>/, '... lists the active one');
like($page->{content}, qr/<strong>MINE-OLD<\/strong>/, '... and the expired one');
like($page->{content}, qr/0 of 2/, '... with "unclosed of limit"');
like($page->{content}, qr/Active.*Expired/s, '... and the states');

($csrf) = $page->{content} =~ /action="\/certificates\/prefs">\s*<input type="hidden" name="csrf" value="([^"]+)"/;
$res = $ua->post_form('/certificates/prefs', { csrf => $csrf, hide_expired => 1 });
is($res->{status}, 303, '"Hide expired" works as a plain form');
$page = $ua->get('/certificates');
unlike($page->{content}, qr/MINE-OLD/, '... the expired one is hidden');
like($page->{content}, qr/Expired hidden: 1/, '... and counted');
my $again = $hd->client(lang => 'en');
$again->login('olga', 'olga-password-1');
unlike($again->get('/certificates')->{content}, qr/MINE-OLD/, '... remembered for the account, in another session');
$ua->post_form('/certificates/prefs', { csrf => $csrf, hide_expired => 0 });
like($ua->get('/certificates')->{content}, qr/MINE-OLD/, '"Show expired" brings it back');

# a company admin registers for the company; every member sees it
my $owner = $hd->user('boss', client => { lang => 'en' });
$owner->api('POST', 'company', { name => 'Acme' });
my ($ccert) = $hd->issue($type);
$page = $owner->post_form('/certificates/register', { csrf => $owner->form_csrf('/certificates/register'),
                                                      step => 'number', number => $ccert->[0] });
like($page->{content}, qr/name="holder" value="company"/, 'a company admin may choose the company');
$res = $owner->api('POST', 'certificates', { number => $ccert->[0], code => $ccert->[1], holder => 'company' });
is($res->{status}, 201, 'registered to the company');
is($res->{json}{holder}, 'company', '... as the company\'s');
$res = $ua->api('POST', 'certificates', { number => 'NOCODE-1', holder => 'company' });
is($res->{json}{error}{code}, 'no_company', 'one without a company cannot register for one');

$hd->finish;

done_testing;
