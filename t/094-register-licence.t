# Registration with a licence (Kaspersky block 5, issue 16): a company
# registers itself with its licence's number and activation code; when the
# first employee's address proves itself (the mailed link), they become the
# owner of a new company that holds it. A licence another company holds is
# a "licence conflict", said at once to who has its code: the account is
# made without it and the page says the two ways out. A bad number or code
# names its field and makes nothing; such mistakes are limited per address.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode(Test::More->builder->$_, ':utf8') for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new->start;
my $type = $t->catalog(name => 'Kaspersky Endpoint Security для бизнеса', kind => 'contract');
my ($lic, $other) = $t->issue($type, '--count', 2);
my ($nocode) = $t->issue($type, '--no-code');

sub register {
    my ($login, %extra) = @_;
    my $ua = $t->client;
    my $res = $ua->api('POST', 'accounts', { email => "$login\@example.com", login => $login,
                                             password => "$login-password-1", name => "User $login", %extra });
    return ($ua, $res);
}

# the mailed link followed: the account made, {id, company}
sub finish {
    my ($ua, $login) = @_;
    return $ua->api('POST', 'email/confirm', { token => $t->register_token("$login\@example.com") });
}

# --- a licence makes a company --------------------------------------------

my ($ua, $res) = register('owner', certificate => $lic->[0], activation_code => $lic->[1],
                          company => 'ООО «Антивирусная защита»');
is($res->{status}, 202, 'registration with a licence: 202, a link to the address') or diag($res->{content});
is($res->{json}{licence}{outcome}, 'after_confirmation', '... the licence taken when the address proves itself');
$res = finish($ua, 'owner');
is($res->{status}, 201, 'the link makes the account');
ok($res->{json}{company}, '... and a new company holding the licence');
$ua->login('owner', 'owner-password-1');
my $owner_ua = $ua;
my $company = $ua->api('GET', 'company')->{json};
is($company->{name}, 'ООО «Антивирусная защита»', 'the company is named as in the form');
is($company->{role}, 'owner', '... and the new account is its owner');
is(scalar @{ $company->{members} }, 1, '... its only member');
my $certs = $ua->api('GET', 'certificates')->{json}{certificates};
is($certs->[0]{number}, $lic->[0], '... which holds the licence');
is($certs->[0]{holder}, 'company', "... as the company's");

# --- held by another company: the conflict ---------------------------------

($ua, $res) = register('second', certificate => $lic->[0], activation_code => $lic->[1],
                       organisation => 'ООО «Антивирусная защита»');
is($res->{status}, 202, 'the same licence again: taken');
is($res->{json}{licence}{outcome}, 'conflict', '... a licence conflict, said to who has the code');
$res = finish($ua, 'second');
is($res->{status}, 201, '... the link makes the account');
is($res->{json}{company}, 0, '... without the licence');
$ua->login('second', 'second-password-1');
is($ua->api('GET', 'company')->{status}, 404, '... in no company');
is(scalar @{ $ua->api('GET', 'certificates')->{json}{certificates} }, 0, '... holding nothing');

# the page says what to do
my $web = $t->client;
my $csrf = $web->form_csrf('/register');
$res = $web->post_form('/register', { csrf => $csrf, email => 'third@example.com', login => 'third',
                                      password => 'third-password-1', name => 'Третий',
                                      certificate => $lic->[0], activation_code => $lic->[1] });
is($res->{status}, 202, 'through the form: the page about the conflict');
like($res->{content}, qr/id="register-pending"/, '... which says the link went to the address');
like($res->{content}, qr/id="licence-conflict"/, '... is the one shown');
like($res->{content}, qr/\Q$lic->[0]\E/, '... naming the licence');
like($res->{content}, qr/пригласить вас/, '... saying to ask for an invitation');
like($res->{content}, qr{href="/tickets/new\?category=account_or_contract"}, '... or to open an account question');
$res = $web->get('/tickets/new?category=account_or_contract');
like($res->{headers}{location} // '', qr{/login\?next=/tickets/new%3Fcategory=account_or_contract},
     'that link asks to log in first (the account is made by the mailed link), then opens the form');
$res = $owner_ua->get('/tickets/new?category=account_or_contract');
like($res->{content}, qr/<option value="account_or_contract" selected>/, '... on the right category');

# --- bad input: the field named, nothing made -------------------------------

($ua, $res) = register('wrongcode', certificate => $other->[0], activation_code => 'AAAA-BBBB-CCCC-DDDD',
                       company => 'ООО «Ошибка»');
is($res->{status}, 422, 'a wrong activation code: 422');
is($res->{json}{error}{field}, 'activation_code', '... naming the field');
is($res->{json}{error}{code}, 'code_wrong', '... and what is wrong');
my ($check, $r2) = register('wrongcode');
is($r2->{status}, 202, '... nothing was made:');
is(finish($check, 'wrongcode')->{status}, 201, '... the login is still free');

($ua, $res) = register('unknown', certificate => 'NO-SUCH-LICENCE', activation_code => 'AAAA',
                       company => 'X');
is($res->{status}, 422, 'an unknown number: 422');
is($res->{json}{error}{field}, 'certificate', '... naming the field');
is($res->{json}{error}{code}, 'cert_unknown', '... and why');

($ua, $res) = register('nocompany', certificate => $other->[0], activation_code => $other->[1]);
is($res->{status}, 422, 'a licence without a company name: 422');
is($res->{json}{error}{field}, 'company', '... naming the field');

# the conflict is told only with the right code: a held number with a wrong
# code is just a wrong code
($ua, $res) = register('guess', certificate => $lic->[0], activation_code => 'AAAA-BBBB-CCCC-DDDD',
                       company => 'Y');
is($res->{status}, 422, 'a held licence with a wrong code: 422, not a conflict');
is($res->{json}{error}{code}, 'code_wrong', '... a wrong code');

# a licence without a code (issued so by an operator) registers with none
($ua, $res) = register('plain', certificate => $nocode->[0], company => 'ИП Простой');
is($res->{json}{licence}{outcome}, 'after_confirmation', 'a licence without a code needs none');
ok(finish($ua, 'plain')->{json}{company}, '... and is the new company\'s');

# wrong numbers are limited per address, like logins tried
my $limited = 0;
for my $i (1 .. 40) {
    my (undef, $r) = register("probe$i", certificate => "NOPE-$i", activation_code => 'X', company => 'Z');
    if ($r->{status} == 429) { $limited = $i; last }
}
ok($limited, "guessing numbers is stopped ($limited tries)");

$t->stop;
my ($rc, $out) = $t->cli('check');
is($rc, 0, 'the data directory checks out') or diag($out);
$t->finish;
done_testing;
