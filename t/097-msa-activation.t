# An MSA contract's activation and its premium contacts (Kaspersky block 3,
# issue 16): the contract type allows so many contacts; the company's owner
# or an administrator names them (name, e-mail, phone) in a request that
# becomes a ticket; staff approve it there; the contract is activated and
# only those contacts may open premium incidents; others are told why not.
# Over the limit, bad lines, someone else's contract: refused, nothing made.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use Helpdesk::Test;

binmode(Test::More->builder->$_, ':utf8') for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new->start;
my ($rc, $out) = $t->cli('products', 'add', 'Kaspersky Endpoint Security', '--versions', '12.0');
($rc, $out) = $t->cli('cert-types', 'add', '--name', 'MSA Business', '--product', 'Kaspersky Endpoint Security',
                      '--term', 12, '--kind', 'contract', '--limit', 5, '--level', 'msa_business',
                      '--premium', 10, '--contacts', 2, '--department', 1,
                      '--covers', 'Покрывает: инциденты 24/7, удалённое подключение. Не покрывает: доработку продукта.');
is($rc, 0, 'a contract type with two premium contacts') or diag($out);
my ($type) = $out =~ /certificate type (\d+)/;
($rc, $out) = $t->cli('cert-types', 'edit', $type, '--limit', 6);
is($rc, 0, '... edited, keeping what its level covers') or diag($out);
($rc, $out) = $t->cli('cert-types', 'add', '--name', 'MSA Bad', '--product', 'Kaspersky Endpoint Security',
                      '--term', 12, '--kind', 'contract', '--limit', 5, '--level', 'msa_business',
                      '--premium', 10, '--contacts', 'many', '--department', 1);
isnt($rc, 0, 'a --contacts that is not a number is refused');
like($out, qr/--contacts/, '... naming the option');

my $owner = $t->user('owner');
is($owner->api('POST', 'company', { name => 'ООО «Щит»' })->{status}, 201, 'a company');
my $cert = $t->certificate($owner, $type, holder => 'company');
my $anna = $t->invite($owner, 'anna');
my $boris = $t->invite($owner, 'boris');
my $agent = $t->staff('agent', 'administrator');

my %premium = (subject => 'Сервер не загружается', description => 'После обновления', category => 'technical',
               type => 'bug', severity => 1, certificate => $cert, premium => JSON::PP::true);

# --- before the activation ----------------------------------------------

like($owner->get('/tickets/new')->{content}, qr{class="hint covers">Покрывает: инциденты 24/7, удалённое подключение\. Не покрывает: доработку продукта\.<},
     'the form says what the support level covers and what not (Kaspersky block 2)');

my $res = $owner->api('POST', 'tickets', \%premium);
is($res->{status}, 422, 'premium before the activation: refused');
is($res->{json}{error}{code}, 'contract_not_activated', '... saying the contract is not activated');
is($res->{json}{error}{field}, 'premium', '... at the premium field');

# --- the request: checked ------------------------------------------------------

$res = $owner->api('POST', "certificates/$cert/activation", { contacts => [] });
is($res->{status}, 422, 'no contacts: 422');
is($res->{json}{error}{code}, 'contacts_required', '... saying so');
$res = $owner->api('POST', "certificates/$cert/activation", { contacts => [
    map { { name => "Сотрудник $_", email => "e$_\@example.com", phone => "+7 495 000-00-0$_" } } 1 .. 3 ] });
is($res->{status}, 422, 'three contacts where two are allowed: 422');
is($res->{json}{error}{code}, 'contacts_too_many', '... over the limit');
$res = $owner->api('POST', "certificates/$cert/activation", { contacts => [
    { name => 'Анна', email => 'not-an-address', phone => '+7 495 000-00-01' } ] });
is($res->{json}{error}{code}, 'contact_email_invalid', 'a bad address: named');
$res = $owner->api('POST', "certificates/$cert/activation", { contacts => [
    { name => 'Анна', email => 'anna@example.com', phone => 'звоните' } ] });
is($res->{json}{error}{code}, 'contact_phone_invalid', 'a bad phone: named');
$res = $anna->api('POST', "certificates/$cert/activation", { contacts => [
    { name => 'Анна', email => 'anna@example.com', phone => '+7 495 000-00-01' } ] });
is($res->{status}, 403, 'a member who is not an administrator may not ask');
my $stranger = $t->user('stranger');
$res = $stranger->api('POST', "certificates/$cert/activation", { contacts => [
    { name => 'X', email => 'x@example.com', phone => '+7 495 000-00-09' } ] });
is($res->{status}, 404, "someone else's contract is as unknown as none");
is(scalar @{ $owner->api('GET', 'tickets')->{json}{tickets} }, 0, '... and no request was made by any of them');

# --- the request: a ticket -------------------------------------------------------

$res = $owner->api('POST', "certificates/$cert/activation", { contacts => [
    { name => 'Анна Смирнова', email => 'anna@example.com', phone => '+7 495 000-00-01' },
    { name => 'Владелец', email => 'owner@example.com', phone => '+7 495 000-00-02' } ] });
is($res->{status}, 202, 'the owner asks with two contacts: 202') or diag($res->{content});
my $n = $res->{json}{ticket};
ok($n, '... a ticket is made');
my $ticket = $owner->api('GET', "tickets/$n")->{json};
is($ticket->{category}, 'account_or_contract', '... an account or contract question');
is($ticket->{certificate}, $cert, '... under the contract it is about');
is($ticket->{priority}, 'normal', '... so at its priority, not the lowest of a ticket without a certificate');
like($ticket->{messages}[0]{body}, qr/Анна Смирнова \| anna\@example\.com \| \+7 495 000-00-01/, '... listing the contacts');
$res = $owner->api('GET', "certificates/$cert/activation");
ok(!$res->{json}{activated}, 'not activated yet');
is(scalar @{ $res->{json}{pending} }, 2, '... two pending');
is($owner->api('POST', 'tickets', \%premium)->{json}{error}{code}, 'contract_not_activated',
   '... and premium still refused');

# --- staff approve ------------------------------------------------------------

my $page = $agent->get("/staff/tickets/$n")->{content};
like($page, qr{id="activation".*anna\@example\.com}s, 'the staff page shows who the request names');
like($page, qr{action="/staff/tickets/$n/activation"}, '... with the approval');
is($agent->api('POST', "staff/tickets/99999/activation", {})->{status}, 404, 'approving an unknown ticket: 404');
$res = $agent->api('POST', "staff/tickets/$n/activation", {});
is($res->{status}, 200, 'staff approve the activation') or diag($res->{content});
is($res->{json}{contacts}, 2, '... of two contacts');
is($agent->api('POST', "staff/tickets/$n/activation", {})->{json}{error}{code}, 'activation_none',
   'approving again: nothing pending');
$ticket = $owner->api('GET', "tickets/$n")->{json};
ok((grep { ($_->{body} // '') =~ /Контракт активирован/ } @{ $ticket->{messages} }),
   'the customer is told in the ticket');

$res = $owner->api('GET', "certificates/$cert/activation");
ok($res->{json}{activated}, 'the contract is activated');
is_deeply([ map { $_->{email} } @{ $res->{json}{contacts} } ], [ 'anna@example.com', 'owner@example.com' ],
          '... with its contacts');
my ($c) = grep { $_->{number} eq $cert } @{ $owner->api('GET', 'certificates')->{json}{certificates} };
ok($c->{activated}, 'the certificates list says activated');

# --- premium: the contacts only ----------------------------------------------------------

$res = $anna->api('POST', 'tickets', \%premium);
is($res->{status}, 201, 'a contact opens a premium incident') or diag($res->{content});
ok($res->{json}{premium}, '... premium');
$res = $boris->api('POST', 'tickets', \%premium);
is($res->{status}, 422, 'a member who is not a contact: refused');
is($res->{json}{error}{code}, 'premium_not_contact', '... saying only the contacts may');
like($res->{json}{error}{message}, qr/администратора|administrator/, '... and what to do');
$res = $boris->api('POST', 'tickets', { %premium, premium => JSON::PP::false });
is($res->{status}, 201, '... who may still open an ordinary ticket on the contract');

# --- the list changed later through the same request ---------------------------

my $web = $owner;
my $csrf = $web->form_csrf("/certificates/$cert/activation");
$res = $web->post_form("/certificates/$cert/activation",
    { csrf => $csrf, contacts => "Борис Иванов | boris\@example.com | +7 495 000-00-03\n" });
is($res->{status}, 303, 'the form asks for a new list');
my ($n2) = ($res->{headers}{location} // '') =~ m{/tickets/(\d+)};
ok($n2, '... in a new ticket');
is($agent->api('POST', "staff/tickets/$n2/activation", {})->{status}, 200, 'staff approve it');
is($boris->api('POST', 'tickets', \%premium)->{status}, 201, 'now Boris may open premium incidents');
is($anna->api('POST', 'tickets', \%premium)->{json}{error}{code}, 'premium_not_contact', '... and Anna no longer');

$t->stop;
($rc, $out) = $t->cli('check');
is($rc, 0, 'the data directory checks out') or diag($out);
$t->finish;
done_testing;
