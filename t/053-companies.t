# Companies (SPEC §2; Kaspersky blocks 4-6): an owner, admins and members;
# invitations by e-mail; roles and rights; removal takes access away at
# once; only the owner deletes, and nothing is lost; another company's
# members answer 404.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $type = $hd->catalog;

my $owner = $hd->user('owner', client => { lang => 'en' });
my $res = $owner->api('POST', 'company', { name => '' });
is($res->{status}, 422, 'a company needs a name');
$res = $owner->api('POST', 'company', { name => 'ООО «Ромашка»' });
is($res->{status}, 201, 'a customer creates a company');
is($res->{json}{role}, 'owner', '... and is its owner');
is($owner->api('POST', 'company', { name => 'Another' })->{status}, 409, 'one company per account');

# invitations through the outbox
sub invite_and_join { $hd->invite($_[0], $_[1], client => { lang => 'en' }) }

my $admin = invite_and_join($owner, 'anna');
is($admin->{join}{status}, 200, 'an invited person joins by the link in the mail');
my $mail = $hd->last_mail('company_invitation', 'anna@example.com');
like($mail->{body}, qr/ООО «Ромашка»/, 'the invitation names the company');
like($mail->{body}, qr/7 days|7 дней/, '... and how long it works');
ok($hd->last_mail('company_member_added', 'owner@example.com'), 'the owner is told a member was added');

my $member = invite_and_join($owner, 'boris');
my $company = $owner->api('GET', 'company')->{json};
my %id = map { $_->{name} => $_->{id} } @{ $company->{members} };
is(scalar @{ $company->{members} }, 3, 'the company has three members');

$res = $owner->api('PATCH', "company/members/$id{'User anna'}", { role => 'admin' });
is($res->{status}, 200, 'the owner makes a member an admin');

# the right to see the company's tickets
$res = $admin->api('PATCH', "company/members/$id{'User boris'}", { sees_company_tickets => JSON::PP::true() });
is($res->{status}, 200, 'an admin grants "sees company tickets"');
my ($boris) = grep { $_->{name} eq 'User boris' } @{ $owner->api('GET', 'company')->{json}{members} };
ok($boris->{sees_company_tickets}, '... and it is granted');
$admin->api('PATCH', "company/members/$id{'User boris'}", { sees_company_tickets => JSON::PP::false() });
($boris) = grep { $_->{name} eq 'User boris' } @{ $owner->api('GET', 'company')->{json}{members} };
ok(!$boris->{sees_company_tickets}, '... and revoked');

# role checks
$res = $member->api('POST', 'company/invitations', { email => 'x@example.com' });
is($res->{status}, 403, 'a member cannot invite');
is($res->{json}{error}{code}, 'not_company_admin', '... saying why');
is($member->api('PATCH', "company/members/$id{'User anna'}", { role => 'member' })->{status}, 403,
   'a member cannot change roles');
$res = $admin->api('DELETE', 'company');
is($res->{status}, 403, 'an admin cannot delete the company');
is($res->{json}{error}{code}, 'only_owner', '... only the owner can');
is($admin->api('PATCH', "company/members/$id{'User owner'}", { role => 'member' })->{status}, 403,
   'nobody changes the owner');
is($owner->api('DELETE', "company/members/$id{'User owner'}")->{status}, 403, 'the owner cannot leave');

# an invitation is for its mailbox, and once
my $res2 = $owner->api('POST', 'company/invitations', { email => 'carol@example.com' });
my ($token) = $hd->last_mail('company_invitation', 'carol@example.com')->{body} =~ /token=([\w-]{43})/;
my $dave = $hd->user('dave');
$res = $dave->api('POST', 'company/join', { token => $token });
is($res->{status}, 403, 'a forwarded invitation does not let another address in');
is($res->{json}{error}{code}, 'invitation_other_address', '... saying so');
my $carol = $hd->user('carol');
is($carol->api('POST', 'company/join', { token => $token })->{status}, 200, 'the invited address joins');
is($carol->api('POST', 'company/join', { token => $token })->{status}, 404, 'the link works once');
is($owner->api('POST', 'company/invitations', { email => 'carol@example.com' })->{status}, 409,
   'inviting a member again is refused');

# the link in a browser: not logged in yet, log in, come back, accept
$owner->api('POST', 'company/invitations', { email => 'erin@example.com' });
my ($erin_token) = $hd->last_mail('company_invitation', 'erin@example.com')->{body} =~ /token=([\w-]{43})/;
$hd->user('erin', client => { lang => 'en' });
my $web = $hd->client(lang => 'en');
my $page = $web->get("/company/join?token=$erin_token");
is($page->{status}, 200, 'the invitation link opens a page');
like($page->{content}, qr/You are invited to the company <strong>ООО «Ромашка»<\/strong>/, '... naming the company');
like($page->{content}, qr/href="\/login\?next=\/company\/join"/, '... asking to log in first, the token not in the link');
my $csrf = $web->form_csrf('/login');
$res = $web->post_form('/login', { csrf => $csrf, login => 'erin', password => 'erin-password-1',
                                   next => '/company/join' });
is($res->{headers}{location}, $hd->url('/company/join'), 'after logging in, back to the invitation');
$page = $web->get('/company/join');
like($page->{content}, qr/Accept the invitation/, 'which can now be accepted');
($csrf) = $page->{content} =~ /name="csrf" value="([^"]+)"/;
my ($form_token) = $page->{content} =~ /name="token" value="([^"]+)"/;
$res = $web->post_form('/company/join', { csrf => $csrf, token => $form_token });
is($res->{status}, 303, 'accepted');
like($web->get('/company')->{content}, qr/<h1>ООО «Ромашка»<\/h1>/, '... and the company is hers');
ok(index($hd->access_log . $hd->error_log, $erin_token) < 0, 'the invitation token is in no log');

# another company's members: 404
my $rival = $hd->user('rival');
$rival->api('POST', 'company', { name => 'Rival' });
is($rival->api('DELETE', "company/members/$id{'User boris'}")->{status}, 404,
   'another company\'s member: 404');
is($rival->api('PATCH', "company/members/$id{'User anna'}", { role => 'member' })->{status}, 404,
   '... for every action');

# certificates of the company: every member sees them
my ($cc) = $hd->issue($type);
$owner->api('POST', 'certificates', { number => $cc->[0], code => $cc->[1], holder => 'company' });
my @nums = map { $_->{number} } @{ $member->api('GET', 'certificates')->{json}{certificates} };
is_deeply(\@nums, [ $cc->[0] ], 'a member sees the company\'s certificate');

# removal: access ends at once
$res = $admin->api('DELETE', "company/members/$id{'User boris'}");
is($res->{status}, 204, 'an admin removes a member');
is($member->api('GET', 'company')->{status}, 404, 'the removed member has no company at once');
is(scalar @{ $member->api('GET', 'certificates')->{json}{certificates} }, 0,
   '... and no longer sees its certificates');
ok($hd->last_mail('company_member_removed', 'owner@example.com'), 'the owner is told');
ok($hd->last_mail('company_left', 'boris@example.com'), 'the removed member is told');
ok(!$hd->last_mail('company_member_removed', 'boris@example.com'), '... not as an admin');

# leaving
is($carol->api('DELETE', "company/members/" . $carol->api('GET', 'me')->{json}{id})->{status}, 204,
   'a member leaves');

# the HTML page
$page = $owner->get('/company');
like($page->{content}, qr/<h1>ООО «Ромашка»<\/h1>/, 'the company page');
like($page->{content}, qr/User anna.*administrator/s, '... lists members and roles');
like($page->{content}, qr/\Q$cc->[0]\E/, '... and the company\'s certificates');
like($page->{content}, qr/Delete the company/, '... with deletion for the owner');
unlike($admin->get('/company')->{content}, qr/Delete the company/, '... not for an admin');
like($admin->get('/company')->{content}, qr/Invite a colleague/, 'admins have the invitation form');
unlike($hd->user('nobody')->get('/company')->{content}, qr/Invite/, 'without a company: the form to create one');

# deletion: nothing is lost
$res = $owner->api('DELETE', 'company');
is($res->{status}, 200, 'the owner deletes the company');
is($res->{json}{members}, 3, '... its members become individual accounts');
is($res->{json}{certificates}, 1, '... its certificate passes to the owner');
is($admin->api('GET', 'company')->{status}, 404, 'the admin has no company any more');
my ($mine) = @{ $owner->api('GET', 'certificates')->{json}{certificates} };
is($mine->{number}, $cc->[0], 'the owner holds the certificate now');
is($mine->{holder}, 'account', '... personally');
ok($hd->last_mail('company_deleted', 'anna@example.com'), 'members are told');

my ($rc, $out) = $hd->cli('check');
like($out, qr/^consistent$/m, 'the database is consistent after it all');
like($out, qr/^companies\s+1$/m, '... one company (the rival) is left');

$hd->finish;

done_testing;
