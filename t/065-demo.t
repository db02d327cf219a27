# The demo of ./build.sh run (helpdesk demo): seeded once, grown by later
# steps; its customer logs in with the printed password and finds tickets
# in both states a newcomer should see.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
local $ENV{HELPDESK_URL} = $hd->url('/');

my ($rc, $out) = $hd->cli('demo');
is($rc, 0, 'helpdesk demo') or diag($out);
my ($password) = $out =~ /customer\s+login customer\s+password (\S+)/;
ok($password, '... prints the customer and a password');
like($out, qr/a premium ticket\s+no\. (\d+), support awaits/, '... and its tickets');

my ($rc2, $again) = $hd->cli('demo');
is($again, $out, 'a second run changes nothing and prints the same');

my $ua = $hd->client;
$ua->login('customer', $password);
my $res = $ua->api('GET', 'tickets');
is($res->{json}{total}, 5, 'the demo customer has five tickets (the activation and the APNs request among them)');
my %status = map { $_->{subject} => $_->{status} } @{ $res->{json}{tickets} };
is($status{'Не подписывается документ в СЭД'}, 'awaiting_customer', '... one awaiting their answer');
is($status{'Как перенести лицензию на новый компьютер?'}, 'solved', '... one solved');
is($status{'Не устанавливается КриптоПро CSP на новый компьютер'}, 'new', '... one registered by phone');
my ($premium) = grep { $_->{premium} } @{ $res->{json}{tickets} };
is($premium->{priority}, 'urgent', "... the premium one on the company's MSA Business contract");

my $mail = $hd->last_mail('ticket_info_request', 'customer@example.com');
like($mail->{body}, qr{\Q${\ $hd->url('/')}\Etickets/\d+}, 'its e-mail links the portal of HELPDESK_URL');

# the staff console's people: the agent finds the phone ticket in the queue
my ($agent_pw) = $out =~ /agent \(basic and extended support\)\s+login agent\s+password (\S+)/;
ok($agent_pw, 'the demo prints an agent and a password');
like($out, qr/manager \(every department\)\s+login manager\s+password \S+/, '... and a manager');
my $agent = $hd->client;
$agent->login('agent', $agent_pw);
$res = $agent->api('GET', 'staff/tickets?queue=unassigned');
is($res->{status}, 200, 'the agent opens the queue');
ok((grep { $_->{subject} =~ /Не устанавливается/ && $_->{channel} eq 'phone' } @{ $res->{json}{tickets} }),
   '... and finds the phone ticket unassigned');

# the seed services' rules: an activated MSA contract, an APNs request
my ($activation) = $out =~ /an activated contract\s+MSA-2026-0007, 2 premium contacts \(ticket no\. (\d+)\)/;
ok($activation, 'the demo activates the MSA contract with two contacts');
my ($apns) = $out =~ /an APNs certificate request\s+no\. (\d+)/;
ok($apns, '... and makes an APNs request');
my ($admin_pw) = $out =~ /administrator\s+login admin\s+password (\S+)/;
my $admin = $hd->client;
$admin->login('admin', $admin_pw);
like($admin->api('GET', "staff/tickets/$apns")->{json}{csr} // '', qr/CN=ru\.example\.romashka\.push.*RSA 2048 bits/,
     '... whose CSR staff see');
my $customer = $hd->client;
$customer->login("customer", $password);
my $act = $customer->api('GET', 'certificates/MSA-2026-0007/activation')->{json};
ok($act->{activated}, 'the customer sees the contract activated');
is(scalar @{ $act->{contacts} // [] }, 2, '... with two premium contacts');

($rc, $out) = $hd->cli('check');
is($rc, 0, 'the demo data checks consistent') or diag($out);

$hd->finish;
done_testing;
